"""Changing or cancelling a booking from the day board: another time, room, interviewer or
interpreter under the booking rules; a cancellation frees the slot; both audited."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.interviews import services
from onward.interviews.models import Appointment, AppointmentType, Interpreter, Room

DAY = "2026-12-07"
T0 = timezone.make_aware(dt.datetime(2026, 12, 7, 9, 0))


@pytest.fixture
def interview(db):
    return AppointmentType.objects.get(code=AppointmentType.RESETTLEMENT_INTERVIEW)


@pytest.fixture
def setting(case, interview, users):
    from onward.conftest import principal_data
    from onward.registry import services as registry

    one, two = Room.objects.create(name="Room 1"), Room.objects.create(name="Room 2")
    samira = Interpreter.objects.create(name="Samira", languages="ar,fa")
    other = registry.case_create(actor=users[roles.CLERK], principal=principal_data())
    mine = services.book(
        type=interview,
        case=case,
        start=T0,
        end=T0 + dt.timedelta(hours=1),
        room=one,
        interviewer=users[roles.RESETTLEMENT],
        interpreter=samira,
    )
    theirs = services.book(
        type=interview,
        case=other,
        start=T0 + dt.timedelta(hours=2),
        end=T0 + dt.timedelta(hours=3),
        room=two,
        interviewer=users[roles.PROTECTION],
    )
    return {"mine": mine, "theirs": theirs, "one": one, "two": two, "samira": samira}


def _change(client, appointment, **fields):
    body = {"on": DAY, "start": "09:00", "end": "10:00", "room": "", "interviewer": ""}
    body.update(fields)
    return client.post(
        reverse("interview_change", kwargs={"appointment_id": appointment.pk}), body, follow=True
    )


def test_moving_a_booking_to_another_room_interviewer_and_time(client_for, setting, users):
    mine = setting["mine"]
    response = _change(
        client_for(roles.RESETTLEMENT),
        mine,
        start="13:00",
        end="14:00",
        room=setting["two"].pk,
        interviewer=users[roles.ADMIN].pk,
        interpreter="",
    )
    assert "Changed: appointment" in response.content.decode()
    mine.refresh_from_db()
    assert (mine.room, mine.interviewer, mine.interpreter) == (
        setting["two"],
        users[roles.ADMIN],
        None,
    )
    assert timezone.localtime(mine.start).time() == dt.time(13, 0)
    entry = AuditEntry.objects.get(detail="interview changed")
    assert entry.object_id == mine.case.case_id
    assert entry.changes["before"]["room"] == "Room 1"
    assert entry.changes["after"]["interviewer"] == users[roles.ADMIN].username


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        ({"start": "11:30", "end": "12:30", "room": "two"}, "room"),
        ({"start": "11:30", "end": "12:30", "interviewer": "protection"}, "interviewer"),
        ({"start": "10:00", "end": "09:30"}, "times"),
        ({"start": "9 o'clock"}, "times"),
        ({"interviewer": "clerk"}, "interviewer"),
        ({"room": "999999"}, "room"),
    ],
)
def test_a_change_that_double_books_or_cannot_be_read_is_refused_naming_the_rule(
    client_for, setting, users, fields, rule
):
    mine = setting["mine"]
    before = (mine.start, mine.end, mine.room_id, mine.interviewer_id, mine.interpreter_id)
    resolved = dict(fields)
    if resolved.get("room") == "two":
        resolved["room"] = setting["two"].pk
    names = {"protection": roles.PROTECTION, "clerk": roles.CLERK}
    if resolved.get("interviewer") in names:
        resolved["interviewer"] = users[names[resolved["interviewer"]]].pk
    response = _change(client_for(roles.RESETTLEMENT), mine, **resolved)
    assert response.status_code == 200
    assert f"Refused ({rule})" in response.content.decode()
    mine.refresh_from_db()
    assert (mine.start, mine.end, mine.room_id, mine.interviewer_id, mine.interpreter_id) == before
    assert not AuditEntry.objects.filter(detail="interview changed").exists()


def test_the_interpreter_cannot_be_double_booked_by_a_change(client_for, setting):
    theirs = setting["theirs"]
    client = client_for(roles.PROTECTION)
    response = _change(client, theirs, start="09:30", end="10:30", interpreter=setting["samira"].pk)
    assert "Refused (interpreter)" in response.content.decode()
    # Back-to-back is allowed (half-open intervals).
    response = _change(client, theirs, start="10:00", end="11:00", interpreter=setting["samira"].pk)
    assert "Changed: appointment" in response.content.decode()


def test_cancelling_frees_the_slot_and_needs_a_reason(client_for, setting, case, interview):
    mine = setting["mine"]
    client = client_for(roles.RESETTLEMENT)
    url = reverse("interview_cancel", kwargs={"appointment_id": mine.pk})
    response = client.post(url, {"reason": " "}, follow=True)
    assert "Refused (reason)" in response.content.decode()
    mine.refresh_from_db()
    assert mine.status == Appointment.Status.PLANNED
    response = client.post(url, {"reason": "Family asked for another day"}, follow=True)
    assert "Cancelled: appointment" in response.content.decode()
    mine.refresh_from_db()
    assert mine.status == Appointment.Status.CANCELLED
    entry = AuditEntry.objects.get(detail="interview cancelled")
    assert entry.changes["reason"] == "Family asked for another day"
    # The room is free again at that time, and a cancelled booking is not changed again.
    services.book(
        type=interview, case=case, start=T0, end=T0 + dt.timedelta(hours=1), room=setting["one"]
    )
    response = _change(client, mine)
    assert "Refused (status)" in response.content.decode()
    assert client.post(url, {"reason": "again"}, follow=True).status_code == 200
    mine.refresh_from_db()
    assert mine.status == Appointment.Status.CANCELLED


def test_the_board_offers_change_and_cancel_only_to_bookers(client_for, setting):
    mine = setting["mine"]
    html = client_for(roles.RESETTLEMENT).get(reverse("interview_day"), {"on": DAY})
    assert f'id="change-{mine.pk}"' in html.content.decode()
    html = client_for(roles.CLERK).get(reverse("interview_day"), {"on": DAY})
    assert f'id="change-{mine.pk}"' not in html.content.decode()


def test_an_unknown_appointment_is_404_and_denied(client_for, setting):
    client = client_for(roles.RESETTLEMENT)
    for name in ("interview_change", "interview_cancel"):
        response = client.post(
            reverse(name, kwargs={"appointment_id": setting["mine"].pk + 1000}), {"reason": "x"}
        )
        assert response.status_code == 404
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DENIED).count() == 2
