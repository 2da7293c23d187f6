"""Readiness read from the database: the rows handed to the pure engine."""

from __future__ import annotations

import datetime as dt

from onward.readiness import engine
from onward.readiness.models import Fact, Requirement


def requirements_for(country: str, pledge_id: int | None = None) -> list[engine.Requirement]:
    """The country's requirements, each replaced by the pledge's own of the same kind."""
    by_kind = {r.kind: r for r in Requirement.objects.filter(country=country, pledge__isnull=True)}
    if pledge_id is not None:
        by_kind.update({r.kind: r for r in Requirement.objects.filter(pledge_id=pledge_id)})
    return [
        engine.Requirement(r.kind, r.valid_days, r.per_case)
        for r in sorted(by_kind.values(), key=lambda r: r.kind)
    ]


def person_readiness(
    person_id: int, country: str, on: dt.date, pledge_id: int | None = None
) -> engine.Readiness:
    facts = [
        engine.Fact(f.kind, f.status, f.on, f.valid_until)
        for f in Fact.objects.filter(person_id=person_id, on__lte=on).order_by("on", "id")
    ]
    return engine.evaluate(requirements_for(country, pledge_id), facts, on)
