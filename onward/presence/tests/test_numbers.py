"""The camp's numbers (onward.presence.numbers) equal brute-force counts over random
camps, on the day and as of past dates; the dashboard's camp section costs a fixed
handful of queries whatever the number of blocks; the camp stays out of shared reports."""

import datetime as dt
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onward.accounts import roles
from onward.camp.models import Allocation, Block, Site, Unit
from onward.presence.models import PresenceEvent
from onward.presence.numbers import camp_numbers, open_tasks_by_age_on
from onward.relocation.tests.factories import make_case
from onward.reports import figures as F
from onward.tasks.models import Task

pytestmark = pytest.mark.django_db

D0 = dt.date(2013, 6, 1)
DAYS = 5


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _random_camp(users, rng: random.Random, *, blocks=4, persons=14):
    site = Site.objects.create(name=f"Camp {rng.random()}")
    units = []
    for b in range(blocks):
        block = Block.objects.create(site=site, code=f"B{b}")
        for u in range(rng.randint(1, 2)):
            cap = rng.randint(1, 5)
            units.append(
                Unit.objects.create(
                    block=block,
                    code=f"U{u}",
                    capacity=cap,
                    blocked_capacity=rng.randint(0, cap),
                    status=rng.choice(list(Unit.Status.values) + ["available"] * 3),
                )
            )
    people = make_case(users, size=persons).members.all()
    for p in people:
        start = D0 + dt.timedelta(days=rng.randint(0, 20))
        # Some residents moved once: two allocations back to back.
        for _ in range(rng.randint(0, 2)):
            end = start + dt.timedelta(days=rng.randint(1, 15)) if rng.random() < 0.5 else None
            Allocation.objects.create(
                person=p, unit=rng.choice(units), starts_on=start, ended_on=end, reason="r"
            )
            if end is None:
                break
            start = end
        for _ in range(rng.randint(0, 6)):
            day = D0 + dt.timedelta(days=rng.randint(0, 40))
            PresenceEvent.objects.create(
                person=p, at=_at(day, rng.randint(0, 23)), checkpoint="gate", method="manual"
            )
    for i in range(rng.randint(3, 10)):
        created = _at(D0 + dt.timedelta(days=rng.randint(0, 40)), rng.randint(0, 23))
        closed = created + dt.timedelta(days=rng.randint(0, 20)) if rng.random() < 0.5 else None
        Task.objects.create(
            rule="r",
            subject_type="person",
            subject_id=i,
            title="t",
            assigned_role=roles.PROTECTION,
            due=D0,
            state="done" if closed else "open",
            created_at=created,
            closed_at=closed,
        )
    return site


def _brute(site, day: dt.date, days: int) -> dict[str, dict]:
    """Counted one resident at a time, in Python."""
    out = {}
    for block in Block.objects.filter(site=site):
        units = list(Unit.objects.filter(block=block))
        cap = sum(u.usable_capacity for u in units)
        live = [
            a
            for a in Allocation.objects.filter(unit__in=units)
            if a.starts_on <= day and (a.ended_on is None or a.ended_on > day)
        ]
        seen = not_seen = 0
        for a in live:
            times = [
                timezone.localtime(e.at).date()
                for e in PresenceEvent.objects.filter(person=a.person)
                if timezone.localtime(e.at).date() <= day
            ]
            last = max(times) if times else None
            seen += last == day
            not_seen += last is None or last <= day - dt.timedelta(days=days)
        out[block.code] = {
            "occupied": len(live),
            "capacity": cap,
            "vacancies": max(cap - len(live), 0),
            "seen": seen,
            "not_seen": not_seen,
        }
    return out


def _brute_tasks(day: dt.date) -> dict[str, int]:
    end = _at(day + dt.timedelta(days=1), 0)
    out = {"0-6": 0, "7-29": 0, "30+": 0}
    for t in Task.objects.all():
        if t.created_at < end and (t.closed_at is None or t.closed_at >= end):
            age = end - t.created_at
            out[
                "0-6"
                if age <= dt.timedelta(days=7)
                else "7-29"
                if age <= dt.timedelta(days=30)
                else "30+"
            ] += 1
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_numbers_equal_brute_force_counts_as_of_any_date(users, seed):
    rng = random.Random(seed)
    site = _random_camp(users, rng)
    for offset in (0, 5, 12, 19, 33, 60):
        day = D0 + dt.timedelta(days=offset)
        got = {
            n["block"].code: {
                k: n[k] for k in ("occupied", "capacity", "vacancies", "seen", "not_seen")
            }
            for n in camp_numbers(day, days=DAYS)
        }
        brute = _brute(site, day, DAYS)
        assert got == brute, (seed, day)
        assert open_tasks_by_age_on(day) == _brute_tasks(day), (seed, day)


def test_rate_is_seen_out_of_housed(users):
    rng = random.Random(7)
    _random_camp(users, rng)
    for n in camp_numbers(D0 + dt.timedelta(days=15), days=DAYS):
        if n["housed"]:
            assert n["rate"] == round(100 * n["seen"] / n["housed"])
        else:
            assert n["rate"] is None


def test_the_camp_section_costs_the_same_queries_for_more_blocks(users):
    dm, day = users[roles.DATA_MANAGER], D0 + dt.timedelta(days=15)

    def queries() -> int:
        with CaptureQueriesContext(connection) as q:
            F.camp_section(dm, day)
        return len(q.captured_queries)

    _random_camp(users, random.Random(4), blocks=2)
    few = queries()
    _random_camp(users, random.Random(5), blocks=6)
    assert queries() == few <= 6


def test_dashboard_and_report_show_the_camp_to_staff_not_outside(users):
    rng = random.Random(9)
    _random_camp(users, rng)
    day = D0 + dt.timedelta(days=15)
    dm = users[roles.DATA_MANAGER]
    keys = [t.key for t in F.report_tables(dm, day)]
    assert "camp_blocks" in keys and "camp_tasks" in keys
    blocks = next(t for t in F.report_tables(dm, day) if t.key == "camp_blocks")
    assert blocks.rows[-1].label == "All blocks"
    assert blocks.rows[-1].values[0] == sum(r.values[0] for r in blocks.rows[:-1])
    assert "camp_blocks" not in [t.key for t in F.report_tables(dm, day, shared=True)]
    assert "camp" not in F.sections_for(users[roles.DELEGATION])
