"""Repeated failed sign-ins lock the username (django-axes), and the audit log has every
try and the lock itself."""

import datetime as dt

import pytest
import time_machine

from onward.accounts import roles
from onward.accounts.tests.helpers import password_login
from onward.audit.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.password_only]


def _entries(username, action):
    return AuditEntry.objects.filter(object_id=username, action=action)


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client, users):
    name = users[roles.CLERK].username
    for _ in range(4):
        assert password_login(client, name, "not-the-password").status_code == 200
    fifth = password_login(client, name, "not-the-password")
    assert fifth.status_code == 429
    assert "This account is locked" in fifth.content.decode()

    right = password_login(client, name)
    page = right.content.decode()
    assert right.status_code == 429
    assert "30 minutes" in page and "This account is locked" in page
    assert "_auth_user_id" not in client.session  # not signed in

    assert _entries(name, AuditEntry.Action.LOGIN_FAILED).count() == 6
    locks = list(
        _entries(name, AuditEntry.Action.LOCKED_OUT).order_by("id").values_list("detail", flat=True)
    )
    assert locks == ["locked after 5 failed sign-ins", "sign-in refused: the account is locked"]
    assert not _entries(name, AuditEntry.Action.LOGIN).exists()


def test_the_lock_is_per_username_and_lifts_after_thirty_minutes(client, users):
    name = users[roles.CLERK].username
    with time_machine.travel(dt.datetime(2031, 5, 4, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        for _ in range(5):
            password_login(client, name, "not-the-password")
        # Another user at the same address is not locked.
        other = password_login(client, users[roles.AUDITOR].username)
        assert other.status_code == 302
        client.logout()
        clock.shift(dt.timedelta(minutes=29))
        assert password_login(client, name).status_code == 429
        clock.shift(dt.timedelta(minutes=2))
        assert password_login(client, name).status_code == 302
    assert _entries(name, AuditEntry.Action.LOGIN).count() == 1


def test_the_locked_page_says_until_when(client, users):
    name = users[roles.CLERK].username
    with time_machine.travel(dt.datetime(2031, 5, 4, 6, 0, tzinfo=dt.UTC), tick=False):
        for _ in range(5):
            response = password_login(client, name, "not-the-password")
    # 06:30 UTC is 09:30 in the operation's time zone (Asia/Baghdad, UTC+3).
    assert "from 09:30" in response.content.decode()
