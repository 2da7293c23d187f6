from django.urls import path

from onward.tasks import views

urlpatterns = [
    path("tasks/", views.my_tasks, name="my_tasks"),
    path("tasks/<int:task_id>/", views.task_action, name="task_action"),
]
