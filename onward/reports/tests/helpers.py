"""Independent counts: the population and departures recounted in Python from the
registry's persons, record by record, with no query of the reports app."""

import datetime as dt
from collections import Counter

from onward.registry import codes
from onward.registry.models import Person


def band(person, on: dt.date) -> str:
    if not person.birth_date or person.birth_date.year > on.year:
        return "unknown"
    age = on.year - person.birth_date.year
    for low, high in codes.AGE_BANDS:
        if low <= age <= high:
            return f"{low}-{high}"
    return "unknown"


def present(on: dt.date, persons=None):
    persons = persons if persons is not None else Person.objects.prefetch_related("specific_needs")
    return [
        p
        for p in persons
        if p.merged_into_id is None
        and p.arrival_date
        and p.arrival_date <= on
        and (p.departure_date is None or p.departure_date > on)
    ]


def recount(on: dt.date, persons=None) -> dict:
    here = present(on, persons)
    needs = Counter()
    for p in here:
        codes_ = [n.code for n in p.specific_needs.all()] or ["none"]
        needs.update(codes_)
    return {
        "total": len(here),
        "sex": Counter(p.sex or "X" for p in here),
        "age_band": Counter(band(p, on) for p in here),
        "nationality": Counter(p.nationality or "unknown" for p in here),
        "need": needs,
    }


def departures_recount(on: dt.date, start: dt.date) -> Counter:
    """(YYYY-MM, kind) -> persons whose registry departure falls in the window."""
    return Counter(
        (f"{p.departure_date:%Y-%m}", p.departure_type)
        for p in Person.objects.filter(merged_into__isnull=True, departure_date__isnull=False)
        if start <= p.departure_date <= on
    )


def table(tables, key):
    return next(t for t in tables if t.key == key)


def by_label(t) -> dict:
    return {r.label: r.values[0] for r in t.rows}


def by_trace(t, name) -> dict:
    return {r.traces[0][name]: r.values[0] for r in t.rows}
