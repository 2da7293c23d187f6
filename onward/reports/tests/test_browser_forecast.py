"""In a real headless Chromium: the data manager opens the forecast from the reports,
adds a scenario, and sees both curves on the chart and in the table, and the backtest.
Screenshots under test-output/screenshots/."""

import datetime as dt

import pytest
from django.utils import timezone

from onward.accounts import roles
from onward.conftest import principal_data
from onward.movements import services as movements
from onward.registry import services as registry
from onward.relocation.tests.factories import bring_to, pledge
from onward.reports.tests.test_browser_reports import _camp
from onward.web.tests.browser import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _case_of_three(users, i):
    clerk = users[roles.CLERK]
    case = registry.case_create(
        actor=clerk,
        arrival_date=dt.date(2013, 1, 5),
        principal=principal_data(given_name=f"Flyer{i}", specific_needs=[]),
    )
    for k in range(2):
        registry.person_add(
            actor=clerk,
            case=case,
            person=principal_data(
                given_name=f"Member{i}{k}",
                relationship="child",
                birth_date="2001",
                document_number="",
                specific_needs=[],
            ),
        )
    return case


def _a_flight(users):
    """Ready cases and one confirmed transfer a month ago: the operation has a cadence."""
    rs = users[roles.RESETTLEMENT]
    alb = pledge(users, country="ALB", persons=120, name="ALB second group")
    ready = [
        bring_to(users, _case_of_three(users, i), "ready", pledge_=alb, day=i) for i in range(6)
    ]
    flight = movements.transfer_plan(
        actor=rs, pledge=alb, seats=9, date=timezone.localdate() - dt.timedelta(days=30)
    )
    for case in ready[:3]:
        movements.transfer_case_add(actor=rs, transfer=flight, case=case)
    movements.transfer_confirm(actor=rs, transfer=flight)


def test_the_forecast_with_a_scenario_and_the_backtest(browser_page, live_server, users):
    _camp(users)
    _a_flight(users)
    page, base = browser_page, live_server.url
    login(page, base, "t_datamanager")
    page.goto(f"{base}/reports/")
    page.click("#report-forecast")
    page.wait_for_selector("#forecast-chart")
    assert page.locator("#forecast-table thead th").count() == 2  # month, as recorded
    shot(page, "forecast-01-as-recorded")
    page.select_option("#scenario-kind", "transfers")
    page.fill("#scenario-factor", "3")
    page.click("#scenario-add")
    page.wait_for_selector("#scenario-list")
    assert "transfers 3× as often" in page.inner_text("#scenario-list")
    heads = page.locator("#forecast-table thead th").all_inner_texts()
    assert len(heads) == 3 and heads[2].startswith("transfers 3× as often")
    # Both curves drawn: per curve a median line and the two edges of its band.
    drawn = page.evaluate("Chart.getChart('forecast-chart').data.datasets.map(d => d.label)")
    assert "As recorded" in drawn and "transfers 3× as often" in drawn and len(drawn) == 6
    last = page.locator("#forecast-table tbody tr").last.locator("td").all_inner_texts()
    assert float(last[2].split()[0]) <= float(last[1].split()[0])
    assert page.locator("#backtest-table tbody tr").count() == 3
    shot(page, "forecast-02-with-scenario")
