"""The card scan's own path (one statement on PostgreSQL, docs/presence.md "Scale") and the
general path write the same rows, refuse the same scans in the same words, and write
nothing when they refuse. On SQLite both are the general path: the tests hold there too."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onward.accounts import roles
from onward.audit.middleware import RequestMeta, request_meta_as
from onward.audit.models import AuditEntry
from onward.audit.services import write_committed
from onward.movements.services import departure_record
from onward.presence import services
from onward.presence.models import LastSeen, PresenceEvent
from onward.presence.tests.factories import camp_with
from onward.registry.models import Person

pytestmark = pytest.mark.django_db

META = RequestMeta("10.1.2.3", "/presence/scan/", "web", "req-scan-1")
EVENT_FIELDS = ("checkpoint", "method", "recorded_by_id")
AUDIT_FIELDS = (
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "changes",
    "detail",
    "ip",
    "channel",
    "path",
    "request_id",
)


@pytest.fixture
def residents(users):
    _, housed = camp_with(users, blocks=("A",), per_block=2)
    clerk = users[roles.CLERK]
    return [(p, services.card_issue(actor=clerk, person=p)) for p in housed["A"]]


def _scan(monkeypatch, fast: bool, **kwargs):
    monkeypatch.setattr(services, "SCAN_FAST_PATH", fast)
    with request_meta_as(META):
        return services.presence_record(checkpoint="Gate 1", **kwargs)


def _written(person, card):
    event = PresenceEvent.objects.get(person=person)
    seen = LastSeen.objects.get(person=person)
    audit = AuditEntry.objects.get(
        object_type="person",
        object_id=person.person_id,
        action="create",
        detail__startswith="presence",
    )
    assert event.card_id == card.pk
    assert seen.at == event.at and seen.checkpoint == event.checkpoint
    return (
        {f: getattr(event, f) for f in EVENT_FIELDS},
        {f: getattr(audit, f) for f in AUDIT_FIELDS},
        abs(event.recorded_at - audit.at) < dt.timedelta(seconds=1),
    )


def test_both_paths_write_the_same_rows(users, residents, monkeypatch):
    clerk = users[roles.CLERK]
    (general_person, general_card), (own_person, own_card) = residents
    a = _scan(monkeypatch, False, actor=clerk, token=general_card.token)
    b = _scan(monkeypatch, True, actor=clerk, token=own_card.token)
    general, own = _written(general_person, general_card), _written(own_person, own_card)
    assert general == own
    event, audit, same_time = own
    assert event == {"checkpoint": "Gate 1", "method": "card", "recorded_by_id": clerk.pk}
    assert audit["ip"] == "10.1.2.3" and audit["request_id"] == "req-scan-1"
    assert audit["actor_name"] == clerk.username and audit["changes"] == {}
    assert audit["detail"] == "presence at Gate 1 (card)" and same_time
    # what each path returns is the event written
    for returned, person in ((a, general_person), (b, own_person)):
        stored = PresenceEvent.objects.get(person=person)
        assert (returned.pk, returned.person_id, returned.card_id) == (
            stored.pk,
            stored.person_id,
            stored.card_id,
        )
        assert returned.at == stored.at


def test_a_later_scan_moves_last_seen_an_earlier_one_does_not(users, residents, monkeypatch):
    clerk = users[roles.CLERK]
    for fast, (person, card) in zip((False, True), residents, strict=True):
        now = timezone.now()
        _scan(monkeypatch, fast, actor=clerk, token=card.token, at=now - dt.timedelta(hours=5))
        _scan(monkeypatch, fast, actor=clerk, token=card.token, at=now - dt.timedelta(hours=1))
        _scan(monkeypatch, fast, actor=clerk, token=card.token, at=now - dt.timedelta(hours=3))
        assert LastSeen.objects.get(person=person).at == now - dt.timedelta(hours=1)
        assert PresenceEvent.objects.filter(person=person).count() == 3


def _gone(how, person, users):
    if how == "departed":
        departure_record(
            actor=users[roles.DATA_MANAGER],
            person=person,
            kind="left_own_accord",
            on=timezone.localdate(),
        )
    elif how == "removed":
        Person.objects.filter(pk=person.pk).update(removed_at=timezone.now())
    elif how == "merged":
        other = Person.objects.exclude(pk=person.pk).first()
        Person.objects.filter(pk=person.pk).update(merged_into=other)
    elif how == "revoked":
        card = person.cards.get(revoked_at=None)
        services.card_revoke(actor=users[roles.CLERK], card=card, reason="lost")


@pytest.mark.parametrize(
    "how, expected",
    [
        ("unknown", "No card has this code"),
        ("too long", "No card has this code"),
        ("revoked", r"This card was revoked on \d{4}-\d\d-\d\d \(lost\)"),
        ("departed", r"departed on .* \(left_own_accord\): not recorded"),
        ("removed", "is removed from the registry"),
        ("merged", "is a merged duplicate record"),
    ],
)
def test_both_paths_refuse_alike_and_write_nothing(users, residents, monkeypatch, how, expected):
    person, card = residents[0]
    token = {"unknown": "y" * 22, "too long": card.token + "z" * 20}.get(how, card.token)
    _gone(how, person, users)
    answers = []
    for fast in (False, True):
        audit_before = AuditEntry.objects.count()
        with pytest.raises(ValidationError, match=expected) as refused:
            _scan(monkeypatch, fast, actor=users[roles.CLERK], token=token)
        answers.append(refused.value.message_dict)
        assert not PresenceEvent.objects.exists() and not LastSeen.objects.exists()
        assert AuditEntry.objects.count() == audit_before
    assert answers[0] == answers[1] and list(answers[0]) == ["token"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement path")
def test_the_scan_is_one_statement_and_tells_the_figures_it_changed(
    users, residents, monkeypatch, django_capture_on_commit_callbacks
):
    person, card = residents[0]
    heard = []

    def receiver(**kwargs):
        heard.append(kwargs)

    write_committed.connect(receiver)
    # (the fixture's card issue left its own signal pending: sent once a transaction)
    connection.run_on_commit.clear()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            with CaptureQueriesContext(connection) as queries:
                _scan(monkeypatch, True, actor=users[roles.CLERK], token=card.token)
    finally:
        write_committed.disconnect(receiver)
    assert len(queries) == 1, [q["sql"] for q in queries]
    assert len(heard) == 1  # once the write committed


def test_a_scan_dated_ahead_is_refused_on_both_paths(users, residents, monkeypatch):
    person, card = residents[0]
    for fast in (False, True):
        with pytest.raises(ValidationError, match="once it happened"):
            _scan(
                monkeypatch,
                fast,
                actor=users[roles.CLERK],
                token=card.token,
                at=timezone.now() + dt.timedelta(hours=1),
            )
    assert not PresenceEvent.objects.exists()
