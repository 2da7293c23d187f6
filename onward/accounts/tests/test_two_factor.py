"""Two-factor sign-in: a password alone opens nothing that holds personal data; the
second factor is a TOTP code, enrolled in the UI, each code accepted once."""

import datetime as dt
import re
from base64 import b32decode, b64encode

import pytest
import time_machine
from django.test import override_settings

from onward.accounts import roles
from onward.accounts.models import AuthenticatorDevice
from onward.accounts.testing import totp_code, totp_device_for
from onward.accounts.tests.helpers import code_submit, password_login
from onward.audit.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.password_only]

T0 = dt.datetime(2031, 5, 4, 9, 0, 10, tzinfo=dt.UTC)  # 10 s into a 30-second step


def test_every_role_reads_personal_data_so_every_role_needs_the_second_factor():
    assert all(roles.reads_personal_data(role) for role in roles.ROLES)
    # Computed from the permission table: a role that only sees aggregate reports would not.
    assert not roles.reads_personal_data("no_such_role")


def test_a_password_only_session_cannot_open_a_personal_data_page(client, users, case):
    clerk = users[roles.CLERK]
    totp_device_for(clerk)
    password_login(client, clerk.username)
    person = case.members.get(relationship="principal").person_id

    page = client.get(f"/persons/{person}/")
    assert page.status_code == 302
    assert page["Location"].startswith("/account/two-factor/?next=")
    api = client.get(f"/api/persons/{person}/")
    assert api.status_code == 403 and "Two-factor" in api.json()["error"]
    assert not AuditEntry.objects.filter(action="view", object_id=person).exists()
    # The menu shows nothing either; signing out and the static files still work.
    verify_page = client.get(page["Location"]).content.decode()
    assert 'href="/persons/"' not in verify_page
    assert client.get("/static/onward/onward.css").status_code == 200


def test_force_login_alone_is_a_password_only_session_here(client, users):
    """The conftest's verified force_login is off in this module: the rule itself bites."""
    client.force_login(users[roles.AUDITOR])
    assert client.get("/audit/").status_code == 302


def test_after_the_code_the_page_first_asked_for_opens(client, users, case):
    clerk = users[roles.CLERK]
    device = totp_device_for(clerk)
    person = case.members.get(relationship="principal").person_id
    password_login(client, clerk.username)
    asked = client.get(f"/persons/{person}/")["Location"]
    assert "Enter your code" in client.get(asked).content.decode()

    response = code_submit(client, totp_code(device), next_url=f"/persons/{person}/")
    assert response.status_code == 302 and response["Location"] == f"/persons/{person}/"
    assert client.get(f"/persons/{person}/").status_code == 200
    assert client.get(f"/api/persons/{person}/").status_code == 200
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.OTP_VERIFIED, object_id=clerk.username
    ).exists()


def test_a_wrong_code_is_refused_and_audited(client, users):
    clerk = users[roles.CLERK]
    device = totp_device_for(clerk)
    password_login(client, clerk.username)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    response = code_submit(client, wrong)
    assert response.status_code == 200
    assert "That code was not accepted" in response.content.decode()
    assert client.get("/").status_code == 302
    assert (
        AuditEntry.objects.filter(
            action=AuditEntry.Action.OTP_FAILED, object_id=clerk.username
        ).count()
        == 1
    )


def test_a_code_already_used_is_refused(client, users):
    clerk = users[roles.CLERK]
    device = totp_device_for(clerk)
    with time_machine.travel(T0, tick=False) as clock:
        code = totp_code(device)
        password_login(client, clerk.username)
        assert code_submit(client, code).status_code == 302
        client.logout()

        # Someone who saw the code (over a shoulder, in a proxy log) tries it again at once.
        password_login(client, clerk.username)
        replay = code_submit(client, code)
        assert replay.status_code == 200
        assert "each one works only once" in replay.content.decode()
        assert client.get("/").status_code == 302

        # The next code, 30 seconds later, is accepted.
        clock.shift(dt.timedelta(seconds=30))
        assert code_submit(client, totp_code(device)).status_code == 302
        assert client.get("/").status_code == 200


def test_wrong_codes_slow_the_next_tries_down(client, users):
    clerk = users[roles.CLERK]
    device = totp_device_for(clerk)
    with time_machine.travel(T0, tick=False) as clock:
        password_login(client, clerk.username)
        right = totp_code(device)
        code_submit(client, f"{(int(right) + 1) % 1_000_000:06d}")
        # Within a second of a wrong code even the right one is refused (then 2, 4, 8 … s).
        too_soon = code_submit(client, right)
        assert too_soon.status_code == 200
        assert "the next try is possible from 12:00:11" in too_soon.content.decode()
        clock.shift(dt.timedelta(seconds=2))
        assert code_submit(client, right).status_code == 302


def test_a_user_without_a_device_enrols_in_the_ui(client, users):
    clerk = users[roles.CLERK]
    password_login(client, clerk.username)
    response = client.get("/cases/")
    assert response["Location"].startswith("/account/two-factor/enrol/?next=")
    page = client.get(response["Location"]).content.decode()
    assert "<svg" in page and "<script" not in page.split("<main>")[1]
    secret = re.search(r'<p class="secret mono"[^>]*>([A-Z2-7 ]+)</p>', page).group(1)
    device = AuthenticatorDevice.objects.get(user=clerk, confirmed=False)
    assert b32decode(secret.replace(" ", "")) == device.bin_key  # the text matches the QR

    # Reloading keeps the same secret: the QR code already scanned stays valid.
    assert secret in client.get("/account/two-factor/enrol/").content.decode()
    wrong = client.post("/account/two-factor/enrol/", {"otp_token": "123456x"})
    assert wrong.status_code == 200 and "Type the digits" in wrong.content.decode()
    assert not AuthenticatorDevice.objects.filter(confirmed=True).exists()
    done = client.post(
        "/account/two-factor/enrol/", {"otp_token": totp_code(device), "next": "/cases/"}
    )
    assert done.status_code == 302 and done["Location"] == "/cases/"
    assert client.get("/cases/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.OTP_ENROLLED, object_id=clerk.username
    ).exists()


def test_a_password_alone_cannot_replace_an_enrolled_device(client, users):
    """Whoever learns a password must not be able to pair their own phone instead."""
    clerk = users[roles.CLERK]
    totp_device_for(clerk)
    password_login(client, clerk.username)
    response = client.get("/account/two-factor/enrol/")
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"].startswith("/account/two-factor/")
    assert AuthenticatorDevice.objects.filter(user=clerk).count() == 1


@override_settings(ONWARD_REQUIRE_2FA=False)
def test_with_the_setting_off_a_password_is_enough(client, users):
    password_login(client, users[roles.CLERK].username)
    assert client.get("/cases/").status_code == 200


def test_the_admin_site_also_needs_the_second_factor(client, users):
    admin = users[roles.ADMIN]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    totp_device_for(admin)
    password_login(client, admin.username)
    assert client.get("/admin/accounts/user/")["Location"].startswith("/account/two-factor/")


def test_the_api_takes_no_password_alone(client, users):
    """HTTP Basic would be a password without the second factor: it is not accepted."""
    token = b64encode(b"t_clerk:pw-for-tests-123").decode()
    response = client.get("/api/cases/", HTTP_AUTHORIZATION=f"Basic {token}")
    assert response.status_code in (401, 403)
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN).exists()


def _stored_keys(table: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name('key')} FROM {table}")
        return [row[0] for row in cursor.fetchall()]


def test_the_database_never_holds_the_secret_in_clear(client, users):
    clerk = users[roles.CLERK]
    password_login(client, clerk.username)
    page = client.get("/account/two-factor/enrol/").content.decode()
    secret = re.search(r'<p class="secret mono"[^>]*>([A-Z2-7 ]+)</p>', page).group(1)
    device = AuthenticatorDevice.objects.get(user=clerk)
    assert (
        client.post("/account/two-factor/enrol/", {"otp_token": totp_code(device)}).status_code
        == 302
    )

    (stored,) = _stored_keys("accounts_authenticatordevice")
    b32 = secret.replace(" ", "")
    assert stored.startswith("v1:")
    assert b32 not in stored and device.bin_key.hex() not in stored.lower()
    assert b32decode(b32) == device.bin_key  # and it still decrypts to the secret shown
    assert _stored_keys("otp_totp_totpdevice") == []


def test_the_migration_moves_clear_secrets_into_the_encrypted_column(users):
    """Accounts 0003 on a database enrolled before it: the same secret, now encrypted,
    and django-otp's clear table emptied."""
    import importlib

    from django.apps import apps
    from django_otp.plugins.otp_totp.models import TOTPDevice

    clerk = users[roles.CLERK]
    hex_key = "3132333435363738393031323334353637383930"
    TOTPDevice.objects.create(user=clerk, name="old phone", key=hex_key, last_t=7)
    migration = importlib.import_module(
        "onward.accounts.migrations.0003_authenticator_device_encrypted"
    )
    migration._forward(apps, None)

    device = AuthenticatorDevice.objects.get(user=clerk)
    assert device.key == hex_key and device.last_t == 7 and device.name == "old phone"
    assert all(hex_key not in k for k in _stored_keys("accounts_authenticatordevice"))
    assert _stored_keys("otp_totp_totpdevice") == []
