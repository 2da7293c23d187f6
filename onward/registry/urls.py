from django.urls import path

from onward.registry import api, api_imports, views, views_io

urlpatterns = [
    path("persons/", views.person_list, name="person_list"),
    path("persons/lookup/", views.person_lookup, name="person_lookup"),
    path("persons/export/", views_io.person_export, name="person_export"),
    path("cases/export/", views_io.case_export, name="case_export"),
    path("imports/", views_io.import_list, name="import_list"),
    path("imports/<uuid:job_id>/", views_io.import_detail, name="import_detail"),
    path("imports/<uuid:job_id>/assigned.csv", views_io.import_assigned, name="import_assigned"),
    path(
        "imports/files/<str:template>", views_io.import_template_file, name="import_template_file"
    ),
    path("imports/<uuid:job_id>/errors.csv", views_io.import_errors, name="import_errors"),
    path("persons/<str:person_id>/", views.person_detail, name="person_detail"),
    path("persons/<str:person_id>/edit/", views.person_edit, name="person_edit"),
    path("persons/<str:person_id>/remove/", views.person_remove, name="person_remove"),
    path("persons/<str:person_id>/restore/", views.person_restore, name="person_restore"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_create, name="case_create"),
    path("cases/<str:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<str:case_id>/edit/", views.case_edit, name="case_edit"),
    path("cases/<str:case_id>/remove/", views.case_remove, name="case_remove"),
    path("cases/<str:case_id>/restore/", views.case_restore, name="case_restore"),
    path("cases/<str:case_id>/members/new/", views.member_add, name="member_add"),
    path("cases/<str:case_id>/notes/", views.note_add, name="note_add"),
    path("api/persons/", api.PersonListApi.as_view(), name="api_person_list"),
    path("api/persons/lookup/", api.PersonLookupApi.as_view(), name="api_person_lookup"),
    path("api/persons/<str:person_id>/", api.PersonDetailApi.as_view(), name="api_person_detail"),
    path("api/cases/", api.CaseListApi.as_view(), name="api_case_list"),
    path("api/cases/<str:case_id>/", api.CaseDetailApi.as_view(), name="api_case_detail"),
    path("api/cases/<str:case_id>/members/", api.CaseMembersApi.as_view(), name="api_case_members"),
    path("api/imports/", api_imports.ImportListApi.as_view(), name="api_import_list"),
    path(
        "api/imports/<uuid:import_id>/",
        api_imports.ImportDetailApi.as_view(),
        name="api_import_detail",
    ),
]
