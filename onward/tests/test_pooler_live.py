"""Onward behind PgBouncer in transaction mode (docs/operations.md, "Connection pooler"):
`scripts/pgbouncer start` (Debian's package, port 6432), then the tests with DATABASE_URL
through it and DB_TRANSACTION_POOLER=true. `scripts/test` runs this set when pgbouncer is
installed:

    scripts/pgbouncer start
    DATABASE_URL=postgres://postgres@127.0.0.1:6432/onward_replica24_pool \\
    DB_TRANSACTION_POOLER=true \\
      .venv/bin/pytest -m pooler onward/tests/test_pooler_live.py --create-db --reuse-db

In transaction mode a server connection is the client's for one transaction only: each
autocommit statement of a page may run on another one, and the test pooler resets a server
connection after every transaction (DISCARD ALL), so that code that keeps state in a
session (a session SET, a held cursor, a prepared statement) fails here every time instead
of once in a while in production.
"""

from __future__ import annotations

import subprocess

import pytest
from django.conf import settings
from django.db import DatabaseError, connection
from django.urls import reverse

from onward.accounts import roles

pytestmark = [pytest.mark.pooler, pytest.mark.django_db(transaction=True)]

PORT = 6432


@pytest.fixture(autouse=True)
def _through_the_pooler():
    port = str(settings.DATABASES["default"].get("PORT") or "")
    if not settings.DB_TRANSACTION_POOLER or port != str(PORT):
        pytest.skip(
            "needs DATABASE_URL through PgBouncer (port 6432) and DB_TRANSACTION_POOLER=true:"
            " scripts/test starts one with scripts/pgbouncer when pgbouncer is installed"
        )


def _admin_console(command: str) -> list[dict]:
    """PgBouncer's own console (SHOW POOLS, SHOW STATS), as rows."""
    out = subprocess.run(
        ["psql", "-X", "-h", "127.0.0.1", "-p", str(PORT), "-U", "postgres", "-d", "pgbouncer"]
        + ["--csv", "-c", command],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    head = out[0].split(",")
    return [dict(zip(head, line.split(","), strict=True)) for line in out[1:]]


def _transactions() -> int:
    name = connection.settings_dict["NAME"]
    rows = [r for r in _admin_console("SHOW STATS") if r["database"] == name]
    return int(rows[0]["total_xact_count"]) if rows else 0


def test_pages_and_the_api_work_through_transaction_pooling(client_for, case):
    client = client_for(roles.ADMIN)
    before = _transactions()
    pages = [
        reverse("home"),
        reverse("case_list"),
        reverse("case_detail", args=[case.case_id]),
        reverse("person_list"),
        reverse("dashboard"),
        reverse("ledger"),
        reverse("audit_list"),
        reverse("api_case_list"),
        reverse("api_person_list"),
        reverse("api_population"),
    ]
    for url in pages:
        assert client.get(url).status_code == 200, url
    created = client.post(
        reverse("api_case_list"),
        {"principal": {"given_name": "Ali", "family_name": "Ahmadi", "sex": "M"}},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    case_id = created.json()["case_id"]
    detail = client.get(reverse("api_case_detail", args=[case_id]))
    assert detail.status_code == 200
    assert client.get(reverse("api_population")).json()["total"] == 3
    # Through the pooler, in transaction mode: many transactions for this database.
    pools = [
        r for r in _admin_console("SHOW POOLS") if r["database"] == connection.settings_dict["NAME"]
    ]
    assert pools and {p["pool_mode"] for p in pools} == {"transaction"}
    assert _transactions() - before > len(pages)


def test_iterator_reads_without_a_server_side_cursor(case):
    """`.iterator()` (exports, the duplicate search) works: DB_TRANSACTION_POOLER turns
    server-side cursors off. With them on, the held cursor is gone after the statement
    that declared it, and the next fetch fails."""
    from onward.registry.models import Person

    assert connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert len(list(Person.objects.order_by("pk").iterator(chunk_size=1))) == 2

    connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = False
    try:
        with pytest.raises(DatabaseError, match="_django_curs_.* does not exist"):
            list(Person.objects.order_by("pk").iterator(chunk_size=1))
    finally:
        connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = True
        connection.close()


def test_session_state_does_not_outlive_its_transaction():
    """What the code may not do behind the pooler: a session-level SET is gone at the next
    transaction (Onward sets only SET LOCAL / SET TRANSACTION, inside its transactions)."""
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = '123s'")
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] != "123s"
