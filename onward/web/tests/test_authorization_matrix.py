"""Every role × every view and endpoint × the expected outcome, and the one door.

The rows live beside each app (`<app>/tests/access_matrix.py`, see `matrix.py`); a URL
without a row fails `test_every_url_has_a_row`, so no endpoint ships with its access
undecided.

One test per row: its world is built once, and every role's request runs inside a
savepoint that is rolled back, so each role meets the same world (RapidPro's "all roles
in one test"). Besides the expected status, each row checks the door:
- every 404 the table expects comes with a `denied` audit entry, and every 403 with
  exactly one (written by the audit middleware, with the path);
- the out-of-scope column: for a URL that names a record, the same URL with an id that
  no record has gives 404 and a `denied` entry to every role the page lets through
  (another country's record is in the table itself, as a row whose delegation expects 404).
"""

import json
from importlib import import_module
from importlib.util import find_spec

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from onward.audit.models import AuditEntry
from onward.web.tests.matrix import ALL, AU, AUTO, CL, DL, DM, LOGIN, A, role_name


def _matrix_modules():
    for config in apps.get_app_configs():
        name = f"{config.name}.tests.access_matrix"
        if (
            config.name.startswith("onward.")
            and find_spec(f"{config.name}.tests")
            and find_spec(name)
        ):
            yield import_module(name)


MODULES = list(_matrix_modules())
ROWS = [(module, row) for module in MODULES for row in module.ROWS]


def _names(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern) == "admin/":
                continue  # Django's admin guards itself: see test_admin_is_for_admins
            yield from _names(p.url_patterns)
        elif isinstance(p, URLPattern):
            yield p.name


def _missing(value) -> str:
    """An id of the same shape that no record has: P000123 -> P9999999, 12 -> 9999999."""
    text = str(value)
    prefix = text.rstrip("0123456789-abcdef") if "-" in text else text.rstrip("0123456789")
    return f"{prefix}9999999" if "-" not in text else "00000000-0000-4000-8000-000000000000"


def _outside_url(row, url: str) -> str | None:
    if row.outside is None:
        return None
    if row.outside is not AUTO:
        return row.outside
    match = resolve(url.split("?")[0])
    if not match.kwargs:
        return None
    return reverse(match.url_name, kwargs={k: _missing(v) for k, v in match.kwargs.items()})


def _call(client, row, url):
    call = getattr(client, row.method)
    body = row.body() if callable(row.body) else row.body
    if row.method == "get":
        return call(url)
    if "/api/" in url and not row.form:
        return call(url, json.dumps(body or {}), content_type="application/json")
    return call(url, body or {})


def _attempt(client, users, role, row, url) -> tuple[int | str, int]:
    """(status, or LOGIN for a redirect to sign in where the row expects one; denied
    entries written) of one request, rolled back after."""
    with transaction.atomic():
        client.logout()
        if role is not None:
            client.force_login(users[role])
        before = AuditEntry.objects.filter(action=AuditEntry.Action.DENIED).count()
        response = _call(client, row, url)
        denied = AuditEntry.objects.filter(action=AuditEntry.Action.DENIED).count() - before
        transaction.set_rollback(True)
    if (
        row.expected[role] == LOGIN
        and response.status_code == 302
        and "/login/" in response.get("Location", "")
    ):
        return LOGIN, denied
    return response.status_code, denied


@pytest.mark.django_db
@pytest.mark.parametrize("module, row", ROWS, ids=[f"{r.name}-{r.method}" for _, r in ROWS])
def test_access(client, users, module, row):
    url = row.url(module.world(users))
    outside = _outside_url(row, url)
    wrong = []
    for role in ALL:
        expected = row.expected[role]
        got, denied = _attempt(client, users, role, row, url)
        if got != expected:
            wrong.append(f"{role_name(role)}: {got}, expected {expected}")
        elif expected == 404 and not denied:
            wrong.append(f"{role_name(role)}: 404 without a denied audit entry")
        elif expected == 403 and denied != 1:
            wrong.append(f"{role_name(role)}: 403 with {denied} denied audit entries, expected one")
        if outside and expected not in (LOGIN, 403, 405):
            got, denied = _attempt(client, users, role, row, outside)
            if got != 404 or not denied:
                wrong.append(
                    f"{role_name(role)} on {outside}: {got} with {denied} denied "
                    "entries, expected 404 and one"
                )
    assert not wrong, f"{row.method.upper()} {url}:\n  " + "\n  ".join(wrong)


def test_every_url_has_a_row():
    covered = {row.name for module in MODULES for row in module.ROWS}
    names = set(_names(get_resolver().url_patterns))
    assert None not in names, "every URL pattern needs a name (and a row in the matrix)"
    missing = names - covered
    assert not missing, f"add these URLs to an access_matrix.py: {sorted(missing)}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role, allowed", [(A, True), (DM, False), (CL, False), (AU, False), (DL, False)]
)
def test_admin_is_for_admins(client, users, role, allowed):
    user = users[role]
    user.is_staff = user.is_superuser = role == A
    user.save()
    client.force_login(user)
    assert (client.get("/admin/").status_code == 200) == allowed
