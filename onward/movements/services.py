"""Writes of the movements app: departures, births, corrections and transfers.

Invariant kept by every function here: the registry's departure fields and the
population ledger change together, in one transaction, with an audit entry; so for
every date d the ledger's sum up to d equals the registry's count of persons present on
d (arrival_date <= d and (departure_date is null or > d), not merged). A departure
dated d means the person is not present on d.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onward import bounds
from onward.accounts.policy import require
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record
from onward.conflicts import Conflict
from onward.movements.ledger import (
    ledger_arrival,
    ledger_departure,
    ledger_reverse,
    live_departure,
)
from onward.movements.models import LedgerEntry
from onward.registry.models import Case, Person
from onward.registry.snapshot import person_snapshot
from onward.vault.fields import hide_encrypted

Kind = LedgerEntry.Kind
# Departures a user records directly; "relocated" happens only by confirming a transfer.
RECORDABLE_DEPARTURES = (Kind.LEFT, Kind.DECEASED, Kind.REPATRIATED, Kind.UNKNOWN)


def _as_date(value, field: str, errors: dict, check=bounds.check_event_date) -> dt.date | None:
    """A date within its bounds (onward/bounds.py: an event's by default), or None with
    the error under `field`."""
    if isinstance(value, str) and value.strip():
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            errors[field] = _("A date as YYYY-MM-DD.")
            return None
    if not isinstance(value, dt.date):
        errors[field] = _("This field is required.")
        return None
    try:
        return check(value)
    except ValueError as exc:
        errors[field] = str(exc)
        return None


def _count(value, field: str, errors: dict, *, unit: str) -> int | None:
    """A whole number within a count's bounds, or None with the error under `field`
    (`unit`: the sentence that asks for a whole number)."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        errors[field] = unit
        return None
    try:
        return bounds.check_count(number)
    except ValueError as exc:
        errors[field] = str(exc)
        return None


def _check_departure(person: Person, on: dt.date | None, errors: dict) -> None:
    if person.merged_into_id:
        errors["person"] = _("%(person)s is a merged duplicate record.") % {
            "person": person.person_id
        }
    elif person.removed_at:
        errors["person"] = _("%(person)s is removed from the registry: restore it first.") % {
            "person": person.person_id
        }
    elif person.departure_date:
        errors["person"] = _(
            "%(person)s already departed on %(departure_date)s (%(departure_type)s); correct that departure first."
        ) % {
            "person": person.person_id,
            "departure_date": person.departure_date,
            "departure_type": person.departure_type,
        }
    if on is None:
        return
    if on > timezone.localdate():
        errors["on"] = _("A departure is recorded once it happened, not in advance.")
    elif person.arrival_date and on < person.arrival_date:
        errors["on"] = _(
            "%(person)s arrived on %(arrival_date)s: a departure cannot come before the arrival."
        ) % {"person": person.person_id, "arrival_date": person.arrival_date}


def _depart(*, actor, person: Person, kind: str, on: dt.date, note: str = "") -> LedgerEntry:
    """Ends a locked, checked person's stay: registry fields, ledger and audit together."""
    person.departure_date, person.departure_type = on, kind
    person.version += 1
    person.save(update_fields=["departure_date", "departure_type", "version", "updated_at"])
    entry = ledger_departure(person=person, on=on, kind=kind, actor=actor, note=note)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="person",
        object_id=person.person_id,
        changes={"departure_date": ["", str(on)], "departure_type": ["", kind]},
        detail=f"departure: {kind}" + (f" – {note}" if note else ""),
    )
    return entry


@transaction.atomic
def departure_record(*, actor, person: Person, kind: str, on, note: str = "") -> LedgerEntry:
    """Records that a person left the location on `on` (left on own accord, deceased,
    voluntarily repatriated, whereabouts unknown), with what is known in `note`.

    Keeps the invariant: the person's departure fields and a -1 ledger entry dated `on`
    are written together. A person departs once; a wrong departure is corrected with
    `departure_correct`, never edited."""
    require(actor, "movements.record")
    locked = Person.objects.select_for_update().get(pk=person.pk)
    errors: dict = {}
    if kind not in RECORDABLE_DEPARTURES:
        errors["kind"] = _(
            "%(kind)r is not a departure recorded here (relocation happens by confirming a transfer)."
        ) % {"kind": kind}
    day = _as_date(on, "on", errors)
    note = " ".join(str(note or "").split())
    if len(note) > 255:
        errors["note"] = _("At most 255 characters.")
    _check_departure(locked, day, errors)
    if errors:
        raise ValidationError(errors)
    assert day is not None  # _as_date noted an error otherwise
    return _depart(actor=actor, person=locked, kind=kind, on=day, note=note)


@transaction.atomic
def death_record_once(*, actor, person: Person, on, note: str = "") -> LedgerEntry:
    """A death, recorded once however often it is reported (an incident's claims, several
    victim links): a person already recorded as deceased keeps their one entry."""
    require(actor, "movements.record")
    locked = Person.objects.select_for_update().get(pk=person.pk)
    entry = live_departure(locked) if locked.departure_type == Kind.DECEASED else None
    if entry is not None:
        return entry
    # (A deceased person without a standing entry is refused by departure_record.)
    return departure_record(actor=actor, person=locked, kind=Kind.DECEASED, on=on, note=note)


@transaction.atomic
def departure_correct(*, actor, person: Person, reason: str) -> LedgerEntry:
    """Undoes a wrongly recorded departure: a reversing ledger entry (kind correction,
    +1, dated like the wrong one, `reverses` it) and the person's departure fields
    cleared, audited with the reason. The wrong entry stays in the ledger.

    A relocation on a confirmed transfer is corrected on the transfer
    (`transfer_line_correct`), which also takes the case back out of "departed"."""
    require(actor, "movements.record")
    locked = Person.objects.select_for_update().get(pk=person.pk)
    errors: dict = {}
    reason = " ".join(str(reason or "").split())
    if not reason:
        errors["reason"] = _("Say why the departure was wrong.")
    entry = live_departure(locked)
    if locked.departure_date is None or entry is None:
        errors["person"] = _("%(person)s has no departure to correct.") % {
            "person": locked.person_id
        }
    elif entry.kind == Kind.RELOCATED:
        errors["person"] = _("%(person)s departed on a transfer: correct it from the transfer.") % {
            "person": locked.person_id
        }
    if errors or entry is None:  # no entry: errors["person"] says so
        # The person's record alone in the way: a Conflict.
        raise ValidationError(errors) if "reason" in errors else Conflict(errors)
    return _undepart(actor=actor, person=locked, entry=entry, reason=reason)


def _undepart(*, actor, person: Person, entry: LedgerEntry, reason: str) -> LedgerEntry:
    before = [str(person.departure_date), person.departure_type]
    person.departure_date, person.departure_type = None, ""
    person.version += 1
    person.save(update_fields=["departure_date", "departure_type", "version", "updated_at"])
    reversing = ledger_reverse(entry=entry, actor=actor, note=reason)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="person",
        object_id=person.person_id,
        changes={"departure_date": [before[0], ""], "departure_type": [before[1], ""]},
        detail=f"departure corrected: {reason}",
    )
    return reversing


_CHILD_OF = {"principal": "child", "spouse": "child", "child": "grandchild"}


@transaction.atomic
def birth_record(*, actor, mother: Person, on, child: dict) -> Person:
    """A child born at the location joins the mother's case on the birth date: a new
    person (relationship to the principal applicant derived from the mother's), their
    +1 ledger entry of kind birth, and the audit entry, together.

    `child` holds the registry's person fields (given_name required; sex, family_name,
    father_name, specific_needs optional), validated by the registry's own rules."""
    from onward.registry import services as registry

    require(actor, "movements.record")
    case = Case.objects.select_for_update().get(pk=mother.case_id)
    mother = Person.objects.select_for_update().get(pk=mother.pk)
    errors: dict = {}
    day = _as_date(on, "on", errors)
    if mother.sex != "F":
        errors["mother"] = _("%(person)s is not recorded as a woman.") % {
            "person": mother.person_id
        }
    if case.status != Case.Status.OPEN:
        errors["mother"] = _("Case %(case)s is closed.") % {"case": case.case_id}
    if day is not None:
        if day > timezone.localdate():
            errors["on"] = _("A birth is recorded once it happened.")
        elif not _present(mother, day):
            errors["on"] = _("%(person)s was not at the location on %(day)s.") % {
                "person": mother.person_id,
                "day": day,
            }
    data = {k: v for k, v in child.items() if k in registry.PERSON_FIELDS}
    data.update(
        relationship=_CHILD_OF.get(mother.relationship, "other_relative"), birth_date=day or ""
    )
    try:
        fields = registry.clean_person_fields(data)
    except ValidationError as exc:
        errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    needs = fields.pop("specific_needs", [])
    person = Person.objects.create(
        person_id=registry._next_id("P", 6), case=case, arrival_date=day, **fields
    )
    person.specific_needs.set(needs)
    ledger_arrival(person=person, actor=actor, kind=Kind.BIRTH, note=f"born to {mother.person_id}")
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="person",
        object_id=person.person_id,
        changes=hide_encrypted(
            Person, {k: ["", v] for k, v in person_snapshot(person).items() if v}
        ),
        detail=f"birth in case {case.case_id}, mother {mother.person_id}",
    )
    return person


def _present(person: Person, day: dt.date) -> bool:
    return (
        person.merged_into_id is None
        and person.removed_at is None
        and person.arrival_date is not None
        and person.arrival_date <= day
        and (person.departure_date is None or person.departure_date > day)
    )


# -- transfers ------------------------------------------------------------------------------


def _lock_transfer(transfer, *, status=None):
    from onward.movements.models import Transfer

    locked = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if status and locked.status != status:
        raise Conflict(
            {
                "transfer": _("Transfer %(locked)s is %(status)s.")
                % {"locked": locked.pk, "status": locked.get_status_display().lower()}
            }
        )
    return locked


def _present_members(case: Case) -> list[Person]:
    return list(
        case.members.filter(
            merged_into__isnull=True, removed_at__isnull=True, departure_date__isnull=True
        ).order_by("person_id")
    )


def _case_set_status(*, actor, case: Case, status: str, detail: str) -> None:
    """The registry case's status, changed under its lock and audited (the transfer's
    own helper: resettlement officers close cases by confirming a transfer, without the
    right to edit the registry otherwise)."""
    if case.status == status:
        return
    before = case.status
    case.status, case.version = status, case.version + 1
    case.save(update_fields=["status", "version", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="case",
        object_id=case.case_id,
        changes={"status": [before, status]},
        detail=detail,
    )


@transaction.atomic
def transfer_plan(*, actor, pledge, date, seats, note: str = ""):
    """A planned movement to the pledge's country; nobody departs until it is confirmed."""
    from onward.movements.models import Transfer

    require(actor, "transfers.manage")
    errors: dict = {}
    day = _as_date(date, "date", errors, check=bounds.check_planned_date)
    seats = _count(seats, "seats", errors, unit=_("A whole number of seats."))
    if seats is not None and seats < 1:
        errors["seats"] = _("At least one seat.")
    if pledge is None:
        errors["pledge"] = _("Choose the pledge the transfer serves.")
    elif pledge.status == "closed":
        errors["pledge"] = _("Pledge %(pledge)s is closed.") % {"pledge": pledge}
    note = " ".join(str(note or "").split())[:255]
    if errors:
        raise ValidationError(errors)
    assert day is not None  # _as_date noted an error otherwise
    transfer = Transfer.objects.create(
        date=day, country=pledge.country, pledge=pledge, seats=seats, note=note, created_by=actor
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="transfer",
        object_id=transfer.pk,
        detail=f"to {pledge.country} on {day}, {seats} seats",
    )
    return transfer


@transaction.atomic
def transfer_case_add(*, actor, transfer, case: Case):
    """Puts a case accepted under the transfer's pledge on its manifest, with its members
    present now. Refused: a case not accepted there, a case already on a planned
    transfer, more persons than seats. A traveller not yet ready may be planned (the
    transfer's page lists their blockers for its date); confirmation refuses them."""
    from onward.movements.models import ManifestLine
    from onward.relocation.selectors import cases_awaiting_departure

    require(actor, "transfers.manage")
    transfer = _lock_transfer(transfer, status="planned")
    case = Case.objects.select_for_update().get(pk=case.pk)
    errors: dict = {}
    if not cases_awaiting_departure(pledge=transfer.pledge).filter(pk=case.pk).exists():
        errors["case"] = _(
            "Case %(case)s is not accepted and awaiting departure under %(pledge)s."
        ) % {"case": case.case_id, "pledge": transfer.pledge}
    elif ManifestLine.objects.filter(
        case=case, removed_at__isnull=True, transfer__status="planned"
    ).exists():
        errors["case"] = _("Case %(case)s is already on a planned transfer.") % {
            "case": case.case_id
        }
    members = _present_members(case)
    if not members:
        errors.setdefault("case", _("Case %(case)s has nobody present.") % {"case": case.case_id})
    taken = sum(line.persons.count() for line in transfer.lines.filter(removed_at__isnull=True))
    if taken + len(members) > transfer.seats:
        errors["seats"] = _(
            "%(n)s more persons would exceed the %(seats)s seats (%(taken)s taken)."
        ) % {"n": len(members), "seats": transfer.seats, "taken": taken}
    if errors:
        raise ValidationError(errors)
    line = ManifestLine.objects.create(transfer=transfer, case=case, added_by=actor)
    line.persons.set(members)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="transfer",
        object_id=transfer.pk,
        detail=f"case {case.case_id} added ({len(members)} persons)",
    )
    return line


@transaction.atomic
def transfer_case_remove(*, actor, transfer, line, reason: str):
    """Takes a no-show off the manifest before confirmation, with the reason; the line
    stays as history."""

    from onward.movements.models import ManifestLine

    require(actor, "transfers.manage")
    transfer = _lock_transfer(transfer, status="planned")
    line = ManifestLine.objects.select_for_update().get(pk=line.pk, transfer=transfer)
    reason = " ".join(str(reason or "").split())
    errors = {}
    if not reason:
        errors["reason"] = _("Say why the case is taken off (no-show, illness, …).")
    if line.removed_at:
        errors["line"] = _("Already taken off the manifest.")
    if errors:
        raise ValidationError(errors)
    line.removed_at, line.removed_by, line.removed_reason = timezone.now(), actor, reason[:255]
    line.save(update_fields=["removed_at", "removed_by", "removed_reason"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="transfer",
        object_id=transfer.pk,
        detail=f"case {line.case.case_id} taken off: {reason}",
    )
    return line


@transaction.atomic
def transfer_person_hold(*, actor, transfer, line, person: Person, reason: str):
    """Holds one member of a case on the manifest back (medical hold, a requirement not
    met), with the reason: the rest of the case flies, the case stays open for them.
    Refused: a person not travelling on the line, no reason, the line's last traveller
    (take the case off instead)."""
    from onward.movements.models import HeldBack, ManifestLine

    require(actor, "transfers.manage")
    transfer = _lock_transfer(transfer, status="planned")
    line = ManifestLine.objects.select_for_update().get(pk=line.pk, transfer=transfer)
    reason = " ".join(str(reason or "").split())
    travelling = set(line.persons.values_list("pk", flat=True))
    errors: dict = {}
    if line.removed_at:
        errors["line"] = _("This case is not on the manifest.")
    elif person.pk not in travelling:
        errors["person"] = _("%(person)s does not travel on this line.") % {
            "person": person.person_id
        }
    elif len(travelling) == 1:
        errors["person"] = _(
            "%(person)s is the case's last traveller: take the case off instead."
        ) % {"person": person.person_id}
    if not reason:
        errors["reason"] = _("Say why the person stays behind (medical hold, …).")
    if errors:
        raise ValidationError(errors)
    line.persons.remove(person)
    held = HeldBack.objects.create(line=line, person=person, reason=reason[:255], held_by=actor)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="transfer",
        object_id=transfer.pk,
        detail=f"{person.person_id} of case {line.case.case_id} held back: {reason}"[:255],
    )
    return held


def travellers_readiness(transfer, person_ids) -> dict:
    """{person pk: readiness on the transfer's date under its pledge}."""
    from onward.readiness.selectors import persons_readiness

    return persons_readiness(person_ids, transfer.country, transfer.date, transfer.pledge_id)


@transaction.atomic
def transfer_confirm(*, actor, transfer, expected_version: int | None = None):
    """The transfer departed. In one transaction, under locks on the transfer, its cases
    and their persons: every person on the manifest departs (registry fields and a -1
    ledger entry of kind relocated dated the transfer's day), each case closes as
    relocated (audited) and moves to departed in the relocation workflow, which counts it
    in its pledge's departed figures. Any failure leaves nothing changed.

    Every traveller must be ready on the transfer's date (onward.readiness): one who is
    not is refused by name, with the requirements missing or expired. A case that flies
    split (members held back) stays open, in its relocation state, for those members;
    each person departs once, so the ledger counts each once."""
    from onward.readiness.selectors import reasons
    from onward.registry.services import StaleEdit
    from onward.relocation.services import case_depart

    require(actor, "transfers.manage")
    transfer = _lock_transfer(transfer, status="planned")
    if expected_version is not None and transfer.version != expected_version:
        raise StaleEdit(
            _("Transfer %(transfer)s was changed since you opened it: reload it.")
            % {"transfer": transfer.pk}
        )
    lines = list(transfer.lines.filter(removed_at__isnull=True).order_by("case_id"))
    errors: dict = {}
    if not lines:
        errors["transfer"] = _("The manifest is empty.")
    if transfer.date > timezone.localdate():
        errors["date"] = _("The transfer is planned for %(date)s: confirm it once it has left.") % {
            "date": transfer.date
        }
    if errors:
        raise Conflict(errors)  # the transfer's state, not the request, is in the way
    cases = {
        c.pk: c
        for c in Case.objects.select_for_update()
        .filter(pk__in=[line.case_id for line in lines])
        .order_by("pk")
    }
    readiness = travellers_readiness(
        transfer, [p for line in lines for p in line.persons.values_list("pk", flat=True)]
    )
    for line in lines:
        case = cases[line.case_id]
        persons = list(
            Person.objects.select_for_update()
            .filter(pk__in=line.persons.values("pk"))
            .order_by("pk")
        )
        held = set(line.held_back.values_list("person_id", flat=True))
        present = {p.pk for p in _present_members(case)} - held
        if present != {p.pk for p in persons}:
            errors[f"case {case.case_id}"] = _(
                "The case's members changed since it was put on the manifest: take it off and add it again."
            )
            continue
        for person in persons:
            problems: dict = {}
            _check_departure(person, transfer.date, problems)
            if not readiness[person.pk].ready:
                problems["readiness"] = _("%(person)s is not ready on %(date)s: %(reasons)s.") % {
                    "person": person.person_id,
                    "date": transfer.date,
                    "reasons": reasons(readiness[person.pk]),
                }
            if problems:
                errors[person.person_id] = " ".join(problems.values())
                continue
            _depart(
                actor=actor,
                person=person,
                kind=Kind.RELOCATED,
                on=transfer.date,
                note=f"transfer {transfer.pk} to {transfer.country}",
            )
        if held and _present_members(case):
            continue  # split: the case stays open for the members held back
        case_depart(case=case, actor=actor, on=transfer.date)
        _case_set_status(
            actor=actor,
            case=case,
            status=Case.Status.CLOSED,
            detail=f"relocated: transfer {transfer.pk} on {transfer.date}",
        )
    if errors:
        raise Conflict(errors)  # the transaction rolls back: nothing departed
    transfer.status, transfer.version = "confirmed", transfer.version + 1
    transfer.confirmed_by, transfer.confirmed_at = actor, timezone.now()
    transfer.save(update_fields=["status", "version", "confirmed_by", "confirmed_at"])
    n = sum(len(line.persons.all()) for line in lines)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="transfer",
        object_id=transfer.pk,
        changes={"status": ["planned", "confirmed"]},
        detail=f"departed: {len(lines)} cases, {n} persons",
    )
    return transfer


@transaction.atomic
def transfer_reschedule(*, actor, transfer, date, reason: str, expected_version: int | None = None):
    """Moves a planned transfer to another day (the flight was moved), with the reason,
    audited with the old and the new date. Nobody departs and the manifest stays as it
    is. Refused once the transfer departed (its date is then the persons' departure date
    in the ledger: a wrong one is corrected line by line) or was cancelled."""
    from onward.registry.services import StaleEdit

    require(actor, "transfers.manage")
    transfer = _lock_transfer(transfer)
    if expected_version is not None and transfer.version != expected_version:
        raise StaleEdit(
            _("Transfer %(transfer)s was changed since you opened it: reload it.")
            % {"transfer": transfer.pk}
        )
    errors: dict = {}
    if transfer.status == "confirmed":
        errors["transfer"] = _(
            "Transfer %(transfer)s departed on %(date)s: its date can no longer change (correct a case that did not depart instead)."
        ) % {"transfer": transfer.pk, "date": transfer.date}
    elif transfer.status == "cancelled":
        errors["transfer"] = _("Transfer %(transfer)s is cancelled: plan a new one.") % {
            "transfer": transfer.pk
        }
    day = _as_date(date, "date", errors, check=bounds.check_planned_date)
    reason = " ".join(str(reason or "").split())
    if not reason:
        errors["reason"] = _("Say why the date changes (flight moved, …).")
    if day is not None and day == transfer.date and "transfer" not in errors:
        errors["date"] = _("The transfer is already planned for %(day)s.") % {"day": day}
    if errors:
        raise ValidationError(errors)
    before = transfer.date
    transfer.date, transfer.version = day, transfer.version + 1
    transfer.save(update_fields=["date", "version"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="transfer",
        object_id=transfer.pk,
        changes={"date": [str(before), str(day)]},
        detail=f"date moved from {before} to {day}: {reason}"[:255],
    )
    return transfer


@transaction.atomic
def transfer_cancel(*, actor, transfer, reason: str):
    require(actor, "transfers.manage")
    transfer = _lock_transfer(transfer, status="planned")
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Say why the transfer is cancelled.")})
    transfer.status, transfer.version = "cancelled", transfer.version + 1
    transfer.save(update_fields=["status", "version"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="transfer",
        object_id=transfer.pk,
        changes={"status": ["planned", "cancelled"]},
        detail=reason[:255],
    )
    return transfer


@transaction.atomic
def transfer_line_correct(*, actor, transfer, line, reason: str):
    """A case recorded as departed on a confirmed transfer did not leave: each person's
    departure is reversed in the ledger (a correction entry) and cleared in the registry,
    the case reopens and goes back to ready in the relocation workflow; the line is
    marked with the reason. Nothing is deleted."""

    from onward.movements.models import ManifestLine
    from onward.relocation.models import RelocationCase
    from onward.relocation.services import case_undepart

    require(actor, "transfers.manage")
    transfer = _lock_transfer(transfer, status="confirmed")
    line = ManifestLine.objects.select_for_update().get(pk=line.pk, transfer=transfer)
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Say why the departure was wrong.")})
    if line.removed_at:
        raise ValidationError({"line": _("This case is not on the manifest.")})
    case = Case.objects.select_for_update().get(pk=line.case_id)
    for person in (
        Person.objects.select_for_update().filter(pk__in=line.persons.values("pk")).order_by("pk")
    ):
        entry = live_departure(person)
        if entry is not None and entry.kind == Kind.RELOCATED and person.departure_date:
            _undepart(
                actor=actor,
                person=person,
                entry=entry,
                reason=f"transfer {transfer.pk} corrected: {reason}",
            )
    _case_set_status(
        actor=actor,
        case=case,
        status=Case.Status.OPEN,
        detail=f"transfer {transfer.pk} departure corrected: {reason}",
    )
    if RelocationCase.objects.filter(case=case, state="departed").exists():
        case_undepart(case=case, actor=actor, reason=reason)  # not after a split
    line.removed_at, line.removed_by = timezone.now(), actor
    line.removed_reason = f"corrected after departure: {reason}"[:255]
    line.save(update_fields=["removed_at", "removed_by", "removed_reason"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="transfer",
        object_id=transfer.pk,
        detail=f"case {case.case_id} departure corrected",
    )
    return line


# -- departures reported at other places (not in the ledger) --------------------------------


@transaction.atomic
def reported_departure_record(*, actor, data: dict):
    """Records a source's figure of departures from a place whose residents Onward does
    not register (the origin camp before the move): never a ledger entry, so the transit
    location's population is unchanged. Refused whole, naming each field, when a date is
    in the future, the report precedes the departures, or a figure is not a count."""
    from onward.movements.models import ReportedDeparture

    require(actor, "movements.record")
    errors: dict = {}
    text = {k: " ".join(str(data.get(k) or "").split()) for k in ("place", "source")}
    for field in ("place", "source"):
        if not text[field]:
            errors[field] = _("This field is required.")
        elif len(text[field]) > 200:
            errors[field] = _("At most 200 characters.")
    persons = _count(data.get("persons"), "persons", errors, unit=_("A whole number of persons."))
    if persons is not None and persons < 1:
        errors["persons"] = _("At least one person.")
    left_on = _as_date(data.get("left_on"), "left_on", errors)
    stated_on = _as_date(data.get("stated_on"), "stated_on", errors)
    today = timezone.localdate()
    for field, day in (("left_on", left_on), ("stated_on", stated_on)):
        if day and day > today:
            errors[field] = _("%(day)s is in the future.") % {"day": day}
    if left_on and stated_on and stated_on < left_on and "stated_on" not in errors:
        errors["stated_on"] = _(
            "A report stated on %(stated_on)s cannot give departures on %(left_on)s."
        ) % {"stated_on": stated_on, "left_on": left_on}
    kind = data.get("kind") or Kind.LEFT
    if kind not in dict(ReportedDeparture._meta.get_field("kind").choices or ()):
        errors["kind"] = _("%(kind)r is not a kind of departure reported here.") % {"kind": kind}
    precision = data.get("left_on_precision") or "D"
    if precision not in ("D", "M"):
        errors["left_on_precision"] = _("Day or month.")
    if errors:
        raise ValidationError(errors)
    # _as_date and _count noted an error otherwise
    assert left_on is not None and stated_on is not None and persons is not None
    report = ReportedDeparture.objects.create(
        place=text["place"],
        kind=kind,
        persons=persons,
        cumulative=bool(data.get("cumulative")),
        left_on=left_on,
        left_on_precision=precision,
        source=text["source"],
        official=bool(data.get("official")),
        stated_on=stated_on,
        summary=str(data.get("summary") or "").strip(),
        recorded_by=_user_or_none(actor),
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="reported_departure",
        object_id=report.pk,
        detail=f"{report}"[:255],
    )
    return report


def _user_or_none(actor):
    return actor if getattr(actor, "is_authenticated", False) else None
