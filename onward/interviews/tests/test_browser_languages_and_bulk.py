"""In a real headless Chromium: a registration clerk records a person's languages and the
interpreter they need on the person page, the call list shows them; then a resettlement
officer ticks two appointments on the day board and moves them to another day at once
(refused first, naming the appointment that would double-book a room), then cancels them."""

import datetime as dt

import pytest
from django.utils import timezone

from onward.interviews import services
from onward.interviews.models import Appointment, AppointmentType, InterpreterNeed, Room
from onward.relocation.tests.factories import make_case
from onward.web.tests.browser import login, logout, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = dt.date(2026, 12, 7)


def at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_languages_on_the_person_page_then_bulk_changes_on_the_board(
    browser_page, live_server, users
):
    kind = AppointmentType.objects.get(code=AppointmentType.RESETTLEMENT_INTERVIEW)
    one, two = Room.objects.create(name="Room 1"), Room.objects.create(name="Room 2")
    cases = [make_case(users, size=s) for s in (2, 1, 1)]
    principal = cases[0].members.order_by("person_id").first()
    a = services.book(type=kind, case=cases[0], start=at(DAY, 9), end=at(DAY, 10), room=one)
    b = services.book(type=kind, case=cases[1], start=at(DAY, 10), end=at(DAY, 11), room=two)
    next_day = DAY + dt.timedelta(days=1)
    services.book(type=kind, case=cases[2], start=at(next_day, 9), end=at(next_day, 10), room=one)
    page, base = browser_page, live_server.url

    login(page, base, "t_clerk")
    page.goto(f"{base}/persons/{principal.person_id}/")
    page.fill("#language-form input[name=language]", "prs")
    page.select_option("#language-form select[name=level]", "native")
    page.click("#language-form button")
    page.fill("#language-form input[name=language]", "en")
    page.select_option("#language-form select[name=level]", "basic")
    page.click("#language-form button")
    page.fill("#interpreter-form input[name=language]", "prs")
    page.click("#interpreter-form button >> text=Save interpreter need")
    assert "Interpreter needed into prs." in page.inner_text("body")
    spoken = page.inner_text("#languages-spoken")
    assert "prs · Native" in spoken and "en · Basic" in spoken
    assert InterpreterNeed.objects.get(person=principal).language == "prs"
    shot(page, "person-languages")
    logout(page)

    login(page, base, "t_resettlement")
    page.goto(f"{base}/interviews/calls/?on={DAY}")
    row = page.inner_text(f"#call-{a.pk}")
    assert "en (basic), prs (native)" in row and "No interpreter for: prs" in row
    shot(page, "interviews-call-list-languages")

    page.goto(f"{base}/interviews/day/?on={DAY}")
    page.check(f"#appointment-{a.pk} input[name=appointments]")
    page.check(f"#appointment-{b.pk} input[name=appointments]")
    page.select_option("#bulk-form select[name=action]", "move")
    page.fill("#bulk-form input[name=day]", next_day.isoformat())
    page.click("#bulk-form button")
    body = page.inner_text("body")
    assert "Nothing was changed: 1 of the 2 appointments cannot be." in body
    assert f"Appointment {a.pk} ({cases[0].case_id}, {DAY} 09:00): refused (room)" in body
    shot(page, "interviews-bulk-refused")
    later = DAY + dt.timedelta(days=2)
    page.check(f"#appointment-{a.pk} input[name=appointments]")
    page.check(f"#appointment-{b.pk} input[name=appointments]")
    page.select_option("#bulk-form select[name=action]", "move")
    page.fill("#bulk-form input[name=day]", later.isoformat())
    page.click("#bulk-form button")
    assert f"Moved to {later}: appointments {a.pk}, {b.pk}." in page.inner_text("body")
    page.goto(f"{base}/interviews/day/?on={later}")
    page.check(f"#appointment-{a.pk} input[name=appointments]")
    page.check(f"#appointment-{b.pk} input[name=appointments]")
    page.select_option("#bulk-form select[name=action]", "cancel")
    page.fill("#bulk-form input[name=reason]", "The interviewers are on a mission that week")
    page.click("#bulk-form button")
    assert f"Cancelled: appointments {a.pk}, {b.pk}." in page.inner_text("body")
    shot(page, "interviews-bulk-cancelled")
    statuses = set(Appointment.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True))
    assert statuses == {"cancelled"}
