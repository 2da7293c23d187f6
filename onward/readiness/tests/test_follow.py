"""Ready for departure follows readiness: never set by hand, in and out as facts are
recorded; the three former exit checks are requirements of this kind."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from onward.accounts import roles
from onward.readiness import services
from onward.relocation import services as relocation
from onward.relocation.models import CaseTransition, RelocationCase, State
from onward.relocation.tests.factories import bring_to, make_case, pledge

pytestmark = pytest.mark.django_db


def _state(case):
    return RelocationCase.objects.get(case=case).state


def test_an_accepted_case_is_ready_once_every_member_passed_every_requirement(users):
    alb = pledge(users)
    case = bring_to(users, make_case(users, size=2), State.ACCEPTED, pledge_=alb, exit_checks=False)
    services.requirements_seed("ALB")
    rs, today = users[roles.RESETTLEMENT], timezone.localdate()
    a, b = case.members.order_by("person_id")
    with pytest.raises(ValidationError, match="not by hand"):
        relocation.case_transition(actor=rs, case=case, action="mark_ready")
    for kind in services.FORMER_EXIT_CHECKS:
        services.record_fact(rs, person=a, country="ALB", kind=kind, status="passed", on=today)
    assert _state(case) == State.ACCEPTED  # b has passed nothing yet
    for kind in services.FORMER_EXIT_CHECKS:
        services.record_fact(rs, person=b, country="ALB", kind=kind, status="passed", on=today)
    assert _state(case) == State.READY
    last = CaseTransition.objects.filter(case=case).latest("id")
    assert (last.action, last.actor_id) == ("mark_ready", rs.pk)
    # A failed re-examination takes the case back to accepted, with the reason.
    services.record_fact(
        rs, person=b, country="ALB", kind="health_assessment", status="failed", on=today
    )
    assert _state(case) == State.ACCEPTED
    last = CaseTransition.objects.filter(case=case).latest("id")
    assert last.action == "unready" and "Health assessment failed" in last.reason


def test_an_expired_requirement_is_caught_when_readiness_is_followed_on_a_later_day(users):
    alb = pledge(users)
    case = bring_to(users, make_case(users, size=1), State.ACCEPTED, pledge_=alb, exit_checks=False)
    services.requirements_seed("ALB", kinds=("fit_to_travel",), fit_to_travel={"valid_days": 3})
    rs, today = users[roles.RESETTLEMENT], timezone.localdate()
    (a,) = case.members.all()
    services.record_fact(
        rs, person=a, country="ALB", kind="fit_to_travel", status="passed", on=today
    )
    assert _state(case) == State.READY
    verdict = services.case_verdicts([case], today + dt.timedelta(days=4))[case]
    assert verdict[0] is False and "Fitness to travel expired" in verdict[1]
    services.follow(rs, [case], on=today + dt.timedelta(days=4))
    assert _state(case) == State.ACCEPTED


def test_the_migration_turns_each_exit_check_into_facts_of_every_member(users):
    from importlib import import_module

    from django.apps import apps

    from onward.readiness.models import Fact, Requirement
    from onward.relocation.models import ExitCheck

    alb = pledge(users)
    case = bring_to(users, make_case(users, size=2), State.ACCEPTED, pledge_=alb, exit_checks=False)
    sub = case.submissions.get(decision="accepted")
    rs = users[roles.RESETTLEMENT]
    when = timezone.make_aware(dt.datetime(2013, 4, 2, 10))
    for kind in ("travel_documents", "medical_clearance", "exit_permit"):
        ExitCheck.objects.create(case=case, submission=sub, kind=kind, done_at=when, by=rs)
    migration = import_module("onward.readiness.migrations.0002_exit_checks_as_requirements")
    migration.forwards(apps, None)
    assert set(Requirement.objects.filter(country="ALB").values_list("kind", flat=True)) == {
        "travel_document",
        "health_assessment",
        "exit_permit",
    }
    facts = Fact.objects.filter(person__case=case)
    assert facts.count() == 6 and {f.on for f in facts} == {dt.date(2013, 4, 2)}
    assert {f.recorded_by_id for f in facts} == {rs.pk}
    assert services.case_verdicts([case], dt.date(2013, 4, 2))[case][0] is True
    assert services.case_verdicts([case], dt.date(2013, 4, 1))[case][0] is False


def _family_waiting_for_its_visa(users):
    """An Albanian family of two, accepted, every requirement passed but the visa, which
    the Albanian delegation confirms."""
    from onward.readiness.models import Requirement

    alb = pledge(users)
    case = bring_to(users, make_case(users, size=2), State.ACCEPTED, pledge_=alb, exit_checks=False)
    services.requirements_seed("ALB")
    Requirement.objects.create(country="ALB", kind="visa", delegation_confirms=True)
    rs, today = users[roles.RESETTLEMENT], timezone.localdate()
    for person in case.members.all():
        for kind in services.FORMER_EXIT_CHECKS:
            services.record_fact(
                rs, person=person, country="ALB", kind=kind, status="passed", on=today
            )
    assert _state(case) == State.ACCEPTED  # the visas are missing
    return alb, case


def test_the_delegations_visa_makes_the_case_ready_at_once_and_a_refusal_takes_it_back(users):
    alb, case = _family_waiting_for_its_visa(users)
    dl, today = users[roles.DELEGATION], timezone.localdate()
    a, b = case.members.order_by("person_id")
    services.confirm_item(dl, person=a, pledge=alb, kind="visa", status="passed", on=today)
    assert _state(case) == State.ACCEPTED  # b's visa still missing
    services.confirm_item(dl, person=b, pledge=alb, kind="visa", status="passed", on=today)
    assert _state(case) == State.READY
    last = CaseTransition.objects.filter(case=case).latest("id")
    # The step is the delegation's confirmation's consequence, recorded as its author's.
    assert (last.action, last.actor_id) == ("mark_ready", dl.pk)
    services.confirm_item(dl, person=b, pledge=alb, kind="visa", status="failed", on=today)
    assert _state(case) == State.ACCEPTED
    last = CaseTransition.objects.filter(case=case).latest("id")
    assert last.action == "unready" and "Visa failed" in last.reason


def test_a_delegation_still_runs_no_relocation_step_by_hand(users):
    from django.core.exceptions import PermissionDenied

    alb, case = _family_waiting_for_its_visa(users)
    with pytest.raises((PermissionDenied, ValidationError)):
        relocation.case_transition(actor=users[roles.DELEGATION], case=case, action="hold")


def test_facts_written_for_several_cases_move_each_case_in_one_call(users):
    alb = pledge(users)
    cases = [
        bring_to(users, make_case(users, size=n), State.ACCEPTED, pledge_=alb, exit_checks=False)
        for n in (1, 2, 1)
    ]
    services.requirements_seed("ALB")
    rs, today = users[roles.RESETTLEMENT], timezone.localdate()
    rows = [
        {"person": p, "kind": kind, "status": "passed", "on": today}
        for case in cases[:2]
        for p in case.members.all()
        for kind in services.FORMER_EXIT_CHECKS
    ] + [
        {"person": cases[2].members.get(), "kind": "exit_permit", "status": "pending", "on": today}
    ]
    services.facts_write(rs, rows)
    assert [_state(c) for c in cases] == [State.READY, State.READY, State.ACCEPTED]


def test_a_refused_fact_stores_nothing_and_moves_nothing(users):
    from onward.readiness.models import Fact

    alb = pledge(users)
    case = bring_to(users, make_case(users, size=1), State.ACCEPTED, pledge_=alb, exit_checks=False)
    services.requirements_seed("ALB")
    rs, today = users[roles.RESETTLEMENT], timezone.localdate()
    (a,) = case.members.all()
    with pytest.raises(ValidationError, match="before the date"):
        services.record_fact(
            rs,
            person=a,
            country="ALB",
            kind="travel_document",
            status="passed",
            on=today,
            valid_until=today - dt.timedelta(days=1),
        )
    assert not Fact.objects.exists() and _state(case) == State.ACCEPTED


def test_no_code_writes_a_fact_but_facts_write():
    """The one door: outside readiness.services (and migrations, tests), nothing creates
    Fact rows, so no fact is stored without its case following it."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2]
    pattern = re.compile(
        r"\bFact\.objects\.(create|bulk_create|get_or_create|update)|(?<![.\w])(?<!class )Fact\("
    )
    writers = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
        if pattern.search(path.read_text())
    ]
    assert writers == ["readiness/services.py"]


# --- A property: the stored state never disagrees with readiness after a fact ---------

_fact_st = st.tuples(
    st.integers(0, 1),  # which member
    st.sampled_from([*services.FORMER_EXIT_CHECKS, "fit_to_travel"]),
    st.sampled_from(["passed", "passed", "passed", "failed", "pending"]),
    st.integers(0, 6),  # days before today (a fitness check 4 or more back has expired)
)


class FollowProperties(TestCase):
    @classmethod
    def setUpTestData(cls):
        from onward.accounts.models import User

        users = {
            role: User.objects.create_user(username=f"f_{role}", password="x" * 12, role=role)
            for role in (roles.CLERK, roles.RESETTLEMENT, roles.ADMIN, roles.PROTECTION)
        }
        cls.rs = users[roles.RESETTLEMENT]
        alb = pledge(users)
        cls.case = bring_to(
            users, make_case(users, size=2), State.ACCEPTED, pledge_=alb, exit_checks=False
        )
        services.requirements_seed(
            "ALB",
            kinds=(*services.FORMER_EXIT_CHECKS, "fit_to_travel"),
            fit_to_travel={"valid_days": 3},
        )

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(_fact_st, min_size=1, max_size=14))
    def test_after_every_fact_the_stored_state_is_what_readiness_says_today(self, facts):
        """Random facts of random members, each through record_fact: after every one, the
        case is stored ready for departure exactly when readiness today says every member
        is ready (a 3-day fitness check dated 4+ days back has expired)."""
        today = timezone.localdate()
        members = list(self.case.members.order_by("pk"))
        # Every requirement passed by every member yesterday: the case is ready; then the
        # random facts take it out and back.
        kinds = (*services.FORMER_EXIT_CHECKS, "fit_to_travel")
        on = today - dt.timedelta(days=1)
        services.facts_write(
            self.rs,
            [
                {"person": p, "kind": k, "status": "passed", "on": on}
                for p in members
                for k in kinds
            ],
        )
        assert _state(self.case) == State.READY
        for i, kind, status, back in facts:
            services.record_fact(
                self.rs,
                person=members[i],
                country="ALB",
                kind=kind,
                status=status,
                on=today - dt.timedelta(days=back),
            )
            ready = services.case_verdicts([self.case], today)[self.case][0]
            assert _state(self.case) == (State.READY if ready else State.ACCEPTED), (
                kind,
                status,
                back,
            )
