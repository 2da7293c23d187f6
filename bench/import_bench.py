"""Benchmark of Onward's bulk import (registry/importing/).

Each measurement runs in a fresh process on a fresh database (migrated first):

- `postgres`: PostgreSQL's own COPY of the file into an equivalent bare table (12 text
  columns, no index) and Onward's import of the same file (both passes: validation, then
  cases, persons, needs, search keys, ledger arrivals and audit entries in one
  transaction), in the same run; the ratio import / COPY;
- `sqlite`: Onward's import on SQLite;
- on both: the floor, the imported persons `INSERT … SELECT` into a copy of
  registry_person with all its indexes (no trigger), the ratio import / floor, and the
  import's time per step (registry/importing's own timers, `ImportResult.steps`); then
  every row the import wrote (cases, persons, needs, name keys, ledger, rollups, audit)
  copied the same way into indexed copies of its tables: the database's own work for
  those rows, without triggers or foreign-key checks; the load average before and after
  each run (the machine is shared), and with `--runs N` the best and the spread;
- `memory`: peak RSS (ru_maxrss) of a process importing a larger file on PostgreSQL.

    .venv/bin/python bench/import_bench.py --rows 100000                  # PG + SQLite
    .venv/bin/python bench/import_bench.py --rows 100000 --runs 3         # best, spread
    .venv/bin/python bench/import_bench.py --rows 1000000 --only memory   # peak memory

The person files are the synthetic population (onward.demo.synthetic), which has
the spelling variation, partial dates and specific needs of a real registry.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PG_DB = os.environ.get("BENCH_PG_DB", "onward_bench_import")


def make_csv(path: Path, rows: int) -> float:
    from onward.demo.synthetic import iter_persons, write_people_csv

    start = time.perf_counter()
    write_people_csv(iter_persons(seed=2013, persons=rows), path)
    return time.perf_counter() - start


def _pg_recreate() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
        conn.execute(f"CREATE DATABASE {PG_DB}")


# The tables an import writes (the persons' copy above is the issue's floor).
ALL_TABLES = [
    "registry_case",
    "registry_person",
    "registry_person_specific_needs",
    "registry_personnamekey",
    "movements_ledgerentry",
    "movements_rollupdims",
    "movements_rollupday",
    "movements_rollupmonth",
    "audit_auditentry",
]


def _floor(connection, kind: str, tables: list[str], prefix: str = "floor_") -> dict:
    """Seconds of `INSERT INTO copy SELECT * FROM table` per table, each copy made with
    the table's indexes and no trigger (SQLite: the table's and indexes' own DDL)."""
    seconds = {}
    with connection.cursor() as cursor:
        for table in tables:
            copy = (
                prefix + table.removeprefix("registry_") if prefix == "floor_" else prefix + table
            )
            if kind == "sqlite":
                cursor.execute(
                    "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = %s "
                    "AND type IN ('table', 'index') AND sql IS NOT NULL ORDER BY type = 'index'",
                    [table],
                )
                for kind_, name, sql in cursor.fetchall():
                    if kind_ == "index":
                        sql = re.sub(
                            rf'INDEX (IF NOT EXISTS )?"?{name}"? ON "?{table}"? ?\(',
                            f'INDEX "{prefix}{name}" ON "{copy}" (',
                            sql,
                            count=1,
                        )
                    else:
                        sql = re.sub(
                            rf'TABLE (IF NOT EXISTS )?"?{table}"?', f'TABLE "{copy}"', sql, count=1
                        )
                    cursor.execute(sql)
            else:
                cursor.execute(f"CREATE TABLE {copy} (LIKE {table} INCLUDING ALL)")
                if prefix != "floor_":
                    # Each copy from a checkpoint: not paying for the WAL of the one before.
                    cursor.execute("CHECKPOINT")
            start, cpu = time.perf_counter(), cpu_seconds(connection)
            cursor.execute(f"INSERT INTO {copy} SELECT * FROM {table}")
            seconds[table] = time.perf_counter() - start
            seconds[f"{table} cpu"] = cpu_seconds(connection) - cpu
    return seconds


def cpu_seconds(connection) -> float:
    """CPU time used so far by the database's work: on SQLite this process (the database
    runs in it); on PostgreSQL the server process of this connection (/proc, same host).
    Waiting for a CPU on a loaded machine counts in neither: a fair measure of work."""
    if connection.vendor == "sqlite":
        return time.process_time()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child(kind: str, path: str) -> dict:
    """Runs in a fresh process whose DATABASE_URL is set."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onward.settings.base")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from onward.accounts.models import User
    from onward.registry.importing import import_file

    user = User.objects.create_user(
        username="bench", password="bench-password-123", role="data_manager"
    )
    out: dict = {"db": connection.vendor, "bytes": os.path.getsize(path)}
    if kind == "postgres":
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE bare_person (person_id text, case_id text, "
                "relationship text, given_name text, family_name text, "
                "father_name text, sex text, birth_date text, nationality text, "
                "document_number text, phone text, specific_needs text)"
            )
        start = time.perf_counter()
        with connection.cursor() as cursor, open(path, "rb") as f:
            with cursor.cursor.copy(
                "COPY bare_person FROM STDIN WITH (FORMAT csv, HEADER)"
            ) as copy:
                while chunk := f.read(1 << 20):
                    copy.write(chunk)
        connection.commit() if not connection.get_autocommit() else None
        out["copy_seconds"] = time.perf_counter() - start
    server = cpu_seconds(connection) if kind == "postgres" else 0.0
    start, cpu = time.perf_counter(), time.process_time()
    result = import_file(path, actor=user)
    out["import_seconds"] = time.perf_counter() - start
    out["import_cpu_seconds"] = time.process_time() - cpu
    # PostgreSQL: the server's CPU for this connection's work too (the import's one).
    out["import_server_cpu_seconds"] = cpu_seconds(connection) - server if server else 0.0
    out["result"] = result.as_dict()
    out["steps"] = result.steps.seconds
    # The floor the schema sets: the imported persons copied into a table like
    # registry_person with all its indexes (no trigger, no key table, no audit).
    floor = _floor(connection, kind, ["registry_person"])
    out["floor_seconds"] = floor["registry_person"]
    out["floor_cpu_seconds"] = floor["registry_person cpu"]
    # And every row the import wrote, each table copied the same way (the database's own
    # work for the same rows with their indexes: no trigger, no foreign-key check).
    out["all_rows_floor"] = _floor(connection, kind, ALL_TABLES, prefix="floor_all_")
    if result.errors:
        out["first_errors"] = [e.message for e in result.first_errors[:5]]
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def run_child(kind: str, path: Path, database_url: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "ONWARD_IMPORT_MAX_BYTES": str(2**31)}
    proc = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path)],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if proc.returncode:
        raise SystemExit(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def print_steps(r: dict) -> None:
    """The import's steps (wall-clock timers in registry/importing), largest first."""
    total = r["import_seconds"]
    for name, seconds in sorted(r["steps"].items(), key=lambda kv: -kv[1]):
        print(f"    {name:<62} {seconds:7.2f} s {100 * seconds / total:5.1f}%")
    rest = total - sum(r["steps"].values())
    print(f"    {'the rest (sequences, id counters, edits, import entry)':<62} {rest:7.2f} s")
    cpu = r["import_cpu_seconds"] + r.get("import_server_cpu_seconds", 0.0)
    print(
        f"    CPU time: import {cpu:.2f} s (this process {r['import_cpu_seconds']:.2f} s"
        + (
            f", the PostgreSQL server process {r['import_server_cpu_seconds']:.2f} s"
            if r.get("import_server_cpu_seconds")
            else ", SQLite's work included"
        )
        + f"), floor {r['floor_cpu_seconds']:.2f} s: CPU ratio import / floor "
        f"{cpu / max(r['floor_cpu_seconds'], 0.01):.1f}x (the load cannot inflate it)"
    )
    floors = {t: v for t, v in r["all_rows_floor"].items() if not t.endswith(" cpu")}
    print(
        f"  every row the import wrote, INSERT ... SELECT into indexed copies of its "
        f"{len(floors)} tables: {sum(floors.values()):.2f} s "
        f"(ratio import / that {total / sum(floors.values()):.1f}x): "
        + ", ".join(f"{t} {v:.2f}" for t, v in sorted(floors.items(), key=lambda kv: -kv[1]))
    )
    floors_cpu = sum(v for t, v in r["all_rows_floor"].items() if t.endswith(" cpu"))
    print(
        f"    their CPU time {floors_cpu:.2f} s = {floors_cpu / max(r['floor_cpu_seconds'], 0.01):.1f}"
        f" x the floor's; CPU ratio import / that {cpu / max(floors_cpu, 0.01):.1f}x"
    )


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def measure(kind: str, path: Path, rows: int, runs: int) -> None:
    results = []
    for run in range(runs):
        before = load()
        if kind == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                r = run_child("sqlite", path, f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        else:
            _pg_recreate()
            r = run_child("postgres", path, f"{PG}/{PG_DB}")
        r["load"] = f"{before} → {load()}"
        results.append(r)
        res = r["result"]
        print(
            f"{kind} run {run + 1}/{runs} (load average 1/5/15 min {r['load']}): Onward import "
            f"{r['import_seconds']:.2f} s ({rows / r['import_seconds']:,.0f} rows/s); floor "
            f"(the same persons INSERT ... SELECT into a copy of registry_person with its "
            f"indexes) {r['floor_seconds']:.2f} s; ratio import / floor "
            f"{r['import_seconds'] / r['floor_seconds']:.1f}x; "
            + (f"COPY into a bare table {r['copy_seconds']:.2f} s; " if "copy_seconds" in r else "")
            + f"persons {res['persons_created']:,}, cases {res['cases_created']:,}, "
            f"errors {res['errors']}; peak RSS {r['peak_rss_mb']:.0f} MiB"
        )
        print_steps(r)
        if r.get("first_errors"):
            print("  first errors:", r["first_errors"])
    if runs > 1:
        ratios = sorted(r["import_seconds"] / r["floor_seconds"] for r in results)
        cpu = sorted(
            (r["import_cpu_seconds"] + r.get("import_server_cpu_seconds", 0.0))
            / max(r["floor_cpu_seconds"], 0.01)
            for r in results
        )
        times = sorted(r["import_seconds"] for r in results)
        print(
            f"{kind}, {runs} runs: import best {times[0]:.2f} s, spread "
            f"{times[0]:.2f}–{times[-1]:.2f} s; ratio to the floor of the same run best "
            f"{ratios[0]:.1f}x, spread {ratios[0]:.1f}–{ratios[-1]:.1f}x; CPU ratio best "
            f"{cpu[0]:.1f}x, spread {cpu[0]:.1f}–{cpu[-1]:.1f}x"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=1, help="repeat each measurement")
    ap.add_argument("--only", choices=("postgres", "sqlite", "memory"))
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "people.csv"
        seconds = make_csv(path, args.rows)
        print(
            f"file: {args.rows:,} rows, {path.stat().st_size / 2**20:.1f} MiB "
            f"(generated in {seconds:.1f} s)"
        )
        if args.only in (None, "postgres", "memory"):
            measure("postgres", path, args.rows, args.runs)
        if args.only in (None, "sqlite"):
            measure("sqlite", path, args.rows, args.runs)


if __name__ == "__main__":
    main()
