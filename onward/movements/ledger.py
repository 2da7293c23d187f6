"""The population ledger: writing its entries together with the registry, and reading it.

Invariant: for every date d, `population_on(d)` (the ledger's sum up to d) equals
`registry_present_on(d)` (persons who arrived on or before d and had not departed by d).
Every code path that adds a person or ends a stay calls this module in the same
transaction as the registry write.
"""

import datetime as dt

from django.db.models import Q, Sum

from onward.movements.models import LedgerEntry
from onward.registry.models import Person


def ledger_arrival(*, person: Person, actor, kind: str = LedgerEntry.Kind.ARRIVAL,
                   note: str = "") -> LedgerEntry:
    """A person joins the population on their arrival date (a birth on their birth date)."""
    return LedgerEntry.objects.create(person=person, date=person.arrival_date, kind=kind,
                                      delta=+1, recorded_by=_user(actor), note=note)


def ledger_arrivals_bulk(*, persons: list[Person], actor, note: str = "") -> int:
    """The same for many persons at once (imports, the demo load)."""
    entries = [LedgerEntry(person=p, date=p.arrival_date, kind=LedgerEntry.Kind.ARRIVAL,
                           delta=+1, recorded_by=_user(actor), note=note) for p in persons]
    LedgerEntry.objects.bulk_create(entries, batch_size=5000)
    return len(entries)


def population_on(day: dt.date) -> int:
    return LedgerEntry.objects.filter(date__lte=day).aggregate(n=Sum("delta"))["n"] or 0


def registry_present_on(day: dt.date) -> int:
    return Person.objects.filter(
        merged_into__isnull=True, arrival_date__lte=day
    ).filter(Q(departure_date__isnull=True) | Q(departure_date__gt=day)).count()


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None
