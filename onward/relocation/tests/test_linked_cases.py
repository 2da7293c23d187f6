"""Linked cases (family unity, dependency: onward.composition's CaseLink) are flagged where
a case is submitted and reviewed ("linked to case X, not submitted together"), and the
submission refuses a case whose linked cases are neither submitted with it to the same
pledge nor already submitted or decided there, unless the officer gives a reason to submit
it separately (kept on the submission, audited)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.composition import services as composition
from onward.relocation import services, workflow
from onward.relocation.models import RelocationCase, State, Submission
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


def _submit_apart(client, case, albania, reason):
    rc = RelocationCase.objects.get(case=case)
    return client.post(
        reverse("relocation_case_action", args=[case.case_id]),
        {"action": "submit", "version": rc.version, "pledge": albania.pk, "separately": reason},
        follow=True,
    )


def test_submitting_one_of_two_linked_cases_is_refused_naming_the_rule_and_the_case(client, users):
    albania = pledge(users)
    one, two = make_case(users), make_case(users)
    bring_to(users, one, State.ASSESSED)
    bring_to(users, two, State.ASSESSED, reviewed=False)
    _link(users, one, two)
    client.force_login(users[roles.RESETTLEMENT])
    page = client.get(reverse("relocation_case", args=[one.case_id])).content.decode()
    assert NOT_TOGETHER.format(two.case_id) in page  # before submitting: the warning
    assert 'name="separately"' in page  # and the reason to give to go apart
    changes = AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE, object_id=one.case_id)
    audit_before = changes.count()
    page = _submit(client, one, albania).content.decode()
    # Refused, not only flagged: the rule and the linked case are named, nothing written.
    assert RelocationCase.objects.get(case=one).state == State.ASSESSED
    assert not Submission.objects.filter(case=one).exists()
    assert "Submit to a pledge: refused." in page
    assert workflow.LINKED_RULE in page and f"linked to case {two.case_id}" in page
    assert changes.count() == audit_before
    # The review list still flags the other case beside its recommendation.
    client.post(
        reverse("recommendation_record", args=[two.case_id]),
        {"recommendation": "recommend", "primary_category": "LPN"},
    )
    listing = client.get(reverse("review_list")).content.decode()
    assert NOT_TOGETHER.format(one.case_id) in listing


def test_with_a_reason_it_goes_separately_and_the_reason_is_kept_and_audited(client, users):
    albania = pledge(users)
    one, two = make_case(users), make_case(users)
    bring_to(users, one, State.ASSESSED)
    _link(users, one, two)
    client.force_login(users[roles.RESETTLEMENT])
    reason = "The mother is at risk now; her son waits for a medical report"
    page = _submit_apart(client, one, albania, reason).content.decode()
    assert "— done." in page and NOT_TOGETHER.format(two.case_id) in page
    submission = Submission.objects.get(case=one)
    assert (submission.separate_reason, submission.separate_from) == (reason, [two.case_id])
    entry = AuditEntry.objects.filter(
        action=AuditEntry.Action.UPDATE, object_type="case", object_id=one.case_id
    ).latest("id")
    assert f"submitted apart from linked case {two.case_id}: {reason}" in entry.detail
    assert f"Submitted separately from linked case <bdi>{two.case_id}</bdi>: {reason}" in page
    # The other case's page says it is linked to a case submitted to ALB.
    page = client.get(reverse("relocation_case", args=[two.case_id])).content.decode()
    assert NOT_TOGETHER.format(one.case_id) in page and "It is submitted to ALB." in page


def test_linked_cases_submitted_together_in_one_bulk_submission_go(users):
    albania = pledge(users)
    one, two, three = make_case(users), make_case(users), make_case(users)
    for case in (one, two, three):
        bring_to(users, case, State.ASSESSED)
    _link(users, one, two)
    _link(users, two, three)
    rs = users[roles.RESETTLEMENT]
    with pytest.raises(ValidationError) as err:  # three left behind: refused, all or nothing
        services.cases_submit_bulk(actor=rs, cases=[one, two], pledge=albania)
    assert list(err.value.message_dict) == [two.case_id]
    assert three.case_id in err.value.message_dict[two.case_id][0]
    assert not Submission.objects.exists()
    services.cases_submit_bulk(actor=rs, cases=[one, two, three], pledge=albania)
    assert Submission.objects.filter(pledge=albania, separate_reason=None).count() == 3


def test_a_linked_case_already_submitted_or_decided_at_that_pledge_lets_the_other_go(users):
    albania, finland = pledge(users), pledge(users, country="FIN")
    one, two = make_case(users), make_case(users)
    bring_to(users, two, State.REJECTED, pledge_=albania)  # decided at Albania's pledge
    bring_to(users, one, State.ASSESSED)
    _link(users, one, two)
    rs = users[roles.RESETTLEMENT]
    with pytest.raises(ValidationError) as err:  # another pledge: not together
        services.case_submit(actor=rs, case=one, pledge=finland)
    assert two.case_id in err.value.message_dict["linked"][0]
    services.case_submit(actor=rs, case=one, pledge=albania)
    assert Submission.objects.get(case=one, pledge=albania).separate_reason is None


def test_a_withdrawn_linked_submission_does_not_count_as_there(users):
    albania = pledge(users)
    one, two = make_case(users), make_case(users)
    bring_to(users, two, State.WITHDRAWN, pledge_=albania)
    bring_to(users, one, State.ASSESSED)
    _link(users, one, two)
    with pytest.raises(ValidationError) as err:
        services.case_submit(actor=users[roles.RESETTLEMENT], case=one, pledge=albania)
    assert workflow.LINKED_RULE in err.value.message_dict["linked"][0]


def test_linked_cases_submitted_to_the_same_pledge_are_together_and_not_flagged(client, users):
    albania = pledge(users)
    one, two = make_case(users), make_case(users)
    bring_to(users, one, State.SUBMITTED, pledge_=albania)
    _link(users, one, two)
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
    bring_to(users, one, State.SUBMITTED, pledge_=albania)
    _link(users, one, two)
    client.force_login(users[roles.DELEGATION])
    page = client.get(reverse("relocation_case", args=[one.case_id])).content.decode()
    assert two.case_id not in page


def test_the_api_refuses_with_409_naming_the_rule_and_takes_the_reason(client, users):
    albania = pledge(users)
    one, two = make_case(users), make_case(users)
    bring_to(users, one, State.ASSESSED)
    _link(users, one, two)
    client.force_login(users[roles.RESETTLEMENT])
    url = reverse("api_relocation_transitions", kwargs={"case_id": one.case_id})
    body = {"action": "submit", "pledge": albania.pk}
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 409
    assert two.case_id in refused.json()["fields"]["linked"][0]
    reason = "The linked case waits for a birth certificate"
    done = client.post(url, {**body, "separately": reason}, content_type="application/json")
    assert done.status_code == 200, done.content
    assert Submission.objects.get(case=one).separate_reason == reason
