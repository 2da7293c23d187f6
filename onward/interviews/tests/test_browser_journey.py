"""In a real headless Chromium, issue 18's whole journey through the pages: a resettlement
officer books a family of four's interview with a Persian interpreter on the day board,
checks the members in at the desk, assesses the case from its relocation page (reached from
the board), records the recommendation; a second user with the reviewing role approves;
the officer submits; the delegation (through its Missions menu entry, then the case page)
requests more information, the officer answers, the delegation accepts three of the four
members (a split decision). A booking is also moved to another interviewer and another
cancelled from the board."""

import pytest

from onward.interviews.models import Appointment, Interpreter, InterpreterNeed, Room
from onward.relocation.models import RelocationCase, State, Submission
from onward.relocation.tests.factories import bring_to, make_case, pledge
from onward.web.tests.browser import login, logout, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = "2026-12-07"


def test_book_check_in_recommend_approve_submit_ask_answer_accept_three_of_four(
    browser_page, live_server, users
):
    page, base = browser_page, live_server.url
    albania = pledge(users, persons=10)
    case = make_case(users, size=4)
    bring_to(users, case, State.IDENTIFIED)
    InterpreterNeed.objects.create(person=case.members.order_by("pk").first(), language="fa")
    Interpreter.objects.create(name="Samira", languages="ar,fa")
    Room.objects.create(name="Room 1")
    other = make_case(users, size=1)

    login(page, base, "t_resettlement")
    page.goto(f"{base}/interviews/day/?on={DAY}")
    page.fill("input[name=case]", case.case_id)
    page.fill("input[name=start]", "09:00")
    page.fill("input[name=end]", "10:30")
    page.select_option("select[name=room]", label="Room 1")
    page.select_option("form[action$='/book/'] select[name=interpreter]", label="Samira (ar,fa)")
    page.click("button >> text=Book")
    appointment = Appointment.objects.get(case=case)
    row = f"#appointment-{appointment.pk}"
    page.wait_for_selector(row)
    assert "Samira" in page.inner_text(row) and "fa" in page.inner_text(row)
    # The desk: every member present, the interview completed.
    boxes = page.locator(f"{row} input[name=present]")
    assert boxes.count() == 4
    for i in range(4):
        boxes.nth(i).check()
    page.select_option(f"{row} select[name=status]", "completed")
    shot(page, "journey-01-booked-with-interpreter")
    page.click(f"{row} button >> text=Save check-in")
    page.wait_for_selector(f"{row} >> text=Completed")
    assert appointment.attendance.filter(present=True).count() == 4

    # A second booking, moved to another interviewer, then cancelled, from the board.
    page.fill("input[name=case]", other.case_id)
    page.fill("input[name=start]", "11:00")
    page.fill("input[name=end]", "11:30")
    page.click("button >> text=Book")
    second = Appointment.objects.get(case=other)
    page.click(f"#change-{second.pk} summary")
    page.select_option(f"#change-{second.pk} select[name=interviewer]", label="t_protection")
    page.fill(f"#change-{second.pk} input[name=start]", "14:00")
    page.fill(f"#change-{second.pk} input[name=end]", "14:30")
    shot(page, "journey-02-change-booking")
    page.click(f"#change-{second.pk} button >> text=Save changes")
    page.wait_for_selector("text=Changed: appointment")
    second.refresh_from_db()
    assert second.interviewer.username == "t_protection"
    page.click(f"#change-{second.pk} summary")
    page.fill(f"#change-{second.pk} input[name=reason]", "The family asked for another week")
    page.click(f"#change-{second.pk} button >> text=Cancel the appointment")
    page.wait_for_selector("text=Cancelled: appointment")
    second.refresh_from_db()
    assert second.status == Appointment.Status.CANCELLED

    # From the board to the case's relocation page: assess, then recommend.
    page.click(f"{row} a >> text={case.case_id}")
    page.wait_for_url(f"**/relocation/cases/{case.case_id}/")
    page.select_option("form:has(input[value=assess]) select[name=category]", "LPN")
    page.select_option("form:has(input[value=assess]) select[name=priority]", "normal")
    page.click("form:has(input[value=assess]) button")
    assert RelocationCase.objects.get(case=case).state == State.ASSESSED
    page.select_option("select[name=recommendation]", "recommend")
    page.select_option("#recommend-form select[name=primary_category]", "LPN")
    page.click("text=Record recommendation")
    assert "recommendation recorded" in page.inner_text("body")
    logout(page)

    login(page, base, "t_protection")
    page.goto(f"{base}/relocation/reviews/")
    page.click(f"#review-{case.submission_reviews.get().pk} button")
    assert "recommendation approved" in page.inner_text("body")
    logout(page)

    login(page, base, "t_resettlement")
    page.goto(f"{base}/relocation/cases/{case.case_id}/")
    page.select_option("form:has(input[value=submit]) select[name=pledge]", str(albania.pk))
    page.click("form:has(input[value=submit]) button")
    assert RelocationCase.objects.get(case=case).state == State.SUBMITTED
    logout(page)

    login(page, base, "t_delegation")
    page.click("header nav a >> text=Missions")
    page.wait_for_url("**/interviews/missions/")
    shot(page, "journey-03-delegation-missions")
    page.goto(f"{base}/relocation/cases/{case.case_id}/")
    page.fill("#request-information-form input[name=question]", "The children's school records")
    page.fill("#request-information-form input[name=on]", "2099-01-31")
    page.click("#request-information-form button")
    assert RelocationCase.objects.get(case=case).state == State.INFO_REQUESTED
    logout(page)

    login(page, base, "t_resettlement")
    page.goto(f"{base}/relocation/cases/{case.case_id}/")
    page.fill("form:has(input[value=answer_info]) input[name=answer]", "Sent by email on 2 March")
    page.click("form:has(input[value=answer_info]) button")
    assert RelocationCase.objects.get(case=case).state == State.SUBMITTED
    logout(page)

    login(page, base, "t_delegation")
    page.goto(f"{base}/relocation/cases/{case.case_id}/")
    assert "Sent by email on 2 March" in page.inner_text("#information-requests")
    boxes = page.locator("#decide-form input[name=members]")
    assert boxes.count() == 4
    boxes.nth(3).uncheck()
    page.click("#decide-form button[value=accepted]")
    sub = Submission.objects.get(case=case)
    assert sub.decision == "accepted" and len(sub.accepted_members) == 3
    assert "3 members accepted" in page.inner_text("body")
    shot(page, "journey-04-three-of-four-accepted")
