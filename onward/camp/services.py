"""Allocating persons to units. Capacity is checked with the unit's row locked, so two
clerks allocating the last place at once cannot both win."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from onward.accounts.policy import can, require
from onward.audit.actor import acting_user
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record
from onward.camp.models import Allocation, Block, Site, Unit
from onward.registry.models import Person


def occupied_on(unit_id: int, day: dt.date) -> int:
    return (
        Allocation.objects.filter(unit_id=unit_id, starts_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        .count()
    )


def allocate(
    *,
    actor,
    person: Person,
    unit: Unit,
    on: dt.date,
    reason: str,
    override_reason: str = "",
) -> Allocation:
    """Allocate `person` to `unit` from `on`, ending any open allocation they hold (a move).
    Over capacity is refused unless the actor holds `camp.override` and gives a reason:
    the service asks the policy, so no caller can grant itself the override."""
    may_override = can(actor, "camp.override")
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason for the allocation."})
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.departure_date is not None:
            raise ValidationError(
                {"person": f"{person.person_id} departed on {person.departure_date}."}
            )
        if person.arrival_date and on < person.arrival_date:
            raise ValidationError(
                {"on": f"{person.person_id} arrived on {person.arrival_date}: not before."}
            )
        locked = Unit.objects.select_for_update().get(pk=unit.pk)
        if locked.status != Unit.Status.AVAILABLE:
            raise ValidationError({"unit": f"Unit {locked} is {locked.get_status_display()}."})
        current = Allocation.objects.filter(person=person, ended_on__isnull=True).first()
        if current is not None and current.unit_id == locked.pk:
            raise ValidationError({"unit": f"Already allocated to {locked}."})
        if occupied_on(locked.pk, on) >= locked.usable_capacity:
            if not may_override:
                raise ValidationError(
                    {"unit": f"Unit {locked} is full ({locked.usable_capacity} places)."}
                )
            if not override_reason.strip():
                raise ValidationError(
                    {
                        "override_reason": f"Unit {locked} is full "
                        f"({locked.usable_capacity} places): give the reason to override."
                    }
                )
        if current is not None:
            current.ended_on = on
            current.end_reason = f"moved: {reason}"
            current.save(update_fields=["ended_on", "end_reason"])
        return Allocation.objects.create(
            person=person,
            unit=locked,
            starts_on=on,
            reason=reason,
            override_reason=override_reason.strip() if may_override else "",
            recorded_by=acting_user(actor),
        )


def allocation_end(*, person: Person, on: dt.date, reason: str) -> int:
    """End the person's open allocation on `on` (a departure). Returns rows ended."""
    return Allocation.objects.filter(person=person, ended_on__isnull=True).update(
        ended_on=on, end_reason=reason
    )


# -- sites, blocks and units (the housing's shape; `camp.manage`) --------------------------


def _changes(obj, fields, before: dict) -> dict:
    return {
        f: [str(before.get(f, "")), str(getattr(obj, f))]
        for f in fields
        if str(before.get(f, "")) != str(getattr(obj, f))
    }


def _others(qs, obj):
    return qs.exclude(pk=obj.pk) if obj is not None else qs


def _code(value: str, field: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: f"Give the {what}."})
    return value


def site_save(*, actor, name: str, site: Site | None = None) -> Site:
    """Create a site, or rename `site`. Audited (create / update, the change)."""
    require(actor, "camp.manage")
    name = _code(name, "name", "site's name")
    with transaction.atomic():
        if _others(Site.objects.filter(name=name), site).exists():
            raise ValidationError({"name": f"A site is already named {name}."})
        before = {"name": site.name} if site else {}
        site = site or Site()
        site.name = name
        created = site.pk is None
        site.save()
        _audit_shape(actor, "site", site, created, _changes(site, ["name"], before))
    return site


def block_save(*, actor, code: str, site: Site | None = None, block: Block | None = None) -> Block:
    """Create a block in `site`, or recode `block` (its site does not change)."""
    require(actor, "camp.manage")
    code = _code(code, "code", "block's code")
    with transaction.atomic():
        site = block.site if block else site
        if site is None:
            raise ValidationError({"site": "Choose the site."})
        if _others(Block.objects.filter(site=site, code=code), block).exists():
            raise ValidationError({"code": f"{site} already has a block {code}."})
        before = {"code": block.code} if block else {}
        block = block or Block(site=site)
        block.code = code
        created = block.pk is None
        block.save()
        _audit_shape(actor, "block", block, created, _changes(block, ["code"], before))
    return block


def occupied_from(unit_id: int, day: dt.date) -> int:
    """The allocations of a unit not ended by `day`: who lives there now or is due to."""
    return (
        Allocation.objects.filter(unit_id=unit_id)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        .count()
    )


UNIT_FIELDS = ["code", "capacity", "blocked_capacity", "status"]


def unit_save(
    *,
    actor,
    code: str,
    capacity: int,
    blocked_capacity: int = 0,
    status: str = Unit.Status.AVAILABLE,
    block: Block | None = None,
    unit: Unit | None = None,
) -> Unit:
    """Create a unit in `block`, or change `unit`. With the unit's row locked (an
    allocation in flight waits): refused, naming the unit, a capacity below the persons
    allocated there, blocked places over the capacity or over its free places, and
    closing a unit someone lives in. Nothing is written when refused."""
    require(actor, "camp.manage")
    code = _code(code, "code", "unit's code")
    if status not in Unit.Status.values:
        raise ValidationError({"status": f"One of: {', '.join(Unit.Status.values)}."})
    if capacity is None or capacity < 0:
        raise ValidationError({"capacity": "Give the capacity (places, 0 or more)."})
    blocked_capacity = blocked_capacity or 0
    if blocked_capacity < 0:
        raise ValidationError({"blocked_capacity": "Blocked places: 0 or more."})
    with transaction.atomic():
        if unit is not None:
            unit = Unit.objects.select_for_update().select_related("block").get(pk=unit.pk)
        block = unit.block if unit else block
        if block is None:
            raise ValidationError({"block": "Choose the block."})
        name = f"{block.code}/{code}"
        if blocked_capacity > capacity:
            raise ValidationError(
                {
                    "blocked_capacity": f"Unit {name}: {blocked_capacity} blocked places are "
                    f"more than its capacity ({capacity})."
                }
            )
        if _others(Unit.objects.filter(block=block, code=code), unit).exists():
            raise ValidationError({"code": f"Block {block.code} already has a unit {code}."})
        if unit is not None:
            occupied = occupied_from(unit.pk, timezone.localdate())
            if capacity < occupied:
                raise ValidationError(
                    {
                        "capacity": f"Unit {name} has {occupied} persons allocated: "
                        f"its capacity cannot be {capacity}."
                    }
                )
            if capacity - blocked_capacity < occupied:
                raise ValidationError(
                    {
                        "blocked_capacity": f"Unit {name} has {occupied} persons allocated: "
                        f"only {capacity - occupied} of its {capacity} places can be blocked."
                    }
                )
            if status == Unit.Status.CLOSED and occupied:
                raise ValidationError(
                    {
                        "status": f"Unit {name} has {occupied} persons allocated: move them "
                        "before closing it."
                    }
                )
        before = {f: getattr(unit, f) for f in UNIT_FIELDS} if unit else {}
        unit = unit or Unit(block=block)
        unit.code, unit.capacity = code, capacity
        unit.blocked_capacity, unit.status = blocked_capacity, status
        created = unit.pk is None
        unit.save()
        _audit_shape(actor, "unit", unit, created, _changes(unit, UNIT_FIELDS, before))
    return unit


def _audit_shape(actor, object_type: str, obj, created: bool, changes: dict) -> None:
    if not created and not changes:
        return
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
        object_type=object_type,
        object_id=obj.pk,
        changes=changes,
        detail=f"housing {object_type} {obj}",
    )
