"""Proving that the ledger, its rollups and the registry agree at every date.

The dates that matter are those on which any of them changes (a ledger entry's date, a
person's arrival or departure date): between two such dates nothing changes. For each,
the ledger's running sum must equal the registry's count of persons present, and the
rollups' running total must equal the ledger's. Then (`rollup.rollup_check`) every rollup
row of every dimension (sex, birth year, need, nationality) must equal the ledger joined
to the registry's current attributes.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Sum

from onward.movements import rollup
from onward.movements.models import LedgerEntry, RollupDay
from onward.registry.models import Person


@dataclass
class Report:
    dates_checked: list[dt.date] = field(default_factory=list)
    disagreements: list[tuple[dt.date, int, int, int]] = field(default_factory=list)
    rollup_problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.disagreements and not self.rollup_problems

    def lines(self) -> list[str]:
        out = [
            f"{d}: ledger {ledger}, registry {registry}, rollup {roll}"
            for d, ledger, registry, roll in self.disagreements
        ]
        return out + self.rollup_problems


def _by_date(pairs) -> dict[dt.date, int]:
    out: dict = defaultdict(int)
    for day, n in pairs:
        if day is not None:
            out[day] += n
    return out


def reconcile(*, check_rollup_rows: bool = True) -> Report:
    ledger = _by_date(
        LedgerEntry.objects.values_list("date").annotate(n=Sum("delta")).values_list("date", "n")
    )
    rolled = _by_date(RollupDay.objects.filter(dim="total").values_list("date", "delta"))
    persons = Person.objects.filter(merged_into__isnull=True, removed_at__isnull=True)
    arrivals = _by_date(
        persons.values_list("arrival_date").annotate(n=Count("id")).values_list("arrival_date", "n")
    )
    departures = _by_date(
        persons.filter(departure_date__isnull=False)
        .values_list("departure_date")
        .annotate(n=Count("id"))
        .values_list("departure_date", "n")
    )
    report = Report()
    running_ledger = running_rollup = running_registry = 0
    for day in sorted(ledger.keys() | rolled.keys() | arrivals.keys() | departures.keys()):
        running_ledger += ledger.get(day, 0)
        running_rollup += rolled.get(day, 0)
        running_registry += arrivals.get(day, 0) - departures.get(day, 0)
        report.dates_checked.append(day)
        if not running_ledger == running_registry == running_rollup:
            report.disagreements.append((day, running_ledger, running_registry, running_rollup))
    if check_rollup_rows:
        report.rollup_problems = rollup.rollup_check()
    return report
