"""In a real headless Chromium, issue 18's journey after the interview: an officer
recommends a case of four, a second user approves, the officer submits it, the delegation
requests more information, the officer answers, the delegation accepts three of the four
members (a split decision)."""

import pytest

from onward.accounts import roles
from onward.relocation.models import RelocationCase, State, Submission
from onward.relocation.tests.factories import bring_to, interview_done, make_case, pledge
from onward.web.tests.browser import login, logout, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_recommend_approve_submit_ask_answer_and_accept_three_of_four(
    browser_page, live_server, users
):
    page, base = browser_page, live_server.url
    albania = pledge(users, persons=10)
    case = make_case(users, size=4)
    interview_done(case)
    bring_to(users, case, State.ASSESSED, reviewed=False)
    url = f"{base}/relocation/cases/{case.case_id}/"

    login(page, base, "t_resettlement")
    page.goto(url)
    page.select_option("select[name=recommendation]", "recommend")
    page.select_option("select[name=primary_category]", "LPN")
    page.click("text=Record recommendation")
    # Not approved yet: the submission is refused, naming the rule.
    page.select_option("form:has(input[value=submit]) select[name=pledge]", str(albania.pk))
    page.click("form:has(input[value=submit]) button")
    assert "not approved yet" in page.inner_text("body")
    logout(page)

    login(page, base, "t_protection")
    page.goto(url)
    page.click("#approve-recommendation")
    assert "recommendation approved" in page.inner_text("body")
    logout(page)

    login(page, base, "t_resettlement")
    page.goto(url)
    page.select_option("form:has(input[value=submit]) select[name=pledge]", str(albania.pk))
    page.click("form:has(input[value=submit]) button")
    assert RelocationCase.objects.get(case=case).state == State.SUBMITTED
    logout(page)

    login(page, base, "t_delegation")
    page.goto(url)
    page.fill("#request-information-form input[name=question]", "The children's school records")
    page.fill("#request-information-form input[name=on]", "2099-01-31")
    page.click("#request-information-form button")
    assert "awaiting-information" in page.content()
    shot(page, "decisions-01-information-requested")
    logout(page)

    login(page, base, "t_resettlement")
    page.goto(url)
    assert "The children's school records" in page.inner_text("body")
    page.fill("form:has(input[value=answer_info]) input[name=answer]", "Sent by email on 2 March")
    page.click("form:has(input[value=answer_info]) button")
    assert RelocationCase.objects.get(case=case).state == State.SUBMITTED
    shot(page, "decisions-02-answered")
    logout(page)

    login(page, base, "t_delegation")
    page.goto(url)
    assert "Sent by email on 2 March" in page.inner_text("#information-requests")
    boxes = page.locator("#decide-form input[name=members]")
    assert boxes.count() == 4
    boxes.nth(3).uncheck()
    shot(page, "decisions-03-split")
    page.click("#decide-form button[value=accepted]")
    sub = Submission.objects.get(case=case)
    assert sub.decision == "accepted" and len(sub.accepted_members) == 3
    assert sub.usage["persons"] == 3
    assert "3 members accepted" in page.inner_text("body")
    shot(page, "decisions-04-accepted-three")
    assert users[roles.DELEGATION].username == "t_delegation"
