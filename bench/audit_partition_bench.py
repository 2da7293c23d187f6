"""The partitioned audit log against a plain one (docs/benchmarks.md, "Partitioned audit log").

    createdb -h 127.0.0.1 -U postgres onward_p24bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onward_p24bench .venv/bin/onward migrate
    .venv/bin/python bench/audit_partition_bench.py \
        --url postgres://postgres@127.0.0.1:5432/onward_p24bench --rows 5000000 --months 24

Fills the migrated (partitioned) `audit_auditentry` with `--rows` entries spread over
`--months` past months, copies them into a plain table with the same indexes
(`audit_plain`, unless `--no-plain`: at 200 million rows the copy would not fit the
disk), and times on both, best of 5, the SQL `audit.selectors.audit_search` makes:
- one record's history (UPPER(object_id) = UPPER(…), newest 100 first),
- the auditor's search by user and month: the probe that the name is a user's own
  (EXISTS … UPPER(actor_name) = UPPER(…)), then the page's count and its first 100,
- the searched month taken out: DETACH PARTITION against DELETE of its rows (the plain
  table's trigger disabled for it, as its owner; rolled back).

Each month is filled as a table of its own (INSERT … SELECT generate_series, no index,
no trigger), then attached: PostgreSQL builds the parent's indexes on it at ATTACH (a
CHECK constraint on its range spares the scan). 500 users, 1,000,000 records.

200 million rows (docs/benchmarks.md, "Partitioned audit log"):

    .venv/bin/python bench/audit_partition_bench.py --url … --rows 200000000 --months 13 \
        --no-plain --jobs 2
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg

COLUMNS = "id, at, actor_name, action, object_type, object_id, changes, detail, channel, path"
HISTORY = (
    f"SELECT {COLUMNS} FROM {{t}} WHERE UPPER(object_id::text) = UPPER(%s) "
    "ORDER BY at DESC, id DESC LIMIT 100"
)
IS_A_USER = "SELECT 1 FROM {t} WHERE UPPER(actor_name::text) = UPPER(%s) LIMIT 1"
SEARCH_COUNT = (
    "SELECT count(*) FROM {t} WHERE UPPER(actor_name::text) = UPPER(%s) AND at >= %s AND at < %s"
)
SEARCH_PAGE = (
    f"SELECT {COLUMNS} FROM {{t}} WHERE UPPER(actor_name::text) = UPPER(%s) "
    "AND at >= %s AND at < %s ORDER BY at DESC, id DESC LIMIT 100"
)
# The page with no filter: the count stops at 10,000 (web/pagination.py CappedPaginator).
CAPPED_COUNT = "SELECT count(*) FROM (SELECT id FROM {t} ORDER BY at DESC, id DESC LIMIT 10001) s"
NEWEST = f"SELECT {COLUMNS} FROM {{t}} ORDER BY at DESC, id DESC LIMIT 100"
USERS, RECORDS = 500, 1_000_000


def _month_starts(conn, months: int) -> list[dt.datetime]:
    conn.execute("SET timezone = 'UTC'")  # the partitions' months
    return [
        row[0]
        for row in conn.execute(
            "SELECT date_trunc('month', now()) - m * interval '1 month' "
            "FROM generate_series(%s, 0, -1) m",
            [months],
        )
    ]


def fill_month(url: str, lower: dt.datetime, upper: dt.datetime, first: int, count: int) -> float:
    """Entries first+1 … first+count spread over [lower, upper), as the month's partition."""
    name = f"audit_auditentry_y{lower:%Y}m{lower:%m}"
    start = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET timezone = 'UTC'")
        # The indexes made at ATTACH sort in memory (the server's default, 64 MB, spills
        # 15 M rows to disk seven times over).
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute(f"DROP TABLE IF EXISTS {name}")
        conn.execute(f"CREATE TABLE {name} (LIKE audit_auditentry INCLUDING DEFAULTS)")
        conn.execute(
            f"INSERT INTO {name} (id, at, actor_name, action, object_type, object_id, changes, "
            "detail, channel, path) SELECT g, %s::timestamptz + ((g - %s)::float8 / %s) * "
            "(%s::timestamptz - %s::timestamptz), 'user' || (g * 31 %% %s), 'view', 'person', "
            "'P' || lpad((g * 7919 %% %s)::text, 7, '0'), '{}', '', 'web', '/p/' "
            "FROM generate_series(%s::bigint, %s::bigint) g",
            [lower, first, count + 1, upper, lower, USERS, RECORDS, first + 1, first + count],
        )
        conn.execute(
            f"ALTER TABLE {name} ADD CONSTRAINT {name}_range "
            f"CHECK (at IS NOT NULL AND at >= '{lower.isoformat()}' AND at < '{upper.isoformat()}')"
        )
        conn.execute(
            f"ALTER TABLE audit_auditentry ATTACH PARTITION {name} "
            f"FOR VALUES FROM ('{lower.isoformat()}') TO ('{upper.isoformat()}')"
        )
        conn.execute(f"ALTER TABLE {name} DROP CONSTRAINT {name}_range")
        conn.execute(f"VACUUM (ANALYZE) {name}")  # what autovacuum does soon after: the map
    return time.perf_counter() - start


def fill(url: str, rows: int, months: int, plain: bool, jobs: int) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        starts = _month_starts(conn, months)
        for lower in starts[:-1]:  # months the migration made: emptied and made again
            name = f"audit_auditentry_y{lower:%Y}m{lower:%m}"
            conn.execute(f"DROP TABLE IF EXISTS {name}")
    per = rows // months
    work = [
        (url, starts[m], starts[m + 1], m * per, per if m < months - 1 else rows - m * per)
        for m in range(months)
    ]
    with ThreadPoolExecutor(jobs) as pool:
        for (_, lower, *_rest), seconds in zip(
            work, pool.map(lambda w: fill_month(*w), work), strict=True
        ):
            print(f"  {lower:%Y-%m}: {seconds:.0f} s", flush=True)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT setval(pg_get_serial_sequence('audit_auditentry', 'id'), %s)", [rows])
        conn.execute("ANALYZE audit_auditentry")
        if plain:
            # INCLUDING ALL: the parent's indexes too, the same ones
            conn.execute("CREATE TABLE audit_plain (LIKE audit_auditentry INCLUDING ALL)")
            conn.execute("INSERT INTO audit_plain SELECT * FROM audit_auditentry")
            conn.execute("VACUUM (ANALYZE) audit_plain")


def best(conn, sql: str, params, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        conn.execute(sql, params).fetchall()
        times.append((time.perf_counter() - start) * 1000)
    return min(times), statistics.median(times)


def take_out_a_month(conn, table: str, lower, upper) -> float:
    with conn.transaction(force_rollback=True):
        start = time.perf_counter()
        if table == "audit_auditentry":
            name = f"audit_auditentry_y{lower:%Y}m{lower:%m}"
            conn.execute(f"ALTER TABLE audit_auditentry DETACH PARTITION {name}")
        else:
            conn.execute("ALTER TABLE audit_plain DISABLE TRIGGER ALL")
            conn.execute("DELETE FROM audit_plain WHERE at >= %s AND at < %s", [lower, upper])
        return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--skip-fill", action="store_true")
    parser.add_argument("--no-plain", action="store_true", help="no plain table to compare")
    parser.add_argument("--jobs", type=int, default=1, help="months filled at once")
    args = parser.parse_args()
    if not args.skip_fill:
        start = time.perf_counter()
        fill(args.url, args.rows, args.months, not args.no_plain, args.jobs)
        print(f"filled {args.rows:,} rows in {time.perf_counter() - start:.0f} s")
    with psycopg.connect(args.url, autocommit=True) as conn:
        plain = conn.execute("SELECT to_regclass('audit_plain') IS NOT NULL").fetchone()[0]
        size = conn.execute(
            "SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits "
            "WHERE inhparent = 'audit_auditentry'::regclass"
        ).fetchone()[0]
        count = conn.execute(  # the planner's count (a count(*) of 200M rows takes minutes)
            "SELECT sum(reltuples)::bigint FROM pg_class c JOIN pg_inherits i "
            "ON c.oid = i.inhrelid WHERE i.inhparent = 'audit_auditentry'::regclass"
        ).fetchone()[0]
        conn.execute("SET timezone = 'UTC'")  # the partitions' months
        lower, upper = conn.execute(
            "SELECT date_trunc('month', now()) - interval '7 months', "
            "date_trunc('month', now()) - interval '6 months'"
        ).fetchone()
        print(f"about {count:,} audit rows ({size} with indexes); month searched {lower:%Y-%m}")
        for table in ("audit_auditentry", "audit_plain") if plain else ("audit_auditentry",):
            label = "partitioned" if table == "audit_auditentry" else "plain"
            h = best(conn, HISTORY.format(t=table), ["p0004242"])
            u = best(conn, IS_A_USER.format(t=table), ["USER42"])
            c = best(conn, SEARCH_COUNT.format(t=table), ["user42", lower, upper])
            p = best(conn, SEARCH_PAGE.format(t=table), ["user42", lower, upper])
            n = best(conn, CAPPED_COUNT.format(t=table), [])
            f = best(conn, NEWEST.format(t=table), [])
            d = take_out_a_month(conn, table, lower, upper)
            print(
                f"{label:12} history {h[0]:7.1f} ms (median {h[1]:.1f}) | search: user probe "
                f"{u[0]:5.1f} ms + count {c[0]:7.1f} ms (median {c[1]:.1f}) + page {p[0]:6.1f} ms"
                f" = {u[0] + c[0] + p[0]:7.1f} ms | no filter: count to 10,001 {n[0]:6.1f} ms"
                f" + newest 100 {f[0]:6.1f} ms | month out {d:8.1f} ms"
            )


if __name__ == "__main__":
    main()
