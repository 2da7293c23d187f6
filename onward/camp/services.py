"""Allocating persons to units. Capacity is checked with the unit's row locked, so two
clerks allocating the last place at once cannot both win."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
        raise ValidationError({"reason": _("Give the reason for the allocation.")})
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.departure_date is not None:
            raise ValidationError(
                {
                    "person": _("%(person)s departed on %(date)s.")
                    % {"person": person.person_id, "date": person.departure_date}
                }
            )
        if person.arrival_date and on < person.arrival_date:
            raise ValidationError(
                {
                    "on": _("%(person)s arrived on %(date)s: not before.")
                    % {"person": person.person_id, "date": person.arrival_date}
                }
            )
        locked = Unit.objects.select_for_update().get(pk=unit.pk)
        if locked.status != Unit.Status.AVAILABLE:
            raise ValidationError(
                {
                    "unit": _("Unit %(unit)s is %(status)s.")
                    % {"unit": locked, "status": locked.get_status_display()}
                }
            )
        current = Allocation.objects.filter(person=person, ended_on__isnull=True).first()
        if current is not None and current.unit_id == locked.pk:
            raise ValidationError({"unit": _("Already allocated to %(unit)s.") % {"unit": locked}})
        if occupied_on(locked.pk, on) >= locked.usable_capacity:
            if not may_override:
                raise ValidationError(
                    {
                        "unit": ngettext(
                            "Unit %(unit)s is full (%(places)s place).",
                            "Unit %(unit)s is full (%(places)s places).",
                            locked.usable_capacity,
                        )
                        % {"unit": locked, "places": locked.usable_capacity}
                    }
                )
            if not override_reason.strip():
                raise ValidationError(
                    {
                        "override_reason": ngettext(
                            "Unit %(unit)s is full (%(places)s place): give the reason to override.",
                            "Unit %(unit)s is full (%(places)s places): give the reason to override.",
                            locked.usable_capacity,
                        )
                        % {"unit": locked, "places": locked.usable_capacity}
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


def _code(value: str, field: str, missing: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: missing})
    return value


def site_save(*, actor, name: str, site: Site | None = None) -> Site:
    """Create a site, or rename `site`. Audited (create / update, the change)."""
    require(actor, "camp.manage")
    name = _code(name, "name", _("Give the site's name."))
    with transaction.atomic():
        if _others(Site.objects.filter(name=name), site).exists():
            raise ValidationError({"name": _("A site is already named %(name)s.") % {"name": name}})
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
    code = _code(code, "code", _("Give the block's code."))
    with transaction.atomic():
        site = block.site if block else site
        if site is None:
            raise ValidationError({"site": _("Choose the site.")})
        if _others(Block.objects.filter(site=site, code=code), block).exists():
            raise ValidationError(
                {"code": _("%(site)s already has a block %(code)s.") % {"site": site, "code": code}}
            )
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
    code = _code(code, "code", _("Give the unit's code."))
    if status not in Unit.Status.values:
        raise ValidationError(
            {"status": _("One of: %(choices)s.") % {"choices": ", ".join(Unit.Status.values)}}
        )
    if capacity is None or capacity < 0:
        raise ValidationError({"capacity": _("Give the capacity (places, 0 or more).")})
    blocked_capacity = blocked_capacity or 0
    if blocked_capacity < 0:
        raise ValidationError({"blocked_capacity": _("Blocked places: 0 or more.")})
    with transaction.atomic():
        if unit is not None:
            unit = Unit.objects.select_for_update().select_related("block").get(pk=unit.pk)
        block = unit.block if unit else block
        if block is None:
            raise ValidationError({"block": _("Choose the block.")})
        name = f"{block.code}/{code}"
        if blocked_capacity > capacity:
            raise ValidationError(
                {
                    "blocked_capacity": ngettext(
                        "Unit %(unit)s: %(blocked)s blocked place is more than its capacity (%(capacity)s).",
                        "Unit %(unit)s: %(blocked)s blocked places are more than its capacity (%(capacity)s).",
                        blocked_capacity,
                    )
                    % {"unit": name, "blocked": blocked_capacity, "capacity": capacity}
                }
            )
        if _others(Unit.objects.filter(block=block, code=code), unit).exists():
            raise ValidationError(
                {
                    "code": _("Block %(block)s already has a unit %(code)s.")
                    % {"block": block.code, "code": code}
                }
            )
        if unit is not None:
            occupied = occupied_from(unit.pk, timezone.localdate())
            if capacity < occupied:
                raise ValidationError(
                    {
                        "capacity": ngettext(
                            "Unit %(unit)s has %(occupied)s person allocated: its capacity cannot be %(capacity)s.",
                            "Unit %(unit)s has %(occupied)s persons allocated: its capacity cannot be %(capacity)s.",
                            occupied,
                        )
                        % {"unit": name, "occupied": occupied, "capacity": capacity}
                    }
                )
            if capacity - blocked_capacity < occupied:
                raise ValidationError(
                    {
                        "blocked_capacity": ngettext(
                            "Unit %(unit)s has %(occupied)s person allocated: only %(free)s of its %(capacity)s places can be blocked.",
                            "Unit %(unit)s has %(occupied)s persons allocated: only %(free)s of its %(capacity)s places can be blocked.",
                            occupied,
                        )
                        % {
                            "unit": name,
                            "occupied": occupied,
                            "free": capacity - occupied,
                            "capacity": capacity,
                        }
                    }
                )
            if status == Unit.Status.CLOSED and occupied:
                raise ValidationError(
                    {
                        "status": ngettext(
                            "Unit %(unit)s has %(occupied)s person allocated: move them before closing it.",
                            "Unit %(unit)s has %(occupied)s persons allocated: move them before closing it.",
                            occupied,
                        )
                        % {"unit": name, "occupied": occupied}
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
