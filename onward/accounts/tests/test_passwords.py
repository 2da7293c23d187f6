"""Passwords: at least 10 characters, not a common one, not like the user's name, on every
path that sets one (the admin's forms, `onward createuser`, the demo)."""

import io

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from onward.accounts import roles
from onward.accounts.models import User
from onward.demo import users as demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, users):
    admin = users[roles.ADMIN]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    return client


@pytest.mark.parametrize(
    "password, why",
    [
        ("short-1x", "too short"),
        ("password123", "too common"),
        ("1234567890123", "entirely numeric"),
    ],
)
def test_the_admin_refuses_a_weak_password(admin_client, password, why):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "newclerk",
            "usable_password": "true",
            "password1": password,
            "password2": password,
            "role": roles.CLERK,
            "country": "",
        },
    )
    assert response.status_code == 200
    assert why in response.content.decode()
    assert not User.objects.filter(username="newclerk").exists()


def test_the_admin_accepts_a_strong_password(admin_client):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "newclerk",
            "usable_password": "true",
            "password1": "amber-kettle-41-river",
            "password2": "amber-kettle-41-river",
            "role": roles.CLERK,
            "country": "",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="newclerk").check_password("amber-kettle-41-river")


def _createuser(monkeypatch, password, *args):
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    call_command("createuser", *args, stdout=io.StringIO())


def test_createuser_refuses_a_weak_password(monkeypatch):
    with pytest.raises(CommandError, match="too common"):
        _createuser(monkeypatch, "password123", "sara", "--role", roles.CLERK)
    assert not User.objects.filter(username="sara").exists()


def test_createuser_refuses_a_delegation_that_is_staff(monkeypatch):
    with pytest.raises(CommandError, match="incompatible"):
        _createuser(
            monkeypatch,
            "amber-kettle-41-river",
            "nor",
            "--role",
            roles.DELEGATION,
            "--country",
            "NOR",
            "--staff",
        )
    assert not User.objects.filter(username="nor").exists()


def test_createuser_makes_a_user_with_a_role(monkeypatch):
    _createuser(
        monkeypatch, "amber-kettle-41-river", "sara", "--role", roles.DELEGATION, "--country", "nor"
    )
    user = User.objects.get(username="sara")
    assert (user.role, user.country) == (roles.DELEGATION, "NOR")
    assert user.check_password("amber-kettle-41-river")


def test_every_demo_password_passes_the_rules():
    for username, _role, _country, full_name in demo.DEMO_USERS:
        first, _, last = full_name.partition(" ")
        validate_password(
            demo.demo_password(username), User(username=username, first_name=first, last_name=last)
        )


def test_the_demo_goes_through_the_rules_too(monkeypatch):
    monkeypatch.setattr(demo, "demo_password", lambda username: "demo")
    with pytest.raises(ValidationError, match="too short"):
        demo.demo_users_ensure()
