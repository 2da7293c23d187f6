"""A planned transfer's date can change until it departs (the flight was moved), with a
reason, audited with the old and the new date; a transfer planned for a later day is
confirmed once its day comes, or after its date is moved."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.movements import services
from onward.movements.models import Transfer
from onward.movements.selectors import transfer_date_changes
from onward.movements.tests.factories import TRANSFER_DAY, ready_case
from onward.registry.services import StaleEdit
from onward.relocation.tests.factories import pledge

pytestmark = pytest.mark.django_db
NEXT_WEEK = timezone.localdate() + dt.timedelta(days=7)


@pytest.fixture
def rs(users):
    return users[roles.RESETTLEMENT]


@pytest.fixture
def planned(users, rs):
    albania = pledge(users)
    transfer = services.transfer_plan(actor=rs, pledge=albania, date=NEXT_WEEK, seats=9)
    services.transfer_case_add(actor=rs, transfer=transfer, case=ready_case(users, albania, size=2))
    return transfer


def test_a_planned_transfer_moves_to_another_day_with_its_reason_audited(rs, planned):
    moved = services.transfer_reschedule(
        actor=rs,
        transfer=planned,
        date=TRANSFER_DAY,
        reason="flight brought forward by the airline",
        expected_version=planned.version,
    )
    assert (moved.date, moved.version, moved.status) == (TRANSFER_DAY, 2, "planned")
    entry = AuditEntry.objects.filter(
        object_type="transfer", object_id=str(planned.pk), changes__has_key="date"
    ).get()
    assert entry.changes == {"date": [str(NEXT_WEEK), str(TRANSFER_DAY)]}
    assert entry.actor == rs and "flight brought forward" in entry.detail
    assert transfer_date_changes(moved) == [
        {
            "at": entry.at,
            "by": rs.username,
            "before": str(NEXT_WEEK),
            "after": str(TRANSFER_DAY),
            "reason": "flight brought forward by the airline",
        }
    ]
    assert moved.lines.filter(removed_at__isnull=True).count() == 1  # the manifest stays


def test_a_transfer_planned_for_later_is_confirmed_once_its_date_is_moved(rs, planned):
    with pytest.raises(ValidationError, match=f"planned for {NEXT_WEEK}"):
        services.transfer_confirm(actor=rs, transfer=planned)
    services.transfer_reschedule(
        actor=rs, transfer=planned, date=timezone.localdate(), reason="left today"
    )
    confirmed = services.transfer_confirm(actor=rs, transfer=planned)
    assert confirmed.status == "confirmed"
    assert {p.departure_date for line in confirmed.lines.all() for p in line.persons.all()} == {
        timezone.localdate()
    }


def test_a_departed_transfer_keeps_its_date(rs, planned):
    services.transfer_reschedule(actor=rs, transfer=planned, date=TRANSFER_DAY, reason="moved")
    services.transfer_confirm(actor=rs, transfer=planned)
    with pytest.raises(ValidationError) as err:
        services.transfer_reschedule(actor=rs, transfer=planned, date=NEXT_WEEK, reason="typo")
    assert f"departed on {TRANSFER_DAY}: its date can no longer change" in str(err.value)
    assert Transfer.objects.get(pk=planned.pk).date == TRANSFER_DAY


@pytest.mark.parametrize(
    "date, reason, field",
    [
        ("", "moved", "date"),
        ("2013-02-30", "moved", "date"),
        (NEXT_WEEK, "moved", "date"),
        (TRANSFER_DAY, "   ", "reason"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(
    rs, planned, date, reason, field
):
    with pytest.raises(ValidationError) as err:
        services.transfer_reschedule(actor=rs, transfer=planned, date=date, reason=reason)
    assert field in err.value.message_dict
    planned.refresh_from_db()
    assert (planned.date, planned.version) == (NEXT_WEEK, 1)
    assert not transfer_date_changes(planned)


def test_a_stale_date_change_is_refused(rs, planned):
    services.transfer_reschedule(actor=rs, transfer=planned, date=TRANSFER_DAY, reason="moved")
    with pytest.raises(StaleEdit):
        services.transfer_reschedule(
            actor=rs, transfer=planned, date=NEXT_WEEK, reason="moved back", expected_version=1
        )


def test_a_cancelled_transfer_cannot_move(rs, planned):
    services.transfer_cancel(actor=rs, transfer=planned, reason="flight cancelled")
    with pytest.raises(ValidationError, match="is cancelled"):
        services.transfer_reschedule(actor=rs, transfer=planned, date=TRANSFER_DAY, reason="moved")


def test_the_page_offers_the_date_change_and_says_when_it_can_be_confirmed(client, rs, planned):
    client.force_login(rs)
    html = client.get(reverse("transfer_detail", args=[planned.pk])).content.decode()
    assert f"Planned for {NEXT_WEEK}: it can be confirmed from that day" in html
    assert 'id="confirm-transfer"' not in html and 'id="change-date"' in html
    response = client.post(
        reverse("transfer_reschedule", args=[planned.pk]),
        {"date": str(TRANSFER_DAY), "reason": "flight moved", "version": planned.version},
        follow=True,
    )
    html = response.content.decode()
    assert f"moved from {NEXT_WEEK} to {TRANSFER_DAY}" in html
    assert 'id="confirm-transfer"' in html and 'id="date-changes"' in html


def test_the_page_refuses_a_change_without_a_reason(client, rs, planned):
    client.force_login(rs)
    response = client.post(
        reverse("transfer_reschedule", args=[planned.pk]),
        {"date": str(TRANSFER_DAY), "reason": ""},
        follow=True,
    )
    assert "reason" in response.content.decode()
    planned.refresh_from_db()
    assert planned.date == NEXT_WEEK


def test_the_api_moves_the_date_and_names_the_field_at_fault(client, rs, planned):
    client.force_login(rs)
    url = reverse("api_transfer_date", args=[planned.pk])
    bad = client.post(url, {"date": str(TRANSFER_DAY)}, content_type="application/json")
    assert bad.status_code == 400 and "reason" in bad.json()["fields"]
    ok = client.post(
        url,
        {"date": str(TRANSFER_DAY), "reason": "moved", "version": 1},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["date"] == str(TRANSFER_DAY)
    stale = client.post(
        url,
        {"date": str(NEXT_WEEK), "reason": "back", "version": 1},
        content_type="application/json",
    )
    assert stale.status_code == 409
