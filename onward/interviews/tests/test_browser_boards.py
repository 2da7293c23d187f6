"""In a real headless Chromium: from the day board to the week board (by room, then by
interviewer), the printable call list and the no-show list."""

import datetime as dt

import pytest
from django.utils import timezone

from onward.accounts import roles
from onward.interviews import services
from onward.interviews.models import (
    Appointment,
    AppointmentType,
    Interpreter,
    InterpreterNeed,
    Room,
)
from onward.relocation.tests.factories import make_case
from onward.web.tests.browser import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_week_board_call_list_and_no_shows(browser_page, live_server, users):
    interview = AppointmentType.objects.get(code=AppointmentType.RESETTLEMENT_INTERVIEW)
    rooms = [Room.objects.create(name=f"Room {i}") for i in (1, 2)]
    dari = Interpreter.objects.create(name="Samira Haidari", languages="prs,fa")
    cases = [make_case(users, size=s) for s in (3, 1, 2)]
    InterpreterNeed.objects.create(person=cases[0].members.first(), language="prs")
    monday = dt.date(2026, 12, 7)
    booked = []
    for i, case in enumerate(cases):
        start = timezone.make_aware(dt.datetime.combine(monday, dt.time(9 + i)))
        booked.append(
            services.book(
                type=interview,
                case=case,
                start=start + dt.timedelta(days=i % 2),
                end=start + dt.timedelta(days=i % 2, hours=1),
                room=rooms[i % 2],
                interviewer=users[roles.RESETTLEMENT if i % 2 else roles.PROTECTION],
                interpreter=dari if i == 0 else None,
            )
        )
    services.set_status(booked[2], Appointment.Status.MISSED)
    services.check_in(booked[2], set(), {cases[2].members.first().pk: "Moved to the city"})
    page, base = browser_page, live_server.url
    login(page, base, "t_resettlement")
    page.goto(f"{base}/interviews/day/?on=2026-12-07")
    page.click("a >> text=Week by room")
    page.wait_for_selector("table.week-board")
    assert cases[1].case_id in page.inner_text("table.week-board")
    shot(page, "interviews-week-by-room")
    page.select_option("select[name=by]", "interviewer")
    page.click("form button >> text=Show")
    page.wait_for_selector("th >> text=Interviewer")
    shot(page, "interviews-week-by-interviewer")
    page.goto(f"{base}/interviews/calls/?on=2026-12-07")
    row = page.inner_text(f"#call-{booked[0].pk}")
    assert "Samira Haidari" in row and "prs" in row
    shot(page, "interviews-call-list")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.emulate_media(media="print")
    assert not page.is_visible("header.top") and page.is_visible("table.call-list")
    shot(page, "interviews-call-list-print")
    page.emulate_media(media="screen")
    page.click("a >> text=No-shows")
    page.wait_for_selector(f"#no-show-{cases[2].case_id}")
    assert "Moved to the city" in page.inner_text(f"#no-show-{cases[2].case_id}")
    shot(page, "interviews-no-shows")
