"""A refused request writes one line to the server log, a server error its traceback."""

import logging

import pytest
from django.core.exceptions import SuspiciousOperation
from django.test import Client

from onward.accounts import roles
from onward.web.logs import OneLineRefusal

pytestmark = pytest.mark.django_db


def _lines(caplog) -> list[str]:
    """What the log holds for the request, formatted as the console handler would."""
    formatter = logging.Formatter()
    return [line for record in caplog.records for line in formatter.format(record).splitlines()]


def _request(caplog, send) -> tuple[int, list[str]]:
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        status = send().status_code
    return status, _lines(caplog)


def test_a_permission_refusal_is_one_line_with_its_path(client_for, caplog):
    client = client_for(roles.CLERK)
    status, lines = _request(caplog, lambda: client.get("/audit/"))
    assert status == 403 and len(lines) == 1
    assert lines[0].startswith("403 Forbidden (Permission denied): /audit/ [request ")


def test_a_missing_record_is_one_line(client_for, caplog):
    client = client_for(roles.CLERK)
    status, lines = _request(caplog, lambda: client.get("/cases/C99999/"))
    assert status == 404 and len(lines) == 1
    assert lines[0].startswith("404 Not Found: /cases/C99999/ [request ")


def test_a_foreign_host_header_is_one_line_naming_the_path(client, caplog):
    status, lines = _request(
        caplog, lambda: client.get("/persons/", HTTP_HOST="onward.attacker.example")
    )
    assert status == 400 and len(lines) == 1
    assert lines[0].startswith("400 Invalid HTTP_HOST header: 'onward.attacker.example'")
    assert "(GET /persons/) [request " in lines[0]


def test_a_form_without_its_csrf_token_is_one_line(users, caplog):
    client = Client(enforce_csrf_checks=True)
    status, lines = _request(
        caplog,
        lambda: client.post("/login/", {"username": "t_clerk", "password": "pw-for-tests-123"}),
    )
    assert status == 403 and len(lines) == 1 and lines[0].startswith("403 Forbidden (CSRF")


def test_too_many_fields_is_one_line(client_for, caplog, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    client = client_for(roles.CLERK)
    body = "&".join(f"f{i}=x" for i in range(50))
    status, lines = _request(
        caplog,
        lambda: client.post("/cases/new/", body, content_type="application/x-www-form-urlencoded"),
    )
    assert status == 400 and len(lines) == 1 and "DATA_UPLOAD_MAX_NUMBER_FIELDS" in lines[0]


def test_every_security_refusal_logger_of_django_is_filtered():
    """Django logs a SuspiciousOperation to "django.security.<its class>": each class
    it has must be on the list, or its refusals come with a traceback again."""
    import django.contrib.admin.exceptions  # noqa: F401  (the subclasses outside core)
    import django.contrib.sessions.exceptions  # noqa: F401

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    names = {"SuspiciousOperation"} | {
        c.__name__
        for c in subclasses(SuspiciousOperation)
        if c.__module__.startswith("django.") and ".gis." not in c.__module__
    }
    for name in names:
        filters = logging.getLogger(f"django.security.{name}").filters
        assert any(isinstance(f, OneLineRefusal) for f in filters), name
