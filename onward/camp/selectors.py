"""Occupancy and vacancies per block as of a date."""

import datetime as dt

from django.db.models import Count, Q

from onward.camp.models import Allocation, Block, Unit


def occupancy_by_block(day: dt.date) -> list[dict]:
    live = Q(allocations__starts_on__lte=day) & (
        Q(allocations__ended_on__isnull=True) | Q(allocations__ended_on__gt=day)
    )
    rows = []
    for block in Block.objects.order_by("site_id", "code"):
        units = Unit.objects.filter(block=block).annotate(
            occupied=Count("allocations", filter=live)
        )
        occupied = sum(u.occupied for u in units)
        usable = sum(u.usable_capacity for u in units)
        rows.append(
            {
                "block": block,
                "occupied": occupied,
                "capacity": usable,
                "vacancies": max(usable - occupied, 0),
            }
        )
    return rows


def allocated_on(day: dt.date):
    return Allocation.objects.filter(starts_on__lte=day).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=day)
    )
