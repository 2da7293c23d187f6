"""The reference operation's camp (docs/presence.md, "Demo"): Camp Liberty as blocks of
units holding its residents from their arrival to their departure, their card scans over
the operation's last months, the roll call after the 26 December 2013 attack over the
blocks it hit (its figure shown beside Reuters' claim on the incident's page), and the
roll call on the morning after the escape of 18 residents, which finds them absent.

Housing, cards and scans are written in bulk (tens of thousands of rows); the roll calls
go through the services, so the deaths, victims and sightings follow the real rules.
"""

import datetime as dt
import random
import secrets

from django.db import transaction
from django.utils import timezone

from onward.accounts import roles
from onward.camp.models import Allocation, Block, Site, Unit
from onward.incidents.models import Incident
from onward.movements.demo import ESCAPE_DAY, UNHCR_STATEMENT_DAY
from onward.movements.models import LedgerEntry
from onward.presence import services
from onward.presence.models import Card, LastSeen, PresenceEvent, RollCall
from onward.registry.models import Person

SITE = "Camp Liberty"
UNIT_PLACES = 10  # a trailer's places
UNITS_PER_BLOCK = 10
ATTACK_DAY = dt.date(2013, 12, 26)
INJURED_AT_ROLL_CALL = 4  # "several seriously injured" (Reuters)
# The scans cover the operation's last months, up to UNHCR's statement.
SCANS_FROM, SCANS_TO = dt.date(2013, 11, 1), UNHCR_STATEMENT_DAY
SCAN_CHANCE = 0.2  # a resident passes a checkpoint on about one day in five
CHECKPOINTS = ("Main gate", "Clinic", "Food distribution", "Water point")


def _actor(users, role: str):
    for user in users.values():
        if user.role == role:
            return user
    raise LookupError(f"the demo needs a user with the role {role}")


def demo_camp(*, users, log=print) -> dict:
    if Site.objects.filter(name=SITE).exists():
        return {}
    rng = random.Random(21)
    with transaction.atomic():
        housed = _house_everyone()
        scans = _scans(rng, _actor(users, roles.CLERK), housed)
    attack = _attack_roll_call(rng, _actor(users, roles.PROTECTION))
    escape = _escape_roll_call(_actor(users, roles.PROTECTION))
    log(
        f"Camp: {Block.objects.filter(site__name=SITE).count()} blocks, {len(housed)} residents "
        f"housed, {scans} card scans; roll calls after 26 December ({attack}) and after the "
        f"escape ({escape})."
    )
    return {"housed": len(housed), "scans": scans, "attack": attack, "escape": escape}


def _house_everyone() -> list[tuple]:
    """Every resident in a unit from their arrival to their departure, a case kept
    together in one unit where it fits. Returns (person, unit, from, to) rows."""
    persons = (
        Person.objects.filter(
            merged_into__isnull=True, removed_at__isnull=True, arrival_date__isnull=False
        )
        .order_by("case_id", "pk")
        .values_list("pk", "case_id", "arrival_date", "departure_date")
    )
    site = Site.objects.create(name=SITE)
    units: list[Unit] = []
    free = 0
    rows, allocations = [], []
    by_case: dict[int, list] = {}
    for pk, case_id, arrived, departed in persons:
        by_case.setdefault(case_id, []).append((pk, arrived, departed))
    for members in by_case.values():
        if free < len(members):
            units.append(_new_unit(site, len(units)))
            free = UNIT_PLACES
        for pk, arrived, departed in members:
            unit = units[-1]
            if free == 0:  # a case larger than a unit goes on in the next one
                unit = _new_unit(site, len(units))
                units.append(unit)
                free = UNIT_PLACES
            free -= 1
            allocations.append(
                Allocation(
                    person_id=pk,
                    unit=unit,
                    starts_on=arrived,
                    ended_on=departed,
                    reason="transferred from Camp Ashraf",
                    end_reason="departed" if departed else "",
                )
            )
            rows.append((pk, unit, arrived, departed))
    Allocation.objects.bulk_create(allocations, batch_size=2000)
    return rows


def _new_unit(site, n: int) -> Unit:
    block, _ = Block.objects.get_or_create(site=site, code=f"B{n // UNITS_PER_BLOCK + 1:02d}")
    return Unit.objects.create(
        block=block, code=f"T{n % UNITS_PER_BLOCK + 1:02d}", capacity=UNIT_PLACES
    )


def _scans(rng: random.Random, clerk, housed: list[tuple]) -> int:
    """A card for each resident housed during the scanned months, and their scans at the
    checkpoints on about one day in five while they lived there."""
    issued = timezone.make_aware(dt.datetime.combine(SCANS_FROM, dt.time(8, 0)))
    cards, spans = [], {}
    for pk, _unit, arrived, departed in housed:
        first, last = (
            max(arrived, SCANS_FROM),
            min(departed - dt.timedelta(days=1) if departed else SCANS_TO, SCANS_TO),
        )
        if first <= last:
            spans[pk] = (first, last)
            cards.append(
                Card(
                    person_id=pk, token=secrets.token_urlsafe(16), issued_at=issued, issued_by=clerk
                )
            )
    Card.objects.bulk_create(cards, batch_size=2000)
    card_of = dict(Card.objects.filter(person_id__in=spans).values_list("person_id", "pk"))
    events, latest = [], {}
    for pk, (first, last) in spans.items():
        day = first
        while day <= last:
            if rng.random() < SCAN_CHANCE:
                at = timezone.make_aware(
                    dt.datetime.combine(day, dt.time(rng.randint(7, 18), rng.randint(0, 59)))
                )
                place = rng.choice(CHECKPOINTS)
                events.append(
                    PresenceEvent(
                        person_id=pk,
                        at=at,
                        checkpoint=place,
                        method=PresenceEvent.Method.CARD,
                        card_id=card_of[pk],
                        recorded_by=clerk,
                    )
                )
                latest[pk] = (at, place)
            day += dt.timedelta(days=1)
    PresenceEvent.objects.bulk_create(events, batch_size=5000)
    LastSeen.objects.bulk_create(
        [LastSeen(person_id=pk, at=at, checkpoint=place) for pk, (at, place) in latest.items()],
        batch_size=5000,
    )
    return len(events)


def _blocks_of(person_ids, on: dt.date) -> list[Block]:
    """The blocks where these persons were housed until `on` (their departure)."""
    ids = Allocation.objects.filter(person_id__in=person_ids, ended_on=on).values("unit__block_id")
    return list(Block.objects.filter(pk__in=ids).order_by("code"))


def _attack_roll_call(rng: random.Random, officer) -> str:
    """The blocks the rockets hit (where the 3 dead lived), and the roll call that day:
    the dead marked killed (their deaths already in the ledger, through the victim link:
    not counted again), a few injured, everyone else present."""
    incident = Incident.objects.filter(occurred_at__date=ATTACK_DAY).first()
    if incident is None:
        return "no incident"
    dead = list(incident.victims.filter(outcome="killed").values_list("person_id", flat=True))
    blocks = _blocks_of(dead, ATTACK_DAY)
    if not blocks:
        return "no blocks"
    # The rockets fell on the dead's blocks and the one beside them.
    beside = Block.objects.filter(site=blocks[-1].site, code__gt=blocks[-1].code).order_by("code")
    blocks += list(beside[:1])
    services.incident_blocks_name(actor=officer, incident=incident, blocks=blocks)
    roll = services.rollcall_open(
        actor=officer,
        blocks=blocks,
        reason=RollCall.Reason.INCIDENT,
        on=ATTACK_DAY,
        incident=incident,
        note="after the rockets of 26 December",
    )
    others = [ln.person for ln in roll.lines.select_related("person") if ln.person_id not in dead]
    injured = {p.pk for p in rng.sample(others, min(INJURED_AT_ROLL_CALL, len(others)))}
    _mark_all(
        officer,
        roll,
        lambda pk: "killed" if pk in dead else "injured" if pk in injured else "present",
    )
    return f"blocks {', '.join(b.code for b in blocks)}: {len(dead)} killed, {len(injured)} injured"


def _escape_roll_call(officer) -> str:
    """The verification roll call on the morning after the night 18 residents left: over
    their blocks, they are found absent, everyone else present."""
    gone = list(
        LedgerEntry.objects.filter(
            kind="left_own_accord", date=ESCAPE_DAY, reversed_by__isnull=True
        ).values_list("person_id", flat=True)
    )
    blocks = _blocks_of(gone, ESCAPE_DAY)
    if not blocks:
        return "no escape"
    roll = services.rollcall_open(
        actor=officer,
        blocks=blocks,
        reason=RollCall.Reason.VERIFICATION,
        on=ESCAPE_DAY,
        note="morning after the night of the escape",
    )
    _mark_all(officer, roll, lambda pk: "absent" if pk in gone else "present")
    absent = roll.lines.filter(status="absent").count()
    return f"blocks {', '.join(b.code for b in blocks)}: {absent} absent"


def _mark_all(officer, roll, status_of) -> None:
    """Every line of the roll call marked through the service, then closed; in one
    transaction (a commit a sheet, not a commit a line)."""
    with transaction.atomic():
        for line in roll.lines.select_related("person").order_by("id"):
            services.rollcall_mark(
                actor=officer, roll_call=roll, person=line.person, status=status_of(line.person_id)
            )
        services.rollcall_close(actor=officer, roll_call=roll)
