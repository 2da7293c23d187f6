"""The vocabulary of the authorization matrix: roles, expected outcomes, rows.

Each app keeps its rows in `<app>/tests/access_matrix.py` with:
- `def world(users) -> dict`: the records its URLs need (built once for each row);
- `ROWS`: a list of `Row`s, one per URL name and method.
`web/tests/test_authorization_matrix.py` runs them all and fails on any URL without a row.

`Row.outside`: the out-of-scope column. By default (AUTO) a URL that names a record is
tried again with an id no record has, which must give 404 and a `denied` audit entry to
every role the row lets through; give a URL instead, or None with a comment saying why
the URL names no record (a report's table key, a file format).
"""

from collections.abc import Callable
from dataclasses import dataclass

from onward.accounts import roles

ANON = None
A, DM, CL, PR, RS, DL, AU = (
    roles.ADMIN,
    roles.DATA_MANAGER,
    roles.CLERK,
    roles.PROTECTION,
    roles.RESETTLEMENT,
    roles.DELEGATION,
    roles.AUDITOR,
)
ALL = (ANON, A, DM, CL, PR, RS, DL, AU)
LOGIN = "login"  # a redirect to the login page
AUTO = "auto"  # Row.outside: derive the out-of-scope URL from the row's own
_SHORT = {"A": A, "DM": DM, "CL": CL, "PR": PR, "RS": RS, "DL": DL, "AU": AU}


def outcome(default, anon=LOGIN, **by_role) -> dict:
    """Expected outcome per role: `default` for every logged-in role unless overridden
    (by short name: A, DM, CL, PR, RS, DL, AU)."""
    table = {role: default for role in ALL}
    table[ANON] = anon
    table.update({_SHORT[k]: v for k, v in by_role.items()})
    return table


@dataclass(frozen=True)
class Row:
    name: str  # the URL name
    url: Callable[[dict], str]  # world -> the URL to call
    expected: dict  # role -> status code or LOGIN
    method: str = "get"
    body: dict | Callable[[], dict] | None = None  # form data, or JSON for API URLs;
    # a callable makes a fresh body for each call (an uploaded file is read once)
    outside: str | None = AUTO  # the out-of-scope URL (see above)
    form: bool = False  # an API URL that takes a multipart form, not JSON


def role_name(role) -> str:
    return "anonymous" if role is None else role
