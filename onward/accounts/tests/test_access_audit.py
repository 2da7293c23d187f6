"""Everything that changes what a user may reach is in the audit log, with who did it:
creation, role, staff and superuser flags, a password set by someone else, deactivation,
a second factor reset, an unlocked sign-in; and every 403 is one `denied` entry with its
path. Through the Django admin, as a real administrator, and through the commands."""

import datetime as dt
import io

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client

from onward.accounts import roles
from onward.accounts.models import User
from onward.accounts.testing import totp_device_for
from onward.accounts.tests.helpers import password_login
from onward.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "amber-kettle-41-river"


@pytest.fixture
def admin(client, users):
    admin = users[roles.ADMIN]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    return admin


def _entry(username, action=AuditEntry.Action.UPDATE):
    entries = AuditEntry.objects.filter(object_type="user", object_id=username, action=action)
    assert entries.count() == 1, list(entries.values("action", "changes", "detail"))
    return entries.get()


def _change_form(client, user, **change):
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "role": user.role,
        "country": user.country,
        "date_joined_0": "2031-01-01",
        "date_joined_1": "09:00:00",
        "initial-date_joined_0": "2031-01-01",
        "initial-date_joined_1": "09:00:00",
    }
    for flag in ("is_active", "is_staff", "is_superuser"):
        if change.pop(flag, getattr(user, flag)):
            data[flag] = "on"
    response = client.post(f"/admin/accounts/user/{user.pk}/change/", {**data, **change})
    assert response.status_code == 302, response.content.decode()[:2000]


# --- Through the Django admin ----------------------------------------------------------------


def test_the_admin_creating_a_user_is_audited_with_the_admin(client, admin):
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "new_clerk",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "usable_password": "true",
            "role": roles.CLERK,
            "country": "",
        },
    )
    assert response.status_code == 302
    entry = _entry("new_clerk", AuditEntry.Action.CREATE)
    assert entry.actor == admin
    assert entry.changes["role"] == ["", roles.CLERK]
    assert "password" not in entry.changes


def test_a_role_change_is_audited_with_old_and_new(client, admin, users):
    _change_form(client, users[roles.CLERK], role=roles.PROTECTION)
    entry = _entry("t_clerk")
    assert entry.actor == admin and entry.channel == "web"
    assert entry.changes == {"role": [roles.CLERK, roles.PROTECTION]}


def test_making_a_user_staff_and_superuser_is_audited(client, admin, users):
    _change_form(client, users[roles.DATA_MANAGER], is_staff=True, is_superuser=True)
    entry = _entry("t_datamanager")
    assert entry.actor == admin
    assert entry.changes == {"is_staff": [False, True], "is_superuser": [False, True]}


def test_a_password_set_by_the_admin_is_audited_without_the_hash(client, admin, users):
    clerk = users[roles.CLERK]
    old_hash = clerk.password
    response = client.post(
        f"/admin/accounts/user/{clerk.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    entry = _entry("t_clerk")
    assert entry.actor == admin
    assert entry.changes == {"password": ["(hidden)", "(changed)"]}
    assert "password set by another user" in entry.detail
    clerk.refresh_from_db()
    assert old_hash not in str(entry.changes) and clerk.password not in str(entry.changes)


def test_a_deactivation_is_audited_with_who_did_it_and_the_sessions_it_ended(client, admin, users):
    clerk = users[roles.CLERK]
    Client().force_login(clerk)  # an open session elsewhere
    _change_form(client, clerk, is_active=False)
    entry = _entry("t_clerk")
    assert entry.actor == admin and entry.changes == {"is_active": [True, False]}
    assert entry.detail.startswith("deactivated by t_admin")
    assert _entry("t_clerk", AuditEntry.Action.SESSIONS_ENDED).actor == admin


def test_a_second_factor_reset_by_the_admin_is_audited(client, admin, users):
    totp_device_for(users[roles.CLERK])
    client.post(
        "/admin/accounts/user/",
        {"action": "reset_second_factor", "_selected_action": [users[roles.CLERK].pk]},
    )
    assert _entry("t_clerk", AuditEntry.Action.OTP_RESET).actor == admin


def _lock(username):
    for _ in range(5):
        password_login(Client(), username, "not-the-password")
    assert AccessAttempt.objects.filter(username=username).exists()


def test_an_unlock_in_the_admin_is_audited_with_the_admin(client, admin, users):
    _lock("t_clerk")
    attempt = AccessAttempt.objects.get(username="t_clerk")
    response = client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    entry = _entry("t_clerk", AuditEntry.Action.UNLOCKED)
    assert entry.actor == admin and "lifted by t_admin" in entry.detail


def test_a_lock_that_ran_out_is_not_an_unlock(users, settings):
    _lock("t_clerk")
    with time_machine.travel(
        dt.datetime.now(dt.UTC) + settings.AXES_COOLOFF_TIME + dt.timedelta(minutes=1)
    ):
        assert password_login(Client(), "t_clerk").status_code == 302
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.UNLOCKED).exists()


# --- Through the commands ------------------------------------------------------------------


def _stdin(monkeypatch, text):
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def test_createuser_by_an_admin_is_audited_with_the_admin(monkeypatch, users):
    _stdin(monkeypatch, NEW_PASSWORD + "\n")
    call_command(
        "createuser", "sara", "--role", roles.CLERK, "--by", "t_admin", stdout=io.StringIO()
    )
    entry = _entry("sara", AuditEntry.Action.CREATE)
    assert entry.actor == users[roles.ADMIN] and entry.channel == "cli"


def test_the_first_administrator_made_on_the_command_line_names_the_system_user(monkeypatch, db):
    _stdin(monkeypatch, NEW_PASSWORD + "\n")
    call_command(
        "createuser", "first_admin", "--role", roles.ADMIN, "--staff", stdout=io.StringIO()
    )
    entry = _entry("first_admin", AuditEntry.Action.CREATE)
    assert entry.actor is None and "by the command line" in entry.detail
    assert entry.changes["is_staff"] == ["", True]


def test_changepassword_on_the_command_line_is_audited(monkeypatch, users):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)
    call_command("changepassword", "t_clerk", stdout=io.StringIO())
    entry = _entry("t_clerk")
    assert entry.changes == {"password": ["(hidden)", "(changed)"]}
    assert entry.channel == "cli" and "by the command line" in entry.detail


def test_reset_2fa_on_the_command_line_is_audited_with_the_admin(client, users):
    client.force_login(users[roles.CLERK])
    call_command("reset_2fa", "t_clerk", "--by", "t_admin", stdout=io.StringIO())
    entry = _entry("t_clerk", AuditEntry.Action.OTP_RESET)
    assert entry.actor == users[roles.ADMIN] and "1 session(s) ended" in entry.detail


def test_axes_reset_username_is_audited_as_an_unlock(users):
    _lock("t_clerk")
    call_command("axes_reset_username", "t_clerk", stdout=io.StringIO())
    entry = _entry("t_clerk", AuditEntry.Action.UNLOCKED)
    assert entry.channel == "cli" and "by the command line" in entry.detail


def test_a_deactivation_on_the_command_line_is_audited(users):
    clerk = User.objects.get(username="t_clerk")
    clerk.is_active = False
    clerk.save()
    assert _entry("t_clerk").changes == {"is_active": [True, False]}


def test_a_save_that_changes_no_access_writes_no_entry(users):
    clerk = User.objects.get(username="t_clerk")
    clerk.first_name = "Amina"
    clerk.save()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE).exists()


# --- Refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/audit/", "/api/relocation/bulk-submit/"])
def test_a_403_is_one_denied_entry_with_its_path(client, users, path):
    client.force_login(users[roles.CLERK])
    call = client.get if path == "/audit/" else client.post
    assert call(path).status_code == 403
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DENIED)
    assert (entry.actor, entry.path) == (users[roles.CLERK], path)


def test_a_403_without_signing_in_is_recorded_too(client, db):
    assert client.get("/api/relocation/pledges/").status_code == 403
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DENIED)
    assert entry.actor is None and entry.path == "/api/relocation/pledges/" and entry.ip
