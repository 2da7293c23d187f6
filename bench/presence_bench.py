"""Presence at scale (docs/presence.md, issue 21): "not seen for N days" by block, a
block's roll-call sheet, and a card scan under 20 concurrent scanners.

Builds its own world in the database of DATABASE_URL (PostgreSQL; migrated first, the
presence, camp and registry tables emptied): RESIDENTS persons in BLOCKS blocks of units
of 10, each with a live card, and DAYS days of presence events (one a resident a day,
leaving 5% unseen for the last 10 days). Prints the timings, median and p95.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onward_bench_presence \\
        .venv/bin/python bench/presence_bench.py --residents 20000 --blocks 20 --days 10

`--copy` builds the issue's world with COPY instead (`--per-day` events a day, each day's
events spread over the residents in turn, so each resident is seen every
RESIDENTS / PER_DAY days; the events' indexes are dropped during the load and rebuilt):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onward_bench_camp21 nice -n 10 \\
        .venv/bin/python bench/presence_bench.py --copy --residents 1000000 --blocks 1000 \\
        --days 365 --per-day 100000
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


def _copy_rows(cur, model, columns, rows, chunk=200_000) -> None:
    """COPY text rows (already tab-separated, newline-ended) into the model's table."""
    cols = ", ".join(columns)
    with cur.copy(f"COPY {model._meta.db_table} ({cols}) FROM STDIN") as copy:
        buf = []
        for row in rows:
            buf.append(row)
            if len(buf) >= chunk:
                copy.write("".join(buf))
                buf = []
        if buf:
            copy.write("".join(buf))


def _template(model, **values) -> dict[str, str]:
    """Every concrete column of `model` (but the id) as COPY text, from an instance built
    with `values`: the fields' own defaults and conversions, so the rows are what the ORM
    would have written."""
    from django.db import connection

    obj = model(**values)
    out = {}
    for f in model._meta.concrete_fields:
        if f.primary_key and f.name == "id":
            continue
        v = f.get_db_prep_save(f.pre_save(obj, True), connection)
        if v is None:
            out[f.column] = "\\N"
        elif isinstance(v, bool):
            out[f.column] = "t" if v else "f"
        elif isinstance(v, dict | list):
            import json

            out[f.column] = json.dumps(v).replace("\\", "\\\\")
        else:
            out[f.column] = str(getattr(v, "adapted", v))
    return out


def build_copy(residents: int, blocks: int, days: int, per_day: int) -> None:
    """The issue's world with COPY: RESIDENTS persons (a case each), housed in BLOCKS blocks
    of units of 10 from 400 days ago, a live card each, PER_DAY card scans a day for DAYS
    days (residents in turn), and their last seen."""
    import secrets

    from django.db import connection
    from django.utils import timezone

    from onward.camp.models import Allocation, Block, Site, Unit
    from onward.presence.models import Card, LastSeen, PresenceEvent
    from onward.registry.models import Case, Person

    today = timezone.localdate()
    start = today - dt.timedelta(days=400)
    now = timezone.now()
    t0 = time.perf_counter()

    def say(what):
        print(f"  {time.perf_counter() - t0:7.1f} s  {what}", flush=True)

    with connection.cursor() as c:
        c.execute(
            "TRUNCATE presence_rollcallline, presence_rollcall_blocks, presence_rollcall, "
            "presence_incidentblock, presence_presenceevent, presence_lastseen, presence_card, "
            "camp_allocation, camp_unit, camp_block, camp_site, movements_ledgerentry, "
            "registry_person, registry_case RESTART IDENTITY CASCADE"
        )
    raw = connection.connection
    cur = raw.cursor()
    # The rows are made consistent here: no foreign-key trigger per row (30 µs each), and
    # room to sort when the indexes are rebuilt.
    cur.execute("SET session_replication_role = replica")
    cur.execute("SET maintenance_work_mem = '512MB'")
    case_t = _template(Case, case_id="C", arrival_date=start)
    case_cols = list(case_t)
    line = "\t".join("{}" if k == "case_id" else v for k, v in case_t.items()) + "\n"
    _copy_rows(cur, Case, case_cols, (line.format(f"C{i:07d}") for i in range(residents)))
    say(f"{residents} cases")
    person_t = _template(
        Person,
        person_id="P",
        case_id=1,
        relationship="principal",
        given_name="G",
        family_name="F",
        arrival_date=start,
    )
    varying = {
        "person_id": "P{0:07d}",
        "case_id": "{1}",
        "given_name": "G{0}",
        "family_name": "F{0}",
    }
    line = "\t".join(varying.get(k, v) for k, v in person_t.items()) + "\n"
    _copy_rows(cur, Person, list(person_t), (line.format(i, i + 1) for i in range(residents)))
    say(f"{residents} persons")
    site = Site.objects.create(name="Bench camp")
    per_block = -(-residents // blocks)
    units_per_block = -(-per_block // 10)
    Block.objects.bulk_create([Block(site=site, code=f"B{b:04d}") for b in range(blocks)])
    block_ids = list(Block.objects.order_by("code").values_list("pk", flat=True))
    Unit.objects.bulk_create(
        [
            Unit(block_id=b, code=f"U{u:03d}", capacity=10)
            for b in block_ids
            for u in range(units_per_block)
        ],
        batch_size=10000,
    )
    unit_ids = list(Unit.objects.order_by("block__code", "code").values_list("pk", flat=True))
    # Person i (id i + 1) lives in block i // per_block, its units filled in turn.
    alloc_t = _template(Allocation, person_id=1, unit_id=1, starts_on=start, reason="bench")
    varying = {"person_id": "{0}", "unit_id": "{1}"}
    line = "\t".join(varying.get(k, v) for k, v in alloc_t.items()) + "\n"
    _copy_rows(
        cur,
        Allocation,
        list(alloc_t),
        (
            line.format(i + 1, unit_ids[(i // per_block) * units_per_block + (i % per_block) // 10])
            for i in range(residents)
        ),
    )
    say(f"{residents} allocations in {len(unit_ids)} units")
    card_t = _template(Card, person_id=1, token="x", issued_at=now)
    varying = {"person_id": "{0}", "token": "{1}"}
    line = "\t".join(varying.get(k, v) for k, v in card_t.items()) + "\n"
    _copy_rows(
        cur,
        Card,
        list(card_t),
        (line.format(i + 1, secrets.token_urlsafe(16)) for i in range(residents)),
    )
    say(f"{residents} cards")
    table = PresenceEvent._meta.db_table
    with connection.cursor() as c:
        c.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
            "AND indexname NOT LIKE '%%pkey'",
            [table],
        )
        indexes = c.fetchall()
        for name, _ in indexes:
            c.execute(f'DROP INDEX "{name}"')
        c.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
    raw.commit()
    ev_t = _template(PresenceEvent, person_id=1, at=now, checkpoint="Gate", method="card")
    varying = {"person_id": "{0}", "at": "{1}"}
    line = "\t".join(varying.get(k, v) for k, v in ev_t.items()) + "\n"
    minutes = [f" {m // 60:02d}:{m % 60:02d}:00+00" for m in range(24 * 60)]
    last: dict[int, str] = {}

    def events(first: int, last_day: int):
        """The events of days `first` down to `last_day` (days before today, 1 = today)."""
        for d in range(first, last_day - 1, -1):
            day = (now - dt.timedelta(days=d - 1)).date()
            stem = day.isoformat()
            k = (days - d) * per_day
            for j in range(per_day):
                i = (k + j) % residents
                minute = (j * 1440) // per_day
                if day == now.date() and minute >= now.hour * 60 + now.minute:
                    continue  # nothing in the future
                at = stem + minutes[minute]
                last[i + 1] = at
                yield line.format(i + 1, at)

    # Ten days a COPY (its own transaction): progress shows, and a build stopped
    # half-way keeps the days it reached.
    for first in range(days, 0, -10):
        _copy_rows(cur, PresenceEvent, list(ev_t), events(first, max(first - 9, 1)))
        say(f"events of days {first}..{max(first - 9, 1)} before today copied")
    say(f"{days} days x {per_day} events copied")
    with connection.cursor() as c:
        for name, ddl in indexes:
            c.execute(ddl)
            say(f"index {name} rebuilt")
        c.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = true)")
    ls_line = "{}\t{}\tGate\n"
    _copy_rows(
        cur,
        LastSeen,
        ["person_id", "at", "checkpoint"],
        (ls_line.format(pk, at) for pk, at in last.items()),
    )
    raw.commit()
    say(f"{len(last)} last seen")
    with connection.cursor() as c:
        # VACUUM sets the visibility map: the (person, at) lookups are index-only scans.
        c.execute(f"VACUUM ANALYZE {table}")
        c.execute("ANALYZE")
    cur.execute("SET session_replication_role = DEFAULT")
    say("analyzed")


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
    parser.add_argument("--copy", action="store_true", help="build with COPY (the 1M world)")
    parser.add_argument("--per-day", type=int, default=100_000, help="events a day (--copy)")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument(
        "--general-path",
        action="store_true",
        help="scans through the general (ORM) path, not the card scan's own",
    )
    parser.add_argument(
        "--camp-repeat", type=int, default=7, help="runs of the whole camp's figures"
    )
    parser.add_argument(
        "--skip", default="", help="comma-separated: camp, block, sheet, scans (not measured)"
    )
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
        if args.copy:
            build_copy(args.residents, args.blocks, args.days, args.per_day)
        else:
            build(args.residents, args.blocks, args.days)
        if args.build_only:
            print(f"built in {time.perf_counter() - t:.1f} s")
            return
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

    skip = set(args.skip.split(","))
    if "camp" not in skip:
        med, worst = timed(
            lambda: selectors.not_seen_by_block(day=today, days=7), repeat=args.camp_repeat
        )
        print(f"not seen 7 days, counts for every block: median {med:.1f} ms, max {worst:.1f} ms")
    if "block" not in skip:
        med, worst = timed(lambda: selectors.not_seen(day=today, days=7, block=block))
        print(f"not seen 7 days, one block's list: median {med:.1f} ms, max {worst:.1f} ms")
        for back in (30, 200):
            past = today - dt.timedelta(days=back)
            med, worst = timed(lambda p=past: selectors.not_seen(day=p, days=7, block=block))
            print(
                f"not seen 7 days, one block's list as of {back} days ago: median {med:.1f} ms, "
                f"max {worst:.1f} ms"
            )
    from onward.presence.numbers import camp_numbers

    if "camp" not in skip:
        med, worst = timed(lambda: camp_numbers(today, days=7), repeat=args.camp_repeat)
        print(f"camp numbers (dashboard), every block: median {med:.1f} ms, max {worst:.1f} ms")
        past = today - dt.timedelta(days=30)
        med, worst = timed(lambda: camp_numbers(past, days=7), repeat=args.camp_repeat)
        print(f"camp numbers, 30 days ago: median {med:.1f} ms, max {worst:.1f} ms")
    if os.environ.get("EXPLAIN"):
        print(selectors._not_seen_qs(today, 7).filter(unit__block=block).explain(analyze=True))
    if "sheet" not in skip:
        roll = services.rollcall_open(
            actor=officer, blocks=[block], reason="verification", on=today
        )
        med, worst = timed(lambda: selectors.sheet(roll, block))
        print(
            f"roll-call sheet, one block ({roll.lines.count()} lines): median {med:.1f} ms, "
            f"max {worst:.1f} ms"
        )
    if "scans" in skip:
        return
    services.SCAN_FAST_PATH = not args.general_path
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
