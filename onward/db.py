"""SQL helpers the apps share for bulk work: many values as one parameter, multi-row
inserts on SQLite, timestamps as numbers.

Why: an import or a rollup update handles 5,000-100,000 ids at once. An IN list of that
many parameters costs more to build and parse than the lookup itself, and psycopg adapts
a list value by value; one array (PostgreSQL) or one JSON text (SQLite) does not.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable

from django.db import connection
from django.db.backends.sqlite3.base import adapt_datetime
from django.db.models import FloatField, Func
from django.db.models.expressions import RawSQL

from onward.vault.fields import BlindIndexField, EncryptedTextField, blind_index


def pg_array(values: Iterable[int | dt.date]) -> str:
    """A PostgreSQL array literal of integers or dates, for `%s::bigint[]` or `%s::date[]`:
    built by one join, where adapting a list of 5,000 values one by one takes longer than
    the query using it."""
    return "{" + ",".join(map(str, values)) + "}"


def among(values: Iterable[str]) -> RawSQL:
    """For `text_field__in=`: the texts as one parameter (an array on PostgreSQL, JSON on
    SQLite)."""
    values = list(values)
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::text[])", [values])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(values)])


def among_ids(column: str, ids: list[int]) -> tuple[str, list]:
    """For raw SQL: the condition "`column` is one of `ids`" and its one parameter
    (`= ANY` of an array on PostgreSQL, so that an index on the column serves it)."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s::bigint[])", [pg_array(ids)]
    return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(ids)]


def sqlite_insert_many(cursor, head: str, rows: list, width: int) -> None:
    """SQLite: `head` ("INSERT INTO t (a, b)") with the rows as multi-row VALUES, up to
    500 rows a statement. executemany runs one statement per row, and on a table with a
    trigger (persons, ledger, audit) each journals every page it touches: 2-3 times
    slower."""
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per = max(1, min(500, limit // max(1, width)))
    one = "(" + ", ".join(["?"] * width) + ")"
    # sqlite3's own execute, with its own placeholders: Django's cursor rewrites each %s
    # to ? with a regular expression, per statement (for 500 rows of 30 columns, 15,000
    # of them: a tenth of an import's time on SQLite). `head` holds no parameter.
    execute = sqlite3.Cursor.execute
    raw = cursor.cursor
    full = f"{head} VALUES {', '.join([one] * per)}"
    with connection.wrap_database_errors:  # sqlite3's errors as Django's (IntegrityError)
        for start in range(0, len(rows), per):
            part = rows[start : start + per]
            execute(
                raw,
                full if len(part) == per else f"{head} VALUES {', '.join([one] * len(part))}",
                [value for row in part for value in row],
            )


_PLANS: dict = {}


def _insert_plan(model, with_pk: bool):
    """(fields, attnames, JSON attnames, SQL table, SQL columns) of a model's insert,
    computed once per model."""
    key = (model, with_pk)
    if key not in _PLANS:
        fields = [
            f
            for f in model._meta.concrete_fields
            if with_pk or not (f.primary_key and f.get_internal_type().endswith("AutoField"))
        ]
        names = [f.attname for f in fields]
        json_fields = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        _PLANS[key] = (
            fields,
            names,
            json_fields,
            connection.ops.quote_name(model._meta.db_table),
            columns,
        )
    return _PLANS[key]


def insert_rows(model, rows: list[dict], now, *, with_pk: bool = False) -> None:
    """Inserts plain rows (attname -> value) without building model instances: COPY on
    PostgreSQL, multi-row INSERTs elsewhere (an import's 100,000 persons and their audit
    entries; building and saving model instances costs more than the insert itself). Fields not given take their default (auto_now and
    auto_now_add: `now`), so a field another app adds with a default keeps working."""
    if not rows:
        return
    fields, names, json_fields, table, columns = _insert_plan(model, with_pk)
    fixed = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            fixed[f.attname] = now
        else:  # the field's default; "" for a text field without one, None if nullable
            fixed[f.attname] = f.get_default()
    for name in json_fields:
        fixed[name] = json.dumps(fixed[name])
    if connection.vendor == "sqlite":
        # Adapted once, not per row: the text sqlite3's adapter (Django's) would make.
        fixed = {
            name: adapt_datetime(value) if isinstance(value, dt.datetime) else value
            for name, value in fixed.items()
        }
    dumps = json.dumps
    # Per row only what it gives; JSON encoded once per distinct empty value.
    empty_json = {name: dumps({}) for name in json_fields}
    # COPY skips the fields' own preparation: encrypt here, and hash the blind indexes
    # from the plain values (each key's AESGCM object is made once and reused).
    encrypted = [(i, f.encrypt) for i, f in enumerate(fields) if isinstance(f, EncryptedTextField)]
    indexes = [
        (i, f.source, f.kind) for i, f in enumerate(fields) if isinstance(f, BlindIndexField)
    ]

    json_at = [(i, name) for i, name in enumerate(names) if name in json_fields]

    def values(row):
        out = [row[name] if name in row else fixed[name] for name in names]
        for i, name in json_at:
            if name in row:
                out[i] = dumps(row[name]) if row[name] else empty_json[name]
        for i, source, kind in indexes:
            out[i] = blind_index(row.get(source, ""), kind)
        for i, encrypt in encrypted:
            out[i] = encrypt(out[i])
        return out

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # psycopg's errors as Django's (a unique index met: IntegrityError), as the
            # Django cursor would raise them.
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                write = copy.write_row
                for row in rows:
                    write(values(row))
        else:
            sqlite_insert_many(
                cursor,
                f"INSERT INTO {table} ({columns})",
                [values(row) for row in rows],
                len(fields),
            )


class EpochSeconds(Func):
    """A timestamp as seconds since 1970 (float) computed in the database: reading many
    timestamps only to subtract them costs more in parsing datetimes than the rest of the
    work (the dashboard's days in each step read 6,000 of them for each view)."""

    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)::float8"
        )

    def as_sqlite(self, compiler, connection, **extra):
        # Django stores SQLite datetimes as UTC text, which julianday() reads.
        return self.as_sql(
            compiler, connection, template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)"
        )
