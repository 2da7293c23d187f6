from django.urls import path

from onward.readiness import views

urlpatterns = [
    path("readiness/", views.readiness_matrix, name="readiness_matrix"),
    path("readiness/pledge/<int:pledge_id>/", views.pledge_readiness, name="pledge_readiness"),
    path(
        "readiness/pledge/<int:pledge_id>/record/",
        views.record_fact,
        name="readiness_record_fact",
    ),
    path(
        "readiness/pledge/<int:pledge_id>/confirm/",
        views.confirm_item,
        name="readiness_confirm",
    ),
]
