"""Booking appointments. Every refusal is a BookingError naming the rule broken;
nothing is written when one is raised.

Concurrency: the room row (or, with no room, the interviewer's/interpreter's first
appointment rows) is locked with select_for_update before the overlap check, so two
clerks booking the last slot of a room at once are serialised on PostgreSQL: one wins.
"""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from onward.accounts import policy
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record, audit_records
from onward.interviews.models import (
    Appointment,
    AppointmentType,
    Attendance,
    InterpreterNeed,
    Level,
    PersonLanguage,
    Room,
)
from onward.registry.models import Case, Person


class BookingError(ValueError):
    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule


def _persons(case: Case | None, person: Person | None) -> list[Person]:
    if person is not None:
        return [person]
    assert case is not None
    return list(case.members.filter(merged_into__isnull=True))


def _overlapping(start: dt.datetime, end: dt.datetime, exclude: int | Iterable[int] | None = None):
    qs = Appointment.objects.filter(status__in=Appointment.HOLDING, start__lt=end, end__gt=start)
    if isinstance(exclude, int):
        qs = qs.exclude(pk=exclude)
    elif exclude is not None:
        qs = qs.exclude(pk__in=list(exclude))
    return qs


def _refuse_members(members: list[Person]) -> None:
    for member in members:
        if member.removed_at is not None:
            raise BookingError(
                "removed", _("%(p)s is removed and cannot be booked.") % {"p": member.person_id}
            )
        if member.departure_date is not None:
            raise BookingError(
                "departed", _("%(p)s has departed and cannot be booked.") % {"p": member.person_id}
            )


def _refuse_clashes(
    start: dt.datetime,
    end: dt.datetime,
    members: list[Person],
    room: Room | None,
    interviewer,
    interpreter,
    exclude: int | Iterable[int] | None = None,
) -> None:
    """The no-double-booking rules: room, interviewer, interpreter, person (an
    appointment being changed, `exclude`, does not clash with itself)."""
    clash = _overlapping(start, end, exclude)
    if room is not None and clash.filter(room=room).exists():
        raise BookingError("room", _("%(r)s is already booked then.") % {"r": room.name})
    if interviewer is not None and clash.filter(interviewer=interviewer).exists():
        raise BookingError("interviewer", _("The interviewer is already booked then."))
    if interpreter is not None and clash.filter(interpreter=interpreter).exists():
        raise BookingError(
            "interpreter", _("Interpreter %(i)s is already booked then.") % {"i": interpreter.name}
        )
    ids = [m.pk for m in members]
    cases = {m.case_id for m in members}
    busy = clash.filter(Q(person_id__in=ids) | Q(person__isnull=True, case_id__in=cases)).exists()
    if busy:
        raise BookingError("person", _("A person in this booking is already booked then."))


@transaction.atomic
def book(
    *,
    type: AppointmentType,
    start: dt.datetime,
    end: dt.datetime,
    case: Case | None = None,
    person: Person | None = None,
    room: Room | None = None,
    interviewer=None,
    interpreter=None,
) -> Appointment:
    if (case is None) == (person is None):
        raise BookingError("target", _("An appointment is for a case or for a person."))
    if end <= start:
        raise BookingError("times", _("The end must be after the start."))
    if room is not None:
        # Serialise bookings of this room (the "last slot" race).
        Room.objects.select_for_update().get(pk=room.pk)
    members = _persons(case, person)
    _refuse_members(members)
    _refuse_clashes(start, end, members, room, interviewer, interpreter)
    appointment = Appointment.objects.create(
        type=type,
        case=case,
        person=person,
        start=start,
        end=end,
        room=room,
        interviewer=interviewer,
        interpreter=interpreter,
        status=Appointment.Status.PLANNED,
    )
    Attendance.objects.bulk_create(Attendance(appointment=appointment, person=m) for m in members)
    return appointment


@transaction.atomic
def check_in(appointment: Appointment, present_ids: set[int], reasons: dict[int, str]) -> None:
    """Mark members present; an absent member may carry a reason."""
    for row in appointment.attendance.select_for_update():
        row.present = row.person_id in present_ids
        row.absence_reason = "" if row.present else reasons.get(row.person_id, "")
        row.save(update_fields=["present", "absence_reason"])


def set_status(appointment: Appointment, status: str) -> None:
    if status not in Appointment.Status.values:
        raise BookingError("status", _("Unknown status: %(s)s") % {"s": status})
    appointment.status = status
    appointment.save(update_fields=["status"])


def interview_complete(case: Case) -> bool:
    """The case's resettlement interview is completed with every member present or an
    absence recorded with a reason (the guard in step 3 is to call this)."""
    done = case.appointments.filter(
        type_id=AppointmentType.RESETTLEMENT_INTERVIEW, status=Appointment.Status.COMPLETED
    )
    for appointment in done:
        rows = appointment.attendance.all()
        if all(r.present or r.absence_reason.strip() for r in rows):
            return True
    return False


CHANGEABLE = (Appointment.Status.PLANNED, Appointment.Status.REQUIRED)


@transaction.atomic
def appointment_change(
    *,
    appointment: Appointment,
    start: dt.datetime,
    end: dt.datetime,
    room: Room | None,
    interviewer,
    interpreter,
) -> Appointment:
    """Move a planned appointment (another time, room, interviewer or interpreter) under
    the rules of `book()`: nothing double-booked, nobody departed or removed. The new
    room is locked first (as in `book`), then the appointment; a refusal writes nothing."""
    if end <= start:
        raise BookingError("times", _("The end must be after the start."))
    if room is not None:
        Room.objects.select_for_update().get(pk=room.pk)
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status not in CHANGEABLE:
        raise BookingError(
            "status",
            _("Only a planned appointment can be changed; this one is %(s)s.")
            % {"s": appointment.get_status_display()},
        )
    members = [row.person for row in appointment.attendance.select_related("person")]
    _refuse_members(members)
    _refuse_clashes(start, end, members, room, interviewer, interpreter, exclude=appointment.pk)
    appointment.start, appointment.end = start, end
    appointment.room, appointment.interviewer, appointment.interpreter = (
        room,
        interviewer,
        interpreter,
    )
    appointment.status = Appointment.Status.PLANNED
    appointment.save(update_fields=["start", "end", "room", "interviewer", "interpreter", "status"])
    return appointment


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, reason: str) -> Appointment:
    """Cancel a planned appointment: it holds no slot any more (its room, interviewer,
    interpreter and members are free then). A reason is required."""
    if not reason.strip():
        raise BookingError("reason", _("Give the reason for cancelling."))
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status not in CHANGEABLE:
        raise BookingError(
            "status",
            _("Only a planned appointment can be cancelled; this one is %(s)s.")
            % {"s": appointment.get_status_display()},
        )
    appointment.status = Appointment.Status.CANCELLED
    appointment.save(update_fields=["status"])
    return appointment


# --- Languages spoken and the interpreter a person needs (the person page) -----------------

# ISO 639-1 or 639-3 code, optionally with a region or script subtag ("fa", "prs", "ar-iq").
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")


def _language(raw: str) -> str:
    code = (raw or "").strip().lower()
    if not LANGUAGE_CODE.match(code) or len(code) > 8:
        raise ValidationError(
            {
                "language": _(
                    "%(v)r is not a language code (ISO 639, two or three letters: fa, prs, ar)."
                )
                % {"v": code[:16]}
            }
        )
    return code


def _editable(actor, person: Person) -> None:
    policy.require(actor, "registry.edit")
    if person.removed_at is not None:
        raise ValidationError(
            {"person": _("%(p)s is removed from the registry.") % {"p": person.person_id}}
        )


def _spoken(person: Person) -> str:
    return ", ".join(
        f"{code} ({level})"
        for code, level in PersonLanguage.objects.filter(person=person).values_list(
            "language", "level"
        )
    )


@transaction.atomic
def person_language_set(*, actor, person: Person, language: str, level: str) -> PersonLanguage:
    """Records a language the person speaks, with its level (one level per language: a
    second entry for the same language changes its level). Audited on the person."""
    _editable(actor, person)
    code = _language(language)
    if level not in Level.values:
        raise ValidationError({"level": _("Choose the level: basic, good, fluent or native.")})
    person = Person.objects.select_for_update().get(pk=person.pk)
    before = _spoken(person)
    row, _created = PersonLanguage.objects.update_or_create(
        person=person, language=code, defaults={"level": level}
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="person",
        object_id=person.person_id,
        changes={"languages": [before, _spoken(person)]},
        detail=f"language spoken: {code} ({level})",
    )
    return row


@transaction.atomic
def person_language_remove(*, actor, person: Person, language: str) -> None:
    _editable(actor, person)
    code = _language(language)
    person = Person.objects.select_for_update().get(pk=person.pk)
    before = _spoken(person)
    deleted, _rows = PersonLanguage.objects.filter(person=person, language=code).delete()
    if not deleted:
        raise ValidationError(
            {
                "language": _("%(p)s has no language %(c)s recorded.")
                % {"p": person.person_id, "c": code}
            }
        )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="person",
        object_id=person.person_id,
        changes={"languages": [before, _spoken(person)]},
        detail=f"language removed: {code}",
    )


@transaction.atomic
def person_interpreter_need_set(*, actor, person: Person, language: str) -> InterpreterNeed | None:
    """ "Interpreter needed", into `language`; an empty language records that none is needed
    (the need is removed). Audited on the person with the language before and after."""
    _editable(actor, person)
    code = _language(language) if (language or "").strip() else ""
    person = Person.objects.select_for_update().get(pk=person.pk)
    need = InterpreterNeed.objects.filter(person=person).first()
    before = need.language if need else ""
    if before == code:
        return need
    if not code:
        InterpreterNeed.objects.filter(person=person).delete()
        need = None
    elif need is None:
        need = InterpreterNeed.objects.create(person=person, language=code)
    else:
        need.language = code
        need.save(update_fields=["language"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="person",
        object_id=person.person_id,
        changes={"interpreter_need": [before, code]},
        detail=f"interpreter needed: {code}" if code else "no interpreter needed",
    )
    return need


# --- Bulk management from the board: cancel, not required, move to another day ------------

BULK_ACTIONS = ("cancel", "not_required", "move")


@dataclass
class BulkRefusal:
    appointment: Appointment
    rule: str
    message: str

    def __str__(self) -> str:
        a = self.appointment
        when = timezone.localtime(a.start).strftime("%Y-%m-%d %H:%M") if a.start else "—"
        target = _target(a).public_id
        return _("Appointment %(id)s (%(target)s, %(when)s): refused (%(rule)s): %(m)s") % {
            "id": a.pk,
            "target": target,
            "when": when,
            "rule": self.rule,
            "m": self.message,
        }


def _target(a: Appointment) -> Case | Person:
    target = a.case or a.person
    assert target is not None  # the check constraint: a case or a person
    return target


class BulkRefused(ValueError):
    """Some of the appointments cannot be changed; nothing was. `.refusals` names each."""

    def __init__(self, refusals: list[BulkRefusal]):
        super().__init__("; ".join(str(r) for r in refusals))
        self.refusals = refusals


def _iso(when: dt.datetime | None) -> str | None:
    return timezone.localtime(when).isoformat() if when else None


def _moved_clash(one: Appointment, other: Appointment, members: dict) -> str:
    """The rule two moved appointments break by overlapping each other, or ""."""
    assert one.start and one.end and other.start and other.end  # moved: both have times
    if not (one.start < other.end and other.start < one.end):
        return ""
    if one.room_id and one.room_id == other.room_id:
        return "room"
    if one.interviewer_id and one.interviewer_id == other.interviewer_id:
        return "interviewer"
    if one.interpreter_id and one.interpreter_id == other.interpreter_id:
        return "interpreter"
    if members[one.pk] & members[other.pk]:
        return "person"
    return ""


@transaction.atomic
def appointments_bulk(
    *, actor, appointments: list[Appointment], action: str, reason: str = "", day=None
) -> list[Appointment]:
    """Several appointments at once, all or nothing: cancelled (with a reason), marked not
    required (with a reason), or moved to another day (same time of day, room, interviewer
    and interpreter; the rules of `book()`: nothing double-booked, against the rest of the
    schedule and among the moved themselves; nobody departed or removed). Only planned or
    required appointments change (rule `status`). Every refusal is collected and raised
    together as BulkRefused naming each appointment; then nothing is written. Each change
    writes an `update` audit entry on the case or person, in this transaction.

    Locks: the rooms of the moved appointments (by primary key, as `book` locks its room),
    then the appointments (by primary key)."""
    policy.require(actor, "interviews.book")
    reason = (reason or "").strip()[:255]
    if action not in BULK_ACTIONS:
        raise BookingError("action", _("Choose what to do with the selected appointments."))
    if not appointments:
        raise BookingError("selection", _("Select at least one appointment."))
    if action in ("cancel", "not_required") and not reason:
        raise BookingError("reason", _("Give the reason."))
    if action == "move" and day is None:
        raise BookingError("day", _("Choose the day to move them to."))
    pks = sorted({a.pk for a in appointments})
    if action == "move":
        rooms = sorted(
            set(
                Appointment.objects.filter(pk__in=pks, room__isnull=False).values_list(
                    "room_id", flat=True
                )
            )
        )
        list(Room.objects.select_for_update().filter(pk__in=rooms).order_by("pk"))
    locked = list(
        # Only the appointment rows: PostgreSQL locks no nullable side of an outer join.
        Appointment.objects.select_for_update(of=("self",))
        .filter(pk__in=pks)
        .select_related("case", "person", "room", "interviewer", "interpreter")
        .order_by("pk")
    )
    members = {
        a.pk: [row.person for row in a.attendance.select_related("person").order_by("person_id")]
        for a in locked
    }
    refusals: list[BulkRefusal] = []
    before = {a.pk: (a.status, a.start, a.end) for a in locked}
    for a in locked:
        if a.status not in CHANGEABLE:
            refusals.append(
                BulkRefusal(
                    a,
                    "status",
                    _("only a planned or required appointment changes; this one is %(s)s.")
                    % {"s": a.get_status_display().lower()},
                )
            )
            continue
        if action != "move":
            continue
        if a.start is None or a.end is None:
            refusals.append(BulkRefusal(a, "times", _("it has no time to move.")))
            continue
        local = timezone.localtime(a.start)
        if local.date() == day:
            refusals.append(BulkRefusal(a, "day", _("it is already on %(d)s.") % {"d": day}))
            continue
        start = timezone.make_aware(dt.datetime.combine(day, local.time()))
        end = start + (a.end - a.start)
        try:
            _refuse_members(members[a.pk])
            _refuse_clashes(
                start, end, members[a.pk], a.room, a.interviewer, a.interpreter, exclude=pks
            )
        except BookingError as exc:
            refusals.append(BulkRefusal(a, exc.rule, str(exc)))
            continue
        a.start, a.end = start, end
    if action == "move" and not refusals:
        people = {pk: {m.pk for m in ms} for pk, ms in members.items()}
        for i, one in enumerate(locked):
            for other in locked[i + 1 :]:
                rule = _moved_clash(one, other, people)
                if rule:
                    refusals.append(
                        BulkRefusal(
                            other,
                            rule,
                            _("it would overlap appointment %(o)s, also moved.") % {"o": one.pk},
                        )
                    )
    if refusals:
        raise BulkRefused(refusals)
    status = {
        "cancel": Appointment.Status.CANCELLED,
        "not_required": Appointment.Status.NOT_REQUIRED,
        "move": Appointment.Status.PLANNED,
    }[action]
    detail = {
        "cancel": "interview cancelled (bulk)",
        "not_required": "interview not required (bulk)",
        "move": "interview moved (bulk)",
    }[action]
    entries = []
    for a in locked:
        a.status = status
        old_status, old_start, old_end = before[a.pk]
        changes: dict = {"appointment": a.pk, "status": [old_status, status]}
        if action == "move":
            changes["start"] = [_iso(old_start), _iso(a.start)]
            changes["end"] = [_iso(old_end), _iso(a.end)]
        if reason:
            changes["reason"] = reason
        target = _target(a)
        entries.append(
            (AuditEntry.Action.UPDATE, target.audit_type, target.public_id, changes, detail)
        )
    Appointment.objects.bulk_update(locked, ["status", "start", "end"])
    audit_records(actor=actor, entries=entries)
    return locked
