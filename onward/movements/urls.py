from django.urls import path

from onward.movements import api, views

urlpatterns = [
    path("population/", views.ledger, name="ledger"),
    path("population/departures/new/", views.departure_create, name="departure_create"),
    path("population/births/new/", views.birth_create, name="birth_create"),
    path(
        "population/reported/new/",
        views.reported_departure_create,
        name="reported_departure_create",
    ),
    path(
        "population/persons/<str:person_id>/correct/",
        views.departure_correct,
        name="departure_correct",
    ),
    path("transfers/", views.transfer_list, name="transfer_list"),
    path("transfers/new/", views.transfer_create, name="transfer_create"),
    path("transfers/<int:transfer_id>/", views.transfer_detail, name="transfer_detail"),
    path("transfers/<int:transfer_id>/cases/", views.transfer_case_add, name="transfer_case_add"),
    path(
        "transfers/<int:transfer_id>/lines/<int:line_id>/remove/",
        views.transfer_case_remove,
        name="transfer_case_remove",
    ),
    path(
        "transfers/<int:transfer_id>/lines/<int:line_id>/correct/",
        views.transfer_line_correct,
        name="transfer_line_correct",
    ),
    path(
        "transfers/<int:transfer_id>/lines/<int:line_id>/hold/",
        views.transfer_person_hold,
        name="transfer_person_hold",
    ),
    path("transfers/<int:transfer_id>/confirm/", views.transfer_confirm, name="transfer_confirm"),
    path("transfers/<int:transfer_id>/cancel/", views.transfer_cancel, name="transfer_cancel"),
    path(
        "transfers/<int:transfer_id>/date/", views.transfer_reschedule, name="transfer_reschedule"
    ),
    path("transfers/<int:transfer_id>/manifest.csv", views.manifest_csv, name="manifest_csv"),
    path("transfers/<int:transfer_id>/manifest.pdf", views.manifest_pdf, name="manifest_pdf"),
    path("api/population/", api.PopulationApi.as_view(), name="api_population"),
    path("api/population/series/", api.PopulationSeriesApi.as_view(), name="api_population_series"),
    path("api/departures/", api.DepartureListApi.as_view(), name="api_departures"),
    path(
        "api/departures/<str:person_id>/correction/",
        api.DepartureCorrectionApi.as_view(),
        name="api_departure_correction",
    ),
    path("api/births/", api.BirthApi.as_view(), name="api_births"),
    path("api/transfers/", api.TransferListApi.as_view(), name="api_transfers"),
    path(
        "api/transfers/<int:transfer_id>/",
        api.TransferDetailApi.as_view(),
        name="api_transfer_detail",
    ),
    path(
        "api/transfers/<int:transfer_id>/cases/",
        api.TransferCasesApi.as_view(),
        name="api_transfer_cases",
    ),
    path(
        "api/transfers/<int:transfer_id>/confirm/",
        api.TransferConfirmApi.as_view(),
        name="api_transfer_confirm",
    ),
    path(
        "api/transfers/<int:transfer_id>/date/",
        api.TransferDateApi.as_view(),
        name="api_transfer_date",
    ),
]
