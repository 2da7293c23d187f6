import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from onward.accounts import roles
from onward.camp import selectors, services
from onward.camp.models import Allocation, Block, Site, Unit
from onward.conftest import principal_data
from onward.registry import services as registry

D0 = dt.date(2013, 6, 1)


@pytest.fixture
def unit(db):
    block = Block.objects.create(site=Site.objects.create(name="Camp Liberty"), code="B1")
    return Unit.objects.create(block=block, code="U1", capacity=3, blocked_capacity=1)


def persons(users, n):
    case = registry.case_create(
        actor=users[roles.CLERK], principal=principal_data(), arrival_date=D0
    )
    for i in range(n - 1):
        registry.person_add(
            actor=users[roles.CLERK],
            case=case,
            person=principal_data(given_name=f"M{i}", relationship="child", document_number=""),
        )
    return list(case.members.order_by("pk"))


def test_allocation_refused_when_full_unless_overridden_with_reason(users, unit):
    clerk = users[roles.CLERK]
    a, b, c = persons(users, 3)
    services.allocate(actor=clerk, person=a, unit=unit, on=D0, reason="arrival")
    services.allocate(actor=clerk, person=b, unit=unit, on=D0, reason="arrival")
    with pytest.raises(ValidationError, match="full"):
        services.allocate(actor=clerk, person=c, unit=unit, on=D0, reason="arrival")
    # A clerk's reason is not enough: overriding is camp.override's, asked by the service.
    with pytest.raises(ValidationError, match="full"):
        services.allocate(
            actor=clerk, person=c, unit=unit, on=D0, reason="arrival", override_reason="x"
        )
    manager = users[roles.DATA_MANAGER]
    with pytest.raises(ValidationError, match="give the reason"):
        services.allocate(actor=manager, person=c, unit=unit, on=D0, reason="arrival")
    assert Allocation.objects.filter(person=c).count() == 0
    services.allocate(
        actor=manager,
        person=c,
        unit=unit,
        on=D0,
        reason="arrival",
        override_reason="family kept together",
    )
    assert services.occupied_on(unit.pk, D0) == 3


def test_moving_ends_the_old_allocation_and_occupancy_follows_the_date(users, unit):
    clerk = users[roles.CLERK]
    (a,) = persons(users, 1)
    other = Unit.objects.create(block=unit.block, code="U2", capacity=2)
    services.allocate(actor=clerk, person=a, unit=unit, on=D0, reason="arrival")
    services.allocate(
        actor=clerk, person=a, unit=other, on=D0 + dt.timedelta(days=10), reason="move"
    )
    assert services.occupied_on(unit.pk, D0 + dt.timedelta(days=9)) == 1
    assert services.occupied_on(unit.pk, D0 + dt.timedelta(days=10)) == 0
    assert services.occupied_on(other.pk, D0 + dt.timedelta(days=10)) == 1
    (row,) = selectors.occupancy_by_block(D0 + dt.timedelta(days=10))
    assert (row["occupied"], row["capacity"], row["vacancies"]) == (1, 4, 3)


def test_closed_unit_takes_nobody(users, unit):
    unit.status = Unit.Status.CLOSED
    unit.save()
    (a,) = persons(users, 1)
    with pytest.raises(ValidationError, match="Closed"):
        services.allocate(actor=users[roles.CLERK], person=a, unit=unit, on=D0, reason="x")


def test_a_departure_ends_the_allocation_on_its_date(users, unit):
    from onward.movements import services as movements
    from onward.movements.models import LedgerEntry

    (a,) = persons(users, 1)
    services.allocate(actor=users[roles.CLERK], person=a, unit=unit, on=D0, reason="arrival")
    day = dt.date.today()
    movements.departure_record(
        actor=users[roles.DATA_MANAGER], person=a, kind=LedgerEntry.Kind.LEFT, on=day.isoformat()
    )
    alloc = Allocation.objects.get(person=a)
    assert alloc.ended_on == day
    assert services.occupied_on(unit.pk, day) == 0
