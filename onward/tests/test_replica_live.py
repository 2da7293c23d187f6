"""The read replica, against a real PostgreSQL streaming replica (docs/operations.md,
"Read replica"): a hot standby made by `scripts/pg-replica start` (pg_basebackup -R of the
primary, on port 5433), given as DATABASE_REPLICA_URL. `scripts/test` runs this set when
PostgreSQL's server binaries are present:

    scripts/pg-replica start
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onward_replica24 \\
    DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:5433/onward_replica24 \\
      .venv/bin/pytest -m replica onward/tests/test_replica_live.py

What a user relies on: the heavy pages show the replica's data (proved by pausing its
replay: the page shows the figure from before the write), everything that must see its own
writes reads the primary, a replica too far behind or stopped half-way is not noticed (the
page comes from the primary), and no write is ever sent to the replica.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onward import replica
from onward.accounts import roles

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "pg-replica"

NEEDS_REPLICA = (
    "needs a streaming replica: DATABASE_REPLICA_URL (scripts/test starts one with "
    "scripts/pg-replica when PostgreSQL's server binaries are present)"
)
if "replica" not in settings.DATABASES:
    # Before the marks below: they name the replica's database alias.
    pytest.skip(NEEDS_REPLICA, allow_module_level=True)

pytestmark = [
    pytest.mark.replica,
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]
# The heavy pages, with the query they are asked with.
HEAVY = [
    ("dashboard", {}),
    ("ledger", {}),
    ("readiness_matrix", {}),
    ("report_forecast", {}),
    ("api_population", {}),
    ("api_population_series", {}),
]


@pytest.fixture(autouse=True)
def _replica_configured(settings):
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the replica tests run on PostgreSQL (DATABASE_URL)")
    # A generous limit, but for the test of the limit itself: the primary of these tests
    # may be shared, and another's long transaction (a bulk load) makes the replica look
    # behind (its last replayed commit grows old) while it keeps up.
    settings.ONWARD_REPLICA_MAX_LAG_SECONDS = 60
    replica.forget()
    yield
    replica.forget()


def _dsn() -> dict:
    s = connections["replica"].settings_dict
    return {
        "host": s["HOST"],
        "port": s["PORT"],
        "user": s["USER"],
        "dbname": s["NAME"],
        "connect_timeout": 3,
    }


@contextmanager
def _standby():
    """A connection of the test's own to the standby (not Django's: its queries are not
    the page's)."""
    import psycopg

    conn = psycopg.connect(**_dsn(), autocommit=True)
    try:
        yield conn
    finally:
        conn.close()


def _primary_lsn() -> str:
    with connections["default"].cursor() as cursor:
        # The insert position: past every commit, even under synchronous_commit = off
        # (the primary of these tests runs so), where the write position can lag it.
        cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
        return cursor.fetchone()[0]


def wait_replayed(timeout: float = 30) -> None:
    """Until the standby has replayed everything the primary has written so far."""
    lsn = _primary_lsn()
    deadline = time.monotonic() + timeout
    with _standby() as standby:
        while True:
            row = standby.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]).fetchone()
            if row[0]:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"the standby did not replay up to {lsn}")
            time.sleep(0.05)


def _eventually(read, expected, timeout: float = 15) -> None:
    """`read()` gives `expected` within `timeout`: once the standby has replayed past the
    write, a page shows it. Asked again rather than once: on a loaded machine the
    standby's first answer after its replay caught up was seen to be the older one (once,
    at load 10), and what a user relies on is that the figure follows, not at which
    instant."""
    deadline = time.monotonic() + timeout
    while (got := read()) != expected:
        if time.monotonic() > deadline:
            raise AssertionError(f"still {got}, not {expected}, {timeout} s after the replay")
        time.sleep(0.2)


@pytest.fixture
def paused():
    """Replay paused on the standby (what it shows stays where it was), resumed after."""

    @contextmanager
    def pause():
        wait_replayed()
        with _standby() as standby:
            standby.execute("SELECT pg_wal_replay_pause()")
            try:
                yield
            finally:
                standby.execute("SELECT pg_wal_replay_resume()")

    return pause


@pytest.fixture
def admin(client_for):
    return client_for(roles.ADMIN)


def _new_case(client, name: str) -> None:
    response = client.post(
        reverse("api_case_list"),
        {"principal": {"given_name": name, "family_name": "Ahmadi", "sex": "M"}},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content


def _population(client) -> int:
    response = client.get(reverse("api_population"))
    assert response.status_code == 200, response.content
    return response.json()["total"]


def _page_queries(captured) -> list[str]:
    """The page's own queries on a connection (the lag check left out)."""
    checks = ("pg_is_in_recovery", "pg_last_wal_replay_lsn")
    return [q["sql"] for q in captured.captured_queries if not any(c in q["sql"] for c in checks)]


def _is_read(sql: str) -> bool:
    head = sql.lstrip().split(None, 1)[0].upper()
    return head in {"SELECT", "WITH", "SHOW", "SET"} and " FOR UPDATE" not in sql.upper()


def test_heavy_pages_read_the_replica_and_the_others_the_primary(case, users, client_for):
    client = client_for(roles.ADMIN)
    wait_replayed()
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), count(*) FROM registry_case")
        assert cursor.fetchone() == (True, 1)  # a standby, with the primary's rows
    for name, query in HEAVY:
        with (
            CaptureQueriesContext(connections["replica"]) as on_replica,
            CaptureQueriesContext(connections["default"]) as on_primary,
        ):
            response = client.get(reverse(name), query)
        assert response.status_code == 200, name
        assert _page_queries(on_replica), f"{name} read nothing from the replica"
        assert all(_is_read(sql) for sql in _page_queries(on_replica)), name
        # The signed-in session and user come from the primary, before the page's reads.
        assert any("django_session" in q["sql"] for q in on_primary.captured_queries), name
    # A case's own page, the audit log: the primary only.
    for url in (reverse("case_detail", args=[case.case_id]), reverse("audit_list")):
        with CaptureQueriesContext(connections["replica"]) as on_replica:
            assert client.get(url).status_code == 200
        assert not on_replica.captured_queries, url


def test_a_paused_replica_shows_the_figure_from_before_the_write(admin, case, paused, settings):
    """The proof that the page reads the replica: with its replay paused, a case created
    on the primary is not yet in the population the page shows."""
    wait_replayed()
    assert _population(admin) == 2  # the case's principal and spouse
    with paused():
        _new_case(_other_client(admin), "Reza")  # committed on the primary, not replayed
        assert _population(admin) == 2  # from the replica
    wait_replayed()
    replica.forget()
    _eventually(lambda: _population(admin), 3)


def _other_client(admin):
    """A second signed-in user, in a session of their own."""
    from django.test import Client

    from onward.accounts.models import User

    user = User.objects.get(username="t_datamanager")
    other = Client()
    other.force_login(user)
    return other


def test_who_has_just_written_reads_the_primary(admin, paused, settings):
    other = _other_client(admin)
    with paused():
        _new_case(admin, "Ali")
        # The writer sees their case at once; someone else, through the paused replica,
        # a moment later.
        assert _population(admin) == 1
        assert _population(other) == 0
        assert admin.session.get(replica.WROTE_LSN)
    wait_replayed()
    replica.forget()
    _eventually(lambda: _population(other), 1)
    # Once the replica has the write, the writer reads it again too.
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert _population(admin) == 1
    assert _page_queries(on_replica)
    assert replica.WROTE_LSN not in admin.session


def test_a_replica_behind_the_limit_is_left_for_the_primary(admin, paused, settings, caplog):
    settings.ONWARD_REPLICA_MAX_LAG_SECONDS = 1
    settings.ONWARD_REPLICA_CHECK_SECONDS = 1
    other = _other_client(admin)
    with paused():
        _new_case(admin, "Ali")
        time.sleep(2.5)  # the replica is now 2.5 s behind the primary's last commit
        with caplog.at_level(logging.WARNING, logger="onward.replica"):
            with CaptureQueriesContext(connections["replica"]) as on_replica:
                assert _population(other) == 1  # the primary's figure
                assert client_get_ok(other, "dashboard")
        assert not _page_queries(on_replica)
        assert any("behind by" in r.getMessage() for r in caplog.records)


def client_get_ok(client, name: str) -> bool:
    response = client.get(reverse(name))
    return response.status_code == 200 and b"Traceback" not in response.content


def test_no_write_reaches_the_replica(admin, case):
    """A working session of writes and heavy pages: every query sent to the replica is a
    read (and a hot standby would refuse a write: the page would fail)."""
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        for n in range(3):
            _new_case(admin, f"Name{n}")
            for name, query in HEAVY:
                assert admin.get(reverse(name), query).status_code == 200
        wait_replayed()  # past the writes: the replica serves this session again
        for name, query in HEAVY:
            assert admin.get(reverse(name), query).status_code == 200
    reads = _page_queries(on_replica)
    assert reads, "the heavy pages read the replica once the writes were old enough"
    assert all(_is_read(sql) for sql in reads), [s for s in reads if not _is_read(s)]


@pytest.mark.skipif(shutil.which("pg_isready") is None, reason="needs PostgreSQL's client tools")
def test_the_replica_stopped_mid_run_is_not_noticed(admin, case, caplog, settings):
    """The fault test: the replica stops between two pages while it was in use (its
    connection open, its last check good). Pages keep answering, from the primary, with
    the right figures; one log line says why; no error reaches the user."""
    if not SCRIPT.exists() or not Path("/usr/lib/postgresql").exists():
        pytest.skip("needs scripts/pg-replica and PostgreSQL's server binaries")
    # The last check stays good for the whole test: the page finds the replica gone only
    # when its own query fails.
    settings.ONWARD_REPLICA_CHECK_SECONDS = 60
    wait_replayed()
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert _population(admin) == 2  # the principal and the spouse, from the replica
    assert _page_queries(on_replica)
    subprocess.run([str(SCRIPT), "stop", "--replica-only"], check=True, capture_output=True)
    try:
        with caplog.at_level(logging.WARNING, logger="onward.replica"):
            assert _population(admin) == 2  # the replica's connection breaks mid-page
            for name, query in HEAVY:
                response = admin.get(reverse(name), query)
                assert response.status_code == 200, name
            started = time.monotonic()
            assert _population(admin) == 2
            # Known down: the next pages do not wait for it again.
            assert time.monotonic() - started < 1.5
        messages = [r.getMessage() for r in caplog.records]
        assert any("served from the primary" in m for m in messages), messages
        assert any("unreachable" in m for m in messages), messages
    finally:
        subprocess.run([str(SCRIPT), "resume"], check=True, capture_output=True)
    replica.forget()
    wait_replayed()
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert _population(admin) == 2
    assert _page_queries(on_replica), "back in use once it is up again"
