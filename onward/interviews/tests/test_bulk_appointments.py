"""Bulk management from the day board: several appointments cancelled, marked not required
or moved to another day in one POST, all or nothing; a refusal names each appointment at
fault; every change audited on its case or person."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.conftest import principal_data
from onward.interviews import services
from onward.interviews.models import Appointment, AppointmentType, Room
from onward.registry import services as registry

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 7)


def at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def board(users):
    """On DAY: A (Room 1, 9–10), B (Room 2, 11–12), C (Room 1, 10–11, completed); the next
    day, D holds Room 1 at 9–10."""
    kind = AppointmentType.objects.get(code=AppointmentType.RESETTLEMENT_INTERVIEW)
    one, two = Room.objects.create(name="Room 1"), Room.objects.create(name="Room 2")
    made = {}
    for name, day, hour, room in (
        ("A", DAY, 9, one),
        ("B", DAY, 11, two),
        ("C", DAY, 10, one),
        ("D", DAY + dt.timedelta(days=1), 9, one),
    ):
        case = registry.case_create(
            actor=users[roles.CLERK], principal=principal_data(given_name=f"Given{name}")
        )
        made[name] = services.book(
            type=kind, case=case, start=at(day, hour), end=at(day, hour + 1), room=room
        )
    services.set_status(made["C"], Appointment.Status.COMPLETED)
    return made


def _bulk(client, appointments, **fields):
    body = {"on": DAY.isoformat(), "appointments": [a.pk for a in appointments], **fields}
    return client.post(reverse("interview_bulk"), body, follow=True)


def _statuses(board):
    return {k: Appointment.objects.get(pk=a.pk).status for k, a in board.items()}


def test_cancelling_several_in_one_post_frees_their_slots_and_audits_each(client_for, board):
    a, b = board["A"], board["B"]
    page = _bulk(client_for(roles.RESETTLEMENT), [a, b], action="cancel", reason="Eid holiday")
    assert f"Cancelled: appointments {a.pk}, {b.pk}." in page.content.decode()
    assert _statuses(board) == {
        "A": "cancelled",
        "B": "cancelled",
        "C": "completed",
        "D": "planned",
    }
    entries = AuditEntry.objects.filter(detail="interview cancelled (bulk)").order_by("id")
    assert [(e.object_id, e.changes["reason"]) for e in entries] == [
        (a.case.case_id, "Eid holiday"),
        (b.case.case_id, "Eid holiday"),
    ]
    assert entries[0].changes["status"] == ["planned", "cancelled"]
    # The slot is free again: Room 1 at 9:00 can be booked.
    services.book(type=a.type, case=a.case, start=a.start, end=a.end, room=a.room)


def test_not_required_needs_a_reason_then_marks_each(client_for, board):
    client = client_for(roles.PROTECTION)
    page = _bulk(client, [board["A"], board["B"]], action="not_required", reason="")
    assert "Refused (reason): Give the reason." in page.content.decode()
    assert _statuses(board)["A"] == "planned"
    _bulk(client, [board["A"], board["B"]], action="not_required", reason="resettled elsewhere")
    assert _statuses(board)["A"] == _statuses(board)["B"] == "not_required"
    assert AuditEntry.objects.filter(detail="interview not required (bulk)").count() == 2


def test_one_appointment_that_cannot_change_refuses_the_whole_post_naming_it(client_for, board):
    c = board["C"]
    page = _bulk(
        client_for(roles.RESETTLEMENT), [board["A"], c, board["B"]], action="cancel", reason="x"
    ).content.decode()
    assert "Nothing was changed: 1 of the 3 appointments cannot be." in page
    assert f"Appointment {c.pk} ({c.case.case_id}, 2026-12-07 10:00): refused (status)" in page
    assert _statuses(board) == {"A": "planned", "B": "planned", "C": "completed", "D": "planned"}
    assert not AuditEntry.objects.filter(detail__endswith="(bulk)").exists()


def test_moving_to_another_day_keeps_the_times_and_refuses_a_double_booking(client_for, board):
    a, b = board["A"], board["B"]
    client = client_for(roles.RESETTLEMENT)
    next_day = (DAY + dt.timedelta(days=1)).isoformat()
    page = _bulk(client, [a, b], action="move", day=next_day).content.decode()
    # A would take Room 1 at 9:00, which D holds: refused, named; B is not moved either.
    assert f"Appointment {a.pk} ({a.case.case_id}, 2026-12-07 09:00): refused (room)" in page
    assert Appointment.objects.get(pk=b.pk).start == b.start
    later = DAY + dt.timedelta(days=2)
    page = _bulk(client, [a, b], action="move", day=later.isoformat()).content.decode()
    assert f"Moved to {later}: appointments {a.pk}, {b.pk}." in page
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.start, a.end, b.start) == (at(later, 9), at(later, 10), at(later, 11))
    entry = AuditEntry.objects.filter(
        detail="interview moved (bulk)", object_id=a.case.case_id
    ).get()
    assert entry.changes["start"] == [at(DAY, 9).isoformat(), at(later, 9).isoformat()]
    # The board of the new day shows them.
    board_page = client.get(f"{reverse('interview_day')}?on={later}").content.decode()
    assert f'id="appointment-{a.pk}"' in board_page and f'id="appointment-{b.pk}"' in board_page


def test_moved_appointments_may_not_clash_with_each_other(users, board):
    a, d = board["A"], board["D"]  # Room 1 at 9:00 on two days
    later = DAY + dt.timedelta(days=3)
    with pytest.raises(services.BulkRefused) as err:
        services.appointments_bulk(
            actor=users[roles.RESETTLEMENT], appointments=[a, d], action="move", day=later
        )
    [refusal] = err.value.refusals
    assert (refusal.appointment.pk, refusal.rule) == (d.pk, "room")
    assert f"overlap appointment {a.pk}, also moved" in str(refusal)
    assert Appointment.objects.get(pk=a.pk).start == a.start


def test_a_bad_day_the_same_day_or_no_selection_is_refused(client_for, board):
    client = client_for(roles.RESETTLEMENT)
    page = _bulk(client, [board["A"]], action="move", day="2026-13-40").content.decode()
    assert "Refused (day):" in page
    page = _bulk(client, [board["A"]], action="move", day=DAY.isoformat()).content.decode()
    assert "refused (day): it is already on 2026-12-07." in page
    page = _bulk(client, [], action="cancel", reason="x").content.decode()
    assert "Refused (selection): Select at least one appointment." in page
    assert _statuses(board)["A"] == "planned"


def test_an_unknown_appointment_id_is_a_404_with_a_denied_entry(client_for, board):
    client = client_for(roles.RESETTLEMENT)
    body = {"on": DAY.isoformat(), "appointments": [board["A"].pk, 999999], "action": "cancel"}
    response = client.post(reverse("interview_bulk"), {**body, "reason": "x"})
    assert response.status_code == 404
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DENIED, object_id="999999").exists()
    assert _statuses(board)["A"] == "planned"


def test_the_board_offers_the_selection_to_bookers_only(client_for, board):
    page = client_for(roles.RESETTLEMENT).get(f"{reverse('interview_day')}?on={DAY}").content
    page = page.decode()
    assert 'id="bulk-form"' in page
    assert f'value="{board["A"].pk}" form="bulk-form"' in page
    assert f'value="{board["C"].pk}" form="bulk-form"' not in page  # completed: not offered
    page = client_for(roles.CLERK).get(f"{reverse('interview_day')}?on={DAY}").content.decode()
    assert 'id="bulk-form"' not in page
