"""Linked cases (family unity, dependency: onward.composition's CaseLink) are flagged where
a case is submitted and reviewed: "linked to case X, not submitted together"."""

import pytest
from django.urls import reverse

from onward.accounts import roles
from onward.composition import services as composition
from onward.relocation.models import RelocationCase, State
from onward.relocation.tests.factories import bring_to, make_case, pledge

pytestmark = pytest.mark.django_db

NOT_TOGETHER = "Linked to case {} (Family unity), not submitted together."


def _link(users, one, two):
    return composition.cases_link(
        actor=users[roles.RESETTLEMENT],
        case=one,
        other=two,
        kind="family_unity",
        reason="The grandmother depends on her son's household",
    )


def _submit(client, case, albania):
    rc = RelocationCase.objects.get(case=case)
    return client.post(
        reverse("relocation_case_action", args=[case.case_id]),
        {"action": "submit", "version": rc.version, "pledge": albania.pk},
        follow=True,
    )


def test_submitting_one_of_two_linked_cases_is_flagged_on_the_case_and_review_pages(client, users):
    albania = pledge(users)
    one, two = make_case(users), make_case(users)
    bring_to(users, one, State.ASSESSED)
    bring_to(users, two, State.ASSESSED, reviewed=False)
    _link(users, one, two)
    client.force_login(users[roles.RESETTLEMENT])
    page = client.get(reverse("relocation_case", args=[one.case_id])).content.decode()
    assert NOT_TOGETHER.format(two.case_id) in page  # before submitting: the warning
    page = _submit(client, one, albania).content.decode()
    assert RelocationCase.objects.get(case=one).state == State.SUBMITTED
    # The submission goes (a flag, not a refusal) and the message says what is missing.
    assert "— done." in page and NOT_TOGETHER.format(two.case_id) in page
    # The other case's page says it is linked to a case submitted to ALB, and the review
    # list flags it beside its recommendation waiting for approval.
    page = client.get(reverse("relocation_case", args=[two.case_id])).content.decode()
    assert NOT_TOGETHER.format(one.case_id) in page and "It is submitted to ALB." in page
    client.post(
        reverse("recommendation_record", args=[two.case_id]),
        {"recommendation": "recommend", "primary_category": "LPN"},
    )
    listing = client.get(reverse("review_list")).content.decode()
    assert NOT_TOGETHER.format(one.case_id) in listing


def test_linked_cases_submitted_to_the_same_pledge_are_together_and_not_flagged(client, users):
    albania = pledge(users)
    one, two = make_case(users), make_case(users)
    _link(users, one, two)
    bring_to(users, one, State.SUBMITTED, pledge_=albania)
    bring_to(users, two, State.ASSESSED)
    client.force_login(users[roles.RESETTLEMENT])
    page = _submit(client, two, albania).content.decode()
    assert "not submitted together" not in page
    assert f"Linked to case {one.case_id} (Family unity), submitted together." in page
    # An ended link is no longer shown.
    from onward.composition.models import CaseLink

    composition.link_end(actor=users[roles.RESETTLEMENT], link=CaseLink.objects.get(), reason="x")
    page = client.get(reverse("relocation_case", args=[two.case_id])).content.decode()
    assert "Linked to case" not in page


def test_the_delegations_shared_page_does_not_name_the_linked_case(client, users):
    albania = pledge(users)
    one, two = make_case(users), make_case(users)
    _link(users, one, two)
    bring_to(users, one, State.SUBMITTED, pledge_=albania)
    client.force_login(users[roles.DELEGATION])
    page = client.get(reverse("relocation_case", args=[one.case_id])).content.decode()
    assert two.case_id not in page
