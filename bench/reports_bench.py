"""Reports at scale: the dashboard and the PDF situation report for a registry of
1,000,000 persons and 5,000,000 ledger events on PostgreSQL (server time).

Reuses the movements benchmark's builder (bench/ledger_bench.py: persons, cases, needs
and a consistent ledger written with COPY, rollups built in SQL) in its own database,
then times, with Django's test client (the whole request inside the server process):

- the dashboard (`/reports/`) today and for a past date, as the data manager;
- one figure's CSV download;
- the PDF situation report (figures + rendering) for a past date;
- a person page, for persons at the start, middle and end of the registry;

against a reference: the naive population breakdown summed over the whole ledger
(`rollup.ledger_breakdown_naive`), which is what the dashboard would cost without the
rollups. Prints figures and ratios.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onward_bench_reports \\
        .venv/bin/python bench/reports_bench.py [--persons 1000000] [--events 5000000] [--reuse]
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/onward_bench_reports"
PAST = dt.date(2017, 3, 15)


def _time(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="Skip the load (same data).")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        print("PostgreSQL only: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    # Every request computes its figures (the dashboard's cache would answer the repeats
    # from memory: docs/reports.md, "figures kept").
    os.environ["ONWARD_FIGURES_CACHE_SECONDS"] = "0"
    import ledger_bench

    ledger_bench.setup_django(url)
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from onward.accounts import roles
    from onward.accounts.models import User
    from onward.movements import rollup
    from onward.movements.models import LedgerEntry
    from onward.registry.models import Person
    from onward.reports import export

    if not args.reuse:
        built = ledger_bench.build(args.persons, args.events)
        print(
            f"loaded with COPY in {built['load_s']:.1f} s, rollups in "
            f"{built['rollup_build_s']:.1f} s"
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"persons: {Person.objects.count():,}; ledger entries: "
        f"{LedgerEntry.objects.count():,} "
        f"(PostgreSQL {connection.cursor().connection.info.server_version})"
    )
    user, _ = User.objects.get_or_create(username="bench_dm", defaults={"role": roles.DATA_MANAGER})
    client = Client()
    client.force_login(user)
    from onward.accounts.testing import mark_verified

    mark_verified(client, user)  # a data manager signs in with a second factor

    def get(path):
        response = client.get(path)
        assert response.status_code == 200, (response.status_code, response.get("Location"))
        return response

    rows = []
    ref, naive = _time(lambda: rollup.ledger_breakdown_naive(PAST), max(1, args.repeat // 2))
    rows.append(("reference: naive ledger breakdown (past date)", ref))
    for label, path in (
        ("dashboard today", "/reports/"),
        (f"dashboard as of {PAST}", f"/reports/?as_of={PAST}"),
        (
            f"CSV population_by_nationality {PAST}",
            f"/reports/csv/population_by_nationality/?as_of={PAST}",
        ),
    ):
        get(path)  # warm the connection and the template cache
        ms, response = _time(lambda p=path: get(p), args.repeat)
        rows.append((label, ms))
    # A person page (the registry's reads, the audit entry it writes) at the start, the
    # middle and the end of the registry: its cost should not grow with the registry.
    count = Person.objects.count()
    people = [f"Q{n:08d}" for n in (1, count // 2, count)]
    for person_id in people:
        get(reverse("person_detail", args=[person_id]))
    times = []
    for _ in range(args.repeat):
        for person_id in people:
            t = time.perf_counter()
            get(reverse("person_detail", args=[person_id]))
            times.append(time.perf_counter() - t)
    rows.append(("person page (3 persons across the registry)", statistics.median(times) * 1000))
    html = get(f"/reports/?as_of={PAST}").content.decode()
    assert f"{naive['total']}</a>" in html, "dashboard total differs from the naive sum"

    def pdf():
        return export.render_pdf(export.situation_report(user=user, on=PAST))

    ms, data = _time(pdf, max(1, args.repeat // 2))
    rows.append((f"PDF situation report as of {PAST} ({len(data) // 1024} KiB)", ms))
    print(f"\n{'measure':<56}{'ms':>9}{'vs reference':>14}")
    for name, ms in rows:
        print(f"{name:<56}{ms:>9.0f}{ref / ms:>13.1f}x")
    dash = max(ms for name, ms in rows if name.startswith("dashboard"))
    pdf_ms = rows[-1][1]
    ok = dash < 1000 and pdf_ms < 10000
    print(
        f"\ndashboard slowest {dash:.0f} ms (target < 1000), PDF {pdf_ms:.0f} ms "
        f"(target < 10000): {'OK' if ok else 'TOO SLOW'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
