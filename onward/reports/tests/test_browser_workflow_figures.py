"""In headless Chromium, at 1366 and 390 px: the data manager reads the dashboard's waits
(issue 18) and departure readiness (issue 19) sections, then downloads the situation
report, which carries both; the delegation's dashboard shows only its own country's rows.
Screenshots: test-output/screenshots/numbers1819-*.png."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from onward.accounts import roles
from onward.movements import services as movements
from onward.readiness import services as readiness
from onward.relocation.models import State
from onward.relocation.tests.factories import at, bring_to, pledge
from onward.reports.tests.conftest import _arrived_case
from onward.web.tests.browser import OUTPUT, login, logout

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _case(users, size=2):
    return _arrived_case(users, size=size, nationality="IRN", given_name="Zz")


def _world(users, today):
    rs = users[roles.RESETTLEMENT]
    alb, fra = pledge(users), pledge(users, country="FRA")
    readiness.requirements_seed(
        "ALB", kinds=("fit_to_travel", "visa"), fit_to_travel={"valid_days": 3}
    )
    readiness.requirements_seed("FRA", kinds=("visa",))
    # Days from the factories' T0 (2013) to a date `ago` days before today.
    back = (today - at(0).date()).days
    for ago in (5, 8, 12, 400, 400, 400):
        bring_to(users, _case(users), State.IDENTIFIED, day=back - ago)
    for ago in (10, 14, 20, 50, 70):  # deferred 3 days after the first step
        bring_to(users, _case(users), State.DEFERRED, pledge_=alb, day=back - ago - 3)
    for _ in range(3):
        bring_to(users, _case(users), State.INFO_REQUESTED, pledge_=fra, day=3)
    ready_alb = []
    for i in range(6):
        case = bring_to(users, _case(users, 1), State.ACCEPTED, pledge_=alb, exit_checks=False)
        (person,) = case.members.all()
        for kind in ("fit_to_travel", "visa") if i < 4 else ("fit_to_travel",):
            readiness.record_fact(
                rs, person=person, country="ALB", kind=kind, status="passed", on=today
            )
        if i < 4:
            ready_alb.append(case)
    for _ in range(2):
        bring_to(users, _case(users), State.ACCEPTED, pledge_=fra, exit_checks=False)
    flight = movements.transfer_plan(
        actor=rs, pledge=alb, date=today + dt.timedelta(days=5), seats=20
    )
    for case in ready_alb[:2]:
        movements.transfer_case_add(actor=rs, transfer=flight, case=case)


def _rows(page, key):
    return [r.split("\t") for r in page.locator(f"#figure-{key} tbody tr").all_inner_texts()]


def test_the_dashboard_and_the_situation_report_show_the_waits_and_readiness(
    browser_page, live_server, users
):
    today = timezone.localdate()
    _world(users, today)
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, base, users[roles.DATA_MANAGER].username)
    page.goto(f"{base}/reports/?as_of={today}#section-waiting")
    page.wait_for_selector("#figure-waiting_steps")
    steps = _rows(page, "waiting_steps")
    assert steps[0] == ["Pending interview", "3", "0", "3", "6"], steps
    assert steps[3] == ["Deferred", "3", "2", "0", "5"], steps
    assert steps[4] == ["Awaiting information", "0", "0", "3", "3"], steps
    countries = {r[0]: r[-1] for r in _rows(page, "waiting_countries")}
    assert countries == {
        "ALB · Deferred": "5",
        "ALB · Awaiting information": "0",
        "FRA · Deferred": "0",
        "FRA · Awaiting information": "3",
    }
    cases = _rows(page, "readiness_cases")
    # ALB: 6 accepted, 2 without a visa, 2 ready on no transfer, 2 on the flight.
    assert cases == [
        ["All countries", "8", "4", "2", "2"],
        ["ALB", "6", "2", "2", "2"],
        ["FRA", "2", "2", "0", "0"],
    ], cases
    blockers = {r[0]: r[1:] for r in _rows(page, "readiness_blockers")}
    assert blockers == {"ALB · Visa": ["2", "2"], "FRA · Visa": ["4", "2"]}
    # The fitness checks (valid 3 days) of the two travellers end before the flight;
    # every case was accepted in 2013, so those not ready are late.
    reminders = {r[0]: r[1:] for r in _rows(page, "readiness_reminders")}
    assert reminders == {"ALB": ["2", "2"], "FRA": ["0", "2"]}, reminders
    page.locator("#section-waiting").scroll_into_view_if_needed()
    page.locator("#section-waiting + .report-grid").screenshot(
        path=str(OUTPUT / "numbers1819-01-waiting-1366.png")
    )
    page.locator("#section-readiness + .report-grid").screenshot(
        path=str(OUTPUT / "numbers1819-02-readiness-1366.png")
    )
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/reports/?as_of={today}#section-readiness")
    page.wait_for_selector("#figure-readiness_cases")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, overflow
    page.locator("#section-waiting + .report-grid").screenshot(
        path=str(OUTPUT / "numbers1819-03-waiting-390.png")
    )
    page.locator("#section-readiness + .report-grid").screenshot(
        path=str(OUTPUT / "numbers1819-04-readiness-390.png")
    )

    response = page.request.get(f"{base}/reports/situation.pdf?as_of={today}")
    assert response.ok
    pdf = response.body()
    (OUTPUT / "numbers1819-situation-report.pdf").write_bytes(pdf)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    for title in (
        "Cases waiting, by step and age of the wait",
        "Accepted cases and their readiness",
        "Blockers by requirement and country",
        "Reminders: readiness before the flight",
    ):
        assert title in " ".join(text.split()), title

    # The delegation (ALB): its own country's rows only.
    page.set_viewport_size({"width": 1366, "height": 900})
    logout(page)
    login(page, base, users[roles.DELEGATION].username)
    page.goto(f"{base}/reports/?as_of={today}#section-readiness")
    page.wait_for_selector("#figure-readiness_cases")
    assert page.locator("#figure-waiting_steps").count() == 0
    labels = [r[0] for r in _rows(page, "readiness_cases")]
    assert labels == ["ALB"]
    assert "FRA" not in page.inner_text("#section-waiting + .report-grid")
    page.locator("#section-readiness + .report-grid").screenshot(
        path=str(OUTPUT / "numbers1819-05-delegation-readiness-1366.png")
    )
