"""Writes to the registry: every create and edit of a person or a case goes through here.

Each function is atomic, locks what it reads before writing (Zulip's rule), refuses a
stale edit (optimistic locking on `version`), and writes its audit entry in the same
transaction. Bad input raises `ValidationError` with every field at fault at once and
changes nothing.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from onward.accounts.policy import require
from onward.audit.actor import acting_user
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record
from onward.registry import validation
from onward.registry.models import Case, Counter, Note, Person, SpecificNeed
from onward.registry.search import person_search_keys
from onward.registry.snapshot import person_snapshot
from onward.vault.fields import Unreadable, hide_encrypted

PERSON_FIELDS = (
    "relationship",
    "given_name",
    "family_name",
    "father_name",
    "given_name_arabic",
    "family_name_arabic",
    "sex",
    "birth_date",
    "nationality",
    "document_number",
    "phone",
    "specific_needs",
    "needs_detail",
)
_TEXT_FIELDS = {"given_name": 100, "family_name": 100, "father_name": 100, "document_number": 40}
NEEDS_DETAIL_MAX = 2000
ENCRYPTED_FIELDS = ("document_number", "phone", "needs_detail")


class StaleEdit(Exception):
    """The record changed since the user opened it; their edit would overwrite it."""


def _next_id(prefix: str, width: int) -> str:
    counter, _created = Counter.objects.select_for_update().get_or_create(prefix=prefix)
    Counter.objects.filter(prefix=prefix).update(value=F("value") + 1)
    return f"{prefix}{counter.value + 1:0{width}d}"


def new_case_id() -> str:
    """The next case id (inside the caller's transaction: the counter row stays locked)."""
    return _next_id("C", 5)


def counters_sync() -> None:
    """After a bulk load with given ids, move the counters past the highest id taken."""
    for prefix, model, field in (("C", Case, "case_id"), ("P", Person, "person_id")):
        highest = 0
        for value in (
            model.objects.filter(**{f"{field}__startswith": prefix})
            .values_list(field, flat=True)
            .iterator()
        ):
            digits = value[len(prefix) :]
            if digits.isdigit():
                highest = max(highest, int(digits))
        Counter.objects.update_or_create(prefix=prefix, defaults={"value": highest})


def clean_person_fields(data: dict, *, partial: bool = False) -> dict:
    """Raw values (text from a form, an API body or a CSV row) -> clean model values.

    Collects every error before raising, so the user fixes them all in one go.
    """
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    known_needs = set(SpecificNeed.objects.filter(active=True).values_list("code", flat=True))
    parsers = {
        "relationship": validation.parse_relationship,
        "sex": validation.parse_sex,
        "nationality": validation.parse_nationality,
        "phone": validation.parse_phone,
        "needs_detail": _free_text,
        "given_name_arabic": validation.parse_arabic_name,
        "family_name_arabic": validation.parse_arabic_name,
        "specific_needs": lambda v: validation.parse_specific_needs(v, known=known_needs),
    }
    for field in PERSON_FIELDS:
        if field not in data:
            continue
        raw = data[field]
        try:
            if field == "birth_date":
                clean["birth_date"], clean["birth_precision"] = _birth_date(raw)
            elif field in parsers:
                clean[field] = parsers[field](raw)
            else:
                clean[field] = _text(field, raw)
            if field in ENCRYPTED_FIELDS:
                validation.refuse_unreadable(clean[field])
        except ValueError as exc:
            errors[field] = str(exc)
    if not partial:
        for required in ("given_name", "relationship"):
            if not data.get(required) and required not in errors:
                errors[required] = _("This field is required.")
    if "given_name" in clean and not clean["given_name"] and "given_name" not in errors:
        errors["given_name"] = _("A person needs a given name.")
    if errors:
        raise ValidationError(errors)
    return clean


def _birth_date(raw) -> tuple[dt.date | None, str]:
    if isinstance(raw, dt.date):
        return raw, "D"
    return validation.parse_birth_date(str(raw or ""))


def _free_text(raw) -> str:
    """Free text keeps its lines (the details of a person's needs are written as notes)."""
    value = "\n".join(line.rstrip() for line in str(raw or "").strip().splitlines())
    if len(value) > NEEDS_DETAIL_MAX:
        raise ValueError(_("At most %(max)s characters.") % {"max": NEEDS_DETAIL_MAX})
    return value


def _text(field: str, raw) -> str:
    return validation.parse_line(raw, limit=_TEXT_FIELDS.get(field, 255))


def _arrival(value) -> dt.date | None:
    try:
        return validation.parse_arrival_date(value)
    except ValueError as exc:
        raise ValidationError({"arrival_date": str(exc)}) from None


def _refuse_second_principal(case: Case, exclude_pk: int | None = None) -> None:
    others = case.members.filter(relationship="principal")
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    principal = others.first()
    if principal is not None:
        raise ValidationError(
            {
                "relationship": _(
                    "Case %(case)s already has a principal applicant "
                    "(%(person)s); a case has exactly one."
                )
                % {"case": case.case_id, "person": principal.person_id}
            }
        )


@transaction.atomic
def case_create(*, actor, principal: dict, arrival_date: dt.date | None = None) -> Case:
    """A new case with its principal applicant, in one step: a case never exists without
    exactly one principal."""
    require(actor, "registry.create")
    arrival_date = _arrival(arrival_date)
    fields = clean_person_fields({**principal, "relationship": "principal"})
    case = Case.objects.create(case_id=_next_id("C", 5), arrival_date=arrival_date)
    # No arrival date typed is no change: the log would show "arrival_date: ∅ → ∅".
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="case",
        object_id=case.case_id,
        changes={"arrival_date": ["", str(arrival_date)]} if arrival_date else {},
    )
    _person_insert(actor=actor, case=case, fields=fields, arrival_date=arrival_date)
    return case


@transaction.atomic
def person_add(*, actor, case: Case, person: dict) -> Person:
    """Adds a member to an open case. A second principal is refused."""
    require(actor, "registry.create")
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.removed_at:
        raise ValidationError(
            {"case": _("Case %(case)s is removed: restore it first.") % {"case": case.case_id}}
        )
    if case.status != Case.Status.OPEN:
        raise ValidationError(
            {"case": _("Case %(case)s is closed: reopen it first.") % {"case": case.case_id}}
        )
    fields = clean_person_fields(person)
    if fields["relationship"] == "principal":
        _refuse_second_principal(case)
    return _person_insert(actor=actor, case=case, fields=fields, arrival_date=case.arrival_date)


def _person_insert(*, actor, case: Case, fields: dict, arrival_date) -> Person:
    """Registers a person and their arrival in the population ledger, together."""
    from onward.movements.ledger import ledger_arrival

    needs = fields.pop("specific_needs", [])
    # A person whose arrival date is unknown joins the population on the day registered.
    person = Person(
        person_id=_next_id("P", 6),
        case=case,
        arrival_date=arrival_date or timezone.localdate(),
        **fields,
    )
    person.search_keys = person_search_keys(person)
    person.save(force_insert=True)
    person.specific_needs.set(needs)
    ledger_arrival(person=person, actor=actor)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="person",
        object_id=person.person_id,
        changes=hide_encrypted(
            Person, {k: ["", v] for k, v in person_snapshot(person).items() if v}
        ),
        detail=f"in case {case.case_id}",
    )
    return person


@transaction.atomic
def person_update(*, actor, person: Person, expected_version: int, changes: dict) -> Person:
    """Applies an edit if nobody changed the person since `expected_version`.

    A stale edit raises `StaleEdit` and changes nothing: it never silently overwrites.
    Only the fields that really change are written and audited (old and new values).
    """
    require(actor, "registry.edit")
    locked = Person.objects.select_for_update().get(pk=person.pk)
    if locked.version != expected_version:
        raise StaleEdit(
            _(
                "%(record)s was changed by someone else since you opened it "
                "(version %(expected)s, now %(version)s). Reload it and apply "
                "your change again."
            )
            % {"record": locked.person_id, "expected": expected_version, "version": locked.version}
        )
    if locked.removed_at:
        raise ValidationError(
            {"person": _("%(person)s is removed: restore it first.") % {"person": locked.person_id}}
        )
    if locked.anonymised_at:
        # Retention ended this identity by rule: writing names back would undo it.
        raise ValidationError(
            {
                "person": _("%(person)s was anonymised by retention; it cannot be edited.")
                % {"person": locked.person_id}
            }
        )
    # A value shown as unreadable (its key not loaded) and sent back unchanged is not an
    # edit: the other fields can still be corrected, and the stored value stays as it is.
    changes = {
        k: v
        for k, v in changes.items()
        if not (
            k in ENCRYPTED_FIELDS
            and isinstance(getattr(locked, k), Unreadable)
            and v == getattr(locked, k)
        )
    }
    clean = clean_person_fields(changes, partial=True)
    if clean.get("relationship") == "principal" and locked.relationship != "principal":
        _refuse_second_principal(locked.case, exclude_pk=locked.pk)
    if locked.relationship == "principal" and clean.get("relationship", "principal") != "principal":
        raise ValidationError(
            {
                "relationship": _(
                    "This person is the case's principal applicant; a case needs exactly one. "
                    "Make another member principal first."
                )
            }
        )
    before = person_snapshot(locked)
    needs = clean.pop("specific_needs", None)
    for field, value in clean.items():
        setattr(locked, field, value)
    if needs is not None:
        locked.specific_needs.set(needs)
    after = person_snapshot(locked)
    diff = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if not diff:
        return locked
    locked.version += 1
    locked.search_keys = person_search_keys(locked)
    locked.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="person",
        object_id=locked.person_id,
        changes=hide_encrypted(Person, diff),
    )
    return locked


@transaction.atomic
def case_update(
    *, actor, case: Case, expected_version: int, arrival_date=None, status: str | None = None
) -> Case:
    require(actor, "registry.edit")
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.version != expected_version:
        raise StaleEdit(
            _(
                "%(record)s was changed by someone else since you opened it. "
                "Reload it and apply your change again."
            )
            % {"record": locked.case_id}
        )
    if locked.removed_at:
        raise ValidationError(
            {"case": _("Case %(case)s is removed: restore it first.") % {"case": locked.case_id}}
        )
    diff = {}
    arrival_date = _arrival(arrival_date)
    if arrival_date != locked.arrival_date:
        diff["arrival_date"] = [str(locked.arrival_date or ""), str(arrival_date or "")]
        locked.arrival_date = arrival_date
    if status and status != locked.status:
        if status not in Case.Status.values:
            raise ValidationError(
                {"status": _("%(status)r is not a case status.") % {"status": status}}
            )
        diff["status"] = [locked.status, status]
        locked.status = status
    if diff:
        locked.version += 1
        locked.save()
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="case",
            object_id=locked.case_id,
            changes=diff,
        )
    return locked


@transaction.atomic
def note_add(*, actor, case: Case, text: str, kind: str = Note.Kind.GENERAL) -> Note:
    require(actor, "protection_notes.add" if kind == Note.Kind.PROTECTION else "notes.add")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("A note needs some text.")})
    note = Note.objects.create(case=case, kind=kind, text=text, author=actor)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="case",
        object_id=case.case_id,
        detail=f"{kind} note added",
    )
    return note


# --- Removal: a recorded, reversible status, never a deletion ------------------------------

REMOVAL_REASON_MAX = 255


def _removal_reason(reason, *, required: bool) -> str:
    reason = " ".join(str(reason or "").split())
    if required and not reason:
        raise ValidationError({"reason": _("Say why (for example: registered in error).")})
    if len(reason) > REMOVAL_REASON_MAX:
        raise ValidationError(
            {"reason": _("At most %(max)s characters.") % {"max": REMOVAL_REASON_MAX}}
        )
    return reason


def _check_version(obj, expected_version: int) -> None:
    if obj.version != expected_version:
        raise StaleEdit(
            _(
                "%(record)s was changed by someone else since you opened it "
                "(version %(expected)s, now %(version)s). Reload it and try again."
            )
            % {"record": obj.public_id, "expected": expected_version, "version": obj.version}
        )


def _open_submission_error(case: Case) -> str | None:
    from onward.relocation.models import Submission

    sub = (
        Submission.objects.filter(case=case, decision__in=["", "accepted"])
        .select_related("pledge")
        .first()
    )
    if sub is None:
        return None
    return _("Case %(case)s has an open submission (to %(pledge)s): withdraw it first.") % {
        "case": case.case_id,
        "pledge": sub.pledge,
    }


def _refuse_removal(person: Person) -> str | None:
    """Why this member cannot leave the registry on their own, if they cannot."""
    if person.removed_at:
        return _("%(person)s is already removed.") % {"person": person.person_id}
    if person.merged_into_id:
        return _("%(person)s is a merged duplicate record: undo the merge instead.") % {
            "person": person.person_id
        }
    if person.departure_date:
        # Their stay is history the figures rely on: a wrong departure is corrected first.
        return _("%(person)s departed on %(date)s (%(type)s): correct that departure first.") % {
            "person": person.person_id,
            "date": person.departure_date,
            "type": person.departure_type,
        }
    return None


def _remove(*, actor, person: Person, reason: str, at, detail: str) -> None:
    """Takes a locked, checked person out: the status, a ledger correction that takes them
    out of every date's population (as if never registered), and the audit entry."""
    from onward.movements.ledger import ledger_uncount

    person.removed_at, person.removed_by, person.removed_reason = at, acting_user(actor), reason
    person.version += 1
    person.save(
        update_fields=["removed_at", "removed_by", "removed_reason", "version", "updated_at"]
    )
    ledger_uncount(person=person, actor=actor, note=f"removed: {reason}")
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="person",
        object_id=person.person_id,
        changes={"removed": ["", reason]},
        detail=detail[:255],
    )


def _restore(*, actor, person: Person, reason: str, detail: str) -> None:
    from onward.movements.ledger import ledger_recount

    before = person.removed_reason
    person.removed_at, person.removed_by, person.removed_reason = None, None, ""
    person.version += 1
    person.save(
        update_fields=["removed_at", "removed_by", "removed_reason", "version", "updated_at"]
    )
    ledger_recount(person=person, actor=actor, note="restored" + (f": {reason}" if reason else ""))
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="person",
        object_id=person.person_id,
        changes={"removed": [before, ""]},
        detail=detail[:255],
    )


@transaction.atomic
def person_remove(*, actor, person: Person, expected_version: int, reason: str) -> Person:
    """Removes a person registered in error, with the reason; nothing is deleted.

    Keeps the population invariant: the person leaves lists, search, dedup, matching and
    the registry's count of persons present, and in the same transaction the ledger gets
    a correction reversing their arrival (dated like it), so every date's population drops
    by one exactly where the person had been counted. `person_restore` undoes both.
    Refused: a stale version, a principal applicant (remove the case), a departed or
    merged person, a member of a removed case or of a case with an open submission."""
    require(actor, "registry.remove")
    reason = _removal_reason(reason, required=True)
    case = Case.objects.select_for_update().get(pk=person.case_id)  # the case, then its member
    locked = Person.objects.select_for_update().get(pk=person.pk)
    _check_version(locked, expected_version)
    refusal = _refuse_removal(locked)
    if refusal is None and locked.relationship == "principal":
        refusal = _(
            "%(person)s is the principal applicant of case %(case)s: "
            "remove the whole case, or make another member principal first."
        ) % {"person": locked.person_id, "case": case.case_id}
    refusal = refusal or _open_submission_error(case)
    if refusal:
        raise ValidationError({"person": refusal})
    _remove(
        actor=actor, person=locked, reason=reason, at=timezone.now(), detail=f"removed: {reason}"
    )
    return locked


@transaction.atomic
def person_restore(*, actor, person: Person, expected_version: int, reason: str = "") -> Person:
    """Undoes `person_remove`: the person is back in lists and search, and a correction
    reverses the removal's correction, so every date's population is as before. A member
    removed with their case comes back with the case (`case_restore`)."""
    require(actor, "registry.remove")
    reason = _removal_reason(reason, required=False)
    case = Case.objects.select_for_update().get(pk=person.case_id)
    locked = Person.objects.select_for_update().get(pk=person.pk)
    _check_version(locked, expected_version)
    if not locked.removed_at:
        raise ValidationError(
            {"person": _("%(person)s is not removed.") % {"person": locked.person_id}}
        )
    if case.removed_at:
        raise ValidationError(
            {
                "person": _(
                    "Case %(case)s is removed: restore the case, which brings its members back."
                )
                % {"case": case.case_id}
            }
        )
    if case.status != Case.Status.OPEN:
        raise ValidationError(
            {"person": _("Case %(case)s is closed: reopen it first.") % {"case": case.case_id}}
        )
    _restore(
        actor=actor,
        person=locked,
        reason=reason,
        detail="restored" + (f": {reason}" if reason else ""),
    )
    return locked


@transaction.atomic
def case_remove(*, actor, case: Case, expected_version: int, reason: str) -> Case:
    """Removes a case registered in error with all its current members, with the reason;
    nothing is deleted. Each member is removed as by `person_remove` (status, ledger
    correction, audit entry), all stamped with the case's removal time so that
    `case_restore` brings back exactly these members. Refused: a stale version, a case
    with an open submission, a member who departed."""
    require(actor, "registry.remove")
    reason = _removal_reason(reason, required=True)
    locked = Case.objects.select_for_update().get(pk=case.pk)
    _check_version(locked, expected_version)
    if locked.removed_at:
        raise ValidationError(
            {"case": _("Case %(case)s is already removed.") % {"case": locked.case_id}}
        )
    members = list(
        Person.objects.select_for_update()
        .filter(case=locked, merged_into__isnull=True, removed_at__isnull=True)
        .order_by("pk")
    )
    refusals = [r for r in map(_refuse_removal, members) if r]
    refusal = _open_submission_error(locked) or " ".join(refusals)
    if refusal:
        raise ValidationError({"case": refusal})
    now = timezone.now()
    locked.removed_at, locked.removed_by, locked.removed_reason = now, acting_user(actor), reason
    locked.version += 1
    locked.save(
        update_fields=["removed_at", "removed_by", "removed_reason", "version", "updated_at"]
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="case",
        object_id=locked.case_id,
        changes={"removed": ["", reason]},
        detail=f"removed with {len(members)} members: {reason}"[:255],
    )
    for member in members:
        _remove(
            actor=actor,
            person=member,
            reason=reason,
            at=now,
            detail=f"removed with case {locked.case_id}: {reason}",
        )
    return locked


@transaction.atomic
def case_restore(*, actor, case: Case, expected_version: int, reason: str = "") -> Case:
    """Undoes `case_remove`: the case and the members removed with it come back, each with
    a ledger correction. Members removed on their own before stay removed."""
    require(actor, "registry.remove")
    reason = _removal_reason(reason, required=False)
    locked = Case.objects.select_for_update().get(pk=case.pk)
    _check_version(locked, expected_version)
    if not locked.removed_at:
        raise ValidationError(
            {"case": _("Case %(case)s is not removed.") % {"case": locked.case_id}}
        )
    members = list(
        Person.objects.select_for_update()
        .filter(case=locked, removed_at=locked.removed_at)
        .order_by("pk")
    )
    before = locked.removed_reason
    locked.removed_at, locked.removed_by, locked.removed_reason = None, None, ""
    locked.version += 1
    locked.save(
        update_fields=["removed_at", "removed_by", "removed_reason", "version", "updated_at"]
    )
    suffix = f": {reason}" if reason else ""
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="case",
        object_id=locked.case_id,
        changes={"removed": [before, ""]},
        detail=f"restored with {len(members)} members{suffix}"[:255],
    )
    for member in members:
        _restore(
            actor=actor,
            person=member,
            reason=reason,
            detail=f"restored with case {locked.case_id}{suffix}",
        )
    return locked
