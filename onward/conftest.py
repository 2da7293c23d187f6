"""Shared test fixtures: one user per role plus outsiders, and small registry factories."""

import pytest

from onward.accounts import roles

# Chromium driven by Playwright, for every browser test (onward/web/tests/browser.py).
from onward.web.tests.browser import browser_page  # noqa: F401

# Django is imported inside the fixtures, so that the engines' tests run without it.
ROLE_USERS = {
    roles.ADMIN: ("t_admin", ""),
    roles.DATA_MANAGER: ("t_datamanager", ""),
    roles.CLERK: ("t_clerk", ""),
    roles.PROTECTION: ("t_protection", ""),
    roles.RESETTLEMENT: ("t_resettlement", ""),
    roles.DELEGATION: ("t_delegation", "ALB"),
    roles.AUDITOR: ("t_auditor", ""),
}


@pytest.fixture
def users(db):
    """One active user per role, keyed by role."""
    from onward.accounts.models import User

    made = {}
    for role, (username, country) in ROLE_USERS.items():
        user = User.objects.create_user(
            username=username, password="pw-for-tests-123", role=role, country=country
        )
        made[role] = user
    return made


@pytest.fixture
def clerk(users):
    return users[roles.CLERK]


def principal_data(**overrides) -> dict:
    data = {
        "given_name": "Mohammad",
        "family_name": "Rezaei",
        "father_name": "Hossein",
        "sex": "M",
        "birth_date": "1970-05-12",
        "nationality": "IRN",
        "document_number": "X1234567",
        "phone": "",
        "specific_needs": ["SM"],
    }
    data.update(overrides)
    return data


@pytest.fixture
def case(clerk):
    """A case with its principal applicant and a spouse."""
    from onward.registry import services

    case = services.case_create(actor=clerk, principal=principal_data())
    services.person_add(
        actor=clerk,
        case=case,
        person=principal_data(
            given_name="Fatemeh",
            family_name="Karimi",
            sex="F",
            relationship="spouse",
            birth_date="1974",
            document_number="",
            specific_needs=[],
        ),
    )
    return case


@pytest.fixture
def client_for(client, users):
    """A test client logged in as the user of a role (None: anonymous), password and
    second factor both passed (see `_verified_force_login`)."""

    def login(role):
        client.logout()
        if role is not None:
            client.force_login(users[role])
        return client

    return login


_DB_FIXTURES = {"db", "transactional_db", "django_db_setup"}


@pytest.fixture(autouse=True)
def _verified_force_login(request, monkeypatch):
    """Two-factor sign-in is required for every role (ONWARD_REQUIRE_2FA stays on in the
    tests). So that tests about something else sign in honestly with one call,
    `client.force_login(user)` is patched for each database test to also pass the second
    factor, as `django_otp.login` would after a correct code: the user gets a confirmed TOTP
    device, the session its `otp_device_id` (onward/accounts/testing.py `mark_verified`).

    Opt out with `@pytest.mark.password_only`: force_login then leaves a password-only
    session, as the tests of the two-factor rule itself need."""
    if request.node.get_closest_marker("password_only") is not None:
        return
    if request.node.get_closest_marker("django_db") is None and not _DB_FIXTURES & set(
        request.fixturenames
    ):
        return  # no database, no login (and the engines' tests run without Django)
    from django.test import Client

    from onward.accounts.testing import mark_verified

    password_only = Client.force_login

    def force_login(self, user, backend=None):
        password_only(self, user, backend)
        mark_verified(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(autouse=True)
def _language_reset():
    """A request through the test client leaves its reader's language active in this
    thread (the middleware activates it and Django does not take it back): after each
    test the default comes back, so that a Persian page in one test does not translate
    the next test's messages."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _reference_lists(request):
    """Tests that flush the database (transaction=True, live_server) also flush the rows
    that data migrations seed: put every app's managed lists back (`<app>/reference.py`
    with a `seed()`) for each database test."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("onward.") and find_spec(f"{config.name}.reference"):
            import_module(f"{config.name}.reference").seed()
