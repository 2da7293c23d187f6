from django.urls import path

from onward.incidents import api, views

urlpatterns = [
    path("incidents/", views.incident_list, name="incident_list"),
    path("incidents/new/", views.incident_create, name="incident_create"),
    path("incidents/<int:incident_id>/", views.incident_detail, name="incident_detail"),
    path("incidents/<int:incident_id>/claims/new/", views.claim_add, name="claim_add"),
    path("incidents/<int:incident_id>/victims/", views.victim_link, name="victim_link"),
    path("protection-requests/", views.protection_request_list, name="protection_request_list"),
    path(
        "protection-requests/new/",
        views.protection_request_create,
        name="protection_request_create",
    ),
    path(
        "protection-requests/<int:request_id>/",
        views.protection_request_detail,
        name="protection_request_detail",
    ),
    path(
        "protection-requests/<int:request_id>/status/",
        views.protection_request_update,
        name="protection_request_update",
    ),
    path("api/incidents/", api.IncidentListApi.as_view(), name="api_incidents"),
    path(
        "api/incidents/<int:incident_id>/",
        api.IncidentDetailApi.as_view(),
        name="api_incident_detail",
    ),
    path(
        "api/incidents/<int:incident_id>/claims/",
        api.IncidentClaimsApi.as_view(),
        name="api_incident_claims",
    ),
    path(
        "api/incidents/<int:incident_id>/victims/",
        api.IncidentVictimsApi.as_view(),
        name="api_incident_victims",
    ),
]
