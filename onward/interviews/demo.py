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
