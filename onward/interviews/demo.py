"""The demo's resettlement interviews: for cases the relocation demo assesses, a completed
interview shortly before the assessment, every member present (what the workflow's
`assess` requires, workflow.interview_completed). Written in bulk (the demo assesses
about 1,800 cases): two INSERTs per batch, through the same models `services.book`
writes; no slot can clash, each case's interview being alone at its own time.
"""

import datetime as dt

from onward.interviews.models import Appointment, AppointmentType, Attendance
from onward.registry.models import Person


def interviews_completed_bulk(at_by_case: dict[int, dt.datetime]) -> int:
    """A completed resettlement interview for each case pk, ending an hour before the
    given time (the assessment's), with an attendance row per member present, each
    present. Returns the number of interviews written."""
    if not at_by_case:
        return 0
    appointment_type = AppointmentType.objects.get(pk=AppointmentType.RESETTLEMENT_INTERVIEW)
    members: dict[int, list[int]] = {pk: [] for pk in [0, *at_by_case]}
    for person_pk, case_pk in Person.objects.filter(
        case_id__in=list(at_by_case),
        merged_into__isnull=True,
        removed_at__isnull=True,
        departure_date__isnull=True,
    ).values_list("pk", "case_id"):
        members[case_pk].append(person_pk)
    appointments = [
        Appointment(
            type=appointment_type,
            case_id=case_pk,
            start=at - dt.timedelta(hours=2),
            end=at - dt.timedelta(hours=1),
            status=Appointment.Status.COMPLETED,
        )
        for case_pk, at in at_by_case.items()
    ]
    Appointment.objects.bulk_create(appointments, batch_size=1000)
    Attendance.objects.bulk_create(
        [
            Attendance(appointment=a, person_id=person_pk, present=True)
            for a in appointments
            for person_pk in members[a.case_id or 0]
        ],
        batch_size=1000,
    )
    return len(appointments)


# The present day's selection mission (issue 18, Handbook 4.8): Albania's delegation
# interviews the cases submitted to the pledge open now, on three days starting a
# fortnight from the day the demo is loaded, in two rooms, with two interpreters.
ROOMS = ("Interview room A", "Interview room B")
INTERPRETERS = (("Shirin (Persian interpreter)", "fa"), ("Yasmin (Arabic interpreter)", "ar,fa"))
MISSION_NAME = "Albania's selection mission"
MISSION_STARTS_IN, MISSION_DAYS = 14, 3


def demo_mission_today(*, users, today: dt.date | None = None, log=print) -> dict:
    """A mission to the Albanian pledge open now: rooms, interpreters, the planner over
    the pledge's submissions awaiting a decision, the schedule confirmed (each slot booked
    through `services.book`). A few principal applicants need a Persian interpreter.
    Adds nothing when a mission exists or when the present day was not played."""
    from django.utils import timezone

    from onward.accounts import roles
    from onward.interviews import missions
    from onward.interviews.models import Interpreter, InterpreterNeed, Mission, Room
    from onward.relocation.demo import PRESENT_NOTE
    from onward.relocation.models import Pledge

    pledge = Pledge.objects.filter(notes=PRESENT_NOTE, country="ALB").first()
    if pledge is None or Mission.objects.exists():
        return {}
    today = today or timezone.localdate()
    rooms = [Room.objects.get_or_create(name=name)[0] for name in ROOMS]
    interpreters = [
        Interpreter.objects.get_or_create(name=name, defaults={"languages": langs})[0]
        for name, langs in INTERPRETERS
    ]
    staff = [u for u in users.values() if u.role in (roles.RESETTLEMENT, roles.PROTECTION)]
    first = today + dt.timedelta(days=MISSION_STARTS_IN)
    mission = missions.mission_create(
        actor=next(u for u in staff if u.role == roles.RESETTLEMENT),
        pledge=pledge,
        name=f"{MISSION_NAME}, {first:%B %Y}",
        first_day=first,
        last_day=first + dt.timedelta(days=MISSION_DAYS - 1),
        day_start=dt.time(9),
        slots_per_day=6,
        slot_minutes=60,
        rooms=rooms,
        interviewers=staff,
        interpreters=interpreters,
    )
    cases = missions.pledge_cases(mission)
    for case in cases[::3]:
        principal = case.members.filter(relationship="principal").first()
        if principal is not None:
            InterpreterNeed.objects.get_or_create(person=principal, defaults={"language": "fa"})
    if not cases:
        return {"mission": mission.pk}
    plan = missions.run_planner(mission=mission, cases=cases, time_limit=2.0)
    booked = missions.confirm(mission=mission)
    log(
        f"Today: {mission.name}, {first} to {mission.last_day}: {booked} of "
        f"{plan['cases']} cases booked in {len(rooms)} rooms."
    )
    return {"mission": mission.pk, "booked": booked}
