import datetime as dt

from django.urls import reverse
from django.utils import timezone

from onward.web.tests.matrix import Row, outcome


def world(users) -> dict:
    from onward.accounts import roles
    from onward.interviews import services as interviews
    from onward.interviews.models import AppointmentType
    from onward.movements import services
    from onward.movements.tests.factories import TRANSFER_DAY, ready_case
    from onward.relocation.tests.factories import pledge

    rs = users[roles.RESETTLEMENT]
    albania = pledge(users)
    case = ready_case(users, albania, size=1)
    transfer = services.transfer_plan(actor=rs, pledge=albania, date=TRANSFER_DAY, seats=9)
    services.transfer_case_add(actor=rs, transfer=transfer, case=case)
    start = timezone.make_aware(dt.datetime(2026, 12, 7, 9, 0))
    appointment = interviews.book(
        type=AppointmentType.objects.get(code=AppointmentType.RESETTLEMENT_INTERVIEW),
        case=case,
        start=start,
        end=start + dt.timedelta(hours=1),
    )
    return {"case": case.case_id, "transfer": transfer.pk, "appointment": appointment.pk}


def _c(name, **extra):
    return lambda w: reverse(
        name, kwargs={"case_id": w["case"], **{k: w[v] for k, v in extra.items()}}
    )


# Staff who may see the case print its letters; a delegation and the auditor never (403
# before any record is looked up). The language is set by the roles that edit persons.
# Out of scope (AUTO): another case id, 404 and a `denied` entry; another case's
# appointment or transfer under this case is test_views.py's.
PRINTERS = outcome(200, DL=403, AU=403)
DEPARTURE = "?assembly_point=Gate+B&assembly_time=05:45&luggage_kg=23"
ROWS = [
    Row("case_letters", _c("case_letters"), PRINTERS),
    Row(
        "letter_language_set",
        _c("letter_language_set"),
        outcome(302, RS=403, DL=403, AU=403),
        method="post",
        body={"language": "fa"},
    ),
    Row("letter_summary", _c("letter_summary"), PRINTERS),
    Row("letter_decision", _c("letter_decision"), PRINTERS),
    Row("letter_appointment", _c("letter_appointment", appointment_id="appointment"), PRINTERS),
    Row(
        "letter_departure",
        lambda w: _c("letter_departure", transfer_id="transfer")(w) + DEPARTURE,
        PRINTERS,
    ),
]
