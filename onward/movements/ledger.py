"""The population ledger: writing its entries together with the registry, and reading it.

Invariant: for every date d, `population_on(d)` (the ledger's sum up to d) equals
`registry_present_on(d)` (persons who arrived on or before d and had not departed by d).
Every code path that adds a person or ends a stay calls this module in the same
transaction as the registry write.

Conventions: an arrival (or birth) dated d counts from d; a departure dated d means the
person is no longer present on d (-1 dated d). A wrong entry is never edited: a
correction reverses it (`reverses`, opposite delta, the same date), so every date's sum
is as if the wrong entry had never been written, and the history keeps both.

Writing an entry also counts it in the rollups (`rollup.py`), in the same transaction;
`population_on` and `population` read the rollups, `ledger_sum_on` the ledger itself.
"""

import datetime as dt

from django.db import connection
from django.db.models import Q, Sum
from django.utils import timezone

from onward.audit.actor import acting_user
from onward.movements import rollup, sql
from onward.movements.models import LedgerEntry
from onward.registry.models import Person

DEPARTURE_KINDS = (
    LedgerEntry.Kind.RELOCATED,
    LedgerEntry.Kind.LEFT,
    LedgerEntry.Kind.DECEASED,
    LedgerEntry.Kind.REPATRIATED,
    LedgerEntry.Kind.UNKNOWN,
)


def ledger_arrival(
    *, person: Person, actor, kind: str = LedgerEntry.Kind.ARRIVAL, note: str = ""
) -> LedgerEntry:
    """A person joins the population on their arrival date (a birth on their birth date)."""
    return LedgerEntry.objects.create(
        person=person,
        date=person.arrival_date,
        kind=kind,
        delta=+1,
        recorded_by=acting_user(actor),
        note=note,
    )


def ledger_arrivals_bulk(*, persons: list[Person], actor, note: str = "") -> int:
    """The same for many persons at once (the demo load): anything with `pk` and
    `arrival_date` will do."""
    return ledger_arrivals([(p.pk, p.arrival_date) for p in persons], actor=actor, note=note)


def ledger_arrivals(arrivals: list[tuple[int, dt.date]], *, actor, note: str = "") -> int:
    """Arrivals given as (person pk, arrival date), written set-based: one statement on
    PostgreSQL, no model instance per entry (an import writes 100,000 at once)."""
    if not arrivals:
        return 0
    user = acting_user(actor)
    ops = connection.ops
    fixed = [
        LedgerEntry.Kind.ARRIVAL.value,
        +1,
        note[:255],
        ops.adapt_datetimefield_value(timezone.now()),
        user.pk if user else None,
    ]
    table = ops.quote_name(LedgerEntry._meta.db_table)
    columns = "person_id, date, kind, delta, note, recorded_at, recorded_by_id"
    with connection.cursor() as cursor:
        sql.arrivals_insert(cursor, table, columns, fixed, arrivals)
    # No save() ran: count the entries in the rollups here, in this transaction.
    rollup.rollup_add((day, pk, +1) for pk, day in arrivals)
    return len(arrivals)


def ledger_departure(
    *, person: Person, on: dt.date, kind: str, actor, note: str = ""
) -> LedgerEntry:
    """A person's stay ends on `on` (they are not present on `on`)."""
    if kind not in DEPARTURE_KINDS:
        raise ValueError(f"{kind!r} is not a departure")
    return LedgerEntry.objects.create(
        person=person, date=on, kind=kind, delta=-1, recorded_by=acting_user(actor), note=note[:255]
    )


def ledger_reverse(*, entry: LedgerEntry, actor, note: str = "") -> LedgerEntry:
    """Undoes a wrong entry with its opposite, dated like it (never an edit)."""
    return LedgerEntry.objects.create(
        person_id=entry.person_id,
        date=entry.date,
        kind=LedgerEntry.Kind.CORRECTION,
        delta=-entry.delta,
        reverses=entry,
        recorded_by=acting_user(actor),
        note=note[:255],
    )


def standing_entry(person: Person) -> LedgerEntry | None:
    """The entry that says whether a person counts in the population: the last link of the
    chain that starts at their arrival (or birth) and runs through every entry reversing
    the one before (a merge, a removal, their undoing). +1: counted; -1: taken out."""
    entry = (
        LedgerEntry.objects.filter(
            person=person,
            reverses__isnull=True,
            kind__in=(LedgerEntry.Kind.ARRIVAL, LedgerEntry.Kind.BIRTH),
        )
        .order_by("id")
        .first()
    )
    while entry is not None:
        following = LedgerEntry.objects.filter(reverses=entry).first()
        if following is None:
            return entry
        entry = following
    return None


def ledger_uncount(*, person: Person, actor, note: str) -> LedgerEntry | None:
    """Takes a person out of every date's population, as if never registered (a removal):
    a correction reversing the entry that counts them, dated like it. None when they were
    not counted (no arrival recorded)."""
    entry = standing_entry(person)
    if entry is None or entry.delta != +1:
        return None
    return ledger_reverse(entry=entry, actor=actor, note=note)


def ledger_recount(*, person: Person, actor, note: str) -> LedgerEntry | None:
    """Undoes `ledger_uncount` (a restore): a correction reversing the correction."""
    entry = standing_entry(person)
    if entry is None or entry.delta != -1:
        return None
    return ledger_reverse(entry=entry, actor=actor, note=note)


def live_departure(person: Person) -> LedgerEntry | None:
    """The person's departure entry that stands (not reversed), if any."""
    return (
        LedgerEntry.objects.filter(
            person=person, delta=-1, kind__in=DEPARTURE_KINDS, reversed_by__isnull=True
        )
        .order_by("-date", "-id")
        .first()
    )


def population_on(day: dt.date) -> int:
    """The ledger's sum up to `day` (read from the rollups: a few thousand rows)."""
    return rollup.rollup_total_on(day)


def population(*, on: dt.date) -> dict:
    """The population on a date: total, by sex, by age band, by specific need, by
    nationality."""
    return rollup.rollup_breakdown(on)


def ledger_sum_on(day: dt.date) -> int:
    """The ledger's sum up to `day`, summed over the ledger itself (the reference)."""
    return LedgerEntry.objects.filter(date__lte=day).aggregate(n=Sum("delta"))["n"] or 0


def registry_present_on(day: dt.date) -> int:
    return (
        Person.objects.filter(
            merged_into__isnull=True, removed_at__isnull=True, arrival_date__lte=day
        )
        .filter(Q(departure_date__isnull=True) | Q(departure_date__gt=day))
        .count()
    )
