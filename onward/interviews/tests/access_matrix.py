import datetime as dt

from django.urls import reverse
from django.utils import timezone

from onward.web.tests.matrix import Row, outcome

DAY = dt.date(2026, 12, 7)


def world(users) -> dict:
    from onward.accounts import roles
    from onward.conftest import principal_data
    from onward.interviews import services
    from onward.interviews.models import AppointmentType
    from onward.registry import services as registry

    case = registry.case_create(actor=users[roles.CLERK], principal=principal_data())
    start = timezone.make_aware(dt.datetime(2026, 12, 7, 9, 0))
    appointment = services.book(
        type=AppointmentType.objects.get(code=AppointmentType.RESETTLEMENT_INTERVIEW),
        case=case,
        start=start,
        end=start + dt.timedelta(hours=1),
    )
    from onward.interviews import missions
    from onward.interviews.models import Room
    from onward.relocation.tests.factories import pledge

    room = Room.objects.create(name="Mission room")
    made = {}
    for country in ("ALB", "DEU"):  # the test delegation's country, and another
        made[country] = missions.mission_create(
            actor=users[roles.RESETTLEMENT],
            pledge=pledge(users, country=country),
            name=f"{country} mission",
            first_day=DAY,
            last_day=DAY,
            day_start=dt.time(9),
            slots_per_day=4,
            slot_minutes=60,
            rooms=[room],
        ).pk
    return {
        "case": case.case_id,
        "person": case.members.get().person_id,
        "appointment": appointment.pk,
        "mission": made["ALB"],
        "their_mission": made["DEU"],
    }


def _m(name, key="mission"):
    return lambda w: reverse(name, kwargs={"mission_id": w[key]})


# Staff read the day board; booking and check-in are for admins, resettlement and
# protection officers. Delegations and the auditor see no interview schedule.
ROWS = [
    Row(
        "interview_day",
        lambda w: f"{reverse('interview_day')}?on={DAY.isoformat()}",
        outcome(200, DL=403, AU=403),
    ),
    # The book form names its case in the body, not the URL (the out-of-scope case is
    # tested in test_day_board.py).
    Row(
        "interview_book",
        lambda w: reverse("interview_book"),
        outcome(403, A=302, PR=302, RS=302),
        method="post",
        body={"on": DAY.isoformat(), "type": "cancelled-type", "start": "10:00", "end": "11:00"},
        outside=None,
    ),
    # The week board, the call list and the no-show list name a day, not a record.
    Row(
        "interview_week",
        lambda w: f"{reverse('interview_week')}?on={DAY.isoformat()}&by=interviewer",
        outcome(200, DL=403, AU=403),
    ),
    Row(
        "interview_calls",
        lambda w: f"{reverse('interview_calls')}?on={DAY.isoformat()}",
        outcome(200, DL=403, AU=403),
    ),
    Row(
        "interview_no_shows",
        lambda w: f"{reverse('interview_no_shows')}?on={DAY.isoformat()}",
        outcome(200, DL=403, AU=403),
    ),
    Row(
        "interview_check_in",
        lambda w: reverse("interview_check_in", kwargs={"appointment_id": w["appointment"]}),
        outcome(403, A=302, PR=302, RS=302),
        method="post",
        body={"status": ""},
    ),
    # Changing or cancelling a booking: for bookers; a refusal (the cancel without a
    # reason, the change to an unreadable time) is a message on the board (302).
    Row(
        "interview_change",
        lambda w: reverse("interview_change", kwargs={"appointment_id": w["appointment"]}),
        outcome(403, A=302, PR=302, RS=302),
        method="post",
        body={"start": "bad", "end": "bad"},
    ),
    Row(
        "interview_cancel",
        lambda w: reverse("interview_cancel", kwargs={"appointment_id": w["appointment"]}),
        outcome(403, A=302, PR=302, RS=302),
        method="post",
        body={"reason": ""},
    ),
    # Bulk changes from the board name their appointments in the body; an unknown or
    # out-of-scope id there is a 404 with a `denied` entry (test_bulk_appointments.py).
    Row(
        "interview_bulk",
        lambda w: reverse("interview_bulk"),
        outcome(403, A=302, PR=302, RS=302),
        method="post",
        body={"action": "cancel", "reason": ""},
        outside=None,
    ),
    # Selection missions: staff and delegations read them (a delegation its own
    # country's only: another country's is 404 + denied); planning is for bookers.
    Row("mission_list", lambda w: reverse("mission_list"), outcome(200, AU=403)),
    Row("mission_new", lambda w: reverse("mission_new"), outcome(403, A=200, PR=200, RS=200)),
    Row("mission_detail", _m("mission_detail"), outcome(200, AU=403)),
    Row("mission_detail", _m("mission_detail", "their_mission"), outcome(200, AU=403, DL=404)),
    Row(
        "mission_plan",
        _m("mission_plan"),
        outcome(403, A=302, PR=302, RS=302),
        method="post",
        body={"source": "pledge"},
    ),
    Row(
        "mission_confirm",
        _m("mission_confirm"),
        outcome(403, A=302, PR=302, RS=302),
        method="post",
    ),
    # Languages spoken and the interpreter need, from the person page: for the roles that
    # edit persons (registry.edit); a refusal (a bad code) is a message on the page (302).
    Row(
        "person_language",
        lambda w: reverse("person_language", kwargs={"person_id": w["person"]}),
        outcome(403, A=302, DM=302, CL=302, PR=302),
        method="post",
        body={"language": "fa", "level": "fluent"},
    ),
    Row(
        "person_interpreter",
        lambda w: reverse("person_interpreter", kwargs={"person_id": w["person"]}),
        outcome(403, A=302, DM=302, CL=302, PR=302),
        method="post",
        body={"language": "prs"},
    ),
]
