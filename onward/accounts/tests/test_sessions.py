"""Sessions: a new key at sign-in, an idle limit, an absolute limit, and every session of
a deactivated user ended at once."""

import datetime as dt
from importlib import import_module

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from onward.accounts import roles
from onward.accounts.testing import totp_code, totp_device_for
from onward.accounts.tests.helpers import code_submit, password_login
from onward.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2031, 5, 4, 7, 0, tzinfo=dt.UTC)


def _exists(session_key: str) -> bool:
    return import_module(settings.SESSION_ENGINE).SessionStore().exists(session_key)


@pytest.mark.password_only
def test_the_session_key_is_renewed_at_sign_in_and_at_the_second_factor(client, users):
    """A key planted before sign-in (session fixation) is worth nothing after it."""
    clerk = users[roles.CLERK]
    device = totp_device_for(clerk)
    planted = client.session.session_key
    assert _exists(planted)

    password_login(client, clerk.username)
    after_password = client.session.session_key
    assert after_password != planted and not _exists(planted)

    code_submit(client, totp_code(device))
    after_code = client.session.session_key
    assert after_code != after_password and not _exists(after_password)
    assert client.get("/cases/").status_code == 200


def test_an_idle_session_expires_after_thirty_minutes(client, users):
    with time_machine.travel(T0, tick=False) as clock:
        client.force_login(users[roles.CLERK])
        for _ in range(3):  # activity keeps the session alive, 25 minutes at a time
            clock.shift(dt.timedelta(minutes=25))
            assert client.get("/cases/").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        response = client.get("/cases/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_session_is_written_again_only_a_minute_after_its_last_renewal(client, users):
    """Renewing the expiry on every page was a write and a commit each time: a request
    within a minute of the last renewal leaves the session row alone, a later one renews
    it, and the idle limit still holds to the minute."""
    from django.contrib.sessions.models import Session

    def expiry():
        return Session.objects.get(session_key=client.session.session_key).expire_date

    with time_machine.travel(T0, tick=False) as clock:
        client.force_login(users[roles.CLERK])
        assert client.get("/cases/").status_code == 200
        first = expiry()
        clock.shift(dt.timedelta(seconds=30))
        assert client.get("/cases/").status_code == 200
        assert expiry() == first  # not written again
        clock.shift(dt.timedelta(seconds=31))
        assert client.get("/cases/").status_code == 200
        assert expiry() == first + dt.timedelta(seconds=61)  # renewed: 30 min from now
        clock.shift(dt.timedelta(minutes=29, seconds=50))  # idle, but within the limit
        assert client.get("/cases/").status_code == 200
        clock.shift(dt.timedelta(minutes=30, seconds=1))
        assert client.get("/cases/")["Location"].startswith("/login/")


def test_a_session_ends_ten_hours_after_sign_in_however_active(client, users):
    clerk = users[roles.CLERK]
    with time_machine.travel(T0, tick=False) as clock:
        client.force_login(clerk)
        for _ in range(23):  # 9 h 35 min of steady work
            clock.shift(dt.timedelta(minutes=25))
            assert client.get("/cases/").status_code == 200
        clock.shift(dt.timedelta(minutes=26))  # 10 h 01 min after sign-in
        response = client.get("/cases/")
        assert response.status_code == 302 and response["Location"].startswith("/login/")
        assert client.get("/cases/")["Location"].startswith("/login/")  # really signed out
        api = client.get("/api/cases/")
    assert api.status_code == 403
    logout = AuditEntry.objects.get(action=AuditEntry.Action.LOGOUT, object_id=clerk.username)
    assert logout.detail == "session reached its time limit"


def test_deactivating_a_user_ends_all_their_sessions(client, users):
    clerk = users[roles.CLERK]
    office, laptop = client, Client()
    office.force_login(clerk)
    laptop.force_login(clerk)
    keys = [office.session.session_key, laptop.session.session_key]
    assert all(c.get("/cases/").status_code == 200 for c in (office, laptop))

    clerk.is_active = False
    clerk.save()

    assert not any(_exists(key) for key in keys)
    assert all(c.get("/cases/").status_code == 302 for c in (office, laptop))
    entry = AuditEntry.objects.get(action=AuditEntry.Action.SESSIONS_ENDED)
    assert entry.object_id == clerk.username and "2 open session(s)" in entry.detail
    # Reactivated, the user signs in again: the old sessions stay ended.
    clerk.is_active = True
    clerk.save()
    assert not any(_exists(key) for key in keys)


def test_signing_out_forgets_the_session(client, users):
    from onward.accounts.models import UserSession

    client.force_login(users[roles.CLERK])
    assert UserSession.objects.count() == 1
    client.post("/logout/")
    assert UserSession.objects.count() == 0
