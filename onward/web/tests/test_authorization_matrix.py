"""Every role × every view and endpoint × the expected outcome.

The rows live beside each app (`<app>/tests/access_matrix.py`, see `matrix.py`); a URL
without a row fails `test_every_url_has_a_row`, so no endpoint ships with its access
undecided.
"""

import json
from importlib import import_module
from importlib.util import find_spec

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from onward.web.tests.matrix import ALL, AU, CL, DL, DM, LOGIN, A


def _matrix_modules():
    for config in apps.get_app_configs():
        name = f"{config.name}.tests.access_matrix"
        if config.name.startswith("onward.") and find_spec(f"{config.name}.tests") \
                and find_spec(name):
            yield import_module(name)


MODULES = list(_matrix_modules())
CASES = [(module, row, role) for module in MODULES for row in module.ROWS for role in ALL]


def _names(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern) == "admin/":
                continue  # Django's admin guards itself: see test_admin_is_for_admins
            yield from _names(p.url_patterns)
        elif isinstance(p, URLPattern):
            yield p.name


@pytest.mark.django_db
@pytest.mark.parametrize("module, row, role", CASES,
                         ids=[f"{r.name}-{r.method}-{role}" for _, r, role in CASES])
def test_access(client, users, module, row, role):
    url = row.url(module.world(users))
    if role is not None:
        client.force_login(users[role])
    call = getattr(client, row.method)
    if row.method == "get":
        response = call(url)
    elif "/api/" in url:
        response = call(url, json.dumps(row.body or {}), content_type="application/json")
    else:
        response = call(url, row.body or {})
    expected = row.expected[role]
    if expected == LOGIN:
        assert response.status_code == 302 and "/login/" in response["Location"]
    else:
        assert response.status_code == expected, response.content[:300]


def test_every_url_has_a_row():
    covered = {row.name for module in MODULES for row in module.ROWS}
    names = set(_names(get_resolver().url_patterns))
    assert None not in names, "every URL pattern needs a name (and a row in the matrix)"
    missing = names - covered
    assert not missing, f"add these URLs to an access_matrix.py: {sorted(missing)}"


@pytest.mark.django_db
@pytest.mark.parametrize("role, allowed", [(A, True), (DM, False), (CL, False), (AU, False),
                                           (DL, False)])
def test_admin_is_for_admins(client, users, role, allowed):
    user = users[role]
    user.is_staff = user.is_superuser = role == A
    user.save()
    client.force_login(user)
    assert (client.get("/admin/").status_code == 200) == allowed
