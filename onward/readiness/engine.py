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
    return min(ends) if ends else None


def blocker_for(req: Requirement, facts: Iterable[Fact], on: dt.date) -> Blocker | None:
    """The latest fact (in date order, then as recorded) of the requirement's kind recorded on or before ``on`` decides."""
    known = [(f.on, i, f) for i, f in enumerate(facts) if f.kind == req.kind and f.on <= on]
    if not known:
        return Blocker(req.kind, "missing")
    latest = max(known, key=lambda t: (t[0], t[1]))[2]  # on a tie, the one recorded last
    if latest.status == WAIVED:
        return None
    if latest.status in (PENDING, FAILED, EXPIRED):
        return Blocker(req.kind, latest.status)
    end = _expiry(req, latest)
    if end is not None and end < on:
        return Blocker(req.kind, "expired")
    return None


def evaluate(requirements: Iterable[Requirement], facts: Iterable[Fact], on: dt.date) -> Readiness:
    facts = list(facts)
    blockers = tuple(b for req in requirements if (b := blocker_for(req, facts, on)) is not None)
    return Readiness(ready=not blockers, blockers=blockers)


def case_ready(members: Iterable[Readiness]) -> bool:
    """A case is ready when every travelling member is."""
    return all(m.ready for m in members)
