"""In-process cost of the load mix: CPU ms and SQL queries per request, page by page.

    # the demo's data (SQLite), or DATABASE_URL=postgres://… with the demo loaded:
    ONWARD_DATA_DIR=var/demo .venv/bin/python bench/request_profile.py --requests 30
    # where the time goes on one page (cProfile, sorted by own time, 30 lines):
    .venv/bin/python bench/request_profile.py --pages dashboard --profile tottime
    # the SQL a page sends, statement by statement (to find repeated ones):
    .venv/bin/python bench/request_profile.py --pages person --requests 1 --sql

The same pages as `bench/load_bench.py`'s MIX, through Django's test Client (the whole
middleware stack, gzip included, no network), signed in as a data manager the way the
load clients are: password, then the TOTP code. CPU is this process's (time.process_time):
on PostgreSQL that is the application's own cost, what limits the load run's throughput;
on SQLite the database's work is in it too. Queries are counted with an execute wrapper.

Bounded: N requests per page (after 2 unmeasured ones that fill the caches, as a worker
that has served before has them); reads are audited as in real use (a few rows per
request in the audit table of the database used).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_bench import MIX, totp  # noqa: E402 - the same pages and codes as the load run

USERNAME = "bench_profile"
PASSWORD = "bench-profile-password-2026"


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onward.settings.base")
    import django

    django.setup()


def _user():
    """The profile's data manager with a confirmed authenticator (made once)."""
    from onward.accounts import roles
    from onward.accounts.models import AuthenticatorDevice, User

    user = User.objects.filter(username=USERNAME).first()
    if user is None:
        user = User.objects.create_user(
            username=USERNAME, password=PASSWORD, role=roles.DATA_MANAGER
        )
    device = AuthenticatorDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = AuthenticatorDevice.objects.create(user=user, name="bench", confirmed=True)
    return user, device


def signed_in_client():
    import base64
    import re

    from django.test import Client

    user, device = _user()
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_ENCODING="gzip")
    client.defaults["wsgi.url_scheme"] = "https"  # as gunicorn says behind the proxy
    answer = client.post("/login/", {"username": USERNAME, "password": PASSWORD})
    if answer.status_code != 302:
        raise SystemExit(f"password refused ({answer.status_code})")
    if client.get("/persons/").status_code == 200:
        return client  # no second factor asked (ONWARD_REQUIRE_2FA off)
    secret = base64.b32encode(device.bin_key).decode()
    for _ in range(3):
        page = client.get("/account/two-factor/").content
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        answer = client.post(
            "/account/two-factor/",
            {
                "csrfmiddlewaretoken": token.group(1).decode() if token else "",
                "next": "/",
                "otp_token": totp(secret, time.time()),
            },
        )
        if answer.status_code == 302:
            return client
        time.sleep(31)  # this time step's code was used already
    raise SystemExit("TOTP code refused")


def samples(rng: random.Random) -> dict:
    from onward.registry.models import Case, Person

    persons = list(
        Person.objects.filter(merged_into__isnull=True, removed_at__isnull=True).values_list(
            "person_id", "family_name"
        )[:2000]
    )
    cases = list(Case.objects.filter(removed_at__isnull=True).values_list("case_id", flat=True))
    if not persons or not cases:
        raise SystemExit("no persons or cases: load the demo first (onward demo --no-serve)")
    return {
        "persons": [p for p, _ in persons],
        "names": sorted({n for _, n in persons if n}),
        "cases": cases,
        "pages": max(1, Person.objects.count() // 50),
    }


class Counter:
    """Counts (and keeps, with --sql) the statements sent, through an execute wrapper."""

    def __init__(self, keep: bool):
        self.n = 0
        self.keep = keep
        self.sql: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        if self.keep:
            self.sql.append(sql)
        return execute(sql, params, many, context)


def path_for(name: str, rng: random.Random, data: dict) -> str:
    import urllib.parse

    return MIX[name].format(
        person=rng.choice(data["persons"]),
        case=rng.choice(data["cases"]),
        name=urllib.parse.quote(rng.choice(data["names"])),
        page=rng.randint(1, data["pages"]),
    )


def measure(client, name, n, rng, data, counter, profiler=None, count_calls=False) -> dict:
    for _ in range(2):  # warm: templates compiled, URL resolvers and caches filled
        client.get(path_for(name, rng, data))
    cpu, queries = [], []
    for _ in range(n):
        path = path_for(name, rng, data)
        counter.n = 0
        counter.sql.clear()
        t0 = time.process_time()
        if profiler:
            profiler.enable()
        answer = client.get(path)
        if profiler:
            profiler.disable()
        cpu.append(1000 * (time.process_time() - t0))
        queries.append(counter.n)
        if answer.status_code != 200:
            raise SystemExit(f"{name} {path}: {answer.status_code}")
    calls = None
    if count_calls:
        # Python function calls per request: a proxy for CPU that other work on the
        # machine does not change (the milliseconds do, on a shared machine).
        counting = cProfile.Profile()
        for _ in range(3):
            counting.enable()
            client.get(path_for(name, rng, data))
            counting.disable()
        calls = pstats.Stats(counting).total_calls / 3  # type: ignore[attr-defined]
    return {
        "calls": calls,
        "cpu_ms": statistics.median(cpu),
        "mean_ms": statistics.fmean(cpu),
        "queries": statistics.median(queries),
        "max_queries": max(queries),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", nargs="+", choices=list(MIX), default=list(MIX))
    parser.add_argument("--requests", type=int, default=20, help="measured per page")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--profile",
        choices=("tottime", "cumulative"),
        help="cProfile the measured requests and print the top functions",
    )
    parser.add_argument("--lines", type=int, default=30)
    parser.add_argument("--only", help="with --profile: only functions whose path matches")
    parser.add_argument("--callers", help="with --profile: who calls functions matching this")
    parser.add_argument(
        "--calls", action="store_true", help="also Python calls per request (3 more requests)"
    )
    parser.add_argument("--sql", action="store_true", help="print the last request's SQL")
    args = parser.parse_args(argv)
    _django()
    from django.conf import settings
    from django.db import connection

    rng = random.Random(args.seed)
    data = samples(rng)
    client = signed_in_client()
    counter = Counter(keep=args.sql)
    # CPU time, as measured: the wait for the database is not the application's cost.
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"{db}, {os.environ['DJANGO_SETTINGS_MODULE']}, load average {os.getloadavg()[0]:.1f}")
    print(
        f"{'page':<12} {'CPU ms (median)':>16} {'mean':>7} {'queries':>8}"
        + (f" {'calls':>8}" if args.calls else "")
    )
    rows = []
    with connection.execute_wrapper(counter):
        for name in args.pages:
            r = measure(client, name, args.requests, rng, data, counter, profiler, args.calls)
            rows.append(r)
            print(
                f"{name:<12} {r['cpu_ms']:>16.1f} {r['mean_ms']:>7.1f} {r['queries']:>8.0f}"
                + (f" {r['calls']:>8.0f}" if args.calls else "")
                + (f" (up to {r['max_queries']})" if r["max_queries"] != r["queries"] else ""),
                flush=True,
            )
            if args.sql:
                for sql in counter.sql:
                    print("   ", sql[:300])
    mix_cpu = statistics.fmean(r["mean_ms"] for r in rows)
    mix_queries = statistics.fmean(r["queries"] for r in rows)
    mix_calls = f" {statistics.fmean(r['calls'] for r in rows):>8.0f}" if args.calls else ""
    print(
        f"{'the mix':<12} {mix_cpu:>16.1f} {'':>7} {mix_queries:>8.1f}{mix_calls}"
        "   (mean over the pages)"
    )
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    if profiler:
        stats = pstats.Stats(profiler).sort_stats(args.profile)
        if args.callers:
            stats.print_callers(args.callers)
        else:
            stats.print_stats(*([args.only] if args.only else []), args.lines)


if __name__ == "__main__":
    main()
