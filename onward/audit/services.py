"""Writing the audit log: the one writer. Every entry is written in the caller's
transaction, so a write and its audit entry land together or not at all (Zulip's rule).

`audit_record` writes one entry; `audit_records` many at once (an import, a bulk step of
the workflow, the demo's population), as one multi-row INSERT or a COPY on PostgreSQL.
Nothing outside this module constructs an audit row (a test checks it).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from onward.audit.actor import acting_user
from onward.audit.middleware import request_meta
from onward.audit.models import AuditEntry
from onward.db import insert_rows

# What a reading or a sign-in writes: it changes no figure.
_READS = frozenset(
    {
        AuditEntry.Action.VIEW,
        AuditEntry.Action.EXPORT,
        AuditEntry.Action.LOGIN,
        AuditEntry.Action.LOGIN_FAILED,
        AuditEntry.Action.LOGOUT,
        AuditEntry.Action.DENIED,
        AuditEntry.Action.OTP_VERIFIED,
        AuditEntry.Action.OTP_FAILED,
    }
)


# Sent once a transaction that wrote a change (and audited it) has committed, once per
# transaction however many writes it held: whoever keeps something computed from the
# records retires it (the dashboard's figures, reports/figures_cache.py).
write_committed = Signal()


def _send_write_committed() -> None:
    write_committed.send(sender=AuditEntry)


def _changed(actions) -> None:
    if all(action in _READS for action in actions):
        return
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        func is _send_write_committed for _sids, func, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(_send_write_committed)


# (action, object_type, object_id), optionally followed by changes and a detail.
Entry = tuple


def _base(actor, actor_name: str | None, detail: str) -> dict:
    """The fields every entry of one call shares: who, from where, through which channel."""
    meta = request_meta()
    user = acting_user(actor)
    name = actor_name if actor_name is not None else (user.username if user else "")
    # Cut to the columns, whatever a caller passes: an audit row that does not fit would
    # fail on PostgreSQL, and with it the action it records.
    return {
        "actor": user,
        "actor_name": name[:150],
        "detail": detail[:255],
        "ip": meta.ip,
        "channel": meta.channel,
        "path": (meta.path or "")[:255],
        "request_id": meta.request_id,
    }


@cache
def _actions() -> frozenset[str]:
    # Action.values builds its list anew on each call: an import checks 150,000 entries.
    return frozenset(AuditEntry.Action.values)


def _checked(action: str) -> str:
    """An action outside the log's vocabulary is a programming error. Refused here, on
    every database: SQLite would store it and PostgreSQL would fail on its length, taking
    the recorded action down with it only in production."""
    if action not in _actions():
        raise ValueError(f"Unknown audit action {action!r}; use one of AuditEntry.Action.")
    return action


def audit_record(
    *,
    actor,
    action: str,
    object_type: str = "",
    object_id: str | int = "",
    changes: dict | None = None,
    detail: str = "",
    actor_name: str | None = None,
) -> AuditEntry:
    entry = AuditEntry.objects.create(
        **_base(actor, actor_name, detail),
        action=_checked(action),
        object_type=object_type[:32],
        object_id=str(object_id)[:64],
        changes=changes or {},
    )
    _changed((action,))
    return entry


def audit_insert_sql(
    *, actor, action: str, object_type: str, object_id_sql: str, source: str, detail: str, at
) -> tuple[str, list]:
    """PostgreSQL: an `INSERT ... SELECT` of one entry per row of `source` (a query or a
    CTE's name in the caller's statement), with the fields `audit_record` writes and the
    object's id read from the row (`object_id_sql`, an expression over `source`): for a
    write that is one statement (the card scan, docs/presence.md "Scale"), its audit
    entry in the same statement. Returns the SQL and its parameters; the caller calls
    `audit_changed((action,))` once the statement ran."""
    base = _base(actor, None, detail)
    user = base.pop("actor")
    columns = (
        "at, actor_id, actor_name, action, object_type, object_id, changes, detail, ip, "
        "channel, path, request_id"
    )
    sql = (
        f"INSERT INTO {AuditEntry._meta.db_table} ({columns}) "
        f"SELECT %s, %s, %s, %s, %s, left(({object_id_sql})::text, 64), '{{}}'::jsonb, %s, "
        f"%s::inet, %s, %s, %s FROM {source}"
    )
    params = [
        at,
        user.pk if user else None,
        base["actor_name"],
        _checked(action),
        object_type[:32],
        base["detail"],
        base["ip"],
        base["channel"],
        base["path"],
        base["request_id"],
    ]
    return sql, params


def audit_changed(actions) -> None:
    """After entries written by `audit_insert_sql`: what `audit_record` does once its
    entry is written (the write-committed signal, once per transaction)."""
    _changed(actions)


def audit_records(
    *, actor, entries: Iterable[Entry], detail: str = "", actor_name: str | None = None
) -> int:
    """Many entries, each `(action, object_type, object_id[, changes[, detail]])`, with
    the actor and request written once for all. Returns how many were written."""
    base = _base(actor, actor_name, detail)
    user = base.pop("actor")
    base["actor_id"] = user.pk if user else None
    rows = []
    for entry in entries:
        row = {
            **base,
            "action": _checked(entry[0]),
            "object_type": entry[1],
            "object_id": str(entry[2])[:64],
        }
        if len(entry) > 3 and entry[3]:
            row["changes"] = entry[3]
        if len(entry) > 4 and entry[4]:
            row["detail"] = str(entry[4])[:255]
        rows.append(row)
    insert_rows(AuditEntry, rows, timezone.now())
    _changed({row["action"] for row in rows})
    return len(rows)


def audit_read(*, actor, obj) -> AuditEntry:
    return audit_record(
        actor=actor,
        action=AuditEntry.Action.VIEW,
        object_type=obj.audit_type,
        object_id=obj.public_id,
    )
