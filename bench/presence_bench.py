"""Presence at scale (docs/presence.md, issue 21): "not seen for N days" by block, a
block's roll-call sheet, and a card scan under 20 concurrent scanners.

Builds its own world in the database of DATABASE_URL (PostgreSQL; migrated first, the
presence, camp and registry tables emptied): RESIDENTS persons in BLOCKS blocks of units
of 10, each with a live card, and DAYS days of presence events (one a resident a day,
leaving 5% unseen for the last 10 days). Prints the timings, median and p95.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onward_bench_presence \\
        .venv/bin/python bench/presence_bench.py --residents 20000 --blocks 20 --days 10
"""

import argparse
import datetime as dt
import multiprocessing
import os
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onward.settings.base")


def _p95(xs):
    return sorted(xs)[max(0, int(len(xs) * 0.95) - 1)]


def build(residents: int, blocks: int, days: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from onward.camp.models import Allocation, Block, Site, Unit
    from onward.presence.models import Card, LastSeen, PresenceEvent
    from onward.presence.services import _new_token
    from onward.registry.models import Case, Person

    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE presence_rollcallline, presence_rollcall_blocks, presence_rollcall, "
            "presence_incidentblock, presence_presenceevent, presence_lastseen, presence_card, "
            "camp_allocation, camp_unit, camp_block, camp_site, movements_ledgerentry, "
            "registry_person, registry_case RESTART IDENTITY CASCADE"
        )
    today = timezone.localdate()
    start = today - dt.timedelta(days=400)
    cases = Case.objects.bulk_create(
        [Case(case_id=f"C{i:07d}", arrival_date=start) for i in range(residents)], batch_size=5000
    )
    persons = Person.objects.bulk_create(
        [
            Person(
                person_id=f"P{i:07d}",
                case=c,
                relationship="principal",
                given_name=f"G{i}",
                family_name=f"F{i}",
                arrival_date=start,
            )
            for i, c in enumerate(cases)
        ],
        batch_size=5000,
    )
    site = Site.objects.create(name="Bench camp")
    per_block = -(-residents // blocks)
    units = []
    for b in range(blocks):
        block = Block.objects.create(site=site, code=f"B{b:03d}")
        units += Unit.objects.bulk_create(
            [Unit(block=block, code=f"U{u:03d}", capacity=10) for u in range(-(-per_block // 10))]
        )
    Allocation.objects.bulk_create(
        [
            Allocation(person=p, unit=units[i // 10], starts_on=start, reason="bench")
            for i, p in enumerate(persons)
        ],
        batch_size=5000,
    )
    now = timezone.now()
    Card.objects.bulk_create(
        [Card(person=p, token=_new_token(), issued_at=now) for p in persons], batch_size=5000
    )
    events, last = [], {}
    for d in range(days, 0, -1):
        at = now - dt.timedelta(days=d - 1, hours=1)
        for i, p in enumerate(persons):
            # one resident in 20 was last seen 10 days earlier: they are "not seen"
            when = at - dt.timedelta(days=10) if i % 20 == 0 else at
            events.append(PresenceEvent(person=p, at=when, checkpoint="Gate", method="card"))
            last[p.pk] = when
        if len(events) >= 50000:
            PresenceEvent.objects.bulk_create(events, batch_size=10000)
            events = []
    PresenceEvent.objects.bulk_create(events, batch_size=10000)
    LastSeen.objects.bulk_create(
        [LastSeen(person_id=pk, at=at, checkpoint="Gate") for pk, at in last.items()],
        batch_size=10000,
    )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def _scan(tokens, clerk_id) -> list[float]:
    """One scanner: its cards scanned one after the other; the latency of each."""
    from django.db import connections

    from onward.accounts.models import User
    from onward.presence import services

    clerk = User.objects.get(pk=clerk_id)
    mine = []
    for token in tokens:
        t = time.perf_counter()
        services.presence_record(actor=clerk, checkpoint="Gate 1", token=token)
        mine.append((time.perf_counter() - t) * 1000)
    connections.close_all()
    return mine


def _scan_threads(chunks, clerk) -> list[float]:
    latencies: list[float] = []
    lock = threading.Lock()

    def scanner(chunk):
        mine = _scan(chunk, clerk.pk)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=scanner, args=(c,)) for c in chunks]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return latencies


def timed(fn, repeat=7):
    xs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        xs.append((time.perf_counter() - t) * 1000)
    return statistics.median(xs), max(xs)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=20000)
    parser.add_argument("--blocks", type=int, default=20)
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--scanners", type=int, default=20)
    parser.add_argument("--scans", type=int, default=50, help="per scanner")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument(
        "--threads",
        action="store_true",
        help="scanners as threads of one process (the first measure: they queue on the "
        "GIL); default: one process each, as server workers are",
    )
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from onward.accounts.models import User
    from onward.camp.models import Block
    from onward.presence import selectors, services
    from onward.presence.models import Card

    if not args.reuse:
        call_command("migrate", verbosity=0)
        t = time.perf_counter()
        build(args.residents, args.blocks, args.days)
        print(
            f"built {args.residents} residents, {args.days} days: {time.perf_counter() - t:.1f} s"
        )
    clerk, _ = User.objects.get_or_create(
        username="bench_clerk", defaults={"role": "registration_clerk"}
    )
    officer, _ = User.objects.get_or_create(
        username="bench_officer", defaults={"role": "protection_officer"}
    )
    today = timezone.localdate()
    block = Block.objects.order_by("code").first()

    med, worst = timed(lambda: selectors.not_seen_by_block(day=today, days=7))
    print(f"not seen 7 days, counts for every block: median {med:.1f} ms, max {worst:.1f} ms")
    med, worst = timed(lambda: selectors.not_seen(day=today, days=7, block=block))
    print(f"not seen 7 days, one block's list: median {med:.1f} ms, max {worst:.1f} ms")
    from onward.presence.numbers import camp_numbers

    med, worst = timed(lambda: camp_numbers(today, days=7))
    print(f"camp numbers (dashboard), every block: median {med:.1f} ms, max {worst:.1f} ms")
    if os.environ.get("EXPLAIN"):
        print(selectors._not_seen_qs(today, 7).filter(unit__block=block).explain(analyze=True))
    roll = services.rollcall_open(actor=officer, blocks=[block], reason="verification", on=today)
    med, worst = timed(lambda: selectors.sheet(roll, block))
    print(
        f"roll-call sheet, one block ({roll.lines.count()} lines): median {med:.1f} ms, max {worst:.1f} ms"
    )

    tokens = list(
        Card.objects.filter(revoked_at=None).values_list("token", flat=True)[
            : args.scanners * args.scans
        ]
    )
    chunks = [tokens[i :: args.scanners] for i in range(args.scanners)]
    t = time.perf_counter()
    if args.threads:
        latencies = _scan_threads(chunks, clerk)
    else:
        connections.close_all()  # each forked scanner opens its own connection
        with multiprocessing.get_context("fork").Pool(args.scanners) as pool:
            latencies = [
                x for xs in pool.starmap(_scan, [(c, clerk.pk) for c in chunks]) for x in xs
            ]
    wall = time.perf_counter() - t
    print(
        f"scans: {len(latencies)} by {args.scanners} concurrent scanners in {wall:.1f} s "
        f"({len(latencies) / wall:.0f}/s): median {statistics.median(latencies):.1f} ms, "
        f"p95 {_p95(latencies):.1f} ms"
    )


if __name__ == "__main__":
    main()
