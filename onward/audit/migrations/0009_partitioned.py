"""PostgreSQL: the audit log becomes a table partitioned by month of `at` (onward/audit/
partitions.py). SQLite keeps its plain table: nothing runs there.

The table is rebuilt once: the plain one renamed aside, a partitioned one made LIKE it,
the months from the oldest entry to MONTHS_AHEAD ahead and a default partition made, the
rows copied, the plain table dropped, then its indexes, foreign keys and the append-only
trigger (version 1, onward/appendonly.py) made again, on the parent, under their names.
The primary key becomes (id, at): a unique constraint must hold the partition key. The
identity sequence carries on from where the plain table's stood. Reversible the same way.

The DDL it runs is version 1 of onward/audit/partitions.py (frozen there), like 0002's.
"""

from django.db import migrations

TABLE, ASIDE, FUNCTION = "audit_auditentry", "audit_auditentry_aside", "audit_refuse_change"
MONTHS_AHEAD = 3


def _definitions(cursor) -> tuple[list[str], list[str]]:
    """The aside table's index and foreign-key DDL, pointed at the new table."""
    cursor.execute(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "AND tablename = %s AND indexname <> %s ORDER BY indexname",
        [ASIDE, f"{ASIDE}_pkey"],
    )
    indexes = [
        row[0].replace(f".{ASIDE} ", f".{TABLE} ").replace(" ON ONLY ", " ON ")
        for row in cursor.fetchall()
    ]
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
        [ASIDE],
    )
    fks = [f'ALTER TABLE {TABLE} ADD CONSTRAINT "{n}" {d}' for n, d in cursor.fetchall()]
    return indexes, fks


def _rebuild(schema_editor, *, partition: bool) -> None:
    from onward import appendonly
    from onward.audit.partitions import DDL

    run = schema_editor.execute
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_get_serial_sequence('{TABLE}', 'id')")
        old_sequence = cursor.fetchone()[0]
        cursor.execute(f"SELECT last_value, is_called FROM {old_sequence}")
        last_value, is_called = cursor.fetchone()
        run(f"ALTER TABLE {TABLE} RENAME TO {ASIDE}")
        run(f"ALTER INDEX {TABLE}_pkey RENAME TO {ASIDE}_pkey")
        indexes, fks = _definitions(cursor)
        by = " PARTITION BY RANGE (at)" if partition else ""
        run(
            f"CREATE TABLE {TABLE} (LIKE {ASIDE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
            f"INCLUDING IDENTITY INCLUDING STORAGE){by}"
        )
        if partition:
            run(DDL[1][0])
            run(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
            run(
                f"SELECT onward_audit_partition(m::date) FROM generate_series("
                f"date_trunc('month', coalesce((SELECT min(at) FROM {ASIDE}), now()) "
                f"AT TIME ZONE 'UTC'), date_trunc('month', now() AT TIME ZONE 'UTC') "
                f"+ interval '{MONTHS_AHEAD} months', interval '1 month') AS m"
            )
        run(f"INSERT INTO {TABLE} SELECT * FROM {ASIDE}")
        run(f"DROP TABLE {ASIDE}")  # its trigger, indexes and foreign keys with it
        if not partition:
            run(DDL[1][1])
        cursor.execute(f"SELECT pg_get_serial_sequence('{TABLE}', 'id')")
        sequence = cursor.fetchone()[0]
        if sequence != old_sequence:
            run(f"ALTER SEQUENCE {sequence} RENAME TO {old_sequence.split('.')[-1]}")
        run(f"SELECT setval('{old_sequence}', {int(last_value)}, {bool(is_called)})")
    key = "(id, at)" if partition else "(id)"
    run(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY {key}")
    for statement in indexes + fks:
        run(statement)
    appendonly.install(schema_editor, "append_only", 1, TABLE, function=FUNCTION)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _rebuild(schema_editor, partition=True)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _rebuild(schema_editor, partition=False)


class Migration(migrations.Migration):
    dependencies = [("audit", "0008_audit_archive")]
    operations = [migrations.RunPython(forward, backward)]
