"""E-mail digests through a real SMTP server (aiosmtpd on a local port): what arrives
carries ids and links only; a failed delivery is kept, retried and shown."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.presence import services as presence
from onward.presence.tests.factories import camp_with, incident
from onward.tasks import digests
from onward.tasks.models import Digest, DigestPreference, Task
from onward.tasks.services import refresh
from onward.tasks.tests.smtp import SMTPServer

pytestmark = pytest.mark.django_db


def _noon(days=0) -> dt.datetime:
    # A fixed time of day: a test run near midnight must not cross into a new digest day.
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


@pytest.fixture
def officer(users):
    user = users[roles.PROTECTION]
    user.email = "officer@onward.example"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def missing(users):
    """Two residents marked missing at a roll call: two open tasks for protection."""
    blocks, housed = camp_with(users, blocks=("A",), per_block=2)
    roll = presence.rollcall_open(
        actor=users[roles.PROTECTION],
        blocks=[blocks["A"]],
        reason="incident",
        incident=incident(users),
        on=timezone.localdate(),
    )
    for p in housed["A"]:
        presence.rollcall_mark(
            actor=users[roles.PROTECTION], roll_call=roll, person=p, status="missing"
        )
    refresh(today=timezone.localdate())
    return housed["A"]


def test_a_daily_digest_arrives_with_ids_and_links_and_no_name(officer, missing, smtp_server):
    digests.preference_set(user=officer, frequency="daily", rules=[])
    assert digests.send_digests(now=_noon()) == {"made": 1, "sent": 1, "failed": 0}
    [(to, msg)] = smtp_server.messages
    assert to == ["officer@onward.example"]
    text = msg.get_body().get_content()
    tasks = Task.objects.filter(rule="missing after roll call")
    for task in tasks:
        assert f"T{task.pk}" in text
        assert f"https://onward.example/tasks/#task-{task.pk}" in text
    assert "2 open" in msg["Subject"]
    for person in missing:  # no personal data: no name, no title with the person id
        for value in (person.given_name, person.family_name, person.person_id):
            assert value not in text and value not in msg["Subject"]
    # the same day again: nothing new is made or sent; the next day a new one
    assert digests.send_digests(now=_noon() + dt.timedelta(hours=11)) == {
        "made": 0,
        "sent": 0,
        "failed": 0,
    }
    assert digests.send_digests(now=_noon(1))["made"] == 1
    assert set(Digest.objects.values_list("state", flat=True)) == {Digest.State.SENT}


def test_kinds_and_frequency_are_the_users_choice(officer, missing, smtp_server):
    digests.preference_set(user=officer, frequency="weekly", rules=["merge review"])
    assert digests.send_digests()["made"] == 0  # no open task of that kind
    digests.preference_set(user=officer, frequency="weekly", rules=["missing after roll call"])
    pref = DigestPreference.objects.get(user=officer)
    pref.last_made_at = None
    pref.save()
    assert digests.send_digests(now=_noon())["sent"] == 1
    assert digests.send_digests(now=_noon(3))["made"] == 0  # weekly: not before 7 days
    assert digests.send_digests(now=_noon(7))["made"] == 1
    with pytest.raises(ValueError, match="not a digest frequency"):
        digests.preference_set(user=officer, frequency="hourly", rules=[])
    with pytest.raises(ValueError, match="Not a task kind"):
        digests.preference_set(user=officer, frequency="daily", rules=["no such rule"])
    assert DigestPreference.objects.get(user=officer).frequency == "weekly"


def test_server_down_the_digest_is_kept_retried_and_shown(
    officer, missing, smtp_port, client_for, users
):
    digests.preference_set(user=officer, frequency="daily", rules=[])
    assert digests.send_digests(now=_noon()) == {"made": 1, "sent": 0, "failed": 1}
    digest = Digest.objects.get()
    assert digest.state == "pending" and digest.attempts == 1
    assert "Connection" in digest.last_error or "refused" in digest.last_error.lower()
    assert digest.next_attempt_at > _noon()
    # not before its wait is over
    assert digests.send_digests(now=_noon()) == {"made": 0, "sent": 0, "failed": 0}
    # shown to the user (inbox and preferences) and to the administrator
    page = client_for(roles.PROTECTION).get(reverse("task_inbox")).content.decode()
    assert f'id="digest-{digest.pk}"' in page and "1 attempts" not in page
    prefs = client_for(roles.PROTECTION).get(reverse("account_preferences")).content.decode()
    assert f'id="digest-{digest.pk}"' in prefs
    admin_page = client_for(roles.ADMIN).get(reverse("task_inbox")).content.decode()
    assert 'id="digests-failing-all"' in admin_page
    # the server comes back: the retry delivers the same digest, once
    server = SMTPServer(smtp_port)
    server.start()
    try:
        later = _noon() + dt.timedelta(minutes=6)
        assert digests.send_digests(now=later) == {"made": 0, "sent": 1, "failed": 0}
        assert len(server.messages) == 1
    finally:
        server.stop()
    digest.refresh_from_db()
    assert digest.state == "sent" and digest.attempts == 2 and digest.last_error == ""
    assert 'id="digests-failing-all"' not in (
        client_for(roles.ADMIN).get(reverse("task_inbox")).content.decode()
    )


def test_no_address_is_a_failure_shown_not_a_loss(users, missing, smtp_server):
    officer = users[roles.PROTECTION]  # no e-mail address
    digests.preference_set(user=officer, frequency="daily", rules=[])
    assert digests.send_digests()["failed"] == 1
    assert Digest.objects.get().last_error == "the account has no e-mail address"
    assert smtp_server.messages == []


def test_the_preferences_page_stores_the_choice_audited(officer, client_for):
    c = client_for(roles.PROTECTION)
    page = c.get(reverse("account_preferences")).content.decode()
    assert 'id="digest-preferences"' in page
    r = c.post(
        reverse("account_preferences"),
        {
            "language": "",
            "digits": "latn",
            "calendar": "gregory",
            "digest-shown": "True",
            "digest-frequency": "weekly",
            "digest-rules": ["missing after roll call", "resident not seen"],
        },
    )
    assert r.status_code == 302
    pref = DigestPreference.objects.get(user=officer)
    assert pref.frequency == "weekly"
    assert pref.rules == ["missing after roll call", "resident not seen"]
    assert AuditEntry.objects.filter(
        object_type="user", object_id=officer.username, detail__contains="digest"
    ).exists()
    bad = c.post(
        reverse("account_preferences"),
        {
            "language": "",
            "digits": "latn",
            "calendar": "gregory",
            "digest-shown": "True",
            "digest-frequency": "hourly",
        },
    )
    assert (
        bad.status_code == 200 and DigestPreference.objects.get(user=officer).frequency == "weekly"
    )
    # a delegation and an auditor have no tasks: no digest section
    for role in (roles.DELEGATION, roles.AUDITOR):
        page = client_for(role).get(reverse("account_preferences")).content.decode()
        assert 'id="digest-preferences"' not in page


def test_the_command_sends(officer, missing, smtp_server, capsys):
    digests.preference_set(user=officer, frequency="daily", rules=[])
    call_command("send-digests")
    assert "1 made, 1 delivered, 0 failed" in capsys.readouterr().out
    assert len(smtp_server.messages) == 1


def test_the_worker_sends_them_every_15_minutes():
    from onward.jobs.registry import CHORES, KINDS

    assert CHORES["send digests"].every == 900
    assert KINDS["send digests"].retry
