"""In a real headless Chromium: an officer records a recommendation with a missing field
(the error names it), then a valid one; a protection officer approves it from the list."""

import pytest

from onward.relocation.tests.factories import make_case
from onward.web.tests.browser import login, logout, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_recommend_then_a_second_user_approves(browser_page, live_server, users):
    page, base = browser_page, live_server.url
    case = make_case(users)
    login(page, base, "t_resettlement")
    page.goto(f"{base}/relocation/cases/{case.case_id}/")
    page.select_option("select[name=recommendation]", "recommend")
    page.click("text=Record recommendation")
    assert "Primary category:" in page.inner_text("body")
    page.select_option("select[name=recommendation]", "recommend")
    page.select_option("select[name=primary_category]", "LPN")
    page.click("text=Record recommendation")
    shot(page, "review-01-recorded")
    assert "not yet approved" in page.inner_text("#submission-review")
    logout(page)
    login(page, base, "t_protection")
    page.goto(f"{base}/relocation/reviews/")
    shot(page, "review-02-list")
    page.click(f"#review-{case.submission_reviews.get().pk} button")
    assert "recommendation approved" in page.inner_text("body")
