"""In a real headless Chromium: a resettlement officer creates a selection mission, runs
the planner over the pledge's submissions, confirms the schedule; the country's
delegation then reads it."""

import pytest

from onward.interviews.models import (
    Appointment,
    Interpreter,
    InterpreterNeed,
    Mission,
    Room,
)
from onward.relocation.models import RelocationCase, State, Submission
from onward.relocation.tests.factories import bring_to, make_case, pledge
from onward.web.tests.browser import login, logout, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_plan_confirm_and_the_delegation_reads_it(browser_page, live_server, users):
    alb = pledge(users)
    cases = [
        bring_to(users, make_case(users, size=s), State.SUBMITTED, pledge_=alb)
        for s in (2, 5, 1, 3)
    ]
    RelocationCase.objects.filter(case=cases[2]).update(priority="emergency")
    Submission.objects.filter(case=cases[2]).update(priority="emergency")
    InterpreterNeed.objects.create(person=cases[0].members.first(), language="prs")
    for name in ("Room A", "Room B"):
        Room.objects.create(name=name)
    Interpreter.objects.create(name="Samira Haidari", languages="prs,fa")
    page, base = browser_page, live_server.url
    login(page, base, "t_resettlement")
    page.goto(f"{base}/interviews/missions/")
    page.click("a >> text=New mission")
    page.select_option("#id_pledge", label=str(alb))
    page.fill("#id_name", "Albania December mission")
    page.fill("#id_first_day", "2026-12-07")
    page.fill("#id_last_day", "2026-12-08")
    page.fill("#id_slots_per_day", "2")
    page.check("text=Room A")
    page.check("text=Room B")
    for role in ("resettlement_officer", "protection_officer"):
        page.check(f"input[name=interviewers][value='{users[role].pk}']")
    shot(page, "missions-new")
    page.click("button >> text=Create mission")
    page.wait_for_selector("#mission-status >> text=Draft")
    page.click("button >> text=Run the planner")
    page.wait_for_selector("table.plan-figures")
    emergency = page.inner_text(f"#slot-{cases[2].case_id}")
    assert "09:00" in emergency
    assert "Samira Haidari" in page.inner_text(f"#slot-{cases[0].case_id}")
    assert "10:00" in page.inner_text(f"#slot-{cases[1].case_id}") or "11:00" in page.inner_text(
        f"#slot-{cases[1].case_id}"
    )
    shot(page, "missions-planned")
    before = Appointment.objects.count()  # the cases' own resettlement interviews
    page.click("button >> text=Confirm and book the interviews")
    page.wait_for_selector("#mission-status >> text=Confirmed")
    mission = Mission.objects.get()
    assert Appointment.objects.count() - before == mission.slots.count() == 4
    logout(page)
    login(page, base, "t_delegation")
    page.goto(f"{base}/interviews/missions/{mission.pk}/")
    page.wait_for_selector("table.mission-schedule")
    text = page.inner_text("main")
    assert cases[2].case_id in text and "Samira" not in text and "Run the planner" not in text
    shot(page, "missions-delegation")
    # On a field officer's phone the page never scrolls sideways (the table does).
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "missions-delegation-phone")
