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
    path("interviews/<int:appointment_id>/change/", views.change, name="interview_change"),
    path("interviews/<int:appointment_id>/cancel/", views.cancel, name="interview_cancel"),
    path("interviews/bulk/", views.bulk, name="interview_bulk"),
]

urlpatterns += [
    path("interviews/week/", views.week_board, name="interview_week"),
    path("interviews/calls/", views.call_list, name="interview_calls"),
    path("interviews/no-shows/", views.no_shows, name="interview_no_shows"),
]

urlpatterns += [
    path("interviews/missions/", views.mission_list, name="mission_list"),
    path("interviews/missions/new/", views.mission_new, name="mission_new"),
    path("interviews/missions/<int:mission_id>/", views.mission_detail, name="mission_detail"),
    path("interviews/missions/<int:mission_id>/plan/", views.mission_plan, name="mission_plan"),
    path(
        "interviews/missions/<int:mission_id>/confirm/",
        views.mission_confirm,
        name="mission_confirm",
    ),
]

urlpatterns += [
    path(
        "interviews/person/<str:person_id>/language/",
        views.person_language,
        name="person_language",
    ),
    path(
        "interviews/person/<str:person_id>/interpreter/",
        views.person_interpreter,
        name="person_interpreter",
    ),
]
