"""In a real headless Chromium: an officer records a family's fitness to travel; one
member's check is too old for the flight, the transfer's planning shows the blocker, the
family flies split (that member held back with a reason) and the manifest PDF lists the
assistance codes."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from onward.accounts import roles
from onward.movements import services
from onward.movements.tests.factories import ready_case
from onward.pdf.tests.reading import logical_text
from onward.readiness.models import Requirement, TravelNeed
from onward.relocation.tests.factories import pledge
from onward.web.tests.browser import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_family_flies_split_when_one_fitness_check_expired(browser_page, live_server, users):
    page, base = browser_page, live_server.url
    rs, today = users[roles.RESETTLEMENT], timezone.localdate()
    albania = pledge(users, name="Albania 2026")
    case = ready_case(users, albania, size=2)
    Requirement.objects.create(country="ALB", kind="fit_to_travel", valid_days=3)
    father, child = case.members.order_by("person_id")
    TravelNeed.objects.create(person=father, need="WCHR")
    transfer = services.transfer_plan(actor=rs, pledge=albania, date=today, seats=9)

    login(page, base, "t_resettlement")
    page.goto(base + reverse("pledge_readiness", args=[albania.pk]))
    for person, day in ((father, today), (child, today - dt.timedelta(days=5))):
        page.select_option("#record-fact select[name=person]", person.person_id)
        page.select_option("#record-fact select[name=kind]", "fit_to_travel")
        page.fill("#record-fact input[name=on]", day.isoformat())
        page.click("#record-fact button")
        page.wait_for_selector(".messages .success")
    page.goto(base + reverse("pledge_readiness", args=[albania.pk]) + f"?on={today}")
    row = page.locator(f"tr[data-person='{child.person_id}']")
    assert "expired" in row.inner_text() and "not ready" in row.inner_text()
    assert "not ready" not in page.locator(f"tr[data-person='{father.person_id}']").inner_text()
    shot(page, "split-01-readiness-expired")

    page.goto(base + reverse("transfer_detail", args=[transfer.pk]))
    candidate = page.locator(f"#candidates tr[data-case='{case.case_id}']")
    assert "Fitness to travel expired" in candidate.inner_text()
    shot(page, "split-02-planning-blocker")
    candidate.locator("button").click()
    page.wait_for_selector(".messages .success")
    child_row = page.locator(f"#line-{case.case_id} .traveller[data-person='{child.person_id}']")
    assert "not ready on" in child_row.inner_text()
    page.click("#confirm-transfer")  # refused: the child is not ready
    page.wait_for_selector(".messages .error")
    assert "Fitness to travel expired" in page.locator(".messages").inner_text()
    child_row.locator("input[name=reason]").fill("medical hold: fitness check too old")
    child_row.locator("button").click()
    page.wait_for_selector(".held-back")
    shot(page, "split-03-held-back")
    page.click("#confirm-transfer")
    page.wait_for_selector(".messages .success")
    assert "Departed" in page.locator("#transfer-status").inner_text()
    shot(page, "split-04-confirmed")

    pdf = page.request.get(base + reverse("manifest_pdf", args=[transfer.pk])).body()
    text = logical_text(pdf)
    assert "WCHR" in text and father.person_id in text and child.person_id not in text
    case.refresh_from_db()
    child.refresh_from_db()
    assert case.status == "open" and child.departure_date is None
