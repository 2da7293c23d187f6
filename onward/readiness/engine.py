"""Departure readiness, computed and never set (docs/readiness.md).

Plain Python: no Django. ``evaluate`` takes one person's requirements and facts and a
date and says whether the person may travel on that date and, if not, why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

PENDING = "pending"
PASSED = "passed"
FAILED = "failed"
WAIVED = "waived"
EXPIRED = "expired"
STATUSES = (PENDING, PASSED, FAILED, WAIVED, EXPIRED)


@dataclass(frozen=True)
class Requirement:
    kind: str
    valid_days: int | None = None  # None: valid for ever once passed
    per_case: bool = False
    # Fitness to travel: valid only this many hours before the flight's departure. Facts
    # and flights carry dates, not times: a check dated F is taken as done at the time of
    # day of the departure, so it stays valid through day F + N // 24 (72 h: a check on
    # Monday for a flight on Thursday, not Friday; under 24 h: the flight's day only).
    valid_hours_before_departure: int | None = None


@dataclass(frozen=True)
class Fact:
    kind: str
    status: str
    on: dt.date
    valid_until: dt.date | None = None


@dataclass(frozen=True)
class Blocker:
    kind: str
    reason: str  # "missing", "pending", "failed", "expired", "not_yet"


@dataclass(frozen=True)
class Readiness:
    ready: bool
    blockers: tuple[Blocker, ...]


def _expiry(req: Requirement, fact: Fact) -> dt.date | None:
    ends = [d for d in (fact.valid_until,) if d is not None]
    if req.valid_days is not None:
        ends.append(fact.on + dt.timedelta(days=req.valid_days))
    if req.valid_hours_before_departure is not None:
        ends.append(fact.on + dt.timedelta(days=req.valid_hours_before_departure // 24))
    return min(ends) if ends else None


def latest_by_kind(facts: Iterable[Fact], on: dt.date) -> dict[str, Fact]:
    """{kind: the latest fact of that kind recorded on or before ``on``}: in date order,
    and on a tie of dates the one recorded last (later in ``facts``)."""
    latest: dict[str, Fact] = {}
    for f in facts:
        if f.on <= on:
            seen = latest.get(f.kind)
            if seen is None or f.on >= seen.on:
                latest[f.kind] = f
    return latest


def decide(req: Requirement, latest: Fact | None, on: dt.date) -> Blocker | None:
    """The requirement's blocker on ``on`` given its latest fact by then (None: met)."""
    if latest is None:
        return Blocker(req.kind, "missing")
    if latest.status == WAIVED:
        return None
    if latest.status in (PENDING, FAILED, EXPIRED):
        return Blocker(req.kind, latest.status)
    end = _expiry(req, latest)
    if end is not None and end < on:
        return Blocker(req.kind, "expired")
    return None


def blocker_for(req: Requirement, facts: Iterable[Fact], on: dt.date) -> Blocker | None:
    """The latest fact (in date order, then as recorded) of the requirement's kind recorded on or before ``on`` decides."""
    return decide(req, latest_by_kind(facts, on).get(req.kind), on)


def evaluate(requirements: Iterable[Requirement], facts: Iterable[Fact], on: dt.date) -> Readiness:
    latest = latest_by_kind(facts, on)
    blockers = tuple(
        b for req in requirements if (b := decide(req, latest.get(req.kind), on)) is not None
    )
    return Readiness(ready=not blockers, blockers=blockers)


def case_ready(members: Iterable[Readiness]) -> bool:
    """A case is ready when every travelling member is."""
    return all(m.ready for m in members)
