from django.urls import path

from onward.relocation import api, views

urlpatterns = [
    path("relocation/pledges/", views.pledge_list, name="pledge_list"),
    path("relocation/pledges/new/", views.pledge_create, name="pledge_create"),
    path("relocation/pledges/<int:pledge_id>/", views.pledge_detail, name="pledge_detail"),
    path("relocation/pledges/<int:pledge_id>/edit/", views.pledge_edit, name="pledge_edit"),
    path("relocation/cases/", views.relocation_case_list, name="relocation_case_list"),
    path("relocation/cases/<str:case_id>/", views.relocation_case, name="relocation_case"),
    path(
        "relocation/cases/<str:case_id>/action/",
        views.relocation_case_action,
        name="relocation_case_action",
    ),
    path(
        "relocation/cases/<str:case_id>/recommend/",
        views.recommendation_record,
        name="recommendation_record",
    ),
    path(
        "relocation/cases/<str:case_id>/dismiss-no-show/",
        views.no_show_dismiss,
        name="no_show_dismiss",
    ),
    path(
        "relocation/cases/<str:case_id>/approve-recommendation/",
        views.recommendation_approve,
        name="recommendation_approve",
    ),
    path("relocation/reviews/", views.review_list, name="review_list"),
    path("relocation/bulk-submit/", views.relocation_bulk_submit, name="relocation_bulk_submit"),
    path("relocation/submissions/", views.submission_list, name="submission_list"),
    path("relocation/decisions/", views.delegation_home, name="delegation_home"),
    path(
        "relocation/submissions/<int:submission_id>/decide/",
        views.submission_decide,
        name="submission_decide",
    ),
    path("api/relocation/pledges/", api.PledgeListApi.as_view(), name="api_pledge_list"),
    path(
        "api/relocation/pledges/<int:pledge_id>/",
        api.PledgeDetailApi.as_view(),
        name="api_pledge_detail",
    ),
    path(
        "api/relocation/cases/<str:case_id>/",
        api.RelocationCaseApi.as_view(),
        name="api_relocation_case",
    ),
    path(
        "api/relocation/cases/<str:case_id>/transitions/",
        api.RelocationTransitionApi.as_view(),
        name="api_relocation_transitions",
    ),
    path(
        "api/relocation/submissions/", api.SubmissionListApi.as_view(), name="api_submission_list"
    ),
    path(
        "api/relocation/submissions/<int:submission_id>/decision/",
        api.SubmissionDecisionApi.as_view(),
        name="api_submission_decision",
    ),
    path("api/relocation/bulk-submit/", api.BulkSubmitApi.as_view(), name="api_bulk_submit"),
    path("api/relocation/funnel/", api.FunnelApi.as_view(), name="api_relocation_funnel"),
]
