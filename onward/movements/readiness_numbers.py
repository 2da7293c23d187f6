"""Departure readiness in numbers, true for one date (issue 19): the accepted cases not
departed, by receiving country, split into not ready, ready but on no planned transfer
and ready on one; the persons and cases blocked by each requirement; and the reminders:
travellers ready on the date whose requirement stops being valid before their planned
flight, and cases accepted more than N days before the date
(ONWARD_READINESS_NOT_READY_DAYS) and still not ready.

Read by the dashboard and the situation report (onward/reports/figures.py,
`readiness_section`) and by the task rules `readiness expiring before flight` and
`accepted not ready` (onward/tasks/rules.py). Here because it reads the transfers'
manifests (this app's) with the readiness facts below them.

"On the date" means at its end, by what the records now say: a case's step is its latest
transition by then (`relocation.selectors.states_on`); a fact counts once dated by then;
a transfer line once added by then and until removed. A fixed number of queries whatever
the number of cases or pledges; readiness is evaluated by `onward.readiness.engine`, the
rule the readiness page and the transfers use.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

ACCEPTED_STATES = ("accepted", "ready")
NOT_READY_DAYS = 30  # the default of ONWARD_READINESS_NOT_READY_DAYS


def end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.max))


def not_ready_days() -> int:
    """ONWARD_READINESS_NOT_READY_DAYS, at least 1 (0 would call late every case accepted
    that very day)."""
    return max(1, int(getattr(settings, "ONWARD_READINESS_NOT_READY_DAYS", NOT_READY_DAYS)))


@dataclass
class Readiness:
    """The accepted cases not departed at the end of `on`, each with its pledge's country,
    whether every travelling member is ready on `on`, whether it is on a planned
    transfer, and what blocks whom."""

    country: dict[int, str] = field(default_factory=dict)  # case -> country
    ready: set[int] = field(default_factory=set)
    scheduled: set[int] = field(default_factory=set)
    # (country, requirement kind) -> the persons / cases it blocks on `on`
    blocked_persons: dict[tuple[str, str], set[int]] = field(
        default_factory=lambda: defaultdict(set)
    )
    blocked_cases: dict[tuple[str, str], set[int]] = field(default_factory=lambda: defaultdict(set))
    # reminders
    expiring_before_flight: dict[str, set[int]] = field(
        default_factory=lambda: defaultdict(set)
    )  # country -> persons ready on `on`, not on their planned flight's date
    late: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))  # cases
    late_days: int = NOT_READY_DAYS
    decided: dict[int, dt.datetime] = field(default_factory=dict)  # case -> accepted at
    flight_of: dict[int, dt.date] = field(default_factory=dict)  # person -> planned flight

    def countries(self) -> list[str]:
        return sorted(set(self.country.values()))


def _requirements(pledges: dict[int, str]):
    """{pledge pk: engine requirements}: the country's, each replaced by the pledge's own
    of the same kind (`readiness.selectors.requirements_for`, for every pledge in one
    query)."""
    from onward.readiness import engine
    from onward.readiness.models import Requirement

    countries = set(pledges.values())
    by_country: dict[str, dict] = defaultdict(dict)
    by_pledge: dict[int, dict] = defaultdict(dict)
    for r in Requirement.objects.filter(
        Q(country__in=countries, pledge__isnull=True) | Q(pledge_id__in=list(pledges))
    ):
        (by_pledge[r.pledge_id] if r.pledge_id else by_country[r.country])[r.kind] = r
    out = {}
    for pk, country in pledges.items():
        kinds = {**by_country[country], **by_pledge[pk]}
        out[pk] = [
            engine.Requirement(r.kind, r.valid_days, r.per_case)
            for r in sorted(kinds.values(), key=lambda r: r.kind)
        ]
    return out


def readiness_numbers(on: dt.date, *, country: str | None = None) -> Readiness:
    """The accepted cases at the end of `on` (accepted or ready, by the transitions) and
    their readiness on `on`. A case's travelling members are its members present on `on`
    (not departed, merged or removed); it is ready when each is ready under its pledge's
    requirements (`engine.evaluate`, on the facts dated by `on`). A case is scheduled when
    a line of a transfer planned at the end of `on` carries it (added by then, not
    removed by then; the transfer not cancelled, not confirmed by then, flying on or
    after `on`). Seven queries whatever the number of cases."""
    from onward.movements.models import HeldBack, ManifestLine
    from onward.readiness import engine
    from onward.readiness.models import Fact
    from onward.registry.models import Person
    from onward.relocation.models import Submission
    from onward.relocation.selectors import states_on

    end = end_of(on)
    out = Readiness(late_days=not_ready_days())
    accepted = states_on(on, states=ACCEPTED_STATES)
    subs = (
        Submission.objects.filter(
            case_id__in=list(accepted), decision="accepted", decided_at__lte=end
        )
        .order_by("decided_at", "id")
        .values_list("case_id", "pledge_id", "pledge__country", "decided_at")
    )
    pledge_of: dict[int, int] = {}
    decided: dict[int, dt.datetime] = {}
    pledges: dict[int, str] = {}
    for case, pledge, where, at in subs:
        if country is not None and where != country:
            continue
        pledge_of[case], decided[case], pledges[pledge] = pledge, at, where
        out.decided[case] = at
        out.country[case] = where
    if not pledge_of:
        return out
    members: dict[int, list[int]] = defaultdict(list)
    case_of: dict[int, int] = {}
    for pk, case in (
        Person.objects.filter(
            case_id__in=list(pledge_of),
            merged_into__isnull=True,
            removed_at__isnull=True,
            arrival_date__lte=on,
        )
        .filter(Q(departure_date__isnull=True) | Q(departure_date__gt=on))
        .values_list("pk", "case_id")
    ):
        members[case].append(pk)
        case_of[pk] = case
    persons = list(case_of)
    facts: dict[int, list] = defaultdict(list)
    for pk, kind, status, day, until in (
        Fact.objects.filter(person_id__in=persons, on__lte=on)
        .order_by("on", "id")
        .values_list("person_id", "kind", "status", "on", "valid_until")
    ):
        facts[pk].append(engine.Fact(kind, status, day, until))
    requirements = _requirements(pledges)
    ready_persons: set[int] = set()
    for case, pledge in pledge_of.items():
        mine = members.get(case, [])
        where = out.country[case]
        case_ready = bool(mine)
        for pk in mine:
            verdict = engine.evaluate(requirements[pledge], facts[pk], on)
            if verdict.ready:
                ready_persons.add(pk)
                continue
            case_ready = False
            for b in verdict.blockers:
                out.blocked_persons[(where, b.kind)].add(pk)
                out.blocked_cases[(where, b.kind)].add(case)
        if case_ready:
            out.ready.add(case)
        elif decided[case] <= end_of(on - dt.timedelta(days=out.late_days)):
            out.late[where].add(case)
    planned = (
        Q(transfer__created_at__lte=end, added_at__lte=end, transfer__date__gte=on)
        & ~Q(transfer__status="cancelled")
        & (Q(transfer__confirmed_at__isnull=True) | Q(transfer__confirmed_at__gt=end))
        & (Q(removed_at__isnull=True) | Q(removed_at__gt=end))
    )
    lines = ManifestLine.objects.filter(planned, case_id__in=list(pledge_of))
    held = set(
        HeldBack.objects.filter(line__in=lines, held_at__lte=end).values_list(
            "line_id", "person_id"
        )
    )
    flights: dict[int, dt.date] = {}  # person -> the earliest planned flight carrying them
    for line, case, flight, person in lines.values_list(
        "pk", "case_id", "transfer__date", "persons"
    ):
        out.scheduled.add(case)
        if person is not None and (line, person) not in held:
            flights[person] = min(flight, flights.get(person, flight))
    for pk, flight in flights.items():
        case = case_of.get(pk)
        if case is None or pk not in ready_persons:
            continue
        if not engine.evaluate(requirements[pledge_of[case]], facts[pk], flight).ready:
            out.expiring_before_flight[out.country[case]].add(pk)
            out.flight_of[pk] = flight
    return out
