"""Two officers booking the last free slot of a room at once: one wins, the room is never
double-booked (book() locks the room's row before it looks for overlaps)."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections
from django.utils import timezone

from onward.interviews import services
from onward.interviews.models import Appointment, AppointmentType, Room
from onward.relocation.tests.factories import make_case

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises every writer, so two never overlap",
    ),
]


def test_two_officers_booking_the_last_slot_of_a_room_at_once(users, monkeypatch):
    room = Room.objects.create(name="Room 1")
    interview = AppointmentType.objects.get(code=AppointmentType.RESETTLEMENT_INTERVIEW)
    start = timezone.make_aware(dt.datetime(2026, 12, 7, 9, 0))
    # The room's morning is full but for 11:00-12:00.
    services.book(
        type=interview,
        case=make_case(users, size=1),
        start=start,
        end=start + dt.timedelta(hours=2),
        room=room,
    )
    first, second = make_case(users, size=2), make_case(users, size=3)
    # Widen the window between the overlap check and the insert, so that without the
    # room lock both would see the slot free.
    overlapping = services._overlapping
    monkeypatch.setattr(
        services, "_overlapping", lambda *a, **k: (time.sleep(0.3), overlapping(*a, **k))[1]
    )
    barrier = threading.Barrier(2)
    outcomes = []

    def take(case):
        try:
            barrier.wait(timeout=10)
            services.book(
                type=interview,
                case=case,
                start=start + dt.timedelta(hours=2),
                end=start + dt.timedelta(hours=3),
                room=room,
            )
            outcomes.append("booked")
        except services.BookingError as exc:
            outcomes.append(exc.rule)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(c,)) for c in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["booked", "room"]
    assert Appointment.objects.filter(room=room).count() == 2
