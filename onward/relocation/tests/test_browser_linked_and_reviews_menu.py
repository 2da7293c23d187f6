"""In a real headless Chromium: the reviewer's "Reviews" menu entry shows how many
recommendations wait for them, leads to the list where they approve; then submitting one
of two linked cases is refused naming the rule and the linked case, and goes with a reason
to submit it separately."""

import pytest

from onward.accounts import roles
from onward.composition import services as composition
from onward.relocation import review
from onward.relocation.models import State, Submission
from onward.relocation.tests.factories import bring_to, make_case, pledge
from onward.web.tests.browser import login, logout, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reviews_menu_then_a_linked_case_submitted_separately(browser_page, live_server, users):
    page, base = browser_page, live_server.url
    albania = pledge(users)
    one, two = make_case(users), make_case(users)
    for case in (one, two):
        bring_to(users, case, State.ASSESSED, reviewed=False)
        review.recommendation_record(
            actor=users[roles.RESETTLEMENT],
            case=case,
            recommendation="recommend",
            primary_category="LPN",
        )
    composition.cases_link(
        actor=users[roles.RESETTLEMENT],
        case=one,
        other=two,
        kind="family_unity",
        reason="The grandmother depends on her son's household",
    )
    login(page, base, "t_protection")
    assert page.inner_text("#reviews-waiting") == "2"
    shot(page, "reviews-menu-01-count")
    page.click("#main-menu a >> text=Reviews")
    page.wait_for_selector(f"#review-{one.submission_reviews.get().pk}")
    page.click(f"#review-{one.submission_reviews.get().pk} button")
    assert page.inner_text("#reviews-waiting") == "1"
    shot(page, "reviews-menu-02-one-left")
    logout(page)

    login(page, base, "t_resettlement")
    page.goto(f"{base}/relocation/cases/{one.case_id}/")
    page.select_option("select[name=pledge]", str(albania.pk))
    page.click("form.action-form button >> text=Submit to a pledge")
    body = page.inner_text("body")
    assert "Submit to a pledge: refused." in body
    assert f"linked to case {two.case_id} (family unity)" in body
    assert "linked cases (family unity, dependency) are submitted together" in body
    shot(page, "linked-01-refused")
    assert not Submission.objects.filter(case=one).exists()
    page.fill("input[name=separately]", "The grandmother's case waits for a medical report")
    page.click("form.action-form button >> text=Submit to a pledge")
    assert "— done." in page.inner_text("body")
    assert "Submitted separately from linked case" in page.inner_text("#submitted-separately")
    shot(page, "linked-02-submitted-separately")
    submission = Submission.objects.get(case=one)
    assert submission.separate_from == [two.case_id]
