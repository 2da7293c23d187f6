"""Allocating persons to units. Capacity is checked with the unit's row locked, so two
clerks allocating the last place at once cannot both win."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from onward.accounts.policy import can
from onward.audit.actor import acting_user
from onward.camp.models import Allocation, Unit
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
