"""Departure readiness at scale (docs/readiness.md, issue 19): the readiness matrix and
"who can fly on D" for a pledge, 1,000,000 persons × 20 requirements, on PostgreSQL.

Builds its own world with COPY in the database of DATABASE_URL (default
onward_bench_readiness; the registry, relocation and readiness tables are emptied):
PERSONS persons in cases of 4, every case accepted under one of 200 pledges of 10
countries; each country asks 20 requirements (the 9 of the catalogue and 11 more of the
same shape, kinds `bench_NN`); each person has one fact a requirement (two for some: a
failed one then a pass), so that about half are ready on D: fitness to travel 72 hours
before departure (10 % dated too early), a visa expiring within 14 days for 5 %, and
1 % each pending, failed or missing for the others.

Then times, with Django's test client (the whole request inside the server process:
SQL, the engine on the page's persons, the audit entries, rendering) as an admin:

- the matrix's first page, all pledges, and "who can fly on D" across them;
- a pledge's "who can fly on D" (first page, and the whole list), "blocked by visa",
  "expires within 14 days", and a deep page;

beside the naive reading (the pledge page's old way: every member of the pledge's
accepted cases and all their facts read into Python, the engine on each).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onward_bench_readiness \\
        nice -n 10 .venv/bin/python bench/readiness_bench.py [--persons 1000000] [--reuse]
"""

import argparse
import datetime as dt
import io
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/onward_bench_readiness"
D = dt.date(2026, 6, 15)
COUNTRIES = ["ALB", "DEU", "FRA", "ESP", "ITA", "NLD", "SWE", "NOR", "FIN", "PRT"]
PLEDGES_PER_COUNTRY = 20
CASE_SIZE = 4


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
    quoted = ", ".join(f'"{c}"' for c in columns)
    with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
        buffer = io.StringIO()
        for n, line in enumerate(lines, 1):
            buffer.write(line)
            if n % 200_000 == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())


def _value(field, now: str) -> str:
    if field.null:
        return r"\N"
    internal = field.get_internal_type()
    if internal in ("CharField", "TextField", "SlugField"):
        return ""
    if internal == "DateTimeField":
        return now
    if internal == "DateField":
        return D.isoformat()
    if internal == "BooleanField":
        return "f"
    if internal == "JSONField":
        return "{}" if field.name == "usage" else "[]"
    return "1"


def _rows(model, n: int, fixed, now: str):
    """COPY lines of `model`: `fixed(i)` gives {field name: text} for row i, the rest plain."""
    fields = list(model._meta.concrete_fields)
    for i in range(n):
        given = fixed(i)
        yield (
            "\t".join(given[f.name] if f.name in given else _value(f, now) for f in fields) + "\n"
        )


def kinds() -> list[str]:
    from onward.readiness.models import Kind

    return list(Kind.values) + [f"bench_{n:02d}" for n in range(20 - len(Kind.values))]


def build(persons: int) -> dict:
    import numpy as np
    from django.db import connection, transaction

    from onward.readiness.models import Fact, Requirement
    from onward.registry.models import Case, Person
    from onward.relocation.models import Pledge, Submission

    rng = np.random.default_rng(19)
    t0 = time.perf_counter()
    cases = (persons + CASE_SIZE - 1) // CASE_SIZE
    pledges = len(COUNTRIES) * PLEDGES_PER_COUNTRY
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC).isoformat()
    ks = kinds()
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        cursor.execute(
            "TRUNCATE readiness_fact, readiness_latestfact, readiness_travelneed, readiness_requirement, "
            "relocation_submission, relocation_pledge, registry_person, registry_case CASCADE"
        )
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid
            WHERE c.oid IS NULL AND i.indrelid::regclass::text = ANY(%s)""",
            [["registry_case", "registry_person", "relocation_submission", "readiness_fact"]],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        _copy(
            raw,
            "registry_case",
            [f.column for f in Case._meta.concrete_fields],
            _rows(
                Case,
                cases,
                lambda c: {"id": str(c + 1), "case_id": f"R{c + 1:07d}", "status": "open"},
                now,
            ),
        )
        _copy(
            raw,
            "registry_person",
            [f.column for f in Person._meta.concrete_fields],
            _rows(
                Person,
                persons,
                lambda i: {
                    "id": str(i + 1),
                    "person_id": f"Q{i + 1:08d}",
                    "case": str(i // CASE_SIZE + 1),
                    "relationship": "principal" if i % CASE_SIZE == 0 else "child",
                    "given_name": f"Given{i % 997}",
                    "family_name": f"Family{i % 7919}",
                    "sex": "F" if i % 2 else "M",
                },
                now,
            ),
        )
        _copy(
            raw,
            "relocation_pledge",
            [f.column for f in Pledge._meta.concrete_fields],
            _rows(
                Pledge,
                pledges,
                lambda p: {
                    "id": str(p + 1),
                    "country": COUNTRIES[p % len(COUNTRIES)],
                    "name": f"Pledge {p + 1}",
                    "valid_from": "2025-01-01",
                    "status": "open",
                },
                now,
            ),
        )
        decided = dt.datetime(2026, 3, 1, tzinfo=dt.UTC).isoformat()
        _copy(
            raw,
            "relocation_submission",
            [f.column for f in Submission._meta.concrete_fields],
            _rows(
                Submission,
                cases,
                lambda c: {
                    "id": str(c + 1),
                    "case": str(c + 1),
                    "pledge": str(c % pledges + 1),
                    "decision": "accepted",
                    "decided_at": decided,
                    "submitted_at": decided,
                },
                now,
            ),
        )
        requirement_rows = []
        for ci, country in enumerate(COUNTRIES):
            for ki, kind in enumerate(ks):
                fields = {
                    "id": str(ci * len(ks) + ki + 1),
                    "country": country,
                    "kind": kind,
                }
                if kind == "fit_to_travel":
                    fields["valid_hours_before_departure"] = "72"
                if kind == "visa":
                    fields["delegation_confirms"] = "t"
                requirement_rows.append(fields)
        _copy(
            raw,
            "readiness_requirement",
            [f.column for f in Requirement._meta.concrete_fields],
            _rows(Requirement, len(requirement_rows), lambda i: requirement_rows[i], now),
        )
        # Facts: one per person and requirement, a few two (failed, then passed).
        roll = rng.random((persons, len(ks)))
        early = rng.random(persons) < 0.10  # fitness to travel more than 72 h before D
        soon = rng.random(persons) < 0.05  # a visa that ends within 14 days of D
        fact_fields = list(Fact._meta.concrete_fields)
        fact_cols = [f.column for f in fact_fields]
        day = (D - dt.timedelta(days=30)).isoformat()
        fit_ok, fit_old = (
            (D - dt.timedelta(days=1)).isoformat(),
            (D - dt.timedelta(days=5)).isoformat(),
        )
        until_far, until_soon = (
            (D + dt.timedelta(days=180)).isoformat(),
            (D + dt.timedelta(days=9)).isoformat(),
        )
        fit, visa = ks.index("fit_to_travel"), ks.index("visa")

        def fact_lines():
            n = 0
            plain = {f.name: _value(f, now) for f in fact_fields}
            order = [f.name for f in fact_fields]

            def line(values):
                nonlocal n
                n += 1
                row = {**plain, **values, "id": str(n)}
                return "\t".join(row[k] for k in order) + "\n"

            for i in range(persons):
                person = str(i + 1)
                for k, kind in enumerate(ks):
                    r = roll[i, k]
                    on, until = day, r"\N"
                    if k == fit:
                        on = fit_old if early[i] else fit_ok
                    if k == visa:
                        until = until_soon if soon[i] else until_far
                    if r < 0.01:
                        continue  # missing
                    status = "pending" if r < 0.02 else "failed" if r < 0.03 else "passed"
                    if r > 0.97:  # failed first, passed a week later
                        earlier = (D - dt.timedelta(days=40)).isoformat()
                        yield line(
                            {"person": person, "kind": kind, "status": "failed", "on": earlier}
                        )
                    yield line(
                        {
                            "person": person,
                            "kind": kind,
                            "status": status,
                            "on": on,
                            "valid_until": until,
                        }
                    )

        _copy(raw, "readiness_fact", fact_cols, fact_lines())
        load_s = time.perf_counter() - t0
        for _name, definition in indexes:
            cursor.execute(definition)
        for table in (
            "registry_case",
            "registry_person",
            "relocation_pledge",
            "relocation_submission",
            "readiness_requirement",
            "readiness_fact",
        ):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        # The latest facts, as migration 0004 fills them (the COPY ran with the triggers
        # off: session_replication_role).
        from importlib import import_module

        latest = import_module("onward.readiness.migrations.0004_latest_fact")
        latest.backfill(cursor, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE readiness_fact")
        cursor.execute("VACUUM ANALYZE readiness_latestfact")
        cursor.execute("ANALYZE registry_person")
        cursor.execute("ANALYZE relocation_submission")
    return {"load_s": load_s, "total_s": time.perf_counter() - t0}


def _time(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, max(times) * 1000, result


def naive_who_can_fly(pledge, on):
    """The old way: every member of the pledge's accepted cases and all their facts into
    Python, the engine on each."""
    from onward.readiness import engine, selectors
    from onward.readiness.models import Fact
    from onward.registry.models import Person
    from onward.relocation.models import Submission

    people = list(
        Person.objects.filter(
            case_id__in=Submission.objects.filter(pledge=pledge, decision="accepted").values(
                "case_id"
            ),
            merged_into__isnull=True,
            removed_at__isnull=True,
        ).order_by("case_id", "pk")
    )
    requirements = selectors.requirements_for(pledge.country, pledge.pk)
    facts: dict = {p.pk: [] for p in people}
    for pk, kind, status, day, until in (
        Fact.objects.filter(person__in=[p.pk for p in people], on__lte=on)
        .order_by("on", "id")
        .values_list("person_id", "kind", "status", "on", "valid_until")
    ):
        facts[pk].append(engine.Fact(kind, status, day, until))
    return [p for p in people if engine.evaluate(requirements, facts[p.pk], on).ready]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep the data already built")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE who_can_fly")
    parser.add_argument("--only-latest", action="store_true", help="time the whole lists only")
    args = parser.parse_args()
    setup_django(os.environ.get("DATABASE_URL", DEFAULT_URL))

    from django.test import Client
    from django.test.utils import override_settings

    from onward.accounts import roles
    from onward.accounts.models import User
    from onward.readiness import matrix
    from onward.readiness.models import Fact
    from onward.relocation.models import Pledge

    if not args.reuse:
        built = build(args.persons)
        print(f"built in {built['total_s']:.0f} s (COPY {built['load_s']:.0f} s)")
        if args.build_only:
            return
    print(f"persons {args.persons:,}; facts {Fact.objects.count():,}; load {os.getloadavg()}")
    user, _ = User.objects.get_or_create(username="bench-admin", defaults={"role": roles.ADMIN})
    client = Client()
    client.force_login(user)
    pledge = Pledge.objects.order_by("pk").first()
    on = D.isoformat()
    cases = [
        ("matrix, all pledges, page 1", {"on": on}),
        ("matrix, all pledges, who can fly on D", {"on": on, "ready": "1"}),
        ("matrix, all pledges, a page deep in", {"on": on, "after": "200000.800000"}),
        ("pledge: who can fly on D (page 1)", {"on": on, "pledge": pledge.pk, "ready": "1"}),
        ("pledge: blocked by visa", {"on": on, "pledge": pledge.pk, "blocked": "visa"}),
        ("pledge: expires within 14 days", {"on": on, "pledge": pledge.pk, "expiring": "1"}),
        ("country ALB: who can fly on D", {"on": on, "country": "ALB", "ready": "1"}),
    ]
    # The second factor is the sign-in's business, not the page's: off for the timing.
    with override_settings(ALLOWED_HOSTS=["*"], ONWARD_REQUIRE_2FA=False):
        for label, query in [] if args.only_latest else cases:
            client.get("/readiness/", query)  # warm
            median, worst, response = _time(
                lambda q=query: client.get("/readiness/", q), args.repeat
            )
            assert response.status_code == 200, (response.status_code, response.get("Location"))
            # The rendered rows (the test client keeps no context outside the test runner).
            rows = response.content.count(b"<tr data-person=")
            print(f"{label:45s} median {median:7.1f} ms  max {worst:7.1f} ms  rows {rows}")
    filters = matrix.Filters(on=D, ready=True)
    median, worst, pg = _time(lambda: matrix.page([pledge], filters, per_page=10**7), args.repeat)
    found = [(r[0], r[2]) for r in pg.rows]
    print(
        f"{'pledge: who can fly on D, whole list (matrix)':45s} median {median:7.1f} ms  max {worst:7.1f} ms  persons {len(found)}"
    )
    median, worst, naive = _time(lambda: naive_who_can_fly(pledge, D), max(3, args.repeat // 2))
    print(
        f"{'pledge: who can fly on D, naive (Python)':45s} median {median:7.1f} ms  max {worst:7.1f} ms  persons {len(naive)}"
    )
    assert [pk for pk, _ in found] == [p.pk for p in naive], "SQL and the engine disagree"
    print("same persons by the matrix and by the naive reading:", len(found))
    # The latest facts (readiness_latestfact, migration 0004): one query, no engine.
    from onward.readiness import latest

    median, worst, fly = _time(lambda: latest.who_can_fly(pledge, D), args.repeat)
    print(
        f"{'pledge: who can fly on D, whole list (latest)':45s} median {median:7.1f} ms  max {worst:7.1f} ms  persons {len(fly)}"
    )
    assert [pk for pk, _ in fly] == [p.pk for p in naive], (
        "the latest facts and the engine disagree"
    )
    print("same persons by the latest facts and by the naive reading:", len(fly))
    # As of a past date, D - 3: every person's fitness check (D - 1 or D - 5) and some
    # persons' second facts... dated after it for most: the engine decides those persons.
    past = D - dt.timedelta(days=3)
    median, worst, fly_past = _time(lambda: latest.who_can_fly(pledge, past), args.repeat)
    print(
        f"{'pledge: who can fly on D - 3 (latest, past)':45s} median {median:7.1f} ms  max {worst:7.1f} ms  persons {len(fly_past)}"
    )
    past_filters = matrix.Filters(on=past, ready=True)
    median, worst, pg_past = _time(
        lambda: matrix.page([pledge], past_filters, per_page=10**7), args.repeat
    )
    print(
        f"{'pledge: who can fly on D - 3 (matrix, past)':45s} median {median:7.1f} ms  max {worst:7.1f} ms  persons {len(pg_past.rows)}"
    )
    assert [pk for pk, _ in fly_past] == [r[0] for r in pg_past.rows], "past: disagree"
    if args.explain:
        print(latest.explain(pledge, D))
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
