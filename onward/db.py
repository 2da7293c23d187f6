"""SQL helpers the apps share for bulk work: many values as one parameter, and
multi-row inserts on SQLite.

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
from django.db.models.expressions import RawSQL


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
    one = "(" + ", ".join(["%s"] * width) + ")"
    for start in range(0, len(rows), per):
        part = rows[start:start + per]
        cursor.execute(f"{head} VALUES {', '.join([one] * len(part))}",
                       [value for row in part for value in row])
