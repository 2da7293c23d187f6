"""The read replica: which database a request reads (docs/operations.md, "Read replica").

When DATABASE_REPLICA_URL is set, the heavy read pages (the reports dashboard, the
situation report and its exports, the records behind a figure, the forecast, the
readiness matrix, the population as of a date and its API) read from the alias
"replica", a PostgreSQL hot standby. Everything else reads the primary ("default"), and
so does every page

- of a session whose last write the replica has not replayed yet (read-your-writes: a
  POST, PUT, PATCH or DELETE leaves the primary's WAL position in the session,
  `WROTE_LSN`; a heavy page of that session reads the replica once the replica's replay
  has passed it, and forgets it then), and
- when the replica is behind by more than ONWARD_REPLICA_MAX_LAG_SECONDS, or not
  reachable: the page is served from the primary, the user is told nothing, one log
  line says why (`onward.replica`).

Writes always go to the primary, and migrations run only there: the router says so for
every model, whatever the page (a hot standby would refuse them anyway).

How: `ReplicaMiddleware.process_view` decides once per request and sets a context
variable; `ReplicaRouter.db_for_read` reads it. Raw SQL on a heavy page asks
`reading()` for its connection. A replica that fails in the middle of a page (stopped,
its query cancelled by recovery) costs one retry of the view on the primary.
"""

from __future__ import annotations

import logging
import threading
import time
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections

REPLICA = "replica"
# Set in the session by a request that may have written: the primary's WAL position after it.
WROTE_LSN = "onward_wrote_lsn"

# The pages that may read the replica (URL names), GET and HEAD only. The registry's
# person and case exports are not among them: they stream their rows after the view has
# returned, where a replica failing half-way could not be retried on the primary.
HEAVY_PAGES = frozenset(
    {
        "dashboard",
        "report_forecast",
        "report_records",
        "report_csv",
        "report_pdf",
        "report_xlsx",
        "readiness_matrix",
        "ledger",
        "api_population",
        "api_population_series",
    }
)
# Always read from the primary, even on a heavy page: the signed-in state (sessions,
# accounts, second factor, lockouts) must see a sign-in made a moment ago, the audit log
# and the jobs are read back by the writes they go with, and the dashboard's freshness
# counter would otherwise keep figures that a committed write retired.
PRIMARY_APPS = frozenset(
    {
        "sessions",
        "auth",
        "contenttypes",
        "admin",
        "accounts",
        "django_otp",
        "otp_totp",
        "otp_static",
        "axes",
        "audit",
        "jobs",
    }
)
PRIMARY_MODELS = frozenset({"reports.figuresgeneration"})

logger = logging.getLogger("onward.replica")

_route: ContextVar[str] = ContextVar("onward_db_route", default=DEFAULT_DB_ALIAS)

# The replica's last check: (monotonic time, usable, reason), shared by a process's threads.
_health_lock = threading.Lock()
_health: tuple[float, bool, str] | None = None

# Replay lag in seconds: 0 when the standby has replayed all it received (an idle primary
# writes nothing, so the last replayed transaction grows old without any lag), else the
# age of the last transaction replayed; NULL before the first one.
LAG_SQL = """
SELECT pg_is_in_recovery(),
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END
"""


def configured() -> bool:
    return REPLICA in settings.DATABASES


def max_lag() -> float:
    return settings.ONWARD_REPLICA_MAX_LAG_SECONDS


def check_seconds() -> float:
    return settings.ONWARD_REPLICA_CHECK_SECONDS


def current() -> str:
    """The alias this request's heavy reads use."""
    return _route.get()


def reading():
    """The connection for raw SQL that a heavy page reads with (the replica or the primary)."""
    return connections[_route.get()]


def _close_quietly(alias: str) -> None:
    if alias not in settings.DATABASES:
        return
    try:
        connections[alias].close()
    except Exception:  # noqa: BLE001 - a broken connection may fail to close too
        connections[alias].connection = None


def probe() -> tuple[bool, str]:
    """Asks the replica now: (usable, why not)."""
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(LAG_SQL)
            in_recovery, lag = cursor.fetchone()
    except (OperationalError, InterfaceError) as exc:
        _close_quietly(REPLICA)
        return False, f"unreachable ({str(exc).strip().splitlines()[0] if str(exc) else exc!r})"
    if not in_recovery:
        return False, "not a standby (pg_is_in_recovery() is false: promoted?)"
    if lag is None:
        return False, "no transaction replayed yet"
    if float(lag) > max_lag():
        return False, f"behind by {float(lag):.1f} s (limit {max_lag():g} s)"
    return True, ""


def usable(*, force: bool = False) -> bool:
    """Whether the replica may serve a page now: the last check's answer when it is
    younger than ONWARD_REPLICA_CHECK_SECONDS, else a new one. A change is logged once."""
    global _health
    now = time.monotonic()
    with _health_lock:
        last = _health
    if not force and last and now - last[0] < check_seconds():
        return last[1]
    ok, reason = probe()
    with _health_lock:
        before = _health
        _health = (time.monotonic(), ok, reason)
    if not ok and (before is None or before[1] or before[2] != reason):
        logger.warning("read replica not used, pages read the primary: %s", reason)
    elif ok and before is not None and not before[1]:
        logger.info("read replica back in use")
    return ok


def forget() -> None:
    """Drops the kept check (tests, and after the replica was changed)."""
    global _health
    with _health_lock:
        _health = None


class ReplicaRouter:
    """Reads of a heavy page to the replica when the middleware chose it; every write and
    every migration to the primary."""

    def db_for_read(self, model, **hints):
        if _route.get() != REPLICA:
            return DEFAULT_DB_ALIAS
        meta = model._meta
        if meta.app_label in PRIMARY_APPS or meta.label_lower in PRIMARY_MODELS:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The same rows on both: a person read from the replica may point to a case.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def primary_lsn() -> str | None:
    """The primary's WAL position now (None when the primary is not PostgreSQL): where
    the next record will be inserted, so past this session's commit record even under
    `synchronous_commit = off` (the write position, pg_current_wal_lsn, can still be
    before it, and a standby that replayed up to it may not have the commit yet)."""
    if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
        return None
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
        return cursor.fetchone()[0]


def replayed(lsn: str) -> bool:
    """Whether the replica has replayed the primary's WAL up to `lsn` (False if it cannot
    say: it is not reachable)."""
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            return bool(cursor.fetchone()[0])
    except (OperationalError, InterfaceError):
        _close_quietly(REPLICA)
        return False


def own_writes_replayed(request) -> bool:
    """Read-your-writes: whether this session's last write is on the replica already."""
    session = getattr(request, "session", None)
    lsn = session.get(WROTE_LSN) if session is not None else None
    if not lsn:
        return True
    if not isinstance(lsn, str) or not replayed(lsn):
        return False
    del session[WROTE_LSN]
    return True


class ReplicaMiddleware:
    """Chooses the database of each request's heavy reads (after the sign-in checks: the
    signed-in user is known, from the primary, before any read moves)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _route.set(DEFAULT_DB_ALIAS)
        try:
            response = self.get_response(request)
        finally:
            _route.reset(token)
        if (
            configured()
            and request.method not in ("GET", "HEAD", "OPTIONS", "TRACE")
            and response.status_code < 500
            and getattr(request, "user", None) is not None
            and request.user.is_authenticated
        ):
            lsn = primary_lsn()
            if lsn:
                request.session[WROTE_LSN] = lsn
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not configured() or request.method not in ("GET", "HEAD"):
            return None
        match = request.resolver_match
        if match is None or match.url_name not in HEAVY_PAGES:
            return None
        user = getattr(request, "user", None)
        if user is not None:
            user.is_authenticated  # noqa: B018 - loads the session and user from the primary
        if usable() and own_writes_replayed(request):
            _route.set(REPLICA)
        return None

    def process_exception(self, request, exception):
        """The replica failed during the page: served again from the primary."""
        if _route.get() != REPLICA or not isinstance(exception, OperationalError | InterfaceError):
            return None
        _route.set(DEFAULT_DB_ALIAS)
        _close_quietly(REPLICA)
        usable(force=True)  # logs why, and keeps the answer for the next pages
        logger.warning(
            "read replica failed during %s (%s): served from the primary",
            request.resolver_match.url_name,
            type(exception).__name__,
        )
        match = request.resolver_match
        return match.func(request, *match.args, **match.kwargs)
