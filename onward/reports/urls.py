from django.urls import path

from onward.reports import views

urlpatterns = [
    path("reports/", views.dashboard, name="dashboard"),
    path("reports/forecast/", views.forecast, name="report_forecast"),
    path("reports/records/", views.records, name="report_records"),
    path("reports/csv/<slug:key>/", views.table_csv, name="report_csv"),
    path("reports/situation.pdf", views.report_pdf, name="report_pdf"),
    path("reports/situation.xlsx", views.report_xlsx, name="report_xlsx"),
]
