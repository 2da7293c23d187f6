"""The latest facts (readiness_latestfact) and "who can fly on D" read from them: the
table is always the latest fact of each (person, kind), whatever wrote, corrected or
deleted facts, and who_can_fly equals the engine's brute-force verdict on any date, past
ones (facts recorded after the date) included."""

import datetime as dt
from importlib import import_module

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from onward.accounts import roles
from onward.readiness import engine, latest, services
from onward.readiness.models import Fact, LatestFact, Requirement
from onward.relocation.models import State
from onward.relocation.tests.factories import bring_to, make_case, pledge

pytestmark = pytest.mark.django_db
D = dt.date(2026, 12, 1)
KINDS = ["visa", "orientation", "fit_to_travel", "biometrics"]


def _table():
    return {
        (r.person_id, r.kind): (r.fact_id, r.status, r.on, r.valid_until)
        for r in LatestFact.objects.all()
    }


def _brute_latest():
    """The latest fact of each (person, kind), read from the facts in Python."""
    out = {}
    for f in Fact.objects.order_by("on", "id"):
        out[(f.person_id, f.kind)] = (f.pk, f.status, f.on, f.valid_until)
    return out


def _brute_ready(pledge_, on, persons):
    """{person pk} ready on `on` by the engine over the person's facts (a per-case kind's
    from every current member of the case), each requirement the pledge's own or the
    country's, read with plain queries."""
    by_kind = {r.kind: r for r in Requirement.objects.filter(country=pledge_.country, pledge=None)}
    by_kind.update({r.kind: r for r in Requirement.objects.filter(pledge=pledge_)})
    reqs = [
        engine.Requirement(r.kind, r.valid_days, r.per_case, r.valid_hours_before_departure)
        for r in by_kind.values()
    ]
    per_case = {r.kind for r in reqs if r.per_case}
    ready = set()
    for p in persons:
        mates = {m.pk for m in p.case.members.filter(merged_into=None, removed_at=None)}
        facts = [
            engine.Fact(f.kind, f.status, f.on, f.valid_until)
            for f in Fact.objects.filter(on__lte=on).order_by("on", "id")
            if (f.person_id == p.pk and f.kind not in per_case)
            or (f.person_id in mates and f.kind in per_case)
        ]
        if engine.evaluate(reqs, facts, on).ready:
            ready.add(p.pk)
    return ready


_fact = st.tuples(
    st.integers(0, 4),  # which of the five persons
    st.sampled_from(KINDS),
    st.sampled_from(["passed"] * 4 + ["pending", "failed", "waived", "expired"]),
    st.integers(0, 20),  # days after D
    st.one_of(st.none(), st.integers(0, 25)),  # valid until, days after its date
    st.sampled_from(["write", "write", "write", "straight", "correct", "delete"]),
)


class LatestProperties(TestCase):
    @classmethod
    def setUpTestData(cls):
        from onward.accounts.models import User

        users = {
            role: User.objects.create_user(username=f"l_{role}", password="x" * 12, role=role)
            for role in (roles.CLERK, roles.RESETTLEMENT, roles.ADMIN, roles.PROTECTION)
        }
        cls.rs = users[roles.RESETTLEMENT]
        cls.alb = pledge(users)
        cases = [
            bring_to(
                users, make_case(users, size=n), State.ACCEPTED, pledge_=cls.alb, exit_checks=False
            )
            for n in (4, 1)
        ]
        cls.persons = [p for c in cases for p in c.members.order_by("pk")]
        Requirement.objects.create(country="ALB", kind="visa")
        Requirement.objects.create(country="ALB", kind="orientation", per_case=True)
        Requirement.objects.create(
            country="ALB", kind="fit_to_travel", valid_hours_before_departure=72
        )
        Requirement.objects.create(country="ALB", kind="biometrics", valid_days=30)
        # The pledge's own biometrics: valid 20 days, not 30.
        Requirement.objects.create(
            country="ALB", pledge=cls.alb, kind="biometrics", valid_days=20, waivable=True
        )

    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(_fact, min_size=1, max_size=25), st.lists(st.integers(-2, 45), max_size=6))
    def test_the_table_and_who_can_fly_follow_every_write(self, facts, days):
        """Random facts written through facts_write (several in one statement), straight
        into the table, corrected (a fact's status or date changed) or deleted: after
        each, the table is the latest fact of every pair; on random dates before, among
        and after the facts, who_can_fly is exactly whom the engine finds ready."""
        batch = []
        for i, kind, status, day, until, how in facts:
            on = D + dt.timedelta(days=day)
            row = {
                "person": self.persons[i],
                "kind": kind,
                "status": status,
                "on": on,
                "valid_until": None if until is None else on + dt.timedelta(days=until),
            }
            if how == "write":
                batch.append(row)  # written together, at the next other write
                continue
            if batch:
                services.facts_write(self.rs, batch, on=D)
                batch = []
            mine = Fact.objects.filter(person=self.persons[i], kind=kind).order_by("?").first()
            if how == "straight" or mine is None:
                Fact.objects.create(**row)
            elif how == "correct":
                Fact.objects.filter(pk=mine.pk).update(
                    status=status, on=min(on, mine.valid_until or on)
                )
            else:
                mine.delete()
            assert _table() == _brute_latest()
        if batch:
            services.facts_write(self.rs, batch, on=D)
        assert _table() == _brute_latest()
        # Every requirement, then each alone (so that one requirement's rule is tested
        # without the others hiding it), as the pledge asks them.
        for only in [None, *KINDS]:
            with transaction.atomic():
                if only is not None:
                    Requirement.objects.exclude(kind=only).delete()
                for day in [*days, 0, 3, 4, 10, 20, 21, 30]:
                    on = D + dt.timedelta(days=day)
                    got = latest.who_can_fly(self.alb, on)
                    want = _brute_ready(self.alb, on, self.persons)
                    assert {pk for pk, _case in got} == want, (only, on)
                    assert got == sorted(got, key=lambda pc: (pc[1], pc[0]))
                transaction.set_rollback(True)


def test_a_pledge_asking_nothing_lets_every_member_fly(users):
    alb = pledge(users)
    case = bring_to(users, make_case(users, size=2), State.ACCEPTED, pledge_=alb, exit_checks=False)
    assert {pk for pk, _ in latest.who_can_fly(alb, D)} == set(
        case.members.values_list("pk", flat=True)
    )


def test_the_migration_fills_the_table_from_the_facts_already_recorded(users):
    alb = pledge(users)
    case = bring_to(users, make_case(users, size=2), State.ACCEPTED, pledge_=alb, exit_checks=False)
    a, b = case.members.order_by("pk")
    for person, kind, status, day in (
        (a, "visa", "failed", 0),
        (a, "visa", "passed", 2),
        (a, "visa", "pending", 2),  # the same day, recorded later: it decides
        (b, "visa", "passed", 5),
        (b, "visa", "failed", 1),
        (b, "orientation", "waived", 3),
    ):
        Fact.objects.create(person=person, kind=kind, status=status, on=D + dt.timedelta(days=day))
    want = _brute_latest()
    assert want[(a.pk, "visa")][1] == "pending" and want[(b.pk, "visa")][1] == "passed"
    LatestFact.objects.all().delete()
    migration = import_module("onward.readiness.migrations.0004_latest_fact")
    with connection.cursor() as cursor:
        migration.backfill(cursor, connection.vendor)
    assert _table() == want


def test_each_rule_at_its_boundary(users):
    """Fitness to travel 72 h before departure (a check on F: through F + 3), the pledge's
    own biometrics valid 20 days (not the country's 30), a visa's last day, a waiver past
    its date still meeting, and a per-case orientation met by one member, undone by a
    later failed one of another."""
    alb = pledge(users)
    Requirement.objects.create(country="ALB", kind="fit_to_travel", valid_hours_before_departure=72)
    Requirement.objects.create(country="ALB", kind="biometrics", valid_days=30)
    Requirement.objects.create(country="ALB", pledge=alb, kind="biometrics", valid_days=20)
    Requirement.objects.create(country="ALB", kind="visa")
    Requirement.objects.create(country="ALB", kind="orientation", per_case=True)
    Requirement.objects.create(country="ALB", kind="security_clearance", waivable=True)
    case = bring_to(users, make_case(users, size=2), State.ACCEPTED, pledge_=alb, exit_checks=False)
    a, b = case.members.order_by("pk")
    day = dt.timedelta(days=1)
    for p in (a, b):
        for kind, status, until in (
            ("fit_to_travel", "passed", None),
            ("biometrics", "passed", None),
            ("visa", "passed", D + 10 * day),
            ("security_clearance", "waived", D),
        ):
            Fact.objects.create(person=p, kind=kind, status=status, on=D, valid_until=until)
    Fact.objects.create(person=a, kind="orientation", status="passed", on=D)

    def fly(on):
        return {pk for pk, _case in latest.who_can_fly(alb, on)}

    assert fly(D) == fly(D + 3 * day) == {a.pk, b.pk}
    assert fly(D + 4 * day) == set()  # the fitness checks have expired
    for p in (a, b):  # checked again: the visa's last day, then the biometrics' 20 days
        Fact.objects.create(person=p, kind="fit_to_travel", status="passed", on=D + 10 * day)
    assert fly(D + 10 * day) == {a.pk, b.pk} and fly(D + 11 * day) == set()
    for p in (a, b):
        Fact.objects.create(person=p, kind="visa", status="passed", on=D + 18 * day)
        Fact.objects.create(person=p, kind="fit_to_travel", status="passed", on=D + 18 * day)
    assert fly(D + 20 * day) == {a.pk, b.pk} and fly(D + 21 * day) == set()
    # A later failed orientation of b undoes a's pass for the whole case.
    Fact.objects.create(person=b, kind="orientation", status="failed", on=D + 19 * day)
    assert fly(D + 18 * day) == {a.pk, b.pk} and fly(D + 19 * day) == set()
    assert fly(D - day) == set()  # as of before every fact
