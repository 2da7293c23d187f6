from django.urls import path

from onward.interviews import views

urlpatterns = [
    path("interviews/day/", views.day_board, name="interview_day"),
    path("interviews/book/", views.book, name="interview_book"),
    path(
        "interviews/<int:appointment_id>/check-in/",
        views.check_in,
        name="interview_check_in",
    ),
]
