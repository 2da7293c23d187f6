"""The week board (by room, by interviewer), the call list and the no-show list."""

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
from onward.relocation.tests.factories import make_case

MONDAY = dt.date(2026, 12, 7)


def at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def interview(db):
    return AppointmentType.objects.get(code=AppointmentType.RESETTLEMENT_INTERVIEW)


@pytest.fixture
def week(users, interview):
    """Two rooms, two interviewers; a case on Monday in Room 1 with a Dari interpreter and
    one Pashto speaker nobody interprets for, a case on Wednesday in Room 2."""
    room1, room2 = Room.objects.create(name="Room 1"), Room.objects.create(name="Room 2")
    dari = Interpreter.objects.create(name="Samira", languages="fa,prs")
    first, second = make_case(users, size=2), make_case(users, size=1)
    principal, child = first.members.order_by("person_id")
    InterpreterNeed.objects.create(person=principal, language="prs")
    InterpreterNeed.objects.create(person=child, language="ps")
    rs, pr = users[roles.RESETTLEMENT], users[roles.PROTECTION]
    a = services.book(
        type=interview,
        case=first,
        start=at(MONDAY, 9),
        end=at(MONDAY, 10),
        room=room1,
        interviewer=rs,
        interpreter=dari,
    )
    b = services.book(
        type=interview,
        case=second,
        start=at(MONDAY + dt.timedelta(days=2), 14),
        end=at(MONDAY + dt.timedelta(days=2), 15),
        room=room2,
        interviewer=pr,
    )
    return {"first": first, "second": second, "a": a, "b": b, "rs": rs, "pr": pr}


def test_the_week_board_puts_each_appointment_under_its_room_and_day(client_for, week):
    response = client_for(roles.CLERK).get(
        reverse("interview_week"),
        {"on": "2026-12-09"},  # a Wednesday: the week from Monday
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "2026-12-07" in html
    room1 = html.index("<bdi>Room 1</bdi>")
    room2 = html.index("<bdi>Room 2</bdi>")
    first, second = week["first"].case_id, week["second"].case_id
    # Each case sits in its room's row (Room 1's row ends where Room 2's begins).
    assert room1 < html.index(first) < room2 < html.index(second)
    for case in (first, second):
        assert AuditEntry.objects.filter(
            action=AuditEntry.Action.VIEW, object_type="case", object_id=case
        ).exists()


def test_the_week_board_by_interviewer(client_for, week):
    html = (
        client_for(roles.ADMIN)
        .get(reverse("interview_week"), {"on": "2026-12-07", "by": "interviewer"})
        .content.decode()
    )
    rs_row = html.index(f"<bdi>{week['rs'].get_full_name() or week['rs'].username}</bdi>")
    pr_row = html.index(f"<bdi>{week['pr'].get_full_name() or week['pr'].username}</bdi>")
    # Rows are sorted by name; each case is in its interviewer's row.
    rows = sorted([(rs_row, week["first"].case_id), (pr_row, week["second"].case_id)])
    assert rows[0][0] < html.index(rows[0][1]) < rows[1][0] < html.index(rows[1][1])


def test_the_next_week_is_empty_and_a_bad_day_is_named(client_for, week):
    client = client_for(roles.RESETTLEMENT)
    html = client.get(reverse("interview_week"), {"on": "2026-12-14"}).content.decode()
    assert "No appointment in this week." in html
    response = client.get(reverse("interview_week"), {"on": "14/12/2026"})
    assert response.status_code == 400 and "is not a date" in response.content.decode()


def test_the_call_list_names_each_member_their_language_and_the_interpreter(client_for, week):
    response = client_for(roles.CLERK).get(reverse("interview_calls"), {"on": "2026-12-07"})
    html = response.content.decode()
    assert response.status_code == 200
    principal, child = week["first"].members.order_by("person_id")
    row = html[html.index(f'id="call-{week["a"].pk}"') :]
    row = row[: row.index("</tr>")]
    assert principal.person_id in row and child.person_id in row
    assert principal.given_name in row
    assert "<bdi>prs</bdi>" in row and "<bdi>ps</bdi>" in row and "Samira" in row
    # Samira speaks Dari, not Pashto: the list says so before the family is called.
    assert "No interpreter for:" in row and row.index("No interpreter for:") < row.index(
        "<bdi>ps</bdi>", row.index("No interpreter for:")
    )
    # The Wednesday appointment is on Wednesday's list only; the page prints cleanly.
    assert week["second"].case_id not in html
    assert "interviews/print.css" in html
    assert AuditEntry.objects.filter(
        object_id=week["first"].case_id, detail__startswith="interview call list"
    ).exists()


def test_the_call_list_leaves_off_cancelled_appointments(client_for, week):
    services.set_status(week["a"], Appointment.Status.CANCELLED)
    html = client_for(roles.CLERK).get(reverse("interview_calls"), {"on": "2026-12-07"})
    assert "No planned appointment on this day." in html.content.decode()


def test_the_no_show_list_counts_misses_per_case_with_reasons(client_for, week, interview):
    first = week["first"]
    services.set_status(week["a"], Appointment.Status.MISSED)
    services.check_in(week["a"], set(), {m.pk: "Could not be reached" for m in first.members.all()})
    again = services.book(
        type=interview, case=first, start=at(MONDAY, 11), end=at(MONDAY, 12), room=None
    )
    services.set_status(again, Appointment.Status.MISSED)
    html = (
        client_for(roles.PROTECTION)
        .get(reverse("interview_no_shows"), {"on": "2026-12-10"})
        .content.decode()
    )
    row = html[html.index(f'id="no-show-{first.case_id}"') :]
    row = row[: row.index("</tr>")]
    assert '<td class="num">2</td>' in row and "Could not be reached" in row
    assert "2026-12-07 11:00" in row
    # The Wednesday case is planned, not missed: not listed.
    assert week["second"].case_id not in html
    # Thirty days later the misses have left the window.
    later = client_for(roles.PROTECTION).get(reverse("interview_no_shows"), {"on": "2027-01-10"})
    assert "No missed appointment in this period." in later.content.decode()
