"""Every role × every view and endpoint × the expected outcome, as one table.

A new URL without a row here fails `test_every_url_has_a_row`, so no endpoint ships
without its access decided and tested.
"""

import pytest
from django.urls import get_resolver

from onward.accounts import roles

ANON = None
A, DM, CL, PR, RS, DL, AU = (roles.ADMIN, roles.DATA_MANAGER, roles.CLERK, roles.PROTECTION,
                             roles.RESETTLEMENT, roles.DELEGATION, roles.AUDITOR)
ALL = (ANON, A, DM, CL, PR, RS, DL, AU)
LOGIN = "login"  # a redirect to the login page


def outcome(default, **by_role):
    """Expected outcome per role: `default` for every logged-in role unless overridden."""
    table = {role: default for role in ALL}
    table[ANON] = by_role.pop("anon", LOGIN)
    short = {"A": A, "DM": DM, "CL": CL, "PR": PR, "RS": RS, "DL": DL, "AU": AU}
    table.update({short[k]: v for k, v in by_role.items()})
    return table


READERS = dict(DL=403)
EDITORS = dict(RS=403, DL=403, AU=403)
CREATORS = dict(PR=403, RS=403, DL=403, AU=403)

# name: (method, body, outcome per role)
MATRIX = {
    "home": ("get", None, outcome(200)),
    "login": ("get", None, outcome(302, anon=200)),
    "logout": ("post", {}, outcome(302, anon=302)),
    "person_list": ("get", None, outcome(200, **READERS)),
    "person_detail": ("get", None, outcome(200, **READERS)),
    "person_edit": ("get", None, outcome(200, **EDITORS)),
    "case_list": ("get", None, outcome(200, **READERS)),
    "case_create": ("get", None, outcome(200, **CREATORS)),
    "case_detail": ("get", None, outcome(200, **READERS)),
    "case_edit": ("get", None, outcome(200, **EDITORS)),
    "member_add": ("get", None, outcome(200, **CREATORS)),
    "note_add": ("post", {"text": "seen at the clinic", "kind": "general"},
                 outcome(302, DL=403, AU=403)),
    "audit_list": ("get", None, outcome(403, A=200, AU=200)),
    "api_person_list": ("get", None, outcome(200, anon=403)),
    "api_person_detail": ("get", None, outcome(200, anon=403, DL=404)),
    "api_case_list": ("get", None, outcome(200, anon=403)),
    "api_case_detail": ("get", None, outcome(200, anon=403, DL=404)),
    "api_case_members": ("post", {"given_name": "Sara", "relationship": "child", "sex": "F"},
                         outcome(201, anon=403, PR=403, RS=403, AU=403, DL=404)),
    "api_schema": ("get", None, outcome(200, anon=403)),
    "api_docs": ("get", None, outcome(200, anon=403)),
}
# Writes through the API that need a row of their own (same URL name, other method).
EXTRA = [
    ("api_case_list", "post", {"principal": {"given_name": "Ali", "family_name": "Ahmadi",
                                             "sex": "M"}},
     outcome(201, anon=403, PR=403, RS=403, AU=403, DL=403)),
    ("api_person_detail", "patch", {"phone": "+964 770 123 4567", "version": 1},
     outcome(200, anon=403, RS=403, AU=403, DL=404)),
]
# Django's admin has its own guard (staff users only), checked in test_admin_is_for_admins.
NOT_IN_MATRIX = {"admin"}


def _kwargs(name, case):
    person = case.members.get(relationship="principal")
    pattern_args = {"person_id": person.person_id, "case_id": case.case_id}
    from django.urls import reverse

    for candidate in ({}, {"person_id": pattern_args["person_id"]},
                      {"case_id": pattern_args["case_id"]}):
        try:
            return reverse(name, kwargs=candidate)
        except Exception:
            continue
    raise AssertionError(f"cannot build a URL for {name}")


ROWS = [(name, method, body, role, table[role])
        for name, (method, body, table) in MATRIX.items() for role in ALL]
ROWS += [(name, method, body, role, table[role]) for name, method, body, table in EXTRA
         for role in ALL]


@pytest.mark.django_db
@pytest.mark.parametrize("name, method, body, role, expected", ROWS,
                         ids=[f"{r[0]}-{r[1]}-{r[3]}" for r in ROWS])
def test_access(client_for, case, name, method, body, role, expected):
    client = client_for(role)
    url = _kwargs(name, case)
    if method == "get":
        response = client.get(url)
    else:
        response = getattr(client, method)(url, body, content_type="application/json") \
            if name.startswith("api_") else getattr(client, method)(url, body)
    if expected == LOGIN:
        assert response.status_code == 302 and "/login/" in response["Location"]
    else:
        assert response.status_code == expected, response.content[:300]


def test_every_url_has_a_row():
    names = {p.name for p in get_resolver().url_patterns if getattr(p, "name", None)}
    prefixes = {str(p.pattern) for p in get_resolver().url_patterns if not getattr(p, "name", None)}
    assert prefixes == {"admin/"}, f"unnamed URL patterns need a row: {prefixes}"
    missing = names - set(MATRIX) - NOT_IN_MATRIX
    assert not missing, f"add these views to the authorization matrix: {sorted(missing)}"


@pytest.mark.django_db
@pytest.mark.parametrize("role, allowed", [(A, True), (DM, False), (CL, False), (AU, False),
                                           (DL, False)])
def test_admin_is_for_admins(client, users, role, allowed):
    user = users[role]
    user.is_staff = user.is_superuser = role == A
    user.save()
    client.force_login(user)
    response = client.get("/admin/")
    assert (response.status_code == 200) == allowed
