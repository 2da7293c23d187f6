"""The transfer manifest leaves for the receiving country only with a data-sharing
agreement in force or every adult's valid consent, and never with someone's consent
withdrawn: otherwise the whole manifest is refused (409) naming who and why, audited as
denied, and nothing leaves (docs/consent.md "Exports and manifests")."""

import datetime as dt

import pytest
from django.urls import reverse

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.consent import services
from onward.consent.tests.helpers import agreement, consent
from onward.movements import services as movements
from onward.movements.tests.factories import TRANSFER_DAY, ready_case
from onward.relocation.tests.factories import pledge

pytestmark = pytest.mark.django_db


@pytest.fixture
def transfer(users):
    """A transfer of one ready case of two adults (the child was born in 2001), built with
    the consent rule off, as the shared factories are."""
    albania = pledge(users)
    case = ready_case(users, albania)
    rs = users[roles.RESETTLEMENT]
    transfer = movements.transfer_plan(actor=rs, pledge=albania, date=TRANSFER_DAY, seats=10)
    movements.transfer_case_add(actor=rs, transfer=transfer, case=case)
    transfer.case = case
    return transfer


@pytest.fixture
def officer(client, users, settings, transfer):
    settings.ONWARD_CONSENT_REQUIRED = True
    client.force_login(users[roles.RESETTLEMENT])
    return client


def _members(transfer):
    return list(transfer.case.members.order_by("person_id"))


def _get(client, transfer, fmt):
    return client.get(reverse(f"manifest_{fmt}", args=[transfer.pk]))


def _exports(transfer):
    return AuditEntry.objects.filter(
        action=AuditEntry.Action.EXPORT, object_type="transfer", object_id=str(transfer.pk)
    ).count()


@pytest.mark.parametrize("fmt", ["csv", "pdf"])
def test_without_consent_or_agreement_the_manifest_is_refused_naming_who(officer, transfer, fmt):
    response = _get(officer, transfer, fmt)
    assert response.status_code == 409
    text = response.content.decode()
    for p in _members(transfer):
        assert p.person_id in text
    assert "no data-sharing agreement with ALB" in text and "cannot be released" in text
    assert "Rezaei" not in text and _exports(transfer) == 0  # no personal data left
    denied = AuditEntry.objects.get(action=AuditEntry.Action.DENIED, object_type="transfer")
    assert denied.detail.startswith(f"manifest {fmt} refused: Consent rule:")


def test_every_adults_consent_lets_the_manifest_go(officer, users, transfer):
    for p in _members(transfer):
        consent(users, p, "ALB")
    assert _get(officer, transfer, "csv").status_code == 200
    assert _exports(transfer) == 1


def test_one_adult_missing_is_enough_to_refuse(officer, users, transfer):
    first, second = _members(transfer)
    consent(users, first, "ALB")
    text = _get(officer, transfer, "csv").content.decode()
    assert second.person_id in text and first.person_id not in text.split("from", 1)[1]


def test_an_agreement_in_force_lets_it_go_without_consents(officer, users, transfer):
    agreement(users, "ALB")
    response = _get(officer, transfer, "csv")
    assert response.status_code == 200
    assert b"document_number" in response.content


def test_an_expired_agreement_does_not(officer, users, transfer):
    agreement(users, "ALB", start=dt.date(2012, 1, 1), end=dt.date(2014, 12, 31))
    assert _get(officer, transfer, "csv").status_code == 409


def test_a_withdrawal_refuses_even_under_an_agreement(officer, users, transfer):
    agreement(users, "ALB")
    first, second = _members(transfer)
    consent(users, first, "ALB")
    given = consent(users, second, "ALB")
    services.consent_withdraw(
        actor=users[roles.CLERK], consent=given, reason="Changed her mind about Albania"
    )
    response = _get(officer, transfer, "pdf")
    assert response.status_code == 409
    assert f"consent for ALB was withdrawn for {second.person_id}" in response.content.decode()


def test_an_override_on_the_case_stands_for_missing_consents(officer, users, transfer):
    services.override_record(
        actor=users[roles.PROTECTION],
        case=transfer.case,
        country="ALB",
        reason="Principal consented on paper; scan follows next week",
    )
    assert _get(officer, transfer, "csv").status_code == 200


def test_the_rule_switched_off_changes_nothing(client, users, transfer):
    client.force_login(users[roles.RESETTLEMENT])
    assert _get(client, transfer, "csv").status_code == 200


def test_the_transfer_page_says_so_before_the_click(officer, users, transfer):
    page = officer.get(reverse("transfer_detail", args=[transfer.pk])).content.decode()
    assert 'id="manifest-refusal"' in page and "no data-sharing agreement with ALB" in page
    agreement(users, "ALB")
    page = officer.get(reverse("transfer_detail", args=[transfer.pk])).content.decode()
    assert 'id="manifest-refusal"' not in page
