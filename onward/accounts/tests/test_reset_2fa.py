"""A lost phone: an administrator resets the user's second factor (audited); the user
pairs a new app at their next sign-in."""

import pytest
from django.core.management import CommandError, call_command

from onward.accounts import roles
from onward.accounts.models import AuthenticatorDevice
from onward.accounts.testing import totp_device_for
from onward.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_reset_2fa_removes_the_device_ends_sessions_and_is_audited(client, users):
    clerk = users[roles.CLERK]
    client.force_login(clerk)  # verified with the device about to be lost
    assert client.get("/cases/").status_code == 200

    call_command("reset_2fa", clerk.username, by=users[roles.ADMIN].username)

    assert not AuthenticatorDevice.objects.filter(user=clerk).exists()
    assert client.get("/cases/").status_code == 302  # that session has ended
    entry = AuditEntry.objects.get(action=AuditEntry.Action.OTP_RESET)
    assert (entry.actor, entry.object_id) == (users[roles.ADMIN], clerk.username)


def test_only_an_administrator_may_reset(users):
    totp_device_for(users[roles.CLERK])
    with pytest.raises(CommandError, match="not an active administrator"):
        call_command("reset_2fa", users[roles.CLERK].username, by=users[roles.AUDITOR].username)
    assert AuthenticatorDevice.objects.filter(user=users[roles.CLERK]).exists()


def test_the_admin_action_resets_too(client, users):
    admin = users[roles.ADMIN]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    clerk = users[roles.CLERK]
    totp_device_for(clerk)
    client.force_login(admin)
    response = client.post(
        "/admin/accounts/user/", {"action": "reset_second_factor", "_selected_action": [clerk.pk]}
    )
    assert response.status_code == 302
    assert not AuthenticatorDevice.objects.filter(user=clerk).exists()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.OTP_RESET, actor=admin).exists()
