"""Issue 16: a username is at most 64 characters when it is created (the admin's form,
`onward createuser`), and a failed sign-in with a long or disguised typed username is
still audited, cut and escaped (it was a 500 with no audit row on PostgreSQL, whose
object id column holds 64). Run on PostgreSQL too (DATABASE_URL)."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from onward import bounds
from onward.accounts import roles
from onward.accounts.models import User
from onward.accounts.tests.helpers import password_login
from onward.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("length", [65, 149, 150])
def test_a_failed_sign_in_with_a_long_username_is_audited_cut(client, length):
    response = password_login(client, "u" * length, "not-the-password")
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_FAILED)
    assert len(entry.object_id) == bounds.USERNAME_MAX and entry.object_id.endswith("…")
    assert entry.actor_name == entry.object_id
    assert f"typed username of {length} characters, cut" == entry.detail


def test_a_failed_sign_in_with_hidden_characters_is_audited_escaped(client):
    password_login(client, "t_admin\u202egnp.exe\u200b", "not-the-password")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_FAILED)
    assert entry.object_id == "t_admin\\u202egnp.exe\\u200b"


def test_a_failed_sign_in_of_64_characters_is_kept_whole(client):
    password_login(client, "u" * 64, "not-the-password")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_FAILED)
    assert entry.object_id == "u" * 64 and entry.detail == ""


def test_createuser_refuses_a_username_over_64_characters(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("amber-kettle-41-river\n"))
    with pytest.raises(CommandError, match="At most 64 characters"):
        call_command("createuser", "u" * 65, "--role", roles.CLERK, stdout=io.StringIO())
    assert not User.objects.exists()


def test_the_admin_refuses_a_username_over_64_characters(client, users):
    client.force_login(users[roles.ADMIN])
    users[roles.ADMIN].is_staff = users[roles.ADMIN].is_superuser = True
    users[roles.ADMIN].save()
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "u" * 65,
            "usable_password": "true",
            "password1": "amber-kettle-41-river",
            "password2": "amber-kettle-41-river",
            "role": roles.CLERK,
            "country": "",
        },
    )
    assert response.status_code == 200 and "At most 64 characters" in response.text
    assert not User.objects.filter(username="u" * 65).exists()
