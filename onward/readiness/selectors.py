"""Readiness read from the database: the rows handed to the pure engine."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from onward.readiness import engine
from onward.readiness.models import Fact, Kind, Requirement, TravelNeed


def requirements_for(country: str, pledge_id: int | None = None) -> list[engine.Requirement]:
    """The country's requirements, each replaced by the pledge's own of the same kind."""
    by_kind = {r.kind: r for r in Requirement.objects.filter(country=country, pledge__isnull=True)}
    if pledge_id is not None:
        by_kind.update({r.kind: r for r in Requirement.objects.filter(pledge_id=pledge_id)})
    return [
        engine.Requirement(r.kind, r.valid_days, r.per_case, r.valid_hours_before_departure)
        for r in sorted(by_kind.values(), key=lambda r: r.kind)
    ]


def facts_of(person_ids: Iterable[int], on: dt.date) -> dict[int, list[engine.Fact]]:
    """Each person's facts recorded on or before `on`, in the engine's order."""
    facts: dict[int, list[engine.Fact]] = defaultdict(list)
    for pk, kind, status, day, until in (
        Fact.objects.filter(person_id__in=list(person_ids), on__lte=on)
        .order_by("on", "id")
        .values_list("person_id", "kind", "status", "on", "valid_until")
    ):
        facts[pk].append(engine.Fact(kind, status, day, until))
    return facts


def _facts(ids: list[int], requirements: list[engine.Requirement], on: dt.date):
    """facts_of, a per-case requirement's facts being those of the person's whole case."""
    per_case = {r.kind for r in requirements if r.per_case}
    if not per_case:
        return facts_of(ids, on)
    from onward.readiness.matrix import case_facts
    from onward.registry.models import Person

    case_of = dict(Person.objects.filter(pk__in=ids).values_list("pk", "case_id"))
    return case_facts(case_of, per_case, on)


def person_readiness(
    person_id: int, country: str, on: dt.date, pledge_id: int | None = None
) -> engine.Readiness:
    requirements = requirements_for(country, pledge_id)
    facts = _facts([person_id], requirements, on)[person_id]
    return engine.evaluate(requirements, facts, on)


def persons_readiness(
    person_ids: Iterable[int], country: str, on: dt.date, pledge_id: int | None = None
) -> dict[int, engine.Readiness]:
    """{person pk: readiness on `on`} for many persons under one country (and pledge)."""
    ids = list(person_ids)
    requirements = requirements_for(country, pledge_id)
    facts = _facts(ids, requirements, on)
    return {pk: engine.evaluate(requirements, facts.get(pk, []), on) for pk in ids}


def reasons(readiness: engine.Readiness) -> str:
    """The blockers in words: "Fitness to travel expired, Visa missing"."""
    return ", ".join(f"{Kind(b.kind).label} {b.reason}" for b in readiness.blockers)


def travel_needs_of(person_pks: Iterable[int]) -> dict[int, list[str]]:
    """Each person's travel needs (the manifest's assistance codes), sorted; one query."""
    needs: dict[int, list[str]] = defaultdict(list)
    for person_pk, need in TravelNeed.objects.filter(person__in=list(person_pks)).values_list(
        "person_id", "need"
    ):
        needs[person_pk].append(need)
    return {pk: sorted(codes) for pk, codes in needs.items()}
