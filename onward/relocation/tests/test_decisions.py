"""Decisions as countries give them (issue 18): deferred, more information requested and
answered, split; a deferral holds the pledge's place like pending and is not a refusal."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.relocation import selectors, services
from onward.relocation.models import InformationRequest, RelocationCase, State, Submission
from onward.relocation.tests.factories import at, bring_to, make_case, pledge

pytestmark = pytest.mark.django_db


def _open(case):
    return case.submissions.get(decision="")


def test_a_deferral_keeps_the_submission_pending_and_is_not_a_refusal(users):
    p = pledge(users, persons=4)
    case = bring_to(users, make_case(users, size=3), State.SUBMITTED, pledge_=p)
    dl, rs = users[roles.DELEGATION], users[roles.RESETTLEMENT]
    services.submission_decide(
        actor=dl,
        submission=_open(case),
        decision="deferred",
        reason="quota of the year allocated",
        on=dt.date(2013, 6, 1),
        at=at(5),
    )
    sub = Submission.objects.get(case=case)
    assert RelocationCase.objects.get(case=case).state == State.DEFERRED
    assert (sub.decision, sub.deferred_until) == ("", dt.date(2013, 6, 1))
    figures = selectors.pledge_figures(p)["persons"]
    assert (figures["pending"], figures["accepted"], figures["remaining"]) == (3, 0, 4)
    # Withdrawn, then resubmitted to the same pledge: a deferral never refused it.
    services.case_withdraw(actor=rs, case=case, reason="family asked", at=at(6))
    services.case_resubmit(actor=rs, case=case, pledge=p, at=at(7))
    assert RelocationCase.objects.get(case=case).state == State.SUBMITTED


def test_a_deferral_needs_a_reason_and_a_later_date(users):
    case = bring_to(users, make_case(users), State.SUBMITTED, pledge_=pledge(users))
    with pytest.raises(ValidationError) as err:
        services.submission_decide(
            actor=users[roles.DELEGATION],
            submission=_open(case),
            decision="deferred",
            on=dt.date(2013, 1, 1),
            at=at(5),
        )
    assert set(err.value.message_dict) == {"reason", "on"}
    assert RelocationCase.objects.get(case=case).state == State.SUBMITTED


def test_more_information_is_asked_by_a_date_answered_and_the_case_goes_back(users):
    p = pledge(users)
    case = bring_to(users, make_case(users), State.SUBMITTED, pledge_=p)
    dl, rs = users[roles.DELEGATION], users[roles.RESETTLEMENT]
    with pytest.raises(ValidationError) as err:
        services.submission_decide(
            actor=dl, submission=_open(case), decision="info_requested", at=at(5)
        )
    assert "question" in err.value.message_dict
    services.submission_decide(
        actor=dl,
        submission=_open(case),
        decision="info_requested",
        question="the medical report",
        on=dt.date(2013, 4, 1),
        at=at(5),
    )
    assert RelocationCase.objects.get(case=case).state == State.INFO_REQUESTED
    request = InformationRequest.objects.get(case=case)
    assert (request.question, request.due_on, request.asked_by) == (
        "the medical report",
        dt.date(2013, 4, 1),
        dl,
    )
    # The delegation cannot answer its own question; the officer must give an answer.
    with pytest.raises(ValidationError):
        services.information_answer(actor=rs, case=case, answer=" ", at=at(6))
    services.information_answer(actor=rs, case=case, answer="sent on 3 March", at=at(6))
    request.refresh_from_db()
    assert (request.answer, request.answered_by) == ("sent on 3 March", rs)
    assert RelocationCase.objects.get(case=case).state == State.SUBMITTED
    # Nothing left to answer.
    with pytest.raises(ValidationError) as err:
        services.case_transition(actor=rs, case=case, action="answer_info", answer="x")
    assert "cannot be sent" in str(err.value)


def test_a_split_decision_accepts_some_members_and_counts_only_them(users):
    p = pledge(users, persons=3)
    case = bring_to(users, make_case(users, size=4), State.SUBMITTED, pledge_=p)
    ids = sorted(case.members.values_list("person_id", flat=True))
    dl = users[roles.DELEGATION]
    with pytest.raises(ValidationError) as err:  # the whole case: 4 of 3 places
        services.submission_decide(actor=dl, submission=_open(case), decision="accepted")
    assert "no room" in str(err.value)
    with pytest.raises(ValidationError) as err:
        services.submission_decide(
            actor=dl, submission=_open(case), decision="accepted", members=["NOT-A-MEMBER"]
        )
    assert "NOT-A-MEMBER" in err.value.message_dict["members"][0]
    services.submission_decide(
        actor=dl, submission=_open(case), decision="accepted", members=ids[:3], at=at(5)
    )
    sub = Submission.objects.get(case=case)
    assert sub.is_split and sub.accepted_members == ids[:3] and sub.usage["persons"] == 3
    assert selectors.pledge_figures(p)["persons"]["accepted"] == 3
    entry = AuditEntry.objects.filter(object_id=case.case_id).latest("id")
    assert "accepted 3 members" in entry.detail


def test_accepting_every_member_is_not_a_split(users):
    case = bring_to(users, make_case(users, size=2), State.SUBMITTED, pledge_=pledge(users))
    ids = list(case.members.values_list("person_id", flat=True))
    services.submission_decide(
        actor=users[roles.DELEGATION], submission=_open(case), decision="accepted", members=ids
    )
    assert not Submission.objects.get(case=case).is_split


def test_the_delegations_page_defers_asks_and_splits(client, users):
    p = pledge(users)
    case = bring_to(users, make_case(users, size=4), State.SUBMITTED, pledge_=p)
    sub = _open(case)
    client.force_login(users[roles.DELEGATION])
    page = reverse("relocation_case", args=[case.case_id])
    html = client.get(page).content.decode()
    assert 'id="decide-form"' in html and 'id="request-information-form"' in html
    url = reverse("submission_decide", args=[sub.pk])
    client.post(
        url,
        {"decision": "info_requested", "question": "school records", "on": "2099-01-01"},
    )
    assert RelocationCase.objects.get(case=case).state == State.INFO_REQUESTED
    assert "awaiting-information" in client.get(page).content.decode()
    services.information_answer(actor=users[roles.RESETTLEMENT], case=case, answer="attached")
    ids = sorted(case.members.values_list("person_id", flat=True))
    client.post(
        url, {"decision": "accepted", "members_given": "1", "members": ids[:3], "next": page}
    )
    sub.refresh_from_db()
    assert sub.decision == "accepted" and sub.accepted_members == ids[:3]


def test_the_api_takes_the_new_decisions(client, users):
    case = bring_to(users, make_case(users, size=2), State.SUBMITTED, pledge_=pledge(users))
    client.force_login(users[roles.DELEGATION])
    url = reverse("api_submission_decision", args=[_open(case).pk])
    response = client.post(
        url, {"decision": "deferred", "reason": "next year"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert RelocationCase.objects.get(case=case).state == State.DEFERRED
    response = client.post(url, {"decision": "info_requested"}, content_type="application/json")
    assert response.status_code == 400 and "question" in response.content.decode()
