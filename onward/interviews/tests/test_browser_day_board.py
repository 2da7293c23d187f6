"""In a real headless Chromium: a resettlement officer books an interview from the day
board, sees it under its room, and checks the family in."""

import pytest

from onward.interviews.models import Appointment, Room
from onward.web.tests.browser import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_book_and_check_in_from_the_day_board(browser_page, live_server, users, case):
    Room.objects.create(name="Room 1")
    page, base = browser_page, live_server.url
    login(page, base, "t_resettlement")
    page.goto(f"{base}/interviews/day/?on=2026-12-07")
    page.fill("input[name=case]", case.case_id)
    page.fill("input[name=start]", "09:00")
    page.fill("input[name=end]", "10:00")
    page.select_option("select[name=room]", label="Room 1")
    page.click("button >> text=Book")
    page.wait_for_selector("h2 >> text=Room 1")
    appointment = Appointment.objects.get()
    row = f"#appointment-{appointment.pk}"
    assert case.case_id in page.inner_text(row)
    page.check(f"{row} input[name=present] >> nth=0")
    page.select_option(f"{row} select[name=status]", "completed")
    shot(page, "interviews-day-board")
    page.click(f"{row} button >> text=Save check-in")
    page.wait_for_selector(f"{row} >> text=Completed")
    assert appointment.attendance.filter(present=True).count() == 1
