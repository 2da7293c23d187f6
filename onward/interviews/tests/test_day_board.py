import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.interviews import services
from onward.interviews.models import (
    Appointment,
    AppointmentType,
    Interpreter,
    InterpreterNeed,
    Room,
)

DAY = "2026-12-07"
T0 = timezone.make_aware(dt.datetime(2026, 12, 7, 9, 0))


@pytest.fixture
def interview(db):
    return AppointmentType.objects.get(code=AppointmentType.RESETTLEMENT_INTERVIEW)


@pytest.fixture
def booked(case, interview):
    room = Room.objects.create(name="Room 1")
    interpreter = Interpreter.objects.create(name="Samira", languages="ar,fa")
    InterpreterNeed.objects.create(person=case.members.first(), language="fa")
    return services.book(
        type=interview,
        case=case,
        start=T0,
        end=T0 + dt.timedelta(hours=1),
        room=room,
        interpreter=interpreter,
    )


def board(client, day=DAY):
    return client.get(reverse("interview_day"), {"on": day})


def test_the_board_lists_appointments_by_room_and_audits_the_read(client_for, booked, case):
    response = board(client_for(roles.CLERK))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Room 1" in html and case.case_id in html and "09:00" in html
    assert "Samira" in html and ">fa<" in html and "Planned" in html
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.VIEW, object_type="case", object_id=case.case_id
    ).exists()
    # A clerk reads the board but gets neither form.
    assert "Save check-in" not in html and "Book an appointment" not in html


def test_another_day_is_empty_and_a_bad_date_is_named(client_for, booked):
    client = client_for(roles.RESETTLEMENT)
    assert "No appointment on this day." in board(client, "2026-12-08").content.decode()
    response = board(client, "7/12/2026")
    assert response.status_code == 400
    assert "not a date" in response.content.decode()


def test_booking_from_the_form(client_for, case, interview):
    room = Room.objects.create(name="Room 2")
    client = client_for(roles.PROTECTION)
    body = {"on": DAY, "type": interview.code, "case": case.case_id, "room": room.pk}
    response = client.post(reverse("interview_book"), {**body, "start": "10:00", "end": "11:00"})
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.room == room and appointment.attendance.count() == case.members.count()
    # The same room at an overlapping time is refused, naming the rule; nothing written.
    response = client.post(
        reverse("interview_book"), {**body, "start": "10:30", "end": "11:30"}, follow=True
    )
    assert "Refused (room)" in response.content.decode()
    assert Appointment.objects.count() == 1


def test_bad_times_are_refused_naming_the_field(client_for, case, interview):
    client = client_for(roles.ADMIN)
    body = {"on": DAY, "type": interview.code, "case": case.case_id, "start": "9am", "end": "10:00"}
    response = client.post(reverse("interview_book"), body, follow=True)
    assert "Refused (times)" in response.content.decode()
    assert not Appointment.objects.exists()


def test_an_unknown_case_is_404_and_denied(client_for, interview):
    client = client_for(roles.RESETTLEMENT)
    body = {"on": DAY, "type": interview.code, "case": "C9999999", "start": "10:00", "end": "11:00"}
    assert client.post(reverse("interview_book"), body).status_code == 404
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DENIED, object_type="case").exists()


def test_check_in_marks_members_present_or_absent_with_reason(client_for, booked):
    principal, spouse = list(booked.attendance.order_by("person_id"))
    client = client_for(roles.RESETTLEMENT)
    response = client.post(
        reverse("interview_check_in", args=[booked.pk]),
        {
            "present": [str(principal.person_id)],
            f"reason_{spouse.person_id}": "In hospital",
            "status": "completed",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith(DAY)
    principal.refresh_from_db()
    spouse.refresh_from_db()
    booked.refresh_from_db()
    assert principal.present and not spouse.present
    assert spouse.absence_reason == "In hospital"
    assert booked.status == Appointment.Status.COMPLETED
    assert services.interview_complete(booked.case)


def test_check_in_refuses_an_unknown_status(client_for, booked):
    client = client_for(roles.ADMIN)
    url = reverse("interview_check_in", args=[booked.pk])
    response = client.post(url, {"status": "planned-ish"}, follow=True)
    assert "Unknown status" in response.content.decode()
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.PLANNED
