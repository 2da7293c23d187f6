"""What a backup's manifest records about a database, and the check that compares it.

The same functions read the database being backed up (inside the snapshot the dump is
taken from, so the figures are the dump's), the copy, and the database after a restore:
row counts of every table, the migrations applied, a SHA-256 over the audit log in id
order, and which field-encryption key ids the encrypted columns use (ids only, never a
key). They take a DB-API cursor (Django's, or sqlite3's on a backup file) and plain SQL
without parameters, so that they read a file that no Django connection points at.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

AUDIT_TABLE = "audit_auditentry"
# The audit row as hashed: every column, in this order.
AUDIT_COLUMNS = (
    "id",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "changes",
    "detail",
    "ip",
    "channel",
    "path",
)
# Columns added later, hashed when the table has them: a backup and the database it is
# restored into have the same schema (the dump carries it), so both sides agree.
AUDIT_LATER_COLUMNS = ("request_id",)
AUDIT_BATCH = 5000
# A database "has data" when any of these has a row: restoring over it needs --yes.
DATA_TABLES = ("accounts_user", "registry_case", "registry_person", AUDIT_TABLE)
# Tables whose rows a backup leaves out: live sessions (a session key in a backup is a
# signed-in user's cookie, for as long as the session lasts). A restore starts with none,
# so every user signs in again; the check after it does not compare them.
NOT_BACKED_UP = ("django_session", "accounts_usersession")


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_names(cursor, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY name"
        )
    elif vendor == "postgresql":
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        )
    else:
        raise ValueError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return [row[0] for row in cursor.fetchall()]


def table_counts(cursor, vendor: str) -> dict[str, int]:
    counts = {}
    for table in table_names(cursor, vendor):
        cursor.execute(f"SELECT count(*) FROM {quote(table)}")
        counts[table] = int(cursor.fetchone()[0])
    return counts


def migrations_applied(cursor) -> dict[str, list[str]]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    applied: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        applied.setdefault(app, []).append(name)
    return applied


def _utc(value) -> str:
    if isinstance(value, str):  # SQLite keeps "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _json(value) -> str:
    if isinstance(value, str | bytes):
        value = json.loads(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _canonical(row, columns=AUDIT_COLUMNS) -> str:
    """One audit row as text that is the same whichever database returned it."""
    out = []
    for column, value in zip(columns, row, strict=True):
        if value is None:
            out.append(None)
        elif column == "at":
            out.append(_utc(value))
        elif column == "changes":
            out.append(_json(value))
        elif column in ("id", "actor_id"):
            out.append(int(value))
        else:
            out.append(str(value))
    return json.dumps(out, ensure_ascii=False, separators=(",", ":"))


def audit_checksum(cursor) -> dict:
    """SHA-256 over the audit log's rows in id order: a restore that lost, added or altered
    one entry gives another sum. Read in pages by id, so a long log never sits in memory."""
    digest, n, last = hashlib.sha256(), 0, None
    present = _column_names(cursor, AUDIT_TABLE)
    hashed = AUDIT_COLUMNS + tuple(c for c in AUDIT_LATER_COLUMNS if c in present)
    columns = ", ".join(quote(c) for c in hashed)
    while True:
        after = "" if last is None else f"WHERE id > {int(last)} "
        cursor.execute(
            f"SELECT {columns} FROM {AUDIT_TABLE} {after}ORDER BY id LIMIT {AUDIT_BATCH}"
        )
        rows = cursor.fetchall()
        if not rows:
            break
        for row in rows:
            digest.update(_canonical(row, hashed).encode())
            digest.update(b"\n")
        n += len(rows)
        last = rows[-1][0]
    return {"entries": n, "sha256": digest.hexdigest()}


def _column_names(cursor, table: str) -> set[str]:
    # A query that works on both vendors and on a bare sqlite3 cursor: no rows, a header.
    cursor.execute(f"SELECT * FROM {quote(table)} WHERE 1 = 0")
    names = {d[0] for d in cursor.description}
    cursor.fetchall()
    return names


def field_key_ids(cursor, vendor: str) -> dict[str, dict[str, int]]:
    """Per encrypted column, how many values each key id holds (ids only, never a key),
    counted in SQL. Empty when the vault app is not installed."""
    from django.apps import apps

    if not apps.is_installed("onward.vault"):
        return {}
    from onward.vault import keys
    from onward.vault.rotation import PLAIN, encrypted_columns

    prefix = keys.PREFIX.replace("'", "")
    out = {}
    for col in encrypted_columns():
        c = quote(col.column)
        kid = (
            f"split_part({c}, ':', 2)"
            if vendor == "postgresql"
            else f"substr({c}, 4, instr(substr({c}, 4), ':') - 1)"
        )
        cursor.execute(
            f"SELECT CASE WHEN substr({c}, 1, {len(prefix)}) = '{prefix}' THEN {kid} "
            f"ELSE '{PLAIN}' END, count(*) FROM {quote(col.table)} "
            f"WHERE {c} IS NOT NULL AND {c} <> '' GROUP BY 1 ORDER BY 1"
        )
        out[col.context] = {str(k): int(n) for k, n in cursor.fetchall()}
    return out


def loaded_key_ids() -> list[str]:
    """The key ids of the running process's keyring, primary first (never the keys)."""
    from django.apps import apps

    if not apps.is_installed("onward.vault"):
        return []
    from onward.vault import keys

    try:
        return [k.kid for k in keys.keyring().keys]
    except Exception:  # no keys configured: the manifest says so, the backup goes on
        return []


def read_state(cursor, vendor: str) -> dict:
    """Everything a manifest records about the database behind `cursor`."""
    return {
        "tables": table_counts(cursor, vendor),
        "migrations": migrations_applied(cursor),
        "audit": audit_checksum(cursor),
        "field_keys": field_key_ids(cursor, vendor),
    }


def has_data(counts: dict[str, int]) -> bool:
    return any(counts.get(table) for table in DATA_TABLES)


# --- The check after a restore ---------------------------------------------------------


@dataclass
class Line:
    what: str
    expected: str
    found: str
    ok: bool


def compare(manifest: dict, state: dict) -> list[Line]:
    """The manifest's figures against the database's, one line each. A table missing from
    the backup is fine while it is empty (a later migration made it)."""
    lines = []
    expected, found = manifest["tables"], state["tables"]
    for table in sorted((expected.keys() | found.keys()) - set(NOT_BACKED_UP)):
        e, f = expected.get(table), found.get(table)
        ok = e == f or (e is None and f == 0)
        lines.append(
            Line(table, "—" if e is None else str(e), "missing" if f is None else str(f), ok)
        )
    e_audit, f_audit = manifest["audit"], state["audit"]
    lines.append(
        Line(
            "audit log: entries",
            str(e_audit["entries"]),
            str(f_audit["entries"]),
            e_audit["entries"] == f_audit["entries"],
        )
    )
    lines.append(
        Line(
            "audit log: SHA-256",
            e_audit["sha256"],
            f_audit["sha256"],
            e_audit["sha256"] == f_audit["sha256"],
        )
    )
    e_mig = sum(len(v) for v in manifest["migrations"].values())
    f_mig = sum(len(v) for v in state["migrations"].values())
    lines.append(
        Line(
            "migrations applied",
            str(e_mig),
            str(f_mig),
            manifest["migrations"] == state["migrations"],
        )
    )
    return lines


def unreadable_keys(state: dict, loaded: list[str]) -> dict[str, int]:
    """Key ids the restored data uses that the running keyring lacks, with how many values
    each holds: those identifiers read as "[unreadable: …]" until the key is loaded."""
    from django.apps import apps

    if not apps.is_installed("onward.vault"):
        return {}
    from onward.vault.rotation import PLAIN

    missing: dict[str, int] = {}
    for counts in state["field_keys"].values():
        for kid, n in counts.items():
            if kid != PLAIN and kid not in loaded:
                missing[kid] = missing.get(kid, 0) + n
    return missing
