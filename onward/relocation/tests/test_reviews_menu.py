"""The menu's "Reviews" entry: for the reviewing role (relocation.review), leading to the
recommendations waiting for a decision, with the count of those this user may decide."""

import re

import pytest
from django.urls import reverse

from onward.accounts import roles
from onward.relocation import review
from onward.relocation.models import State
from onward.relocation.tests.factories import bring_to, make_case

pytestmark = pytest.mark.django_db

ENTRY = re.compile(
    r'<a href="/relocation/reviews/"[^>]*>Reviews( <span class="badge"[^>]*>(\d+)</span>)?</a>'
)


def _entry(client):
    found = ENTRY.search(client.get(reverse("home")).content.decode())
    if found is None:
        return None
    return int(found.group(2)) if found.group(2) else 0


def _recommend(users, case, recommendation="recommend"):
    return review.recommendation_record(
        actor=users[roles.RESETTLEMENT],
        case=case,
        recommendation=recommendation,
        primary_category="LPN",
        comments="" if recommendation == "recommend" else "the family composition is unclear",
    )


def test_the_reviewer_sees_the_entry_with_the_count_of_recommendations_to_decide(client, users):
    cases = [bring_to(users, make_case(users), State.ASSESSED, reviewed=False) for _ in range(3)]
    _recommend(users, cases[0])
    _recommend(users, cases[1], "return")
    client.force_login(users[roles.PROTECTION])
    assert _entry(client) == 2
    # Approving one takes it off the count; a newer recommendation replaces the older one.
    review.recommendation_approve(
        actor=users[roles.PROTECTION], review=review.latest_review(cases[0])
    )
    _recommend(users, cases[1])
    assert _entry(client) == 1
    page = client.get(reverse("review_list")).content.decode()
    assert cases[1].case_id in page and cases[0].case_id not in page


def test_the_recommender_does_not_count_their_own_recommendations(client, users):
    case = bring_to(users, make_case(users), State.ASSESSED, reviewed=False)
    _recommend(users, case)
    client.force_login(users[roles.RESETTLEMENT])  # the recommender, who also reviews
    assert _entry(client) == 0  # the entry, without a count: nothing of theirs to decide
    client.force_login(users[roles.ADMIN])
    assert _entry(client) == 1


@pytest.mark.parametrize("role", [roles.CLERK, roles.DATA_MANAGER, roles.DELEGATION, roles.AUDITOR])
def test_roles_without_the_reviewing_permission_have_no_entry(client, users, role):
    case = bring_to(users, make_case(users), State.ASSESSED, reviewed=False)
    _recommend(users, case)
    client.force_login(users[role])
    assert _entry(client) is None


def test_the_count_costs_one_query(users, django_assert_num_queries):
    case = bring_to(users, make_case(users), State.ASSESSED, reviewed=False)
    _recommend(users, case)
    user = users[roles.PROTECTION]
    review.reviews_to_decide_count(user)  # warm the user's caches (role, scope)
    with django_assert_num_queries(1):
        assert review.reviews_to_decide_count(user) == 1
