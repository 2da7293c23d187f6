import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from onward.accounts import roles
from onward.accounts.models import User
from onward.audit.models import AuditEntry
from onward.registry.models import Case
from onward.registry.services import StaleEdit
from onward.relocation import guards, selectors, services
from onward.relocation.models import (
    CaseTransition,
    PledgeChange,
    RelocationCase,
    State,
    Submission,
)
from onward.relocation.tests.factories import at, bring_to, make_case, pledge
from onward.relocation.usage import case_usage, usage_from_members

pytestmark = pytest.mark.django_db


def _assessed(users, **kwargs):
    return bring_to(users, make_case(users, **kwargs), State.ASSESSED)


def _refusal(users, case, p, when=None):
    before = (CaseTransition.objects.count(), Submission.objects.count())
    with pytest.raises(ValidationError) as err:
        services.case_submit(
            actor=users[roles.RESETTLEMENT], case=case, pledge=p, at=when or at(10)
        )
    assert (CaseTransition.objects.count(), Submission.objects.count()) == before
    assert RelocationCase.objects.get(case=case).state == State.ASSESSED
    return " ".join(m for msgs in err.value.message_dict.values() for m in msgs)


# --- Usage ------------------------------------------------------------------------------


def test_usage_counts_persons_medical_members_and_large_families():
    assert usage_from_members([{"SM", "DS"}, {"DS"}, set(), {"ER"}, set()]) == {
        "persons": 5,
        "medical": 2,
        "large_family": 1,
    }
    assert usage_from_members([set()]) == {"persons": 1, "medical": 0, "large_family": 0}


def test_case_usage_reads_the_registry(users):
    case = make_case(users, size=5, needs=["SM", "DS"])
    assert case_usage(case) == {"persons": 5, "medical": 1, "large_family": 1}


# --- Guards -----------------------------------------------------------------------------


def test_it_refuses_a_case_larger_than_the_pledges_limit(users):
    case = _assessed(users, size=6)
    assert "takes cases of at most 5" in _refusal(users, case, pledge(users, max_case_size=5))


def test_a_closed_pledge_takes_nothing(users):
    p = pledge(users)
    services.pledge_update(
        actor=users[roles.RESETTLEMENT],
        pledge=p,
        expected_version=1,
        changes={"status": "closed"},
        at=at(1),
        note="closed",
    )
    assert "is closed: it takes no cases" in _refusal(users, _assessed(users), p)


def test_a_pledge_under_consideration_takes_nothing(users):
    p = pledge(users, country="ROU", status="draft")
    assert "under consideration" in _refusal(users, _assessed(users), p)


def test_an_expired_pledge_takes_nothing(users):
    p = pledge(users, valid_from="2012-01-01", valid_to="2012-12-31")
    assert (
        "is closed on 2013-03-11: its validity ended on 2012-12-31 (valid 2012-01-01 to "
        "2012-12-31); it takes no cases"
    ) in _refusal(users, _assessed(users), p)


def test_a_pledge_refuses_needs_it_cannot_serve(users):
    case = _assessed(users, needs=["SM"])
    assert "cannot serve the specific needs SM" in _refusal(
        users, case, pledge(users, needs_not_served=["SM", "DS"])
    )


def test_a_pledge_refuses_other_nationalities(users):
    case = _assessed(users, nationality="IRQ")
    assert "nationals of IRN only; case" in _refusal(
        users, case, pledge(users, nationalities=["IRN"])
    )


def test_it_refuses_a_submission_while_a_possible_duplicate_is_unresolved(users, monkeypatch):
    case = _assessed(users)
    monkeypatch.setattr(
        guards,
        "cases_with_unresolved_duplicates",
        lambda cases: {c.pk for c in cases if c.pk == case.pk},
    )
    assert "possible duplicate" in _refusal(users, case, pledge(users))


def test_the_batch_duplicate_check_prefers_dedups_own_bulk_function(users, monkeypatch):
    import onward.dedup.selectors as dedup

    held, free = make_case(users), make_case(users)
    monkeypatch.setattr(dedup, "cases_with_open_duplicates", lambda pks: {held.pk}, raising=False)
    assert guards.cases_with_unresolved_duplicates([held, free]) == {held.pk}
    monkeypatch.delattr(dedup, "cases_with_open_duplicates")
    monkeypatch.setattr(dedup, "case_has_open_duplicates", lambda c: c.pk == free.pk)
    monkeypatch.delattr(dedup, "UNRESOLVED")
    assert guards.cases_with_unresolved_duplicates([held, free]) == {free.pk}


def test_the_duplicate_guard_asks_dedup_when_it_is_there(users, monkeypatch):
    import onward.dedup.selectors as dedup

    case = make_case(users)
    monkeypatch.setattr(dedup, "case_has_open_duplicates", lambda c: True)
    assert guards.case_has_unresolved_duplicate(case) is True
    monkeypatch.delattr(dedup, "case_has_open_duplicates")
    assert guards.case_has_unresolved_duplicate(case) is False


def test_it_refuses_a_second_open_submission(users):
    first, second = pledge(users, name="one"), pledge(users, name="two")
    case = bring_to(users, make_case(users), State.SUBMITTED, pledge_=first)
    # The workflow refuses it (a submitted case cannot be submitted), and the database
    # refuses it too should any code try behind the workflow's back.
    with pytest.raises(ValidationError):
        services.case_submit(actor=users[roles.RESETTLEMENT], case=case, pledge=second, at=at(9))
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.create(case=case, pledge=second, submitted_at=at(9))


def test_resubmission_goes_to_another_pledge_after_a_rejection(users):
    first, second = pledge(users, name="one"), pledge(users, name="two")
    case = bring_to(users, make_case(users), State.REJECTED, pledge_=first)
    rs = users[roles.RESETTLEMENT]
    with pytest.raises(ValidationError) as err:
        services.case_resubmit(actor=rs, case=case, pledge=first, at=at(9))
    assert "already rejected case" in str(err.value)
    services.case_resubmit(actor=rs, case=case, pledge=second, at=at(9))
    assert case.submissions.filter(decision="").get().pledge == second


def test_a_rejection_needs_a_reason(users):
    case = bring_to(users, make_case(users), State.SUBMITTED, pledge_=pledge(users))
    with pytest.raises(ValidationError) as err:
        services.submission_reject(actor=users[roles.DELEGATION], case=case, reason=" ", at=at(9))
    assert err.value.message_dict == {"reason": ["Give a reason."]}


def test_a_delegation_decides_only_for_its_own_country(users):
    case = bring_to(users, make_case(users), State.SUBMITTED, pledge_=pledge(users, country="DEU"))
    with pytest.raises(ValidationError) as err:
        services.submission_accept(actor=users[roles.DELEGATION], case=case, at=at(9))
    assert "another country's pledge" in str(err.value)
    norway = User.objects.create_user("nor", role=roles.DELEGATION, country="NOR")
    with pytest.raises(ValidationError):
        services.submission_reject(actor=norway, case=case, reason="no", at=at(9))


def test_acceptance_stops_at_the_pledges_capacity(users):
    p = pledge(users, persons=5, capacities={"large_family": 1})
    a = bring_to(users, make_case(users, size=3), State.SUBMITTED, pledge_=p)
    b = bring_to(users, make_case(users, size=3), State.SUBMITTED, pledge_=p)
    services.submission_accept(actor=users[roles.DELEGATION], case=a, at=at(9))
    with pytest.raises(ValidationError) as err:
        services.submission_accept(actor=users[roles.DELEGATION], case=b, at=at(9))
    assert "persons: 3 of 5 taken, the case needs 3" in str(err.value)
    figures = selectors.pledge_figures(p)
    assert figures["persons"] == {
        "capacity": 5,
        "submitted": 6,
        "pending": 3,
        "accepted": 3,
        "departed": 0,
        "remaining": 2,
    }


def test_hold_remembers_the_state_to_return_to(users):
    case = bring_to(users, make_case(users), State.ACCEPTED, pledge_=pledge(users))
    rs = users[roles.RESETTLEMENT]
    services.case_hold(actor=rs, case=case, reason="security screening", at=at(10))
    services.case_release(actor=rs, case=case, at=at(11))
    rc = RelocationCase.objects.get(case=case)
    assert rc.state == State.ACCEPTED and rc.return_state == ""


def test_history_cannot_be_backdated_before_the_current_state(users):
    case = bring_to(users, make_case(users), State.ASSESSED, day=5)
    with pytest.raises(ValidationError) as err:
        services.case_submit(
            actor=users[roles.RESETTLEMENT], case=case, pledge=pledge(users), at=at(1)
        )
    assert "History is dated" in err.value.message_dict["at"][0]


def test_a_stale_action_is_refused(users):
    case = bring_to(users, make_case(users), State.IDENTIFIED)
    with pytest.raises(services.StaleState):
        services.case_transition(
            actor=users[roles.RESETTLEMENT],
            case=case,
            action="assess",
            category="LPN",
            priority="normal",
            expected_version=7,
        )


def test_roles_without_the_permission_are_refused(users):
    case = make_case(users)
    with pytest.raises(PermissionDenied):
        services.case_identify(actor=users[roles.CLERK], case=case)


def test_a_closed_registry_case_is_not_identified(users):
    case = make_case(users)
    Case.objects.filter(pk=case.pk).update(status="closed")
    with pytest.raises(ValidationError):
        services.case_identify(actor=users[roles.RESETTLEMENT], case=case)


# --- Every step is history and audit --------------------------------------------------------


def test_every_step_is_dated_history_and_an_audit_entry(users):
    case = bring_to(users, make_case(users), State.READY, pledge_=pledge(users))
    history = list(CaseTransition.objects.filter(case=case).values_list("action", "to_state"))
    assert history == [
        ("identify", "identified"),
        ("assess", "assessed"),
        ("submit", "submitted"),
        ("accept", "accepted"),
        ("mark_ready", "ready"),
    ]
    audits = AuditEntry.objects.filter(
        object_type="case", object_id=case.case_id, changes__has_key="relocation_state"
    )
    assert audits.count() == len(history)
    assert CaseTransition.objects.filter(case=case).first().at == at(0)


def test_time_in_state_comes_from_the_history(users):
    case = bring_to(users, make_case(users), State.SUBMITTED, pledge_=pledge(users))
    spans = selectors.time_in_states(case, as_of=at(12))
    assert spans["identified"] == dt.timedelta(days=1)
    assert spans["assessed"] == dt.timedelta(days=1)
    # as_of is a datetime: 10 days after the submission at day 2
    assert spans["submitted"] == dt.timedelta(days=10)
    assert selectors.average_days_in_state(as_of=at(12))["submitted"] == 10.0


# --- The interface of transfers ---------------------------------------------------------------


def test_depart_and_undepart_move_ready_cases_and_count_in_the_pledges_figures(users):
    p = pledge(users)
    case = bring_to(users, make_case(users, size=3), State.READY, pledge_=p)
    other = bring_to(users, make_case(users), State.SUBMITTED, pledge_=p)
    assert list(selectors.cases_ready_for_departure(pledge=p)) == [case]
    rs = users[roles.RESETTLEMENT]
    with pytest.raises(ValidationError):
        services.case_depart(case=other, actor=rs, on=dt.date(2013, 4, 1))
    services.case_depart(case=case, actor=rs, on=dt.date(2013, 4, 1))
    assert selectors.pledge_figures(p)["persons"]["departed"] == 3
    assert selectors.funnel(pledge=p)["departed"] == {"cases": 1, "persons": 3}
    assert list(selectors.cases_ready_for_departure()) == []
    services.case_undepart(case=case, actor=rs, reason="wrong manifest", at=at(40))
    assert RelocationCase.objects.get(case=case).state == State.READY
    assert selectors.pledge_figures(p)["persons"]["departed"] == 0
    actions = list(CaseTransition.objects.filter(case=case).values_list("action", flat=True))
    assert actions[-2:] == ["depart", "undepart"]


def test_the_funnel_counts_each_stage_per_country_and_as_of_a_date(users):
    alb, deu = pledge(users), pledge(users, country="DEU")
    bring_to(users, make_case(users), State.IDENTIFIED)
    bring_to(users, make_case(users, size=3), State.ACCEPTED, pledge_=alb)
    bring_to(users, make_case(users), State.REJECTED, pledge_=deu)
    bring_to(users, make_case(users, size=4), State.DEPARTED, pledge_=alb, day=3)
    assert selectors.funnel() == {
        "identified": {"cases": 4, "persons": 11},
        "submitted": {"cases": 3, "persons": 9},
        "accepted": {"cases": 2, "persons": 7},
        "departed": {"cases": 1, "persons": 4},
    }
    assert selectors.funnel(country="ALB")["submitted"] == {"cases": 2, "persons": 7}
    assert selectors.funnel(pledge=deu)["accepted"] == {"cases": 0, "persons": 0}
    assert selectors.funnel(as_of=at(2.5))["submitted"]["cases"] == 2  # the 4th: day 5
    assert selectors.funnel(as_of=at(2.5))["accepted"]["cases"] == 0


# --- Bulk ---------------------------------------------------------------------------------------


def test_bulk_submission_is_all_or_nothing_with_a_report(users):
    p = pledge(users, max_case_size=4)
    good = [_assessed(users) for _ in range(3)]
    too_big = _assessed(users, size=5)
    not_ready = bring_to(users, make_case(users), State.IDENTIFIED)
    with pytest.raises(ValidationError) as err:
        services.cases_submit_bulk(
            actor=users[roles.RESETTLEMENT], cases=[*good, too_big, not_ready], pledge=p, at=at(10)
        )
    report = err.value.message_dict
    assert set(report) == {too_big.case_id, not_ready.case_id}
    assert "at most 4" in report[too_big.case_id][0]
    assert "identified for relocation cannot" in report[not_ready.case_id][0]
    assert Submission.objects.count() == 0
    steps = services.cases_submit_bulk(
        actor=users[roles.RESETTLEMENT], cases=good, pledge=p, at=at(10)
    )
    assert len(steps) == 3 and Submission.objects.filter(pledge=p, decision="").count() == 3


# --- Pledges ------------------------------------------------------------------------------------


def test_a_pledge_keeps_a_dated_history_and_refuses_bad_input_whole(users):
    rs = users[roles.RESETTLEMENT]
    with pytest.raises(ValidationError) as err:
        services.pledge_create(
            actor=rs,
            data={"country": "XXX", "name": "", "valid_from": "x", "capacities": {"persons": -1}},
        )
    assert set(err.value.message_dict) == {"country", "name", "valid_from", "capacities"}
    p = pledge(users)
    services.pledge_update(
        actor=rs,
        pledge=p,
        expected_version=1,
        changes={"capacities": {"persons": 250}},
        at=at(3),
        note="raised",
    )
    with pytest.raises(StaleEdit):
        services.pledge_update(actor=rs, pledge=p, expected_version=1, changes={"name": "x"})
    changes = list(PledgeChange.objects.filter(pledge=p).values_list("note", flat=True))
    assert changes == ["created", "raised"]
    assert selectors.pledge_figures(p)["persons"]["capacity"] == 250


def test_a_capacity_is_never_set_below_what_is_accepted(users):
    p = pledge(users, persons=10)
    bring_to(users, make_case(users, size=4), State.ACCEPTED, pledge_=p)
    with pytest.raises(ValidationError) as err:
        services.pledge_update(
            actor=users[roles.RESETTLEMENT],
            pledge=p,
            expected_version=1,
            changes={"capacities": {"persons": 3}},
        )
    assert "persons: 4 already accepted" in str(err.value)


def test_only_pledge_managers_create_pledges(users):
    with pytest.raises(PermissionDenied):
        services.pledge_create(actor=users[roles.PROTECTION], data={})
