"""Selection missions: created from the form, planned from a pledge's submissions or a
hand-picked list, confirmed into booked appointments; a delegation sees its own
mission's schedule (shared fields only), never another country's."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.interviews import missions
from onward.interviews.models import (
    Appointment,
    Interpreter,
    InterpreterNeed,
    Mission,
    MissionSlot,
    Room,
)
from onward.relocation.models import RelocationCase, State, Submission
from onward.relocation.tests.factories import bring_to, make_case, pledge

FIRST = dt.date(2026, 12, 7)


def _priority(case, value):
    RelocationCase.objects.filter(case=case).update(priority=value)
    Submission.objects.filter(case=case).update(priority=value)


@pytest.fixture
def albania(users):
    """An Albanian pledge (the test delegation's country) with five submitted cases: one
    emergency, one urgent needing Dari, one family of five; and a German pledge with one."""
    alb, deu = pledge(users), pledge(users, country="DEU")
    cases = [
        bring_to(users, make_case(users, size=s), State.SUBMITTED, pledge_=alb)
        for s in (1, 2, 5, 2, 3)
    ]
    _priority(cases[0], "emergency")
    _priority(cases[1], "urgent")
    InterpreterNeed.objects.create(person=cases[1].members.first(), language="prs")
    german = bring_to(users, make_case(users, size=2), State.SUBMITTED, pledge_=deu)
    rooms = [Room.objects.create(name=f"Room {i}") for i in (1, 2)]
    Interpreter.objects.create(name="Samira", languages="prs,fa")
    return {"alb": alb, "deu": deu, "cases": cases, "german": german, "rooms": rooms}


def _create(client, albania, **extra):
    body = {
        "pledge": albania["alb"].pk,
        "name": "Albania December mission",
        "first_day": FIRST.isoformat(),
        "last_day": (FIRST + dt.timedelta(days=1)).isoformat(),
        "day_start": "09:00",
        "slots_per_day": 2,
        "slot_minutes": 60,
        "rooms": [r.pk for r in albania["rooms"]],
        **extra,
    }
    return client.post(reverse("mission_new"), body)


def test_create_plan_and_confirm_a_mission(client_for, users, albania):
    client = client_for(roles.RESETTLEMENT)
    response = _create(client, albania, interviewers=[users[roles.RESETTLEMENT].pk])
    mission = Mission.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{mission.pk}/")
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.CREATE, object_type="mission", object_id=str(mission.pk)
    ).exists()
    client.post(reverse("mission_plan", args=[mission.pk]), {"source": "pledge"})
    mission.refresh_from_db()
    assert mission.status == Mission.Status.PLANNED
    slots = {s.case.case_id: s for s in mission.slots.select_related("case", "interpreter")}
    # One interviewer: one interview at a time, 2 days x 2 slots = 4 slot-hours; the
    # family of five takes two. The German case is not the Albanian pledge's.
    emergency, urgent, family = (c.case_id for c in albania["cases"][:3])
    assert albania["german"].case_id not in slots
    first_hour = timezone.localtime(slots[emergency].start)
    assert first_hour.date() == FIRST and first_hour.hour == 9
    assert slots[urgent].interpreter.name == "Samira" and slots[urgent].languages == "prs"
    if family in slots:
        assert slots[family].end - slots[family].start == dt.timedelta(hours=2)
    assert sum((s.end - s.start).seconds // 3600 for s in slots.values()) <= 4
    assert set(mission.plan["left_out"]) == {c.case_id for c in albania["cases"]} - set(slots)
    page = client.get(reverse("mission_detail", args=[mission.pk])).content.decode()
    assert "Urgency-weighted fill" in page and "First come, first served" in page
    # Confirming books every slot through book(): appointments with attendance.
    client.post(reverse("mission_confirm", args=[mission.pk]))
    mission.refresh_from_db()
    assert mission.status == Mission.Status.CONFIRMED
    booked = Appointment.objects.filter(status=Appointment.Status.PLANNED)
    assert booked.count() == len(slots)
    for slot in mission.slots.select_related("appointment"):
        assert slot.appointment.room == slot.room and slot.appointment.start == slot.start
        assert slot.appointment.attendance.count() == slot.case.members.count()
    # A confirmed schedule is not planned again.
    response = client.post(
        reverse("mission_plan", args=[mission.pk]), {"source": "pledge"}, follow=True
    )
    assert "Refused (confirmed)" in response.content.decode()


def test_confirm_is_all_or_nothing_when_a_room_is_taken(client_for, users, albania):
    from onward.interviews import services
    from onward.interviews.models import AppointmentType

    client = client_for(roles.ADMIN)
    _create(client, albania)
    mission = Mission.objects.get()
    client.post(reverse("mission_plan", args=[mission.pk]), {"source": "pledge"})
    first = mission.slots.order_by("start", "room__name").first()
    # Someone books that room at that hour from the day board meanwhile.
    services.book(
        type=AppointmentType.objects.get(pk=AppointmentType.RESETTLEMENT_INTERVIEW),
        case=albania["german"],
        start=first.start,
        end=first.end,
        room=first.room,
    )
    before = Appointment.objects.count()  # the cases' own interviews and that booking
    response = client.post(reverse("mission_confirm", args=[mission.pk]), follow=True)
    assert "Refused (room)" in response.content.decode() and "Nothing was booked" in (
        response.content.decode()
    )
    assert Appointment.objects.count() == before
    mission.refresh_from_db()
    assert mission.status == Mission.Status.PLANNED


def test_a_hand_picked_list_and_an_unknown_id(client_for, albania):
    client = client_for(roles.PROTECTION)
    _create(client, albania)
    mission = Mission.objects.get()
    picked = [albania["cases"][3].case_id, albania["german"].case_id]
    url = reverse("mission_plan", args=[mission.pk])
    response = client.post(url, {"source": "list", "cases": f"{picked[0]}\nC7777777"}, follow=True)
    assert "No case C7777777: nothing planned." in response.content.decode()
    assert AuditEntry.objects.filter(action="denied", object_id="C7777777").exists()
    assert not MissionSlot.objects.exists()
    client.post(url, {"source": "list", "cases": ", ".join(picked)})
    assert set(MissionSlot.objects.values_list("case__case_id", flat=True)) == set(picked)


def test_bad_days_are_refused_naming_the_rule(client_for, albania):
    response = _create(client_for(roles.RESETTLEMENT), albania, last_day="2026-12-01")
    assert response.status_code == 200 and "Refused (days)" in response.content.decode()
    assert not Mission.objects.exists()


def test_a_delegation_sees_its_confirmed_schedule_with_shared_fields_only(
    client_for, users, albania
):
    staff = client_for(roles.RESETTLEMENT)
    _create(staff, albania)
    mission = Mission.objects.get()
    staff.post(reverse("mission_plan", args=[mission.pk]), {"source": "pledge"})
    delegation = client_for(roles.DELEGATION)
    url = reverse("mission_detail", args=[mission.pk])
    assert "The schedule is not confirmed yet." in delegation.get(url).content.decode()
    missions.confirm(mission=mission)  # (the client is the delegation's now)
    page = delegation.get(url).content.decode()
    slot = mission.slots.select_related("case").first()
    member = slot.case.members.order_by("person_id").first()
    assert slot.case.case_id in page and member.given_name in page
    # Staff details stay with the staff: no interpreter, interviewer, priority, nor the
    # planner's figures, nor the forms.
    assert "Samira" not in page and "Interviewer" not in page and "Priority" not in page
    assert "Run the planner" not in page and "Urgency-weighted" not in page
    assert AuditEntry.objects.filter(
        actor=users[roles.DELEGATION],
        action=AuditEntry.Action.VIEW,
        object_type="case",
        object_id=slot.case.case_id,
    ).exists()
    assert mission.name in delegation.get(reverse("mission_list")).content.decode()


def test_another_countrys_mission_is_404_and_denied_for_a_delegation(client_for, users, albania):
    rooms = albania["rooms"]
    german = missions.mission_create(
        actor=users[roles.RESETTLEMENT],
        pledge=albania["deu"],
        name="German mission",
        first_day=FIRST,
        last_day=FIRST,
        day_start=dt.time(9),
        slots_per_day=4,
        slot_minutes=60,
        rooms=rooms,
    )
    delegation = client_for(roles.DELEGATION)
    assert delegation.get(reverse("mission_detail", args=[german.pk])).status_code == 404
    assert AuditEntry.objects.filter(
        actor=users[roles.DELEGATION],
        action=AuditEntry.Action.DENIED,
        object_type="mission",
        object_id=str(german.pk),
    ).exists()
    assert "German mission" not in delegation.get(reverse("mission_list")).content.decode()


def test_the_planner_keeps_off_what_the_day_board_booked(client_for, users, albania):
    from onward.interviews import services
    from onward.interviews.models import AppointmentType

    client = client_for(roles.ADMIN)
    _create(client, albania)
    mission = Mission.objects.get()
    room = albania["rooms"][0]
    start = timezone.make_aware(dt.datetime.combine(FIRST, dt.time(9)))
    services.book(
        type=AppointmentType.objects.get(pk=AppointmentType.RESETTLEMENT_INTERVIEW),
        case=albania["german"],
        start=start,
        end=start + dt.timedelta(hours=2),
        room=room,
    )
    before = Appointment.objects.count()  # the cases' own interviews and that booking
    client.post(reverse("mission_plan", args=[mission.pk]), {"source": "pledge"})
    assert (
        not mission.slots.filter(room=room, start__lt=start + dt.timedelta(hours=2))
        .filter(start__date=FIRST)
        .exists()
    )
    client.post(reverse("mission_confirm", args=[mission.pk]))
    mission.refresh_from_db()
    assert mission.status == Mission.Status.CONFIRMED
    assert Appointment.objects.count() == before + mission.slots.count()


def test_the_mission_plans_linked_cases_on_the_same_day(client_for, users, albania):
    from onward.composition import services as composition

    client = client_for(roles.RESETTLEMENT)
    # One room, two slots a day over two days: four of the five cases fit at most.
    _create(client, albania, rooms=[albania["rooms"][0].pk])
    mission = Mission.objects.get()
    emergency, urgent, _family, last, other = albania["cases"]
    composition.cases_link(
        actor=users[roles.RESETTLEMENT],
        case=urgent,
        other=other,
        kind="family_unity",
        reason="Brothers' households",
    )
    client.post(reverse("mission_plan", args=[mission.pk]), {"source": "pledge"})
    day = {
        s.case.case_id: timezone.localtime(s.start).date()
        for s in MissionSlot.objects.select_related("case")
    }
    assert urgent.case_id in day and other.case_id in day
    assert day[urgent.case_id] == day[other.case_id]
    mission.refresh_from_db()
    assert mission.plan["links"] == [sorted([urgent.case_id, other.case_id])]
