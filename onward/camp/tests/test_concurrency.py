"""Two clerks allocating the last place of a unit at once: one wins, the unit is never
over-allocated (the unit's row is locked before its occupancy is counted)."""

import datetime as dt
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from onward.accounts import roles
from onward.camp import services
from onward.camp.models import Allocation, Block, Site, Unit
from onward.relocation.tests.factories import make_case

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises every writer, so two never overlap",
    ),
]


def test_two_clerks_allocating_the_last_place_at_once(users, monkeypatch):
    block = Block.objects.create(site=Site.objects.create(name="Camp"), code="B1")
    unit = Unit.objects.create(block=block, code="U1", capacity=1)
    a, b = make_case(users, size=2).members.order_by("pk")
    count = services.occupied_on
    monkeypatch.setattr(services, "occupied_on", lambda *a: (time.sleep(0.3), count(*a))[1])
    barrier = threading.Barrier(2)
    outcomes = []

    def allocate(person):
        try:
            barrier.wait(timeout=10)
            services.allocate(
                actor=users[roles.CLERK],
                person=person,
                unit=unit,
                on=dt.date.today(),
                reason="arrival",
            )
            outcomes.append("allocated")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=allocate, args=(p,)) for p in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes).count("allocated") == 1
    assert any("full" in o for o in outcomes)
    assert Allocation.objects.filter(unit=unit).count() == 1
