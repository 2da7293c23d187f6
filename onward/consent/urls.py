from django.urls import path

from onward.consent import api, views

urlpatterns = [
    path("persons/<str:person_id>/consents/", views.person_consents, name="person_consents"),
    path("consents/<int:consent_id>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("consents/expiring/", views.consents_expiring, name="consents_expiring"),
    path("cases/<str:case_id>/consents/", views.case_consent, name="case_consent"),
    path("consents/agreements/", views.agreement_list, name="agreement_list"),
    path("dossiers/<int:submission_id>/", views.dossier, name="dossier"),
    path("dossiers/<int:submission_id>/choose/", views.dossier_choose, name="dossier_choose"),
    path(
        "dossiers/<int:submission_id>/documents/<int:file_id>/",
        views.dossier_download,
        name="dossier_download",
    ),
    path("api/dossiers/<int:submission_id>/", api.DossierApi.as_view(), name="api_dossier"),
    path(
        "api/dossiers/<int:submission_id>/documents/<int:file_id>/",
        api.DossierDocumentApi.as_view(),
        name="api_dossier_document",
    ),
]
