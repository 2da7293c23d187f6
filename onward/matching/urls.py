from django.urls import path

from onward.matching import api, views

urlpatterns = [
    path("matching/", views.match_list, name="match_list"),
    path("matching/start/", views.match_start, name="match_start"),
    path("matching/runs/<int:run_id>/", views.match_run, name="match_run"),
    path("matching/runs/<int:run_id>/pin/", views.match_pin, name="match_pin"),
    path("matching/runs/<int:run_id>/resolve/", views.match_resolve, name="match_resolve"),
    path("matching/runs/<int:run_id>/accept/", views.match_accept, name="match_accept"),
    path("matching/runs/<int:run_id>/reproduce/", views.match_reproduce, name="match_reproduce"),
    path(
        "matching/runs/<int:run_id>/explain/<str:case_id>/<int:pledge_id>/",
        views.match_explain,
        name="match_explain",
    ),
    path("matching/policies/", views.policy_list, name="policy_list"),
    path("matching/policies/new/", views.policy_create, name="policy_create"),
    path("matching/policies/<int:policy_id>/", views.policy_detail, name="policy_detail"),
    path("matching/policies/<int:policy_id>/edit/", views.policy_edit, name="policy_edit"),
    path("matching/links/", views.country_link_list, name="country_link_list"),
    path("matching/links/<int:link_id>/end/", views.country_link_end, name="country_link_end"),
    path("api/matching/runs/", api.RunListApi.as_view(), name="api_match_runs"),
    path("api/matching/runs/<int:run_id>/", api.RunDetailApi.as_view(), name="api_match_run"),
    path(
        "api/matching/runs/<int:run_id>/resolve/",
        api.RunResolveApi.as_view(),
        name="api_match_resolve",
    ),
    path(
        "api/matching/runs/<int:run_id>/accept/",
        api.RunAcceptApi.as_view(),
        name="api_match_accept",
    ),
]
