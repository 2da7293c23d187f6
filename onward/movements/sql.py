"""The movements app's SQL that differs between the databases, in one place.

PostgreSQL gets set-based statements (arrays, ON CONFLICT, temp tables) where SQLite takes
the portable path in `rollup.py` and `ledger.py`; both write the same rows (the tests run
on both databases and `rollup_check` compares the rollups with the ledger).
"""

import datetime as dt

from django.db import connection

from onward.db import pg_array, sqlite_insert_many


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def birth_year() -> str:
    """The SQL expression of a person's birth year (NULL when unknown)."""
    return (
        "extract(year FROM birth_date)::int"
        if is_postgresql()
        else "CAST(strftime('%%Y', birth_date) AS INTEGER)"
    )


def arrivals_insert(
    cursor, table: str, columns: str, fixed: list, arrivals: list[tuple[int, dt.date]]
) -> None:
    """One INSERT of arrival entries [(person pk, date)] sharing the `fixed` values."""
    if is_postgresql():
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT u.person_id, u.date, %s, %s, %s, %s, "
            "%s FROM unnest(%s::bigint[], %s::date[]) AS u(person_id, date)",
            [*fixed, pg_array(pk for pk, _ in arrivals), pg_array(day for _, day in arrivals)],
        )
    else:
        sqlite_insert_many(
            cursor,
            f"INSERT INTO {table} ({columns})",
            [(pk, day, *fixed) for pk, day in arrivals],
            7,
        )


# `_dims_for`, `_sums` and `_upsert` in SQL (PostgreSQL): the same rows, written without
# reading anything back. The needs are ordered as Python's sorted() orders them (COLLATE
# "C"), so a person's recorded needs compare equal to `current_dims`.
_PG_DIMS = """
INSERT INTO movements_rollupdims (person_id, sex, birth_year, needs, nationality)
SELECT p.id, p.sex, extract(year FROM p.birth_date)::smallint,
       coalesce(string_agg(n.specificneed_id, ';' ORDER BY n.specificneed_id COLLATE "C"), ''),
       p.nationality
FROM registry_person p LEFT JOIN registry_person_specific_needs n ON n.person_id = p.id
WHERE p.id = ANY(%s::bigint[])
GROUP BY p.id
ORDER BY p.id
ON CONFLICT (person_id) DO NOTHING
"""

# One statement for the days and their months: `g` holds the day sums, the main INSERT
# writes the days and the WITH's INSERT the months (run after it: an unreferenced
# data-modifying WITH completes after the main query). Keys in order, so that concurrent
# writers lock rows in the same order (no deadlock).
_PG_ADD = """
WITH e AS (
  SELECT u.date, d.sex, d.birth_year, d.needs, d.nationality, sum(u.delta)::int AS s
  FROM unnest(%s::date[], %s::bigint[], %s::int[]) AS u(date, person_id, delta)
  JOIN movements_rollupdims d ON d.person_id = u.person_id
  GROUP BY 1, 2, 3, 4, 5
), k AS (
  SELECT date, 'total' AS dim, '' AS value, s FROM e
  UNION ALL SELECT date, 'sex', sex, s FROM e
  UNION ALL SELECT date, 'birth_year', coalesce(birth_year::text, ''), s FROM e
  UNION ALL SELECT date, 'need', n, s FROM e,
    unnest(CASE WHEN needs = '' THEN ARRAY[''] ELSE string_to_array(needs, ';') END) AS n
  UNION ALL SELECT date, 'nationality', nationality, s FROM e
), g AS (
  SELECT date, dim, value, sum(s)::int AS s FROM k GROUP BY 1, 2, 3 HAVING sum(s) <> 0
), months AS (
  INSERT INTO movements_rollupmonth (month, dim, value, delta)
  SELECT date_trunc('month', date)::date, dim, value, sum(s) FROM g GROUP BY 1, 2, 3
  HAVING sum(s) <> 0 ORDER BY 1, 2, 3
  ON CONFLICT (month, dim, value) DO UPDATE
  SET delta = movements_rollupmonth.delta + excluded.delta
)
INSERT INTO movements_rollupday (date, dim, value, delta)
SELECT date, dim, value, s FROM g ORDER BY 1, 2, 3
ON CONFLICT (date, dim, value) DO UPDATE SET delta = movements_rollupday.delta + excluded.delta
"""


def pg_rollup_add(entries: list[tuple[dt.date, int, int]]) -> None:
    """`rollup.rollup_add` on PostgreSQL, without reading anything back."""
    pks = pg_array(pk for _, pk, _ in entries)
    with connection.cursor() as cursor:
        cursor.execute(_PG_DIMS, [pks])
        cursor.execute(
            _PG_ADD,
            [
                pg_array(day for day, _, _ in entries),
                pks,
                pg_array(delta for _, _, delta in entries),
            ],
        )


_PG_REBUILD = """
INSERT INTO movements_rollupdims (person_id, sex, birth_year, needs, nationality)
SELECT p.id, p.sex, extract(year FROM p.birth_date)::smallint,
       coalesce(string_agg(n.specificneed_id, ';' ORDER BY n.specificneed_id), ''),
       p.nationality
FROM registry_person p LEFT JOIN registry_person_specific_needs n ON n.person_id = p.id
WHERE p.id IN (SELECT DISTINCT person_id FROM movements_ledgerentry)
GROUP BY p.id, p.sex, p.birth_date, p.nationality;

CREATE TEMP TABLE rollup_e ON COMMIT DROP AS
SELECT l.date, d.sex, d.birth_year, d.needs, d.nationality, sum(l.delta)::int AS s
FROM movements_ledgerentry l JOIN movements_rollupdims d ON d.person_id = l.person_id
GROUP BY 1, 2, 3, 4, 5;

INSERT INTO movements_rollupday (date, dim, value, delta)
SELECT date, 'total', '', sum(s) FROM rollup_e GROUP BY date HAVING sum(s) <> 0
UNION ALL
SELECT date, 'sex', sex, sum(s) FROM rollup_e GROUP BY date, sex HAVING sum(s) <> 0
UNION ALL
SELECT date, 'birth_year', coalesce(birth_year::text, ''), sum(s) FROM rollup_e
GROUP BY date, birth_year HAVING sum(s) <> 0
UNION ALL
SELECT date, 'need', n, sum(s) FROM rollup_e,
  unnest(CASE WHEN needs = '' THEN ARRAY[''] ELSE string_to_array(needs, ';') END) AS n
GROUP BY date, n HAVING sum(s) <> 0
UNION ALL
SELECT date, 'nationality', nationality, sum(s) FROM rollup_e
GROUP BY date, nationality HAVING sum(s) <> 0;

INSERT INTO movements_rollupmonth (month, dim, value, delta)
SELECT date_trunc('month', date)::date, dim, value, sum(delta) FROM movements_rollupday
GROUP BY 1, 2, 3 HAVING sum(delta) <> 0;
"""


def pg_rollup_rebuild(cursor) -> None:
    """`rollup.rollup_rebuild` in SQL on PostgreSQL (seconds for millions of entries)."""
    cursor.execute(
        "DELETE FROM movements_rollupday; DELETE FROM movements_rollupmonth; "
        "DELETE FROM movements_rollupdims;"
    )
    for statement in _PG_REBUILD.split(";\n\n"):
        cursor.execute(statement)
