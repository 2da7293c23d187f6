"""The camp's numbers as of a date, for the dashboard and the situation report
(docs/presence.md, "Numbers"): per block occupancy, usable places, vacancies, residents
seen that day (the presence rate) and residents not seen for N days; and the open tasks
by age.

Each figure is one aggregate query over the whole camp (no query per block or per
resident), so the dashboard's cost does not grow with the number of blocks.
"""

import datetime as dt

from django.db import connection
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from onward.camp.models import Allocation, Block, Unit
from onward.camp.selectors import allocated_on
from onward.presence.models import LastSeen, PresenceEvent
from onward.registry.models import Person
from onward.tasks.models import Task

# Days since a task opened, as the tasks' own selector bands them.
TASK_AGE_BANDS = ((0, 7), (7, 30), (30, None))


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(0, 0)))


def _usable_by_block() -> dict[int, int]:
    # Unit status and blocked places are not dated: today's apply to every date.
    rows = (
        Unit.objects.filter(status=Unit.Status.AVAILABLE)
        .values("block_id")
        .annotate(usable=Sum(F("capacity") - F("blocked_capacity")))
    )
    return {r["block_id"]: r["usable"] or 0 for r in rows}


def _occupied_by_block(day: dt.date) -> dict[int, int]:
    rows = allocated_on(day).values("unit__block_id").annotate(n=Count("id"))
    return {r["unit__block_id"]: r["n"] for r in rows}


def _presence_by_block(day: dt.date, days: int) -> dict[int, dict]:
    """Per block, of the residents housed on `day` (not merged or removed): how many,
    how many seen that day, how many not seen in the `days` days up to it. One query:
    each resident's latest event up to the end of `day` (the (person, at) index)."""
    end = _start_of(day + dt.timedelta(days=1))
    since = _start_of(day - dt.timedelta(days=days - 1))
    if connection.vendor == "postgresql":
        if day >= timezone.localdate():
            return _presence_by_block_last_seen(day, start=_start_of(day), since=since)
        return _presence_by_block_lateral(day, start=_start_of(day), since=since, end=end)
    latest = (
        PresenceEvent.objects.filter(person=OuterRef("person_id"), at__lt=end)
        .order_by("-at")
        .values("at")[:1]
    )
    rows = (
        allocated_on(day)
        .filter(person__merged_into__isnull=True, person__removed_at__isnull=True)
        .annotate(last=Subquery(latest))
        .values("unit__block_id")
        .annotate(
            housed=Count("id"),
            seen=Count("id", filter=Q(last__gte=_start_of(day))),
            not_seen=Count("id", filter=Q(last__isnull=True) | Q(last__lt=since)),
        )
    )
    return {r["unit__block_id"]: r for r in rows}


def _presence_by_block_lateral(day, *, start, since, end) -> dict[int, dict]:
    """The same counts on PostgreSQL, each resident's latest event looked up once (a
    LATERAL join) rather than once for each count that reads it: 0.5 s instead of 2 s at
    100,000 residents (docs/benchmarks.md). The tests check both forms against a recount."""
    latest = f"""LEFT JOIN LATERAL (
            SELECT e.at FROM {PresenceEvent._meta.db_table} e
            WHERE e.person_id = a.person_id AND e.at < %s ORDER BY e.at DESC LIMIT 1
        ) l ON true"""
    return _presence_by_block_joined(latest, [start, since, end, day, day])


def _presence_by_block_last_seen(day, *, start, since) -> dict[int, dict]:
    """Today's counts on PostgreSQL from `LastSeen` (each person's latest event, kept by
    every presence recorded; nothing is recorded in the future, so today it is the
    latest event up to the end of the day): one hash join of the allocations and last
    seen instead of an index lookup per resident — 5 s instead of 33 s at 1,000,000
    residents on the loaded machine (docs/benchmarks.md). Past dates read the events."""
    latest = f"LEFT JOIN {LastSeen._meta.db_table} l ON l.person_id = a.person_id"
    return _presence_by_block_joined(latest, [start, since, day, day])


def _presence_by_block_joined(latest: str, params: list) -> dict[int, dict]:
    """Per block: occupied (every allocation on the day), housed (those of persons still
    on the registry's books), seen since the day's start and not seen since `since` (of
    the housed), with each resident's latest event `l.at` given by the join `latest`.

    The persons no longer on the books (merged or removed) are few: they are read from
    their partial index and left-joined, rather than every person joined to be filtered
    (at 1,000,000 residents, 1.3 s to 0.35–0.45 s with the occupied count folded in)."""
    gone = f"""SELECT id FROM {Person._meta.db_table}
        WHERE merged_into_id IS NOT NULL OR removed_at IS NOT NULL"""
    sql = f"""
        SELECT u.block_id, count(*),
               count(*) FILTER (WHERE g.id IS NULL),
               count(*) FILTER (WHERE g.id IS NULL AND l.at >= %s),
               count(*) FILTER (WHERE g.id IS NULL AND (l.at IS NULL OR l.at < %s))
        FROM {Allocation._meta.db_table} a
        JOIN {Unit._meta.db_table} u ON u.id = a.unit_id
        LEFT JOIN ({gone}) g ON g.id = a.person_id
        {latest}
        WHERE a.starts_on <= %s AND (a.ended_on IS NULL OR a.ended_on > %s)
        GROUP BY u.block_id"""
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return {
            b: {"occupied": occupied, "housed": housed, "seen": seen, "not_seen": not_seen}
            for b, occupied, housed, seen, not_seen in cur.fetchall()
        }


def camp_numbers(day: dt.date, *, days: int) -> list[dict]:
    """Per block (by site and code): occupied, capacity (usable places), vacancies,
    housed (residents on the registry's books), seen on `day`, `rate` (seen / housed,
    a percentage, None for an empty block) and not seen for `days` days."""
    usable, presence = _usable_by_block(), _presence_by_block(day, days)
    if connection.vendor == "postgresql":  # counted in the same pass
        occupied = {b: p["occupied"] for b, p in presence.items()}
    else:
        occupied = _occupied_by_block(day)
    out = []
    for block in Block.objects.order_by("site_id", "code"):
        p = presence.get(block.pk, {"housed": 0, "seen": 0, "not_seen": 0})
        occ, cap = occupied.get(block.pk, 0), usable.get(block.pk, 0)
        out.append(
            {
                "block": block,
                "occupied": occ,
                "capacity": cap,
                "vacancies": max(cap - occ, 0),
                "housed": p["housed"],
                "seen": p["seen"],
                "rate": round(100 * p["seen"] / p["housed"]) if p["housed"] else None,
                "not_seen": p["not_seen"],
            }
        )
    return out


def open_tasks_by_age_on(day: dt.date) -> dict[str, int]:
    """The tasks open at the end of `day` (opened by then, not closed by then), by days
    since they opened: 0–6, 7–29, 30 and more. One query."""
    end = _start_of(day + dt.timedelta(days=1))
    open_then = Q(created_at__lt=end) & (Q(closed_at__isnull=True) | Q(closed_at__gte=end))
    bands = {}
    for low, high in TASK_AGE_BANDS:
        q = Q(created_at__lt=end - dt.timedelta(days=low))
        if high is not None:
            q &= Q(created_at__gte=end - dt.timedelta(days=high))
        bands[f"{low}-{high - 1}" if high else f"{low}+"] = Coalesce(Count("id", filter=q), 0)
    return Task.objects.filter(open_then).aggregate(**bands)


# -- the records behind the camp's numbers (the dashboard's cells link to them) ------------

# The dashboard's camp cells and the residents (or units) behind each.
MEASURES = ("housed", "seen", "absent", "not_seen", "vacancies")


def _latest_up_to(end: dt.datetime):
    return (
        PresenceEvent.objects.filter(person=OuterRef("person_id"), at__lt=end)
        .order_by("-at")
        .values("at")[:1]
    )


def residents_behind(measure: str, day: dt.date, *, days: int, block_id: int | None):
    """The allocations (person, unit, `last`: their latest event up to the end of `day`)
    behind a block's figure as of `day` — exactly those `camp_numbers` counts:
    `housed` every allocation on the day (the occupied column); `seen` those on the
    registry's books seen that day; `absent` those not seen that day; `not_seen` those not
    seen in the `days` days up to it."""
    end = _start_of(day + dt.timedelta(days=1))
    qs = allocated_on(day)
    if block_id is not None:
        qs = qs.filter(unit__block_id=block_id)
    if measure != "housed":
        qs = qs.filter(person__merged_into__isnull=True, person__removed_at__isnull=True)
    qs = qs.annotate(last=Subquery(_latest_up_to(end)))
    if measure == "seen":
        qs = qs.filter(last__gte=_start_of(day))
    elif measure == "absent":
        qs = qs.filter(Q(last__isnull=True) | Q(last__lt=_start_of(day)))
    elif measure == "not_seen":
        since = _start_of(day - dt.timedelta(days=days - 1))
        qs = qs.filter(Q(last__isnull=True) | Q(last__lt=since))
    elif measure != "housed":
        raise ValueError(measure)
    return qs.select_related("person", "unit", "unit__block").order_by(
        "unit__block__code", "unit__code", "person__person_id"
    )


def units_with_vacancies(day: dt.date, *, block_id: int | None):
    """The available units with free usable places on `day` (the vacancies column):
    `occupied` and `vacancies` annotated."""
    live = Q(allocations__starts_on__lte=day) & (
        Q(allocations__ended_on__isnull=True) | Q(allocations__ended_on__gt=day)
    )
    qs = Unit.objects.filter(status=Unit.Status.AVAILABLE)
    if block_id is not None:
        qs = qs.filter(block_id=block_id)
    return (
        qs.annotate(occupied=Count("allocations", filter=live))
        .annotate(vacancies=F("capacity") - F("blocked_capacity") - F("occupied"))
        .filter(vacancies__gt=0)
        .select_related("block")
        .order_by("block__code", "code")
    )
