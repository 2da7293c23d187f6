"""Writes of the incidents app: incidents, claims, victims, protection requests.

Invariants kept here: a claim is never overwritten by another (each source's figures
stay as it gave them, "not given" stays null); a victim killed is recorded as deceased
in the population ledger once, through the movements services, whatever the number of
claims or links; a protection request's every status change is kept in its history.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onward import bounds
from onward.accounts.policy import require
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record
from onward.incidents.models import (
    Claim,
    Incident,
    ProtectionRequest,
    ProtectionRequestEvent,
    Victim,
)
from onward.registry.models import Person
from onward.registry.services import StaleEdit


def _text(data: dict, field: str, errors: dict, *, required=False, limit=None) -> str:
    value = str(data.get(field) or "").strip()
    if required and not value:
        errors[field] = _("This field is required.")
    elif limit and len(value) > limit:
        errors[field] = _("At most %(limit)s characters.") % {"limit": limit}
    return value


def _date(
    data: dict, field: str, errors: dict, *, required=True, check=bounds.check_event_date
) -> dt.date | None:
    """A date within its bounds (onward/bounds.py: an event's by default)."""
    value = data.get(field)
    if value in (None, ""):
        if required:
            errors[field] = _("This field is required.")
        return None
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value))
        except ValueError:
            errors[field] = _("A date as YYYY-MM-DD.")
            return None
    try:
        return check(value)
    except ValueError as exc:
        errors[field] = str(exc)
        return None


def _count(data: dict, field: str, errors: dict) -> int | None:
    """A figure: a whole number, or empty for "not given" (which is not 0)."""
    value = data.get(field)
    if value in (None, ""):
        return None
    try:
        n = int(value)
    except (TypeError, ValueError, OverflowError):
        errors[field] = _("A whole number, or empty when the source gave none.")
        return None
    if n < 0:
        errors[field] = _("A figure cannot be negative.")
    elif n > bounds.COUNT_MAX:
        errors[field] = _("At most %(COUNT_MAX)s.") % {"COUNT_MAX": f"{bounds.COUNT_MAX:,}"}
    return n


def _occurred_at(data: dict, errors: dict):
    value = data.get("occurred_at")
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime.combine(value, dt.time(0, 0))
    else:
        try:
            parsed = dt.datetime.fromisoformat(str(value or "").strip())
        except ValueError:
            errors["occurred_at"] = _("A date (YYYY-MM-DD) or a date and time (YYYY-MM-DD HH:MM).")
            return None
    try:
        # Before any time-zone arithmetic: 0001-01-01 00:00 in UTC+3 is no date at all.
        bounds.check_event_date(parsed.date())
    except ValueError as exc:
        errors["occurred_at"] = str(exc)
        return None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _incident_fields(data: dict) -> dict:
    errors: dict = {}
    fields = {
        "occurred_at": _occurred_at(data, errors),
        "type": _text(data, "type", errors, required=True),
        "place": _text(data, "place", errors, limit=200),
        "description": _text(data, "description", errors),
        "within_site": bool(data.get("within_site", True)),
        "time_known": bool(data.get("time_known", True)),
        "date_precision": data.get("date_precision") or "D",
    }
    if fields["type"] and fields["type"] not in Incident.Type.values:
        errors["type"] = _("One of: %(items)s.") % {"items": ", ".join(Incident.Type.values)}
    if fields["date_precision"] not in ("D", "M"):
        errors["date_precision"] = _("D (a day) or M (a month).")
    if not fields["within_site"] and not fields["place"]:
        errors["place"] = _("Say where the incident happened when it was not at the site.")
    if fields["occurred_at"] and fields["occurred_at"] > timezone.now():
        errors["occurred_at"] = _("An incident is recorded once it happened.")
    if errors:
        raise ValidationError(errors)
    return fields


@transaction.atomic
def incident_create(*, actor, data: dict) -> Incident:
    require(actor, "incidents.record")
    incident = Incident.objects.create(recorded_by=actor, **_incident_fields(data))
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="incident",
        object_id=incident.pk,
        detail=str(incident),
    )
    return incident


@transaction.atomic
def claim_add(*, actor, incident: Incident, data: dict) -> Claim:
    """Adds one source's statement; the figures of other claims are left as they are."""
    require(actor, "incidents.record")
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    errors: dict = {}
    fields: dict[str, Any] = {  # keyword arguments of Claim, of several types
        "source": _text(data, "source", errors, required=True, limit=200),
        "cites": _text(data, "cites", errors, limit=200),
        "stated_on": _date(data, "stated_on", errors),
        "figures_text": _text(data, "figures_text", errors, limit=200),
        "summary": _text(data, "summary", errors),
        "publication": _text(data, "publication", errors, limit=300),
        "official": bool(data.get("official", False)),
        **{f: _count(data, f, errors) for f in Claim.FIGURES},
    }
    if fields["stated_on"] and fields["stated_on"] < timezone.localtime(
        incident.occurred_at
    ).date().replace(day=1):
        errors["stated_on"] = _("A statement about an incident comes after it.")
    if errors:
        raise ValidationError(errors)
    claim = Claim.objects.create(incident=incident, recorded_by=actor, **fields)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="incident",
        object_id=incident.pk,
        detail=f"claim by {claim.source}",
        changes={
            f: ["", str(getattr(claim, f))] for f in Claim.FIGURES if getattr(claim, f) is not None
        },
    )
    return claim


@transaction.atomic
def victim_link(*, actor, incident: Incident, person: Person, outcome: str) -> Victim:
    """Links a person to an incident as killed or injured. Killed: the person departs as
    deceased on the incident's date, once (`death_record_once`): linking them again, to
    this incident or another, writes nothing more to the ledger."""
    from onward.movements.services import death_record_once

    require(actor, "incidents.record")
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if outcome not in Victim.Outcome.values:
        raise ValidationError({"outcome": _("killed or injured.")})
    existing = Victim.objects.filter(incident=incident, person=person).first()
    if existing and existing.outcome == outcome:
        return existing
    if existing:
        raise ValidationError(
            {
                "person": _("%(person)s is already linked to this incident as %(outcome)s.")
                % {"person": person.person_id, "outcome": existing.outcome}
            }
        )
    entry = None
    if outcome == Victim.Outcome.KILLED:
        day = timezone.localtime(incident.occurred_at).date()
        try:
            entry = death_record_once(
                actor=actor,
                person=person,
                on=day,
                note=f"killed in incident {incident.pk} ({incident})",
            )
        except ValidationError as exc:
            raise ValidationError({"person": exc.messages}) from exc
    try:
        with transaction.atomic():
            victim = Victim.objects.create(
                incident=incident,
                person=person,
                outcome=outcome,
                ledger_entry=entry,
                linked_by=actor,
            )
    except IntegrityError as exc:  # a concurrent identical link
        raise ValidationError({"person": _("Already linked.")}) from exc
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="incident",
        object_id=incident.pk,
        detail=f"victim {person.person_id} ({outcome})",
    )
    return victim


def _request_fields(data: dict, errors: dict) -> dict:
    return {
        "authority": _text(data, "authority", errors, required=True, limit=200),
        "request": _text(data, "request", errors, required=True),
        "requested_on": _date(data, "requested_on", errors),
        "follow_up_on": _date(
            data, "follow_up_on", errors, required=False, check=bounds.check_planned_date
        ),
    }


@transaction.atomic
def protection_request_create(*, actor, data: dict, incidents=()) -> ProtectionRequest:
    require(actor, "incidents.record")
    errors: dict = {}
    fields = _request_fields(data, errors)
    if (
        fields["follow_up_on"]
        and fields["requested_on"]
        and fields["follow_up_on"] < fields["requested_on"]
    ):
        errors["follow_up_on"] = _("A follow-up comes after the request.")
    if errors:
        raise ValidationError(errors)
    pr = ProtectionRequest.objects.create(created_by=actor, **fields)
    pr.incidents.set(list(incidents))
    ProtectionRequestEvent.objects.create(
        protection_request=pr,
        status_to=pr.status,
        on=pr.requested_on,
        follow_up_on=pr.follow_up_on,
        note="requested",
        by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="protection_request",
        object_id=pr.pk,
        detail=f"to {pr.authority}",
    )
    return pr


@transaction.atomic
def protection_request_update(
    *,
    actor,
    protection_request: ProtectionRequest,
    expected_version: int,
    status: str,
    on,
    note: str = "",
    follow_up_on=None,
) -> ProtectionRequest:
    """A status change (or a new follow-up date), kept in the request's history."""
    require(actor, "incidents.record")
    pr = ProtectionRequest.objects.select_for_update().get(pk=protection_request.pk)
    if pr.version != expected_version:
        raise StaleEdit(
            _(
                "This request was changed by someone else since you opened it. Reload it and apply your change again."
            )
        )
    errors: dict = {}
    day = _date({"on": on}, "on", errors)
    follow = _date(
        {"follow_up_on": follow_up_on},
        "follow_up_on",
        errors,
        required=False,
        check=bounds.check_planned_date,
    )
    if status not in ProtectionRequest.Status.values:
        errors["status"] = _("One of: %(items)s.") % {
            "items": ", ".join(ProtectionRequest.Status.values)
        }
    if day and day < pr.requested_on:
        errors["on"] = _("A change comes after the request.")
    if errors:
        raise ValidationError(errors)
    assert day is not None  # required: a missing or bad date is in errors
    event = ProtectionRequestEvent.objects.create(
        protection_request=pr,
        status_from=pr.status,
        status_to=status,
        on=day,
        follow_up_on=follow,
        note=str(note or "").strip(),
        by=actor,
    )
    changes = {"status": [pr.status, status]} if status != pr.status else {}
    if follow != pr.follow_up_on:
        changes["follow_up_on"] = [str(pr.follow_up_on or ""), str(follow or "")]
    pr.status, pr.follow_up_on, pr.version = status, follow, pr.version + 1
    pr.save(update_fields=["status", "follow_up_on", "version"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="protection_request",
        object_id=pr.pk,
        changes=changes,
        detail=event.note[:255],
    )
    return pr
