from django.urls import path

from onward.letters import views

urlpatterns = [
    path("cases/<str:case_id>/letters/", views.case_letters, name="case_letters"),
    path(
        "cases/<str:case_id>/letters/language/",
        views.letter_language_set,
        name="letter_language_set",
    ),
    path("cases/<str:case_id>/letters/summary.pdf", views.letter_summary, name="letter_summary"),
    path("cases/<str:case_id>/letters/decision.pdf", views.letter_decision, name="letter_decision"),
    path(
        "cases/<str:case_id>/letters/appointment-<int:appointment_id>.pdf",
        views.letter_appointment,
        name="letter_appointment",
    ),
    path(
        "cases/<str:case_id>/letters/departure-<int:transfer_id>.pdf",
        views.letter_departure,
        name="letter_departure",
    ),
]
