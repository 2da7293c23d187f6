"""The review pages: record a recommendation on the case's relocation page, a second user
approves it there or from the list of recommendations waiting for approval."""

import pytest
from django.urls import reverse

from onward.accounts import roles
from onward.relocation import review
from onward.relocation.models import SubmissionReview
from onward.relocation.tests.factories import make_case

pytestmark = pytest.mark.django_db


def _client(client, user):
    client.force_login(user)
    return client


def _page(client, case):
    return client.get(reverse("relocation_case", args=[case.case_id]), follow=True)


def test_an_officer_records_a_recommendation_and_a_second_user_approves_it(client, users):
    case = make_case(users)
    c = _client(client, users[roles.RESETTLEMENT])
    assert b"recommend-form" in _page(c, case).content
    r = c.post(
        reverse("recommendation_record", args=[case.case_id]),
        {"recommendation": "recommend", "primary_category": "LPN", "secondary_category": "WAR"},
        follow=True,
    )
    assert "recommendation recorded" in r.content.decode()
    # The recommender sees no approve button for their own recommendation.
    assert b"approve-recommendation" not in r.content
    c.force_login(users[roles.PROTECTION])
    listing = c.get(reverse("review_list")).content.decode()
    assert case.case_id in listing
    assert b"approve-recommendation" in _page(c, case).content
    r = c.post(reverse("recommendation_approve", args=[case.case_id]), follow=True)
    assert "recommendation approved" in r.content.decode()
    assert review.approved_recommendation(case)
    assert case.case_id not in c.get(reverse("review_list")).content.decode()


def test_errors_name_the_field_and_record_nothing(client, users):
    case = make_case(users)
    c = _client(client, users[roles.RESETTLEMENT])
    r = c.post(
        reverse("recommendation_record", args=[case.case_id]),
        {"recommendation": "recommend", "primary_category": ""},
        follow=True,
    )
    assert "Primary category: A recommended case needs" in r.content.decode()
    r = c.post(
        reverse("recommendation_record", args=[case.case_id]),
        {"recommendation": "return", "comments": " "},
        follow=True,
    )
    assert "Comments: Returning a case needs comments" in r.content.decode()
    assert not SubmissionReview.objects.exists()


def test_the_recommender_is_refused_approval_with_a_reason(client, users):
    case = make_case(users)
    review.recommendation_record(
        actor=users[roles.RESETTLEMENT],
        case=case,
        recommendation="recommend",
        primary_category="LPN",
    )
    c = _client(client, users[roles.RESETTLEMENT])
    r = c.post(reverse("recommendation_approve", args=[case.case_id]), follow=True)
    assert "recommender may not approve" in r.content.decode()
    assert not review.approved_recommendation(case)


def test_only_the_latest_unapproved_recommendation_waits(client, users):
    case = make_case(users)
    rs = users[roles.RESETTLEMENT]
    review.recommendation_record(actor=rs, case=case, recommendation="return", comments="x")
    review.recommendation_record(
        actor=rs, case=case, recommendation="recommend", primary_category="MED"
    )
    c = _client(client, users[roles.PROTECTION])
    page = c.get(reverse("review_list")).content.decode()
    assert page.count(f">{case.case_id}<") == 1
    assert "Recommend" in page and "Return with comments" not in page


def test_the_pledges_page_leads_reviewers_to_the_recommendations_waiting(client, users):
    """The list of recommendations waiting is not in the menu: the pledges page links to
    it for those who may review, and for no one else."""
    link = f'href="{reverse("review_list")}"'
    for role, shown in ((roles.PROTECTION, True), (roles.RESETTLEMENT, True), (roles.CLERK, False)):
        html = _client(client, users[role]).get(reverse("pledge_list")).content.decode()
        assert (link in html) is shown, role
