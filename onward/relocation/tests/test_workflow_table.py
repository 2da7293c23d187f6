"""The state machine's table, exhaustively: every (state, action, role) either succeeds
with its effects or is refused with nothing changed. Nothing in between."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction

from onward.accounts import policy, roles
from onward.readiness import services as readiness
from onward.readiness.models import Fact
from onward.relocation import services, workflow
from onward.relocation.models import CaseTransition, State
from onward.relocation.tests.factories import (
    at,
    bring_to,
    make_case,
    pledge,
    ready_to_submit,
)

pytestmark = pytest.mark.django_db

PARAMS = {
    "assess": {"category": "MED", "priority": "urgent"},
    "reject": {"reason": "outside the pledge's criteria"},
    "withdraw": {"reason": "the family declined"},
    "hold": {"reason": "pending medical review"},
    "defer": {"reason": "the year's quota is allocated"},
    "request_info": {"question": "the school records of the children"},
    "answer_info": {"answer": "attached to the dossier"},
}


class Rollback(Exception):
    pass


def _snapshot(case):
    """Everything a step may change, in one query."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT state || ':' || version FROM relocation_relocationcase"
            "        WHERE case_id = %s),"
            " (SELECT COUNT(*) FROM relocation_casetransition),"
            " (SELECT COUNT(*) || ':' || COUNT(decided_at) || ':' || COUNT(departed_on)"
            "        || ':' || SUM(CASE WHEN decision = '' THEN 1 ELSE 0 END)"
            "  FROM relocation_submission),"
            " (SELECT COUNT(*) FROM relocation_exitcheck),"
            " (SELECT COUNT(*) FROM audit_auditentry)",
            [case.pk],
        )
        rc, transitions, submissions, checks, audit = cursor.fetchone()
    state, _, version = (rc or f"{State.NOT_IDENTIFIED}:0").partition(":")
    return {
        "state": state,
        "version": int(version),
        "transitions": transitions,
        "submissions": submissions,
        "checks": checks,
        "audit": audit,
    }


def _attempt(user, case, action, other_pledge):
    when = at(30)
    if action == "depart":
        return services.case_depart(case=case, actor=user, on=when.date())
    if action == "undepart":
        return services.case_undepart(case=case, actor=user, reason="recorded by mistake", at=when)
    if action in ("mark_ready", "unready"):
        # The derived state: readiness computes the verdict, the table moves the case.
        if action == "unready":
            member = case.members.order_by("pk").first()
            Fact.objects.create(person=member, kind="exit_permit", status="failed", on=when.date())
        ready, why = readiness.case_verdicts([case], when.date()).get(case, (None, ""))
        step = workflow.Step(case=case, action=action, at=when, ready=ready, reason=why)
        return workflow.run(actor=user, action=action, steps=[step], internal=True)
    params = dict(PARAMS.get(action, {}))
    if action == "request_info":
        params["on"] = (when + dt.timedelta(days=14)).date()
    if action in ("submit", "resubmit"):
        params["pledge"] = other_pledge
    return services.case_transition(actor=user, case=case, action=action, at=when, **params)


@pytest.mark.parametrize("state", State.values)
def test_every_action_and_role_on_a_state_succeeds_or_is_refused_whole(users, state):
    first, second = pledge(users, name="first"), pledge(users, name="second")
    cases = {}
    for action in workflow.ACTIONS:
        # An accepted case has passed its requirements (readiness would make it ready).
        if not cases:
            # Interviewed and reviewed: the gates are tested alone below.
            cases[0] = ready_to_submit(users, make_case(users, size=2))
            if state != State.NOT_IDENTIFIED:
                bring_to(users, cases[0], state, pledge_=first)
        case = cases[0]
        before = _snapshot(case)
        row = workflow.TABLE.get((state, action))
        for role, user in users.items():
            allowed = row is not None and policy.can(user, row.permission)
            where = f"{role} / {state} / {action}"
            try:
                with transaction.atomic():
                    try:
                        _attempt(user, case, action, second)
                    except (PermissionDenied, ValidationError) as exc:
                        assert not allowed, f"{where}: refused: {exc}"
                        assert _snapshot(case) == before, f"{where}: a refusal changed something"
                        raise Rollback from exc
                    assert allowed, f"{where}: it went through"
                    after = _snapshot(case)
                    expected = State.SUBMITTED if row.to_state == workflow.RETURN else row.to_state
                    assert after["state"] == expected, where
                    assert after["version"] == before["version"] + 1, where
                    assert after["transitions"] == before["transitions"] + 1, where
                    assert after["audit"] == before["audit"] + 1, where
                    last = CaseTransition.objects.filter(case=case).latest("id")
                    assert (last.from_state, last.to_state, last.action, last.actor_id) == (
                        state,
                        expected,
                        action,
                        user.pk,
                    ), where
                    raise Rollback
            except Rollback:
                pass


def test_the_table_names_only_known_states_actions_and_permissions():
    from onward.accounts.roles import PERMISSIONS

    for (from_state, action), row in workflow.TABLE.items():
        assert from_state in State.values and action in workflow.ACTIONS
        assert row.to_state in (*State.values, workflow.RETURN)
        assert row.permission in PERMISSIONS
    reachable_by_hand = {
        row.to_state for (_, a), row in workflow.TABLE.items() if not workflow.ACTIONS[a].internal
    }
    assert State.DEPARTED not in reachable_by_hand, "only a transfer makes a case departed"


def test_an_illegal_transition_is_refused_with_a_clear_message(users):
    case = make_case(users)
    bring_to(users, case, State.IDENTIFIED)
    with pytest.raises(ValidationError) as err:
        services.submission_accept(actor=users[roles.ADMIN], case=case, at=at(5))
    message = err.value.message_dict["action"][0]
    assert "identified for relocation cannot" in message and "record assessment" in message


def test_departed_is_reached_only_by_a_transfer(users):
    p = pledge(users)
    case = bring_to(users, make_case(users), State.READY, pledge_=p)
    with pytest.raises(ValidationError) as err:
        services.case_transition(
            actor=users[roles.ADMIN], case=case, action="depart", on=at(20).date()
        )
    assert "only by a transfer" in str(err.value)


GATES = {
    workflow.interview_completed: "interview",
    workflow.recommendation_approved: "review",
    workflow.linked_cases_together: "linked",
}
GATED = [
    (state, action, guard)
    for (state, action), row in workflow.TABLE.items()
    for guard in row.guards
    if guard in GATES
]


def test_the_gates_are_in_the_table_where_the_handbook_puts_them():
    linked = {(s, a) for s, a, g in GATED if g is workflow.linked_cases_together}
    assert linked == {
        (State.ASSESSED, "submit"),
        (State.REJECTED, "resubmit"),
        (State.WITHDRAWN, "resubmit"),
    }
    assert {(s, a) for s, a, _g in GATED} == {
        (State.IDENTIFIED, "assess"),
        (State.ASSESSED, "assess"),
        (State.ASSESSED, "submit"),
        (State.REJECTED, "resubmit"),
        (State.WITHDRAWN, "resubmit"),
    }


@pytest.mark.parametrize("state,action,guard", GATED, ids=[f"{s}-{a}" for s, a, _g in GATED])
def test_every_role_is_refused_whole_without_the_interview_or_the_approved_review(
    users, state, action, guard
):
    """The exhaustive test's other half: where a gate guards the row, a case that has not
    passed it is refused for every role, the refusal names the rule, nothing changes."""
    from onward.composition import services as composition
    from onward.interviews import services as interviews
    from onward.relocation import review

    first, second = pledge(users, name="first"), pledge(users, name="second")
    case = make_case(users, size=2)
    if guard is workflow.interview_completed:
        if state != State.IDENTIFIED:
            bring_to(users, case, state, pledge_=first)  # interviewed on the way
            for appointment in case.appointments.all():
                interviews.set_status(appointment, "cancelled")
        else:
            bring_to(users, case, state)
        rule = "resettlement interview is completed with every member present"
    elif guard is workflow.linked_cases_together:
        bring_to(users, case, state, pledge_=first)  # interviewed and reviewed on the way
        other = make_case(users)  # linked, submitted nowhere
        composition.cases_link(
            actor=users[roles.RESETTLEMENT],
            case=case,
            other=other,
            kind="dependency",
            reason="the grandmother depends on this household",
        )
        rule = f"linked to case {other.case_id} (dependency), not submitted together"
    else:
        if state != State.ASSESSED:
            bring_to(users, case, state, pledge_=first)  # reviewed on the way
            review.recommendation_record(
                actor=users[roles.RESETTLEMENT],
                case=case,
                recommendation="return",
                comments="the family's composition is unclear",
            )
            rule = '"return with comments": a second user with the reviewing role'
        else:
            bring_to(users, case, state, reviewed=False)
            rule = "no recommendation yet: a second user with the reviewing role"
    before = _snapshot(case)
    row = workflow.TABLE[(state, action)]
    refused_for_the_rule = 0
    for role, user in users.items():
        with pytest.raises((PermissionDenied, ValidationError)) as err:
            with transaction.atomic():
                _attempt(user, case, action, second)
        assert _snapshot(case) == before, role
        if policy.can(user, row.permission):
            assert err.type is not PermissionDenied
            assert rule in " ".join(err.value.message_dict[GATES[guard]]), role
            refused_for_the_rule += 1
    assert refused_for_the_rule >= 2  # the administrator and the resettlement officer


@pytest.mark.parametrize("state", [State.ACCEPTED, State.READY])
def test_the_derived_state_follows_each_fact_at_once_whoever_may_record_it(users, state):
    """mark_ready / unready are never attempted by hand: a fact stored through
    readiness.facts_write (staff recording it, or the delegation confirming its visa)
    moves the case at once, as its author's step; a role that may record no fact is
    refused whole and nothing moves."""
    from django.utils import timezone

    from onward.readiness.models import Requirement

    alb = pledge(users)
    case = bring_to(users, ready_to_submit(users, make_case(users, size=1)), state, pledge_=alb)
    Requirement.objects.create(country=alb.country, kind="visa", delegation_confirms=True)
    (member,) = case.members.all()
    # A visa already issued (fixture: written straight, no follow).
    Fact.objects.create(person=member, kind="visa", status="passed", on=at(0).date())
    status, expected, action = (
        ("passed", State.READY, "mark_ready")
        if state == State.ACCEPTED
        else ("failed", State.ACCEPTED, "unready")
    )
    today = timezone.localdate()
    moved = set()
    for role, user in users.items():
        may = policy.can(user, "readiness.record") or policy.can(user, "readiness.confirm")
        before = _snapshot(case)
        try:
            with transaction.atomic():
                try:
                    if policy.is_delegation(user):
                        readiness.confirm_item(
                            user, person=member, pledge=alb, kind="visa", status=status, on=today
                        )
                    else:
                        readiness.record_fact(
                            user,
                            person=member,
                            country=alb.country,
                            kind="visa",
                            status=status,
                            on=today,
                        )
                except PermissionDenied as exc:
                    assert not may, f"{role}: refused: {exc}"
                    assert _snapshot(case)["state"] == before["state"], role
                    assert _snapshot(case)["transitions"] == before["transitions"], role
                    raise Rollback from exc
                assert may, f"{role}: it went through"
                after = _snapshot(case)
                assert after["state"] == expected, role
                assert after["transitions"] == before["transitions"] + 1, role
                last = CaseTransition.objects.filter(case=case).latest("id")
                assert (last.action, last.actor_id) == (action, user.pk), role
                moved.add(role)
                raise Rollback
        except Rollback:
            pass
    assert roles.DELEGATION in moved and roles.RESETTLEMENT in moved
