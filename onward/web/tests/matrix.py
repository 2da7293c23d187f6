"""The vocabulary of the authorization matrix: roles, expected outcomes, rows.

Each app keeps its rows in `<app>/tests/access_matrix.py` with:
- `def world(users) -> dict`: the records its URLs need (built fresh for each test);
- `ROWS`: a list of `Row`s, one per URL name and method.
`web/tests/test_authorization_matrix.py` runs them all and fails on any URL without a row.
"""

from collections.abc import Callable
from dataclasses import dataclass

from onward.accounts import roles

ANON = None
A, DM, CL, PR, RS, DL, AU = (roles.ADMIN, roles.DATA_MANAGER, roles.CLERK, roles.PROTECTION,
                             roles.RESETTLEMENT, roles.DELEGATION, roles.AUDITOR)
ALL = (ANON, A, DM, CL, PR, RS, DL, AU)
LOGIN = "login"  # a redirect to the login page
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
    name: str                      # the URL name
    url: Callable[[dict], str]     # world -> the URL to call
    expected: dict                 # role -> status code or LOGIN
    method: str = "get"
    body: dict | None = None       # form data, or JSON for API URLs
