import datetime as dt

import pytest
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onward.accounts import roles
from onward.conftest import principal_data
from onward.interviews import services
from onward.interviews.models import Appointment, AppointmentType, Interpreter, Room
from onward.registry import services as registry

T0 = timezone.make_aware(dt.datetime(2026, 12, 7, 9, 0))


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


@pytest.fixture
def interview(db):
    return AppointmentType.objects.get(code=AppointmentType.RESETTLEMENT_INTERVIEW)


@pytest.fixture
def room(db):
    return Room.objects.create(name="Room 1")


def other_case(clerk, name="Ali"):
    return registry.case_create(actor=clerk, principal=principal_data(given_name=name))


def test_the_types_are_seeded(interview):
    codes = set(AppointmentType.objects.values_list("code", flat=True))
    assert {"resettlement_interview", "counselling", "medical", "pre_departure"} <= codes


def test_a_booking_makes_an_attendance_row_per_member(case, interview, room):
    a = services.book(type=interview, case=case, start=at(0), end=at(60), room=room)
    assert a.status == Appointment.Status.PLANNED
    assert a.attendance.count() == 2


def test_the_room_cannot_be_double_booked(case, clerk, interview, room):
    services.book(type=interview, case=case, start=at(0), end=at(60), room=room)
    with pytest.raises(services.BookingError) as err:
        services.book(type=interview, case=other_case(clerk), start=at(30), end=at(90), room=room)
    assert err.value.rule == "room"
    # The room's name is "Room 1": the message names it once, in every language.
    assert str(err.value) == "Room 1 is already booked then."
    for language in ("ar", "fa"):
        with translation.override(language), pytest.raises(services.BookingError) as err:
            services.book(
                type=interview, case=other_case(clerk), start=at(30), end=at(90), room=room
            )
        assert str(err.value).startswith("Room 1 ") and "Room Room" not in str(err.value)
        assert any("\u0600" <= c <= "\u06ff" for c in str(err.value))
    assert Appointment.objects.count() == 1
    # Back to back is fine.
    services.book(
        type=interview, case=other_case(clerk, "Omid"), start=at(60), end=at(90), room=room
    )


def test_interviewer_interpreter_and_person_cannot_be_double_booked(case, clerk, users, interview):
    officer = users[roles.RESETTLEMENT]
    interp = Interpreter.objects.create(name="Sara", languages="fa,ar")
    services.book(
        type=interview, case=case, start=at(0), end=at(60), interviewer=officer, interpreter=interp
    )
    for kwargs, rule in [
        ({"interviewer": officer, "case": other_case(clerk, "A")}, "interviewer"),
        ({"interpreter": interp, "case": other_case(clerk, "B")}, "interpreter"),
        ({"person": case.members.first()}, "person"),
        ({"case": case}, "person"),
    ]:
        with pytest.raises(services.BookingError) as err:
            services.book(type=interview, start=at(10), end=at(20), **kwargs)
        assert err.value.rule == rule
    assert Appointment.objects.count() == 1


def test_a_cancelled_booking_frees_the_slot(case, clerk, interview, room):
    a = services.book(type=interview, case=case, start=at(0), end=at(60), room=room)
    services.set_status(a, Appointment.Status.CANCELLED)
    services.book(type=interview, case=other_case(clerk), start=at(0), end=at(60), room=room)


def test_departed_and_removed_persons_are_refused(case, interview):
    member = case.members.first()
    member.departure_date = dt.date(2026, 12, 1)
    member.save()
    with pytest.raises(services.BookingError) as err:
        services.book(type=interview, case=case, start=at(0), end=at(60))
    assert err.value.rule == "departed"
    assert "departed" in str(err.value)
    assert Appointment.objects.count() == 0


def test_end_before_start_is_refused(case, interview):
    with pytest.raises(services.BookingError) as err:
        services.book(type=interview, case=case, start=at(60), end=at(0))
    assert err.value.rule == "times"


def test_interview_complete_needs_every_member_present_or_excused(case, interview):
    a = services.book(type=interview, case=case, start=at(0), end=at(60))
    p, s = list(case.members.order_by("pk"))
    services.check_in(a, {p.pk}, {})
    services.set_status(a, Appointment.Status.COMPLETED)
    assert not services.interview_complete(case)
    services.check_in(a, {p.pk}, {s.pk: "in hospital"})
    assert services.interview_complete(case)


def test_interpreter_speaks():
    assert Interpreter(name="x", languages="fa, AR").speaks("ar")
    assert not Interpreter(name="x", languages="fa").speaks("ps")


slot = st.tuples(
    st.integers(0, 3), st.integers(0, 2), st.integers(0, 20), st.integers(1, 6)
)  # room, interpreter, start (x15 min), length (x15 min)


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(slot, min_size=1, max_size=12))
def test_no_double_booking_under_random_schedules(clerk, schedule):
    Appointment.objects.all().delete()
    kind = AppointmentType.objects.get(code=AppointmentType.RESETTLEMENT_INTERVIEW)
    rooms = [Room.objects.get_or_create(name=f"R{i}")[0] for i in range(4)]
    interps = [Interpreter.objects.get_or_create(name=f"I{i}", languages="fa")[0] for i in range(3)]
    for n, (r, i, s, length) in enumerate(schedule):
        person_case = other_case(clerk, f"P{n}")
        try:
            services.book(
                type=kind,
                case=person_case,
                start=at(15 * s),
                end=at(15 * (s + length)),
                room=rooms[r],
                interpreter=interps[i],
            )
        except services.BookingError:
            pass
    held = list(Appointment.objects.filter(status__in=Appointment.HOLDING))
    for a in held:
        for b in held:
            if a.pk < b.pk and a.start < b.end and b.start < a.end:
                assert a.room_id != b.room_id
                assert a.interpreter_id != b.interpreter_id
