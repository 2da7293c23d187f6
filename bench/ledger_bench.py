"""Population ledger at scale: 1,000,000 persons and 5,000,000 ledger entries in PostgreSQL.

Builds the registry and the ledger with COPY (persons in 250,000 cases, specific needs,
nationalities, every entry consistent with the registry: 2/3 of the persons depart in the
end after two departures recorded in error and corrected, 1/3 are present after one
corrected departure), builds the rollups in SQL, then times

- the population on a date with its breakdowns (sex, age band, need, nationality) from
  the rollups, against the naive sum over the whole ledger joined to persons;
- the total alone, against the naive total;
- the monthly series (10 years), against the naive per-day sum of the whole ledger;

checking that each pair gives the same figures, and prints figures and ratios.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onward_bench_movements \\
        .venv/bin/python bench/ledger_bench.py [--persons 1000000] [--events 5000000]

The database is created if missing and its registry and ledger are replaced.
"""

import argparse
import datetime as dt
import io
import os
import statistics
import sys
import time

import numpy as np

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/onward_bench_movements"
START = dt.date(2012, 1, 1)
DAYS = 3650
NATIONALITIES = [
    "IRN",
    "IRQ",
    "AFG",
    "SYR",
    "TUR",
    "PAK",
    "SOM",
    "ERI",
    "SDN",
    "YEM",
    "LBN",
    "JOR",
    "",
]
NATIONALITY_SHARES = [
    0.6,
    0.12,
    0.08,
    0.05,
    0.03,
    0.025,
    0.02,
    0.015,
    0.015,
    0.01,
    0.01,
    0.005,
    0.02,
]


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onward.settings.base")
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _copy(cursor, table: str, columns: list[str], lines) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        buffer = io.StringIO()
        for n, line in enumerate(lines, 1):
            buffer.write(line)
            if n % 200_000 == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())


def _value(field, n: int, now: str) -> str:
    """A plain value for a column this benchmark does not care about."""
    if field.null:
        return r"\N"
    internal = field.get_internal_type()
    if internal in ("CharField", "TextField", "SlugField"):
        return ""
    if internal in ("DateTimeField",):
        return now
    if internal in ("BooleanField",):
        return "f"
    if internal in ("JSONField",):
        return "{}"
    return "1"


def build(persons: int, events: int, seed: int = 2013) -> dict:
    from django.db import connection, transaction

    from onward.registry.models import Case, Person, SpecificNeed

    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    cases = (persons + 3) // 4
    # Persons: 2/3 depart in the end ("long" histories of 6 entries), 1/3 stay (3 entries):
    # 6·(2/3) + 3·(1/3) = 5 entries a person on average.
    long_share = min(1.0, max(0.0, (events / persons - 3) / 3))
    is_long = rng.random(persons) < long_share
    arrival = rng.integers(0, DAYS * 8 // 10, persons)
    # Event offsets after arrival, increasing: wrong departure(s), then the final one.
    gaps = np.sort(rng.integers(1, DAYS // 10 * 2, (persons, 3)), axis=1)
    birth_year = rng.integers(1935, 2012, persons)
    birth_doy = rng.integers(0, 365, persons)
    sex = rng.choice(np.array(["M", "F", "X"]), persons, p=[0.55, 0.44, 0.01])
    need_codes = list(SpecificNeed.objects.values_list("code", flat=True)) or ["SM"]
    n_needs = rng.choice([0, 1, 2], persons, p=[0.8, 0.15, 0.05])
    # Nationality: a skewed mix of 12 (ISO 3166-1 alpha-3), 2 % not recorded.
    nationality = rng.choice(np.array(NATIONALITIES), persons, p=NATIONALITY_SHARES)

    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        # TRUNCATE fires no row trigger: the ledger's append-only guard (UPDATE, DELETE)
        # stays in place; CASCADE empties whatever else points at persons and cases.
        cursor.execute(
            "TRUNCATE movements_rollupday, movements_rollupmonth, "
            "movements_rollupdims, movements_ledgerentry, "
            "registry_person_specific_needs, registry_person, registry_case CASCADE"
        )
        # A bulk load of data consistent by construction: skip the per-row foreign-key
        # triggers (superuser only), as pg_restore does. The rollups are built afterwards.
        cursor.execute("SET LOCAL session_replication_role = replica")
        # Build the plain indexes once at the end instead of row by row.
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid
            WHERE c.oid IS NULL AND i.indrelid::regclass::text = ANY(%s)""",
            [
                [
                    "registry_case",
                    "registry_person",
                    "registry_person_specific_needs",
                    "movements_ledgerentry",
                ]
            ],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        now = dt.datetime.now(dt.UTC).isoformat()

        case_fields = [f for f in Case._meta.concrete_fields]
        case_cols = [f.column for f in case_fields]

        def case_lines():
            for c in range(1, cases + 1):
                values = []
                for f in case_fields:
                    if f.name == "id":
                        values.append(str(c))
                    elif f.name == "case_id":
                        values.append(f"B{c:07d}")
                    elif f.name == "status":
                        values.append("open")
                    elif f.name == "arrival_date":
                        values.append(r"\N")
                    else:
                        values.append(_value(f, c, now))
                yield "\t".join(values) + "\n"

        _copy(raw, "registry_case", case_cols, case_lines())

        person_fields = [f for f in Person._meta.concrete_fields]
        person_cols = [f.column for f in person_fields]
        start_ord = START.toordinal()

        def person_lines():
            for i in range(persons):
                a = arrival[i]
                final = (a + gaps[i, 2]) if is_long[i] else None
                values = []
                for f in person_fields:
                    name = f.name
                    if name == "id":
                        v = str(i + 1)
                    elif name == "person_id":
                        v = f"Q{i + 1:08d}"
                    elif name == "case":
                        v = str(i // 4 + 1)
                    elif name == "relationship":
                        v = "principal" if i % 4 == 0 else "child"
                    elif name == "given_name":
                        v = f"Given{i % 997}"
                    elif name == "family_name":
                        v = f"Family{i % 7919}"
                    elif name == "sex":
                        v = str(sex[i])
                    elif name == "nationality":
                        v = str(nationality[i])
                    elif name == "birth_date":
                        v = dt.date.fromordinal(
                            dt.date(int(birth_year[i]), 1, 1).toordinal() + int(birth_doy[i])
                        ).isoformat()
                    elif name == "birth_precision":
                        v = "D"
                    elif name == "arrival_date":
                        v = dt.date.fromordinal(start_ord + int(a)).isoformat()
                    elif name == "departure_date":
                        v = (
                            dt.date.fromordinal(start_ord + int(final)).isoformat()
                            if final is not None
                            else r"\N"
                        )
                    elif name == "departure_type":
                        v = "left_own_accord" if final is not None else ""
                    else:
                        v = _value(f, i, now)
                    values.append(v)
                yield "\t".join(values) + "\n"

        _copy(raw, "registry_person", person_cols, person_lines())

        def need_lines():
            for i in range(persons):
                k = n_needs[i]
                if k:
                    for code in rng.choice(need_codes, k, replace=False):
                        yield f"{i + 1}\t{code}\n"

        _copy(raw, "registry_person_specific_needs", ["person_id", "specificneed_id"], need_lines())

        def entry_lines():
            eid = 0
            for i in range(persons):
                pid = i + 1
                a = int(arrival[i])

                def day(offset):
                    return dt.date.fromordinal(start_ord + offset).isoformat()

                eid += 1
                yield f"{eid}\t{pid}\t{day(a)}\tarrival\t1\t\\N\t\t{now}\n"
                wrong = gaps[i, :2] if is_long[i] else gaps[i, :1]
                for g in wrong:
                    eid += 1
                    dep = eid
                    yield f"{eid}\t{pid}\t{day(a + int(g))}\twhereabouts_unknown\t-1\t\\N\t\t{now}\n"
                    eid += 1
                    yield (
                        f"{eid}\t{pid}\t{day(a + int(g))}\tcorrection\t1\t{dep}\t"
                        f"recorded in error\t{now}\n"
                    )
                if is_long[i]:
                    eid += 1
                    yield f"{eid}\t{pid}\t{day(a + int(gaps[i, 2]))}\tleft_own_accord\t-1\t\\N\t\t{now}\n"

        _copy(
            raw,
            "movements_ledgerentry",
            ["id", "person_id", "date", "kind", "delta", "reverses_id", "note", "recorded_at"],
            entry_lines(),
        )
        for _, definition in indexes:
            cursor.execute(definition)
        for table in ("registry_case", "registry_person", "movements_ledgerentry"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
    loaded = time.perf_counter() - t0
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE registry_person; ANALYZE movements_ledgerentry; "
            "ANALYZE registry_person_specific_needs"
        )
    from onward.movements.rollup import rollup_rebuild_sql

    t1 = time.perf_counter()
    rollup_rebuild_sql()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE movements_rollupday; ANALYZE movements_rollupmonth")
    rolled = time.perf_counter() - t1
    return {"load_s": loaded, "rollup_build_s": rolled}


def _time(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, result


def measure(repeat: int) -> list[tuple]:
    from onward.movements import rollup
    from onward.movements.ledger import ledger_sum_on, population_on, registry_present_on

    rows = []
    for day in (dt.date(2014, 6, 30), dt.date(2017, 3, 15), dt.date(2021, 12, 31)):
        fast, a = _time(lambda d=day: rollup.rollup_breakdown(d), repeat)
        slow, b = _time(lambda d=day: rollup.ledger_breakdown_naive(d), max(1, repeat // 3))
        assert a == b, f"breakdowns differ on {day}"
        rows.append((f"population({day}) with breakdowns", fast, slow, a["total"]))
        fast, a = _time(lambda d=day: population_on(d), repeat)
        slow, b = _time(lambda d=day: ledger_sum_on(d), max(1, repeat // 3))
        assert a == b == registry_present_on(day), f"totals differ on {day}"
        rows.append((f"population_on({day}) total", fast, slow, a))
    start, end = dt.date(2012, 1, 1), dt.date(2021, 12, 31)
    fast, a = _time(lambda: rollup.rollup_monthly_series(start, end), repeat)
    slow, b = _time(lambda: rollup.ledger_monthly_series_naive(start, end), max(1, repeat // 3))
    assert a == b, "monthly series differ"
    rows.append(("monthly series, 120 months", fast, slow, a[-1]["population"]))
    return rows


def measure_writes(n: int = 20) -> tuple[float, float]:
    """Median ms of a departure and of its correction (ledger + rollups + registry +
    audit, one transaction each), rolled back at the end."""
    from django.db import transaction

    from onward.accounts.models import User
    from onward.movements import services
    from onward.registry.models import Person

    officer, _ = User.objects.get_or_create(
        username="bench_officer", defaults={"role": roles_protection()}
    )
    persons = list(Person.objects.filter(departure_date__isnull=True).order_by("id")[:n])
    depart, correct = [], []

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            for p in persons:
                t = time.perf_counter()
                services.departure_record(
                    actor=officer, person=p, kind="left_own_accord", on=dt.date(2021, 12, 31)
                )
                depart.append(time.perf_counter() - t)
                t = time.perf_counter()
                services.departure_correct(actor=officer, person=p, reason="bench")
                correct.append(time.perf_counter() - t)
            raise Rollback
    except Rollback:
        pass
    return statistics.median(depart) * 1000, statistics.median(correct) * 1000


def roles_protection() -> str:
    from onward.accounts import roles

    return roles.PROTECTION


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--reuse", action="store_true", help="Skip the load (same data).")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        print("PostgreSQL only: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    setup_django(url)
    from django.db import connection

    from onward.movements.models import LedgerEntry, RollupDay, RollupMonth

    if not args.reuse:
        built = build(args.persons, args.events)
        print(
            f"loaded {args.persons:,} persons and their ledger with COPY in "
            f"{built['load_s']:.1f} s; rollups built in SQL in {built['rollup_build_s']:.1f} s"
        )
    print(
        f"ledger entries: {LedgerEntry.objects.count():,}; rollup rows: "
        f"{RollupDay.objects.count():,} daily, {RollupMonth.objects.count():,} monthly "
        f"(PostgreSQL {connection.cursor().connection.info.server_version})"
    )
    rows = measure(args.repeat)
    print(f"\n{'query':<48}{'rollup ms':>11}{'naive ms':>11}{'ratio':>8}{'result':>10}")
    for name, fast, slow, result in rows:
        print(f"{name:<48}{fast:>11.1f}{slow:>11.1f}{slow / fast:>7.0f}x{result:>10,}")
    dep, cor = measure_writes()
    print(
        f"\none departure_record (registry + ledger + rollups + audit): {dep:.1f} ms; "
        f"its departure_correct: {cor:.1f} ms (median of 20, rolled back)"
    )
    worst = max(fast for _, fast, _, _ in rows)
    print(
        f"\nslowest rollup query: {worst:.1f} ms (target < 200 ms): "
        f"{'OK' if worst < 200 else 'TOO SLOW'}"
    )
    return 0 if worst < 200 else 1


if __name__ == "__main__":
    sys.exit(main())
