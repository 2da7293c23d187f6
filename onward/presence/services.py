"""Writes of presence: cards, presence events, roll calls, the blocks an incident hit
(docs/presence.md).

Invariants kept here:
- A card's token is random and opaque (no personal data); a person holds at most one
  live card; a revoked card is never scanned in.
- A refused scan (unknown or revoked card, a departed or removed person) writes nothing.
- A roll call's lines are its expected residents, fixed when it opens (allocated in its
  blocks on its date and present then); a line for anyone else is refused.
- A death marked at a roll call enters the population ledger once: through the
  incident's victim link when the roll call follows an incident, otherwise through
  `death_record_once`; marking it again, or linking the victim by hand, writes no more.
"""

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onward.accounts.policy import require
from onward.audit.actor import acting_user
from onward.audit.models import AuditEntry
from onward.audit.services import audit_changed, audit_insert_sql, audit_record
from onward.camp.models import Allocation, Block
from onward.camp.selectors import allocated_on
from onward.presence.models import (
    Card,
    IncidentBlock,
    LastSeen,
    PresenceEvent,
    RollCall,
    RollCallLine,
)
from onward.registry.models import Person

CHECKPOINT_MAX = 64
Status = RollCallLine.Status


def _new_token() -> str:
    # 16 random bytes (128 bits), URL-safe: 22 characters a keyboard-wedge scanner types.
    return secrets.token_urlsafe(16)


def _refuse_if_gone(person: Person, field: str = "person") -> None:
    if person.merged_into_id:
        raise ValidationError(
            {field: _("%(person)s is a merged duplicate record.") % {"person": person.person_id}}
        )
    if person.removed_at:
        raise ValidationError(
            {field: _("%(person)s is removed from the registry.") % {"person": person.person_id}}
        )
    if person.departure_date:
        raise ValidationError(
            {
                field: _("%(person)s departed on %(date)s (%(type)s): not recorded.")
                % {
                    "person": person.person_id,
                    "date": person.departure_date,
                    "type": person.departure_type,
                }
            }
        )


@transaction.atomic
def card_issue(*, actor, person: Person) -> Card:
    """Issue a card to a present resident; a live card they hold is revoked (reissued)."""
    require(actor, "presence.cards")
    person = Person.objects.select_for_update().get(pk=person.pk)
    _refuse_if_gone(person)
    now = timezone.now()
    for old in Card.objects.filter(person=person, revoked_at__isnull=True):
        _revoke(actor, old, "reissued", now)
    card = Card.objects.create(person=person, token=_new_token(), issued_at=now, issued_by=actor)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="person",
        object_id=person.person_id,
        detail=f"resident card {card.pk} issued",
    )
    return card


def _revoke(actor, card: Card, reason: str, now) -> None:
    card.revoked_at, card.revoked_by, card.revoke_reason = now, actor, reason[:255]
    card.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="person",
        object_id=card.person.person_id,
        changes={"card": [str(card.pk), ""]},
        detail=f"resident card {card.pk} revoked: {reason}",
    )


@transaction.atomic
def card_revoke(*, actor, card: Card, reason: str) -> Card:
    """Revoke a live card (lost, damaged, withdrawn), with a reason."""
    require(actor, "presence.cards")
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Give the reason for revoking the card.")})
    card = Card.objects.select_for_update().select_related("person").get(pk=card.pk)
    if card.revoked_at:
        raise ValidationError({"card": _("Card %(card)s is already revoked.") % {"card": card.pk}})
    _revoke(actor, card, reason, timezone.now())
    return card


def _checkpoint(value: str) -> str:
    value = " ".join(str(value or "").split())
    if not value:
        raise ValidationError({"checkpoint": _("Name the checkpoint.")})
    if len(value) > CHECKPOINT_MAX:
        raise ValidationError(
            {"checkpoint": _("At most %(max)s characters.") % {"max": CHECKPOINT_MAX}}
        )
    return value


def card_for_token(token: str, *, lock: bool = False) -> Card:
    """The live card with this token; ValidationError naming what is wrong otherwise.
    `lock`: the card's person row is locked in the same query (one round trip less
    on the scan path)."""
    token = str(token or "").strip()
    cards = Card.objects.select_related("person")
    if lock:
        cards = cards.select_for_update(of=("person",))
    card = cards.filter(token=token).first() if 0 < len(token) <= 32 else None
    if card is None:
        raise ValidationError({"token": _("No card has this code: nothing recorded.")})
    if card.revoked_at:
        raise ValidationError(
            {
                "token": _("This card was revoked on %(date)s (%(reason)s): nothing recorded.")
                % {
                    "date": f"{timezone.localtime(card.revoked_at):%Y-%m-%d}",
                    "reason": card.revoke_reason,
                }
            }
        )
    return card


def presence_record(
    *,
    actor,
    checkpoint: str,
    token: str = "",
    person: Person | None = None,
    method: str = PresenceEvent.Method.CARD,
    at: dt.datetime | None = None,
) -> PresenceEvent:
    """A resident seen at a checkpoint: by their card's token (method card), or by a
    person given by hand (manual, head-count). Keeps `LastSeen` the latest event; the
    person's row is locked first so two scans of one person cannot race it.

    A card scan on PostgreSQL is one statement (`_card_scan_pg`): atomic by itself, so it
    opens no transaction of its own (one round trip, where BEGIN, the statement and
    COMMIT would be three); anything else runs in a transaction (`_presence_record`)."""
    require(actor, "presence.record")
    checkpoint = _checkpoint(checkpoint)
    if method not in PresenceEvent.Method.values:
        raise ValidationError(
            {
                "method": _("One of: %(choices)s.")
                % {"choices": ", ".join(PresenceEvent.Method.values)}
            }
        )
    if (
        method == PresenceEvent.Method.CARD
        and SCAN_FAST_PATH
        and connection.vendor == "postgresql"
        and (at is None or at <= timezone.now() + dt.timedelta(minutes=5))
    ):
        return _card_scan_pg(actor, checkpoint, token, at)
    return _presence_record(actor, checkpoint, token, person, method, at)


@transaction.atomic
def _presence_record(actor, checkpoint, token, person, method, at) -> PresenceEvent:
    """The general path (SQLite, manual and head-count entries, a card scan dated ahead):
    the card and its person locked, the refusals, the event, last seen, the audit entry."""
    card = None
    if method == PresenceEvent.Method.CARD:
        card = card_for_token(token, lock=True)
        person = card.person
    elif person is None:
        raise ValidationError({"person": _("Give the person seen.")})
    assert person is not None
    at = at or timezone.now()
    if at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"at": _("A presence is recorded once it happened.")})
    # A card's lookup locked its person already (card_for_token(lock=True)).
    locked = person if card else Person.objects.select_for_update().get(pk=person.pk)
    _refuse_if_gone(locked, "token" if card else "person")
    event = PresenceEvent.objects.create(
        person=locked, at=at, checkpoint=checkpoint, method=method, card=card, recorded_by=actor
    )
    _last_seen_upsert(locked.pk, at, checkpoint)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="person",
        object_id=locked.person_id,
        detail=f"presence at {checkpoint} ({method})",
    )
    return event


# The card scan's own path on PostgreSQL (the bench turns it off to compare).
SCAN_FAST_PATH = True

# The whole scan as one statement (docs/presence.md, "Scale"): `c` reads the card with
# its person locked (FOR UPDATE OF p: a departure recorded meanwhile is waited for, and
# its row is the one read); `ok` is that row only if the scan is allowed (a live card, a
# person neither merged, removed nor departed); the event, last seen (moved to the event
# unless a later one holds it) and the audit entry are written from `ok`, so a refused
# scan writes nothing; the answer is `c`'s row (what a refusal says) and the event's id.
_SCAN = """
    WITH c AS (
        SELECT c.id AS card_id, c.revoked_at, c.revoke_reason, p.id AS pk, p.person_id,
               p.merged_into_id, p.removed_at, p.departure_date, p.departure_type
        FROM {card} c JOIN {person} p ON p.id = c.person_id
        WHERE c.token = %s FOR UPDATE OF p
    ), ok AS (
        SELECT * FROM c WHERE revoked_at IS NULL AND merged_into_id IS NULL
            AND removed_at IS NULL AND departure_date IS NULL
    ), e AS (
        INSERT INTO {event} (person_id, at, checkpoint, method, card_id, recorded_by_id,
                             recorded_at)
        SELECT pk, %s, %s, 'card', card_id, %s, %s FROM ok RETURNING id
    ), l AS (
        INSERT INTO {last} (person_id, at, checkpoint) SELECT pk, %s, %s FROM ok
        ON CONFLICT (person_id) DO UPDATE SET at = excluded.at,
            checkpoint = excluded.checkpoint WHERE {last}.at < excluded.at
    ), a AS ({audit})
    SELECT card_id, revoked_at, revoke_reason, pk, person_id, merged_into_id, removed_at,
           departure_date, departure_type, (SELECT id FROM e)
    FROM c"""


def _card_scan_pg(actor, checkpoint: str, token: str, at) -> PresenceEvent:
    """The scan's hot path on PostgreSQL: one statement, one round trip (`_SCAN`), no
    model built for the card or the person. The same refusals as the general path, in
    the same words, nothing written; the same rows written (a test compares them)."""
    token = str(token or "").strip()
    row = None
    now = timezone.now()
    at = at or now
    by = getattr(acting_user(actor), "pk", None)
    if 0 < len(token) <= 32:
        detail = f"presence at {checkpoint} (card)"
        audit_sql, audit_params = audit_insert_sql(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            object_type="person",
            object_id_sql="person_id",
            source="ok",
            detail=detail,
            at=now,
        )
        sql = _SCAN.format(
            card=Card._meta.db_table,
            person=Person._meta.db_table,
            event=PresenceEvent._meta.db_table,
            last=LastSeen._meta.db_table,
            audit=audit_sql,
        )
        with connection.cursor() as cur:
            cur.execute(sql, [token, at, checkpoint, by, now, at, checkpoint, *audit_params])
            row = cur.fetchone()
    if row is None:
        raise ValidationError({"token": _("No card has this code: nothing recorded.")})
    card_id, revoked_at, revoke_reason, pk, person_id, merged, removed, departed, kind, eid = row
    if revoked_at:
        raise ValidationError(
            {
                "token": _("This card was revoked on %(date)s (%(reason)s): nothing recorded.")
                % {"date": f"{timezone.localtime(revoked_at):%Y-%m-%d}", "reason": revoke_reason}
            }
        )
    gone = Person(
        pk=pk,
        person_id=person_id,
        merged_into_id=merged,
        removed_at=removed,
        departure_date=departed,
        departure_type=kind,
    )
    _refuse_if_gone(gone, "token")
    assert eid is not None  # allowed, so `ok` held the row and the event was written
    audit_changed((AuditEntry.Action.CREATE,))
    return PresenceEvent(
        pk=eid,
        person_id=pk,
        at=at,
        checkpoint=checkpoint,
        method=PresenceEvent.Method.CARD,
        card_id=card_id,
        recorded_by_id=by,
        recorded_at=now,
    )


def _last_seen_upsert(person_id: int, at: dt.datetime, checkpoint: str) -> None:
    """Last seen moved to `at` unless a later event holds it: one statement, an index
    lookup on the person (no read first, no second statement for a first sighting)."""
    table = LastSeen._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {table} (person_id, at, checkpoint) VALUES (%s, %s, %s) "
            "ON CONFLICT (person_id) DO UPDATE SET at = excluded.at, "
            f"checkpoint = excluded.checkpoint WHERE {table}.at < excluded.at",
            [person_id, connection.ops.adapt_datetimefield_value(at), checkpoint],
        )


# -- incidents' blocks and roll calls -------------------------------------------------------


@transaction.atomic
def incident_blocks_name(*, actor, incident, blocks) -> int:
    """Name the blocks an incident hit (added to those already named). Returns how many
    were new."""
    require(actor, "incidents.record")
    named = set(IncidentBlock.objects.filter(incident=incident).values_list("block_id", flat=True))
    new = [b for b in blocks if b.pk not in named]
    if not blocks:
        raise ValidationError({"blocks": _("Choose the blocks the incident hit.")})
    IncidentBlock.objects.bulk_create(
        [IncidentBlock(incident=incident, block=b, named_by=actor) for b in new]
    )
    if new:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="incident",
            object_id=incident.pk,
            changes={"blocks_hit": ["", ", ".join(b.code for b in new)]},
            detail="blocks hit named",
        )
    return len(new)


@transaction.atomic
def rollcall_open(
    *, actor, blocks, reason: str, on: dt.date, incident=None, note: str = ""
) -> RollCall:
    """Open a roll call over `blocks` (one, several, or every block of a site) on `on`,
    with a line for each resident allocated there that day and present."""
    require(actor, "presence.rollcall")
    errors: dict = {}
    blocks = list(blocks)
    if not blocks:
        errors["blocks"] = _("Choose at least one block.")
    if reason not in RollCall.Reason.values:
        errors["reason"] = _("One of: %(choices)s.") % {
            "choices": ", ".join(RollCall.Reason.values)
        }
    if reason == RollCall.Reason.INCIDENT and incident is None:
        errors["incident"] = _("Name the incident the roll call follows.")
    if on > timezone.localdate():
        errors["on"] = _("A roll call is held today or on a past day, not in advance.")
    note = " ".join(str(note or "").split())
    if len(note) > 255:
        errors["note"] = _("At most %(max)s characters.") % {"max": 255}
    if errors:
        raise ValidationError(errors)
    roll = RollCall.objects.create(
        reason=reason,
        note=note,
        incident=incident,
        on=on,
        opened_at=timezone.now(),
        opened_by=actor,
    )
    roll.blocks.set(blocks)
    expected = (
        _expected_on(on)
        .filter(unit__block__in=blocks, person__merged_into__isnull=True)
        .filter(person__removed_at__isnull=True)
        .values_list("person_id", "unit_id", "unit__block_id")
    )
    # One line a person, should a move and a departure both end allocations that day.
    lines = {p: (u, b) for p, u, b in expected.order_by("starts_on")}
    RollCallLine.objects.bulk_create(
        [
            RollCallLine(roll_call=roll, person_id=p, unit_id=u, block_id=b)
            for p, (u, b) in lines.items()
        ],
        batch_size=2000,
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="roll_call",
        object_id=roll.pk,
        detail=f"{reason} on {on}: blocks {', '.join(b.code for b in blocks)}",
    )
    return roll


def _expected_on(on: dt.date):
    """Who a roll call on `on` expects: those housed that day, and those who departed
    that day from where they were housed (a departure on d ends the allocation on d):
    the roll call is how the day's deaths, escapes and absences are found, so the killed
    of that morning's attack and those who left that night are on its sheet."""
    departed_that_day = Allocation.objects.filter(ended_on=on, person__departure_date=on)
    return allocated_on(on) | departed_that_day


def _seen_at(day: dt.date) -> dt.datetime:
    if day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


@transaction.atomic
def rollcall_mark(*, actor, roll_call: RollCall, person: Person, status: str) -> RollCallLine:
    """Mark one expected resident. Present is a head-count sighting (a presence event);
    killed and injured after an incident link the person as its victim (a death enters
    the ledger once); killed otherwise is a death on the roll call's date, once."""
    from onward.incidents.models import Victim
    from onward.incidents.services import victim_link
    from onward.movements.services import death_record_once

    require(actor, "presence.rollcall")
    roll = RollCall.objects.select_for_update().get(pk=roll_call.pk)
    if not roll.is_open:
        raise ValidationError({"roll_call": _("Roll call %(pk)s is closed.") % {"pk": roll.pk}})
    if status not in Status.values:
        raise ValidationError(
            {"status": _("One of: %(choices)s.") % {"choices": ", ".join(Status.values)}}
        )
    line = RollCallLine.objects.select_for_update().filter(roll_call=roll, person=person).first()
    if line is None:
        raise ValidationError(
            {
                "person": _(
                    "%(person)s is not expected at roll call %(pk)s: "
                    "not housed in its blocks on %(on)s. Nothing recorded."
                )
                % {"person": person.person_id, "pk": roll.pk, "on": roll.on}
            }
        )
    if line.status == status:
        return line
    if line.status == Status.KILLED:
        raise ValidationError(
            {
                "status": _(
                    "%(person)s is recorded as killed: correct the departure in movements first."
                )
                % {"person": person.person_id}
            }
        )
    if status == Status.PRESENT and person.departure_date is None:
        presence_record(
            actor=actor,
            checkpoint=f"roll call {roll.pk}",
            person=person,
            method=PresenceEvent.Method.HEADCOUNT,
            at=_seen_at(roll.on),
        )
    elif status in (Status.KILLED, Status.INJURED) and roll.incident is not None:
        outcome = Victim.Outcome.KILLED if status == Status.KILLED else Victim.Outcome.INJURED
        victim_link(actor=actor, incident=roll.incident, person=person, outcome=outcome)
    elif status == Status.KILLED:
        try:
            death_record_once(
                actor=actor, person=person, on=roll.on, note=f"killed: roll call {roll.pk}"
            )
        except ValidationError as exc:
            raise ValidationError({"person": exc.messages}) from exc
    before = line.status
    line.status, line.marked_at, line.marked_by = status, timezone.now(), actor
    line.save(update_fields=["status", "marked_at", "marked_by"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="roll_call",
        object_id=roll.pk,
        changes={person.person_id: [before, status]},
        detail=f"line {person.person_id}: {status}",
    )
    return line


@transaction.atomic
def rollcall_close(*, actor, roll_call: RollCall) -> int:
    """Close an open roll call: every line not marked becomes unknown. Returns how many."""
    require(actor, "presence.rollcall")
    roll = RollCall.objects.select_for_update().get(pk=roll_call.pk)
    if not roll.is_open:
        raise ValidationError(
            {"roll_call": _("Roll call %(pk)s is already closed.") % {"pk": roll.pk}}
        )
    now = timezone.now()
    unknown = RollCallLine.objects.filter(roll_call=roll, status="").update(
        status=Status.UNKNOWN, marked_at=now, marked_by=actor
    )
    roll.closed_at, roll.closed_by = now, actor
    roll.save(update_fields=["closed_at", "closed_by"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="roll_call",
        object_id=roll.pk,
        changes={"state": ["open", "closed"]},
        detail=f"closed; {unknown} unmarked lines unknown",
    )
    return unknown


def blocks_of_site(site) -> list[Block]:
    return list(Block.objects.filter(site=site))


# -- the outcome of an absence: found, or departed ------------------------------------------

ABSENCE_RULES = ("resident not seen", "missing after roll call")
FOLLOW_UP_CHECKPOINT = "follow-up"


def _close_absence_tasks(actor, person: Person, note: str) -> int:
    """Mark done the open absence tasks of the person (their outcome is recorded)."""
    from onward.tasks.models import Task
    from onward.tasks.services import task_close

    tasks = Task.objects.filter(
        rule__in=ABSENCE_RULES, subject_type="person", subject_id=person.pk, state=Task.State.OPEN
    )
    for task in tasks:
        task_close(actor=actor, task=task, state=Task.State.DONE, reason=note)
    return len(tasks)


@transaction.atomic
def absence_found(*, actor, person: Person, checkpoint: str = FOLLOW_UP_CHECKPOINT):
    """An absent or missing resident found: a presence event (manual) where they were
    found, which takes them off the follow-up list, and their absence tasks done."""
    require(actor, "movements.record")
    event = presence_record(
        actor=actor, checkpoint=checkpoint, person=person, method=PresenceEvent.Method.MANUAL
    )
    _close_absence_tasks(actor, person, f"found at {event.checkpoint}")
    return event


@transaction.atomic
def absence_depart(*, actor, person: Person, kind: str, on=None, note: str = ""):
    """An absent resident recorded as departed through the movements departure service:
    left on own accord (not seen for N days) or whereabouts unknown (missing after a
    roll call), dated the day last seen unless another date is given. Refused, with
    nothing written, for someone already departed, removed or merged, and for any other
    kind of departure."""
    from onward.movements.models import LedgerEntry
    from onward.movements.services import departure_record
    from onward.presence.selectors import departure_day, last_seen

    require(actor, "movements.record")
    kinds = (LedgerEntry.Kind.LEFT, LedgerEntry.Kind.UNKNOWN)
    if kind not in kinds:
        raise ValidationError({"kind": _("One of: %(choices)s.") % {"choices": ", ".join(kinds)}})
    locked = Person.objects.select_for_update().get(pk=person.pk)
    if locked.departure_date:
        raise ValidationError(
            {
                "person": _("%(person)s already departed on %(date)s (%(type)s): nothing recorded.")
                % {
                    "person": locked.person_id,
                    "date": locked.departure_date,
                    "type": locked.departure_type,
                }
            }
        )
    if on in (None, ""):
        roll = None
        if kind == LedgerEntry.Kind.UNKNOWN:
            line = (
                RollCallLine.objects.filter(person=locked, status=Status.MISSING)
                .select_related("roll_call")
                .order_by("-marked_at")
                .first()
            )
            roll = line.roll_call if line else None
        on = departure_day(locked, roll=roll, last=last_seen(locked))
    note = " ".join(str(note or "").split()) or "absence followed up"
    entry = departure_record(actor=actor, person=locked, kind=kind, on=on, note=note)
    _close_absence_tasks(actor, locked, f"departed: {kind} on {entry.date}")
    return entry
