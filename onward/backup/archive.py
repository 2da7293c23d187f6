"""`onward archive`: months of the partitioned audit log moved out of the database into
files and back (docs/operations.md, "Partitioned history"). PostgreSQL only.

A month is archived in one transaction: its partition detached, its rows copied out in
id order (COPY, text format) into a gzip file, the file's SHA-256 and row count recorded
in the archive index (audit.AuditArchive), and the detached table dropped. If anything
fails the transaction rolls back and the partition is still attached: nothing is lost.
A restore checks the file against its recorded SHA-256 first, loads it into a table made
like the parent, checks the row count, and attaches it (a CHECK constraint matching the
month's bounds lets ATTACH skip its scan). Rows come back byte for byte, so the audit
checksum (backup/state.py) after a restore is the one before the archive.

Run as the schema's owner (DDL), like `onward migrate`.
"""

from __future__ import annotations

import datetime as dt
import getpass
import gzip
import hashlib
import re
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from onward.audit import partitions
from onward.audit.models import AuditArchive
from onward.jobs.registry import chore

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class ArchiveError(Exception):
    """Said to the operator; nothing was changed."""


def parse_month(text: str) -> dt.date:
    """'YYYY-MM' as the month's first day; a clear error for anything else."""
    found = MONTH.match(text.strip())
    if not found or not 1 <= int(found[2]) <= 12:
        raise ArchiveError(f"{text!r} is not a month: write it as YYYY-MM, e.g. 2026-01.")
    return dt.date(int(found[1]), int(found[2]), 1)


def archive_dir() -> Path:
    return Path(getattr(settings, "ONWARD_ARCHIVE_DIR", settings.DATA_DIR / "archive"))


def _require_partitioned() -> None:
    if connection.vendor != "postgresql":
        raise ArchiveError(
            f"Archiving months needs PostgreSQL's partitions: this database is {connection.vendor}."
        )
    if not partitions.partitioned():
        raise ArchiveError("The audit log is not partitioned: run `onward migrate` first.")


def _next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def archive_before(before: dt.date, *, directory: Path | None = None) -> list[AuditArchive]:
    """Archive every month's partition older than `before` (a month's first day, not
    later than the current month's); the months archived, oldest first."""
    _require_partitioned()
    this_month = timezone.now().astimezone(dt.UTC).date().replace(day=1)
    if before > this_month:
        raise ArchiveError(
            f"--before {before:%Y-%m}: only past months can be archived "
            f"(the current month is {this_month:%Y-%m})."
        )
    directory = directory or archive_dir()
    directory.mkdir(parents=True, exist_ok=True)
    old = [p for p in partitions.audit_partitions() if p.month and p.month < before]
    return [_archive_month(p.month, p.name, directory) for p in old]


def _archive_month(month: dt.date, table: str, directory: Path) -> AuditArchive:
    path = directory / f"audit-{month:%Y-%m}.copy.gz"
    with transaction.atomic(), connection.cursor() as cursor:
        # Deferred foreign-key checks of rows written earlier in this transaction would
        # keep the table from being dropped: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f'ALTER TABLE {partitions.TABLE} DETACH PARTITION "{table}"')
        columns = _columns(cursor, table)
        rows = _copy_out(cursor, table, columns, path)
        entry, _ = AuditArchive.objects.update_or_create(
            month=month,
            defaults={
                "file": path.name,
                "sha256": _sha256(path),
                "rows": rows,
                "columns": columns,
                "archived_at": timezone.now(),
                "archived_by": _operator(),
                "restored_at": None,
            },
        )
        cursor.execute(f'DROP TABLE "{table}"')
    return entry


def _columns(cursor, table: str) -> list[str]:
    cursor.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
        "AND NOT attisdropped ORDER BY attnum",
        [table],
    )
    return [row[0] for row in cursor.fetchall()]


def _copy_out(cursor, table: str, columns: list[str], path: Path) -> int:
    names = ", ".join(f'"{c}"' for c in columns)
    rows = 0
    with gzip.open(path, "wb") as out:
        sql = f'COPY (SELECT {names} FROM "{table}" ORDER BY id) TO STDOUT'
        with cursor.cursor.copy(sql) as copy:
            for chunk in copy:
                out.write(chunk)
                rows += bytes(chunk).count(b"\n")
    return rows


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        return ""


def restore_month(month: dt.date, *, directory: Path | None = None) -> AuditArchive:
    """Load an archived month back and attach it as its partition again."""
    _require_partitioned()
    entry = AuditArchive.objects.filter(month=month, restored_at__isnull=True).first()
    if entry is None:
        raise ArchiveError(f"{month:%Y-%m} is not archived: nothing to restore.")
    path = (directory or archive_dir()) / entry.file
    if not path.is_file():
        raise ArchiveError(f"{month:%Y-%m}: the archive file {path} is missing.")
    if _sha256(path) != entry.sha256:
        raise ArchiveError(
            f"{month:%Y-%m}: {path} does not match the SHA-256 recorded when it was "
            "archived; it was not loaded."
        )
    table, end = partitions.month_name(month), _next_month(month)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f'CREATE TABLE "{table}" (LIKE {partitions.TABLE} INCLUDING DEFAULTS '
            "INCLUDING CONSTRAINTS INCLUDING STORAGE)"
        )
        rows = _copy_in(cursor, table, entry.columns, path)
        if rows != entry.rows:
            raise ArchiveError(
                f"{month:%Y-%m}: {path} holds {rows} rows, {entry.rows} were archived."
            )
        lower, upper = f"'{month:%Y-%m-%d} 00:00+00'", f"'{end:%Y-%m-%d} 00:00+00'"
        # A CHECK matching the bounds spares ATTACH its scan of the month's rows.
        cursor.execute(
            f'ALTER TABLE "{table}" ADD CONSTRAINT "{table}_bounds" '
            f"CHECK (at IS NOT NULL AND at >= {lower} AND at < {upper})"
        )
        cursor.execute(
            f'ALTER TABLE {partitions.TABLE} ATTACH PARTITION "{table}" '
            f"FOR VALUES FROM ({lower}) TO ({upper})"
        )
        cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{table}_bounds"')
        entry.restored_at = timezone.now()
        entry.save(update_fields=["restored_at"])
    return entry


def _copy_in(cursor, table: str, columns: list[str], path: Path) -> int:
    names = ", ".join(f'"{c}"' for c in columns)
    with gzip.open(path, "rb") as source:
        with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
            for block in iter(lambda: source.read(1 << 20), b""):
                copy.write(block)
    cursor.execute(f'SELECT count(*) FROM "{table}"')
    return int(cursor.fetchone()[0])


@chore("audit partitions ahead", every=86400)
def _partitions_chore() -> str:
    # Daily, though a month needs it once: it is cheap and safe to repeat, and a worker
    # stopped over a month's turn catches up the day it starts again.
    return str(partitions.partitions_ahead())
