"""Absence to departure: the follow-up list, found or departed through the ledger."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.movements.ledger import population_on
from onward.movements.models import LedgerEntry
from onward.presence import selectors, services
from onward.presence.tests.factories import camp_with, incident
from onward.registry.models import Person
from onward.tasks.models import Task
from onward.tasks.services import refresh

pytestmark = pytest.mark.django_db


def _missing(users, n=1):
    blocks, housed = camp_with(users, blocks=("A",), per_block=2)
    officer = users[roles.PROTECTION]
    roll = services.rollcall_open(
        actor=officer,
        blocks=[blocks["A"]],
        reason="incident",
        incident=incident(users),
        on=timezone.localdate(),
    )
    for p in housed["A"][:n]:
        services.rollcall_mark(actor=officer, roll_call=roll, person=p, status="missing")
    return roll, housed["A"]


def test_a_missing_person_stays_listed_until_recorded_whereabouts_unknown(users):
    roll, (missing, other) = _missing(users)
    refresh(today=timezone.localdate())
    rows = selectors.follow_up()
    assert [(r["person"].pk, r["why"], r["on"]) for r in rows] == [(missing.pk, "missing", roll.on)]
    before = population_on(timezone.localdate())
    entry = services.absence_depart(
        actor=users[roles.PROTECTION], person=missing, kind=LedgerEntry.Kind.UNKNOWN
    )
    assert entry.kind == "whereabouts_unknown" and entry.date == roll.on and entry.delta == -1
    assert population_on(timezone.localdate()) == before - 1
    assert selectors.follow_up() == []
    task = Task.objects.get(rule="missing after roll call")
    assert task.state == Task.State.DONE and "whereabouts_unknown" in task.reason


def test_the_departure_is_dated_the_day_last_seen(users, settings):
    settings.PRESENCE_NOT_SEEN_DAYS = 7
    _, housed = camp_with(users, blocks=("A",), per_block=1)
    away = housed["A"][0]
    clerk, officer = users[roles.CLERK], users[roles.PROTECTION]
    services.card_issue(actor=clerk, person=away)
    seen = timezone.now() - dt.timedelta(days=10)
    services.presence_record(actor=clerk, checkpoint="Gate", person=away, method="manual", at=seen)
    refresh(today=timezone.localdate())
    task = Task.objects.get(rule="resident not seen", state="open")
    rows = selectors.follow_up(not_seen_task_subjects=[task.subject_id])
    assert rows[0]["why"] == "not_seen" and rows[0]["on"] == timezone.localtime(seen).date()
    entry = services.absence_depart(actor=officer, person=away, kind=LedgerEntry.Kind.LEFT)
    assert entry.date == timezone.localtime(seen).date() and entry.kind == "left_own_accord"
    away.refresh_from_db()
    assert away.departure_type == "left_own_accord"
    task.refresh_from_db()
    assert task.state == Task.State.DONE and task.closed_by == officer


def test_departing_someone_already_departed_is_refused_and_writes_nothing(users):
    _, (missing, _other) = _missing(users)
    officer = users[roles.PROTECTION]
    services.absence_depart(actor=officer, person=missing, kind=LedgerEntry.Kind.UNKNOWN)
    entries = LedgerEntry.objects.count()
    with pytest.raises(ValidationError, match="already departed"):
        services.absence_depart(actor=officer, person=missing, kind=LedgerEntry.Kind.LEFT)
    with pytest.raises(ValidationError, match="One of"):
        services.absence_depart(actor=officer, person=_other, kind="deceased")
    assert LedgerEntry.objects.count() == entries


def test_found_records_a_presence_and_takes_the_person_off_the_list(users):
    _, (missing, _other) = _missing(users)
    refresh(today=timezone.localdate())
    services.absence_found(actor=users[roles.PROTECTION], person=missing, checkpoint="Clinic")
    assert selectors.follow_up() == []
    assert selectors.last_seen(missing).checkpoint == "Clinic"
    assert Task.objects.get(rule="missing after roll call").state == Task.State.DONE


def test_the_pages_list_record_and_audit(client_for, users):
    _, (missing, _other) = _missing(users)
    page = client_for(roles.PROTECTION).get(reverse("presence_follow_up"))
    assert page.status_code == 200 and missing.person_id in page.content.decode()
    assert AuditEntry.objects.filter(
        action="view", object_id=missing.person_id, detail="follow-up list"
    ).exists()
    url = reverse("presence_follow_up_outcome", kwargs={"person_id": missing.person_id})
    c = client_for(roles.PROTECTION)
    assert c.post(url, {"outcome": "whereabouts_unknown", "on": "not a date"}).status_code == 302
    assert Person.objects.get(pk=missing.pk).departure_date is None  # bad date: nothing
    c.post(url, {"outcome": "whereabouts_unknown", "on": str(timezone.localdate())})
    missing.refresh_from_db()
    assert missing.departure_type == "whereabouts_unknown"
    assert missing.departure_date == timezone.localdate()
    # a clerk may not record departures
    assert client_for(roles.CLERK).post(url, {"outcome": "found"}).status_code == 403
