"""The partitioned audit log against a plain one (docs/benchmarks.md, "Partitioned audit log").

    createdb -h 127.0.0.1 -U postgres onward_p24bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onward_p24bench .venv/bin/onward migrate
    .venv/bin/python bench/audit_partition_bench.py \
        --url postgres://postgres@127.0.0.1:5432/onward_p24bench --rows 5000000 --months 24

Fills the migrated (partitioned) `audit_auditentry` with `--rows` entries spread over
`--months` past months (generate_series, one INSERT … SELECT), copies them into a plain
table with the same indexes (`audit_plain`), and times on both, best of 5:
- one record's history (object_id = …, newest 100 first),
- the auditor's search by user and month (the SQL `audit_search` makes: UPPER(actor_name)
  LIKE, `at` in the month; the page's count and its first 100),
- the searched month taken out: DETACH PARTITION against DELETE of its rows (the plain
  table's trigger disabled for it, as its owner; rolled back).
"""

from __future__ import annotations

import argparse
import statistics
import time

import psycopg

HISTORY = (
    "SELECT id, at, actor_name, action FROM {t} WHERE object_id = %s ORDER BY at DESC, id DESC "
    "LIMIT 100"
)
SEARCH_COUNT = (
    "SELECT count(*) FROM {t} WHERE UPPER(actor_name::text) LIKE UPPER(%s) AND at >= %s AND at < %s"
)
SEARCH_PAGE = (
    "SELECT id, at, actor_name, action, object_id FROM {t} WHERE UPPER(actor_name::text) "
    "LIKE UPPER(%s) AND at >= %s AND at < %s ORDER BY at DESC, id DESC LIMIT 100"
)


def fill(conn, rows: int, months: int) -> None:
    conn.execute(
        "SELECT onward_audit_partition((date_trunc('month', now()) - m * interval '1 month')::date)"
        " FROM generate_series(1, %s) m",
        [months],
    )
    # Entries spread evenly over the months; 500 users, 200,000 records.
    conn.execute(
        "INSERT INTO audit_auditentry (at, actor_name, action, object_type, object_id, changes, "
        "detail, channel, path) SELECT date_trunc('month', now()) - interval '1 second' - "
        "(g::float8 / %s) * (%s * interval '1 month'), 'user' || (g %% 500), 'view', 'person', "
        "'P' || lpad((g::bigint * 7919 %% 200000)::text, 6, '0'), '{}', '', 'web', '/p/' "
        "FROM generate_series(1, %s) g",
        [rows, months, rows],
    )
    conn.execute("CREATE TABLE audit_plain (LIKE audit_auditentry INCLUDING ALL)")
    conn.execute("INSERT INTO audit_plain SELECT * FROM audit_auditentry")
    for column in ("at", "object_id", "actor_name", "action"):
        conn.execute(f"CREATE INDEX ON audit_plain ({column})")
    conn.execute("ANALYZE audit_auditentry")
    conn.execute("ANALYZE audit_plain")


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
    args = parser.parse_args()
    with psycopg.connect(args.url, autocommit=True) as conn:
        if not args.skip_fill:
            start = time.perf_counter()
            fill(conn, args.rows, args.months)
            print(f"filled {args.rows:,} rows in {time.perf_counter() - start:.0f} s")
        count = conn.execute("SELECT count(*) FROM audit_auditentry").fetchone()[0]
        conn.execute("SET timezone = 'UTC'")  # the partitions' months
        lower, upper = conn.execute(
            "SELECT date_trunc('month', now()) - interval '7 months', "
            "date_trunc('month', now()) - interval '6 months'"
        ).fetchone()
        print(f"{count:,} audit rows; month searched {lower:%Y-%m}")
        for table in ("audit_auditentry", "audit_plain"):
            label = "partitioned" if table == "audit_auditentry" else "plain"
            h = best(conn, HISTORY.format(t=table), ["P004242"])
            c = best(conn, SEARCH_COUNT.format(t=table), ["%user42%", lower, upper])
            p = best(conn, SEARCH_PAGE.format(t=table), ["%user42%", lower, upper])
            d = take_out_a_month(conn, table, lower, upper)
            print(
                f"{label:12} history {h[0]:7.1f} ms (median {h[1]:.1f}) | search count "
                f"{c[0]:7.1f} ms (median {c[1]:.1f}) + page {p[0]:6.1f} ms | month out {d:8.1f} ms"
            )


if __name__ == "__main__":
    main()
