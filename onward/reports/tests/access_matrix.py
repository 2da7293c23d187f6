import datetime as dt

from django.urls import reverse

from onward.web.tests.matrix import Row, outcome


def world(users) -> dict:
    from onward.accounts import roles
    from onward.conftest import principal_data
    from onward.registry import services

    case = services.case_create(
        actor=users[roles.CLERK], principal=principal_data(), arrival_date=dt.date(2013, 1, 5)
    )
    return {"case": case.case_id}


# Every role has reports.view; a delegation gets its own figures, and 404 for the
# whole camp's records or tables.
ROWS = [
    Row("dashboard", lambda w: reverse("dashboard"), outcome(200)),
    Row("dashboard", lambda w: reverse("dashboard") + "?as_of=2013-03-01", outcome(200)),
    Row(
        "report_records",
        lambda w: reverse("report_records") + "?figure=population&sex=M",
        outcome(200, DL=404),
    ),
    Row(
        "report_records",
        lambda w: reverse("report_records") + "?figure=funnel&stage=submitted",
        outcome(200),
    ),
    Row(
        "report_csv",
        lambda w: reverse("report_csv", args=["population_by_sex"]),
        outcome(200, DL=404),
    ),
    Row(
        "report_csv",
        lambda w: reverse("report_csv", args=["submitted_by_sex"]),
        outcome(404, DL=200),
    ),
    # The forecast: the population's for roles that see the registry; a delegation its
    # own pledges' departures only (onward/reports/forecast.py `forecast_for`).
    Row("report_forecast", lambda w: reverse("report_forecast"), outcome(200)),
    Row("report_forecast", lambda w: reverse("report_forecast") + "?s=stop:ALB", outcome(200)),
    Row("report_pdf", lambda w: reverse("report_pdf") + "?as_of=2013-03-01", outcome(200)),
    Row("report_xlsx", lambda w: reverse("report_xlsx"), outcome(200)),
]
