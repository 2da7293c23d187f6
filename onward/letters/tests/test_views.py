"""The letters page and its downloads: language, scope, audit, bad input."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from onward.audit.models import AuditEntry
from onward.conftest import principal_data
from onward.letters.models import LetterLanguage
from onward.pdf.tests.reading import logical_text
from onward.registry import services as registry


@pytest.fixture
def world(users):
    from onward.interviews import services as interviews
    from onward.interviews.models import AppointmentType
    from onward.movements import services
    from onward.movements.tests.factories import TRANSFER_DAY, ready_case
    from onward.relocation.tests.factories import pledge

    rs = users["resettlement_officer"]
    albania = pledge(users)
    case = ready_case(users, albania, size=1)
    other = registry.case_create(actor=users["registration_clerk"], principal=principal_data())
    transfer = services.transfer_plan(actor=rs, pledge=albania, date=TRANSFER_DAY, seats=9)
    services.transfer_case_add(actor=rs, transfer=transfer, case=case)
    start = timezone.make_aware(dt.datetime(2026, 12, 7, 9, 0))
    kind = AppointmentType.objects.get(code=AppointmentType.RESETTLEMENT_INTERVIEW)
    theirs = interviews.book(type=kind, case=other, start=start, end=start + dt.timedelta(hours=1))
    return {"case": case, "other": other, "transfer": transfer, "their_appointment": theirs}


def _exports():
    return AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, object_type="case")


def test_a_letter_is_printed_in_the_chosen_language_and_audited(client_for, world, letter_catalog):
    case = world["case"]
    client = client_for("registration_clerk")
    page = client.get(reverse("case_letters", args=[case.case_id]))
    assert page.status_code == 200 and b"letter-decision" in page.content
    answer = client.post(reverse("letter_language_set", args=[case.case_id]), {"language": "fa"})
    assert answer.status_code == 302
    assert LetterLanguage.objects.get(case=case).language == "fa"
    change = AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE, object_id=case.case_id)
    assert change.first().changes == {"letter_language": ["en", "fa"]}
    pdf = client.get(reverse("letter_decision", args=[case.case_id]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].endswith(f'decision-{case.case_id}-accepted-fa.pdf"')
    assert "تصمیم درباره پرونده" in logical_text(pdf.content, rtl=True)
    entry = _exports().get()
    assert (entry.object_id, entry.detail) == (case.case_id, "letter decision fa accepted")


def test_a_bad_language_changes_nothing(client_for, world):
    case = world["case"]
    client = client_for("registration_clerk")
    updates = AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE).count()
    client.post(reverse("letter_language_set", args=[case.case_id]), {"language": "de"})
    assert not LetterLanguage.objects.exists()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE).count() == updates


def test_another_cases_appointment_or_transfer_is_not_there(client_for, world):
    case, theirs = world["case"], world["their_appointment"]
    client = client_for("registration_clerk")
    url = reverse("letter_appointment", args=[case.case_id, theirs.pk])
    assert client.get(url).status_code == 404
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.DENIED, object_type="appointment", object_id=str(theirs.pk)
    ).exists()
    url = reverse("letter_departure", args=[world["other"].case_id, world["transfer"].pk])
    assert (
        client.get(url + "?assembly_point=A&assembly_time=05:00&luggage_kg=20").status_code == 404
    )
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.DENIED, object_type="transfer"
    ).exists()
    assert not _exports().exists()


def test_a_departure_notice_without_its_facts_is_refused_with_the_reason(client_for, world):
    case = world["case"]
    client = client_for("resettlement_officer")
    url = reverse("letter_departure", args=[case.case_id, world["transfer"].pk])
    answer = client.get(url + "?assembly_point=Gate+B&assembly_time=5h&luggage_kg=500")
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "Enter a valid time." in text and "less than or equal to 100" in text
    assert not _exports().exists()
    # Digits typed in Persian are read as 0-9.
    answer = client.get(url + "?assembly_point=Gate+B&assembly_time=۰۵:۴۵&luggage_kg=۲۳")
    assert answer.status_code == 200
    assert _exports().get().detail == f"letter departure en {world['transfer'].pk}"


def test_delegations_never_print_letters(client_for, world):
    client = client_for("delegation")
    assert client.get(reverse("letter_summary", args=[world["case"].case_id])).status_code == 403
    assert not _exports().exists()
