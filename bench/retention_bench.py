"""Retention at scale: `retention_run` over 1,000,000 persons in PostgreSQL, with the
ledger still reconciling after it.

Builds the registry and the ledger with the movements benchmark's builder
(bench/ledger_bench.py: persons in cases of four, 2/3 of whom depart in the end, every
ledger entry consistent with the registry), gives every person name keys, a document
number and a phone with their blind indexes (stand-in tokens of the right shape, written
in SQL: the run never decrypts, it overwrites), then times

- the floor: one plain SQL UPDATE of the same person columns for the same persons, the
  least any anonymisation must cost (rolled back);
- the dry run (`retention_plan` with the ids);
- `retention_run` itself: every rule, the related free text, the audit entries (one a
  person), in batches of `services.BATCH`;
- `reconcile()` after it (the ledger, the rollups and the registry at every date, and
  every rollup row against the registry's current sex, birth year, needs and
  nationality), which must be clean; the population breakdowns on three dates, which
  must be the same as before; and a second run, which must anonymise nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onward_bench_retention \\
        .venv/bin/python bench/retention_bench.py [--persons 1000000] [--events 5000000]

The database is created if missing and its registry and ledger are replaced.
"""

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/onward_bench_retention"
TODAY = dt.date(2026, 12, 1)  # fixed, so that every run names the same persons


def give_identities() -> float:
    """Name keys, document numbers, phones and their blind indexes for every person."""
    from django.db import connection, transaction

    t = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("TRUNCATE registry_personnamekey, audit_auditentry")
        cursor.execute(
            # The builder's names again (a --reuse after a run finds the markers).
            "UPDATE registry_person SET given_name = 'Given' || ((id - 1) % 997),"
            " family_name = 'Family' || ((id - 1) % 7919),"
            " search_keys = lower('Given' || ((id - 1) % 997) || ' Family' || ((id - 1) % 7919)),"
            " document_number = 'v1:bench-doc-' || md5(id::text),"
            " phone = 'v1:bench-phone-' || md5((-id)::text),"
            " document_number_bidx = md5('d' || id), phone_bidx = md5('p' || id),"
            " anonymised_at = NULL, anonymised_rule = NULL"
        )
        cursor.execute(
            "INSERT INTO registry_personnamekey (person_id, key) SELECT DISTINCT id, k "
            "FROM registry_person, unnest(string_to_array(search_keys, ' ')) AS k"
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_person; ANALYZE registry_personnamekey")
    return time.perf_counter() - t


FLOOR_SQL = """
UPDATE registry_person SET given_name = '[anonymised]',
  family_name = CASE WHEN family_name = '' THEN '' ELSE '[anonymised]' END,
  father_name = CASE WHEN father_name = '' THEN '' ELSE '[anonymised]' END,
  birth_date = date_trunc('year', birth_date)::date, birth_precision = 'Y',
  document_number = '', phone = '', document_number_bidx = '', phone_bidx = '',
  needs_detail = '', search_keys = '', anonymised_at = now(), anonymised_rule = 'departed',
  version = version + 1, updated_at = now()
WHERE anonymised_at IS NULL AND departure_date < %s
"""


def floor(cutoff: dt.date) -> tuple[float, int]:
    """The plain UPDATE of the same columns (name-key trigger included), rolled back."""
    from django.db import connection, transaction

    class Rollback(Exception):
        pass

    t = time.perf_counter()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, [cutoff])
            n = cursor.rowcount
            elapsed = time.perf_counter() - t
            raise Rollback
    except Rollback:
        pass
    return elapsed, n


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument(
        "--events", type=int, default=None, help="Ledger entries (default 5 a person: 2/3 depart)."
    )
    parser.add_argument("--reuse", action="store_true", help="Skip the registry build.")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        print("PostgreSQL only: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    import ledger_bench

    ledger_bench.setup_django(url)
    from onward.movements.reconcile import reconcile
    from onward.registry.models import Person
    from onward.retention import policy, services

    if not args.reuse:
        built = ledger_bench.build(args.persons, args.events or 5 * args.persons)
        print(
            f"built {args.persons:,} persons and their ledger in {built['load_s']:.1f} s, "
            f"rollups in {built['rollup_build_s']:.1f} s"
        )
    print(f"identities (name keys, identifiers) given in {give_identities():.1f} s")
    cutoff = policy.years_before(TODAY, policy.rules()[1].years)
    t_floor, n_floor = floor(cutoff)
    print(f"floor: plain SQL UPDATE of {n_floor:,} persons' columns: {t_floor:.1f} s")

    t = time.perf_counter()
    plan = services.retention_plan(today=TODAY)
    t_plan = time.perf_counter() - t
    counts = {item.rule.name: item.count for item in plan}
    print(f"dry run (ids included): {t_plan:.1f} s; {counts}")

    from onward.movements import rollup

    days = (dt.date(2014, 6, 30), dt.date(2017, 3, 15), dt.date(2021, 12, 31))
    figures = {day: rollup.rollup_breakdown(day) for day in days}
    t = time.perf_counter()
    outcome = services.retention_run(today=TODAY)
    t_run = time.perf_counter() - t
    print(
        f"retention_run: {outcome.total:,} persons anonymised in {t_run:.1f} s "
        f"({outcome.total / t_run:,.0f} a second; {t_run / t_floor:.1f}x the floor)"
    )
    t = time.perf_counter()
    report = reconcile()
    t_rec = time.perf_counter() - t
    print(f"reconcile after the run: {'OK' if report.ok else 'FAILED'} in {t_rec:.1f} s")
    same = all(rollup.rollup_breakdown(day) == figures[day] for day in days)
    print(f"population breakdowns (sex, birth year, need, nationality) on {len(days)} dates:")
    print(f"  {'the same' if same else 'CHANGED'} after the run")
    t = time.perf_counter()
    again = services.retention_run(today=TODAY)
    print(f"second run: {again.total} anonymised in {time.perf_counter() - t:.1f} s")
    left = Person.objects.filter(anonymised_at__isnull=True, departure_date__lt=cutoff).count()
    ok = same and report.ok and again.total == 0 and left == 0 and t_run < 600
    print(f"\ntarget < 600 s with the ledger reconciling: {'OK' if ok else 'NOT MET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
