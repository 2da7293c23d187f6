from django.urls import path

from onward.retention import views

urlpatterns = [
    path("retention/", views.retention_policy, name="retention_policy"),
]
