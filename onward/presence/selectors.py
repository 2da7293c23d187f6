"""Reads of presence: last seen, "not seen for N days" by block, roll-call progress and
sheets, and the registry's own figure for an incident (docs/presence.md).

Who may see them: roles holding `presence.view` (staff and auditors), never a
delegation. Callers audit the persons a page names (`audit_records`).
"""

import datetime as dt
from collections import defaultdict

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from onward.accounts.policy import can, get_for_user
from onward.camp.models import Block
from onward.camp.selectors import allocated_on
from onward.presence.models import Card, LastSeen, PresenceEvent, RollCall, RollCallLine

Status = RollCallLine.Status
# The figures an incident's roll calls give, in the claims' own words.
FIGURES = ("killed", "injured", "missing")


def visible_roll_calls(user) -> QuerySet:
    return RollCall.objects.all() if can(user, "presence.view") else RollCall.objects.none()


def get_roll_call_for_user(user, roll_call_id) -> RollCall:
    return get_for_user(user, visible_roll_calls(user), "roll_call", roll_call_id)


def visible_blocks(user) -> QuerySet:
    return Block.objects.all() if can(user, "presence.view") else Block.objects.none()


def get_block_for_user(user, block_id) -> Block:
    return get_for_user(user, visible_blocks(user), "block", block_id)


def live_card(person) -> Card | None:
    return Card.objects.filter(person=person, revoked_at__isnull=True).first()


def last_seen(person) -> LastSeen | None:
    return LastSeen.objects.filter(person=person).first()


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0)))


def _not_seen_qs(day: dt.date, days: int):
    since = _end_of(day - dt.timedelta(days=days))
    if day >= timezone.localdate():
        # Today: the latest event is `LastSeen` (nothing is recorded ahead), one join rather
        # than a lookup in the events per resident: 9.1 s to about 1 s for every block's
        # count at 1,000,000 residents (docs/benchmarks.md).
        last: F | Subquery = F("person__presence_seen__at")
    else:
        last = Subquery(
            PresenceEvent.objects.filter(person=OuterRef("person_id"), at__lt=_end_of(day))
            .order_by("-at")
            .values("at")[:1]
        )
    return (
        allocated_on(day)
        .filter(person__merged_into__isnull=True, person__removed_at__isnull=True)
        .annotate(last=last)
        .filter(Q(last__isnull=True) | Q(last__lt=since))
    )


def not_seen_by_block(*, day: dt.date, days: int) -> list[dict]:
    """Per block, the residents allocated on `day` not seen in the `days` days up to it
    (no presence event from `day - days + 1` to the end of `day`): `count`, and `never`
    (no event at all up to `day`). Blocks with nobody unseen are left out.

    "As of any date": the latest event is read from the events up to the end of `day`
    (the (person, at) index), not from today's `LastSeen`."""
    counts = (
        _not_seen_qs(day, days)
        .values("unit__block_id")
        .annotate(count=Count("id"), never=Count("id", filter=Q(last__isnull=True)))
    )
    blocks = Block.objects.in_bulk([c["unit__block_id"] for c in counts])
    rows = [
        {"block": blocks[c["unit__block_id"]], "count": c["count"], "never": c["never"]}
        for c in counts
    ]
    return sorted(rows, key=lambda r: r["block"].code)


def not_seen(*, day: dt.date, days: int, block: Block) -> list:
    """The allocations (person, unit, `last`: their latest event up to `day` or None) of
    the residents of `block` not seen for `days` days as of `day`."""
    return list(
        _not_seen_qs(day, days)
        .filter(unit__block=block)
        .select_related("person", "unit")
        .order_by("unit__code", "person__person_id")
    )


def progress(roll: RollCall) -> list[dict]:
    """Per block of the roll call: expected, marked, and the count of each status."""
    counts: dict[int, dict] = defaultdict(lambda: {s: 0 for s in Status.values} | {"": 0})
    for block_id, status, n in (
        RollCallLine.objects.filter(roll_call=roll)
        .values_list("block_id", "status")
        .annotate(n=Count("id"))
    ):
        counts[block_id][status] = n
    out = []
    for block in roll.blocks.order_by("code"):
        c = counts[block.pk]
        expected = sum(c.values())
        marked = expected - c[""]
        out.append(
            {
                "block": block,
                "expected": expected,
                "marked": marked,
                "percent": round(100 * marked / expected) if expected else 100,
                "by_status": {s: c[s] for s in Status.values},
            }
        )
    return out


def sheet(roll: RollCall, block: Block) -> list[RollCallLine]:
    """A block's lines, by unit, with the person and their last seen."""
    latest = LastSeen.objects.filter(person=OuterRef("person_id")).values("at")[:1]
    return list(
        RollCallLine.objects.filter(roll_call=roll, block=block)
        .annotate(last=Subquery(latest))
        .select_related("person", "unit")
        .order_by("unit__code", "person__person_id")
    )


def incident_registry_figure(incident) -> dict | None:
    """The operation's own figure for an incident, from the roll calls after it: per
    figure (killed, injured, missing) the persons, each named, by their latest marked
    line across those roll calls. None when no roll call follows the incident."""
    rolls = list(incident.roll_calls.order_by("opened_at", "id"))
    if not rolls:
        return None
    latest: dict[int, RollCallLine] = {}
    for line in (
        RollCallLine.objects.filter(roll_call__in=rolls)
        .exclude(status="")
        .select_related("person")
        .order_by("marked_at", "id")
    ):
        latest[line.person_id] = line
    named = {f: [ln.person for ln in latest.values() if ln.status == f] for f in FIGURES}
    return {
        "roll_calls": rolls,
        "persons": named,
        "counts": {f: len(p) for f, p in named.items()},
        "open": any(r.is_open for r in rolls),
    }


def incident_panel(incident, *, blocks_to_name: bool) -> dict:
    """What an incident's page shows of presence: the registry's figure, the blocks hit,
    and (for those who may name them) every block of the camp."""
    return {
        "registry": incident_registry_figure(incident),
        "blocks_hit": list(incident.blocks_hit.select_related("block")),
        "camp_blocks": list(Block.objects.order_by("code")) if blocks_to_name else [],
    }


# -- the follow-up list: missing after a roll call, and residents not seen ----------------


def missing_after_roll_calls() -> list[dict]:
    """Residents marked missing at a roll call, not departed and not seen since: one row
    each, `person_id` (pk), `roll` (the latest roll call that marked them) and `marked`."""
    from django.db.models import Max

    rows = (
        RollCallLine.objects.filter(status=Status.MISSING)
        .filter(person__departure_date__isnull=True)
        .values("person_id")
        .annotate(marked=Max("marked_at"), roll=Max("roll_call_id"))
    )
    out: list[dict] = []
    for row in rows:
        seen = PresenceEvent.objects.filter(person_id=row["person_id"], at__gt=row["marked"])
        if not seen.exists():
            out.append(dict(row))
    return out


def follow_up(*, not_seen_task_subjects=()) -> list[dict]:
    """The follow-up list (docs/presence.md): every resident missing after a roll call,
    then the residents of open "not seen" tasks (`not_seen_task_subjects`, person pks).
    Each row: person, why (`missing` or `not_seen`), the roll call, last seen, and the
    departure the list offers (kind, dated the day last seen)."""
    from onward.registry.models import Person

    missing = {r["person_id"]: r for r in missing_after_roll_calls()}
    pks = list(missing) + [pk for pk in not_seen_task_subjects if pk not in missing]
    persons = Person.objects.in_bulk(pks)
    seen = {s.person_id: s for s in LastSeen.objects.filter(person_id__in=pks)}
    rolls = RollCall.objects.in_bulk([r["roll"] for r in missing.values()])
    rows = []
    for pk in pks:
        person = persons.get(pk)
        if person is None or person.departure_date:
            continue
        row = missing.get(pk)
        roll = rolls[row["roll"]] if row else None
        rows.append(
            {
                "person": person,
                "why": "missing" if row else "not_seen",
                "roll": roll,
                "last_seen": seen.get(pk),
                "on": departure_day(person, roll=roll, last=seen.get(pk)),
            }
        )
    return rows


def departure_day(person, *, roll=None, last=None) -> dt.date:
    """The date a departure of an absent resident is recorded with: the day they were
    last seen; never seen, the roll call's day that found them missing, else the day
    their live card was issued, else their arrival."""
    if last is not None:
        return timezone.localtime(last.at).date()
    if roll is not None:
        return roll.on
    card = live_card(person)
    if card is not None:
        return timezone.localtime(card.issued_at).date()
    return person.arrival_date
