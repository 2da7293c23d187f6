from django.urls import path

from onward.readiness import api, views

urlpatterns = [
    path("readiness/", views.readiness_matrix, name="readiness_matrix"),
    path("readiness/pledge/<int:pledge_id>/", views.pledge_readiness, name="pledge_readiness"),
    path(
        "readiness/pledge/<int:pledge_id>/record/",
        views.record_fact,
        name="readiness_record_fact",
    ),
    path(
        "readiness/pledge/<int:pledge_id>/travel-needs/",
        views.travel_needs,
        name="readiness_travel_needs",
    ),
    path(
        "readiness/pledge/<int:pledge_id>/confirm/",
        views.confirm_item,
        name="readiness_confirm",
    ),
    # The API (docs/readiness.md, "The API"): the matrix's answer, and the same two forms.
    path("api/readiness/", api.ReadinessApi.as_view(), name="api_readiness"),
    path(
        "api/readiness/pledges/<int:pledge_id>/",
        api.PledgeReadinessApi.as_view(),
        name="api_readiness_pledge",
    ),
    path(
        "api/readiness/pledges/<int:pledge_id>/facts/",
        api.RecordFactApi.as_view(),
        name="api_readiness_record",
    ),
    path(
        "api/readiness/pledges/<int:pledge_id>/confirm/",
        api.ConfirmItemApi.as_view(),
        name="api_readiness_confirm",
    ),
    path(
        "api/readiness/pledges/<int:pledge_id>/travel-needs/",
        api.TravelNeedsApi.as_view(),
        name="api_readiness_travel_needs",
    ),
]
