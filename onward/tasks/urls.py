from django.urls import path

from onward.tasks import views

urlpatterns = [
    path("tasks/", views.my_tasks, name="my_tasks"),
    path("tasks/inbox/", views.inbox, name="task_inbox"),
    path("tasks/inbox/read/", views.inbox_read, name="task_inbox_read"),
    path("tasks/<int:task_id>/", views.task_action, name="task_action"),
]
