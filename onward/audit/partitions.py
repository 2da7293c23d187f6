"""The audit log as PostgreSQL declarative partitions by month (docs/operations.md,
"Partitioned history"). SQLite keeps one plain table: everything here is a no-op there.

- The parent `audit_auditentry` is `PARTITION BY RANGE (at)`, one partition per calendar
  month in UTC (`audit_auditentry_y2026m11`) and a default partition that catches a row
  no month holds yet (it should stay empty: `partitions_ahead` keeps months ready).
- Its primary key is (id, at): PostgreSQL requires the partition key in every unique
  constraint. Django still treats `id` as the key; ids come from one identity sequence,
  so they stay unique, and nothing has a foreign key into the audit log.
- The append-only trigger is on the parent: PostgreSQL (13 and later) clones a row
  trigger to every partition, those attached later included.
- The function that makes a month's partition is SECURITY DEFINER, owned by the schema's
  owner, so the worker (the app role, which may not CREATE, see `onward db_roles`) can
  keep months ready without any DDL right of its own.

The DDL is versioned like onward/appendonly.py's: a migration names the version it
installs, and a version is never edited once a migration uses it. "%%" is one "%" (the
statements go through the driver's placeholders).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection

TABLE = "audit_auditentry"
DEFAULT = f"{TABLE}_default"
MONTHS_AHEAD = 3

_PARTITION_FUNCTION_V1 = """
CREATE OR REPLACE FUNCTION onward_audit_partition(month date) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET timezone = 'UTC' AS $$
DECLARE
  first date := date_trunc('month', month)::date;
  name text := format('audit_auditentry_y%%sm%%s', to_char(first, 'YYYY'), to_char(first, 'MM'));
BEGIN
  -- An archived month is restored by `onward archive --restore`, never remade empty.
  IF to_regclass(name) IS NOT NULL OR EXISTS (
      SELECT 1 FROM audit_auditarchive WHERE audit_auditarchive.month = first
      AND restored_at IS NULL) THEN
    RETURN false;
  END IF;
  EXECUTE format('CREATE TABLE %%I PARTITION OF audit_auditentry FOR VALUES FROM (%%L) TO (%%L)',
    name, first::timestamp AT TIME ZONE 'UTC',
    (first + interval '1 month')::timestamp AT TIME ZONE 'UTC');
  RETURN true;
END; $$;
CREATE OR REPLACE FUNCTION onward_audit_partitions_ahead(months integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET timezone = 'UTC' AS $$
DECLARE
  made integer := 0;
BEGIN
  FOR i IN 0..months LOOP
    IF onward_audit_partition((date_trunc('month', now()) + i * interval '1 month')::date) THEN
      made := made + 1;
    END IF;
  END LOOP;
  RETURN made;
END; $$;
"""

_PARTITION_FUNCTION_V1_DROP = """
DROP FUNCTION IF EXISTS onward_audit_partitions_ahead(integer);
DROP FUNCTION IF EXISTS onward_audit_partition(date);
"""

DDL = {1: (_PARTITION_FUNCTION_V1, _PARTITION_FUNCTION_V1_DROP)}


def partitioned() -> bool:
    """Whether the audit log is partitioned here (PostgreSQL after audit 0009)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass", [TABLE])
        return cursor.fetchone() is not None


@dataclass(frozen=True)
class Partition:
    name: str
    month: dt.date | None  # None: the default partition
    rows: int | None = None


def month_name(month: dt.date) -> str:
    return f"{TABLE}_y{month:%Y}m{month:%m}"


def audit_partitions() -> list[Partition]:
    """The audit log's partitions, months first in order, then the default one."""
    if not partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass ORDER BY c.relname",
            [TABLE],
        )
        names = [row[0] for row in cursor.fetchall()]
    months = [Partition(n, _month_of(n)) for n in names if n != DEFAULT]
    return sorted(months, key=lambda p: p.month) + [Partition(DEFAULT, None)] * (DEFAULT in names)


def _month_of(name: str) -> dt.date:
    year, month = name.removeprefix(f"{TABLE}_y").split("m")
    return dt.date(int(year), int(month), 1)


def partitions_ahead(months: int = MONTHS_AHEAD) -> int:
    """Make this month's and the next `months` months' partitions that are missing; the
    number made. Safe to repeat (the worker runs it daily)."""
    if not partitioned():
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT onward_audit_partitions_ahead(%s)", [months])
        return int(cursor.fetchone()[0])
