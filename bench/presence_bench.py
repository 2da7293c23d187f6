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

`--http` measures the scan as a checkpoint does it: SCANNERS signed-in scanners (one
process each, standard library only), each posting cards to the real scan page served by
gunicorn (the production settings, `--workers` processes; it needs SECRET_KEY,
ONWARD_FIELD_KEYS_FILE, ONWARD_DATA_DIR as bench/load_bench.py does), paced at each of
`--rates` scans a second each (open loop: a scan is sent at its time whether or not the
last has been answered, and its latency counts from that time), `--seconds` each; rate
0 is the closed loop (no pause: the stress ceiling). Prints p50/p95/p99 of the POST that
records the scan (and of the page the redirect shows), the achieved rate, errors, the
application's CPU per scan and the load average:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onward_scan21_bench ONWARD_DATA_DIR=var/bench \
        SECRET_KEY=... ONWARD_FIELD_KEYS_FILE=var/bench/field-keys \
        .venv/bin/python bench/presence_bench.py --reuse --http --rates 1 2 4 0 --seconds 30
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


# -- through HTTP: paced scanners at the real scan page ---------------------------------


def _http_scanner(i, base, headers, user, password, tokens, phases, gate, barrier, start):
    try:
        return _http_scans(i, base, headers, user, password, tokens, phases, gate, barrier, start)
    except BaseException:
        barrier.abort()  # the parent and the others stop waiting: the error is reported
        raise


def _http_scans(i, base, headers, user, password, tokens, phases, gate, barrier, start):
    """One scanner (a forked process, standard library only): signs in, reads the scan
    form's CSRF token, then for each phase (rate a second, seconds) posts its cards at
    that pace. Returns per phase [(recorded ms, page ms or None, status), ...]."""
    import random
    import re

    import load_bench

    client = load_bench.Client(base, headers)
    with gate:
        client.timeout = 180
        client.sign_in(user["username"], password, user["secret"])
        client.timeout = 30
    _, _, page = client.request("GET", "/presence/scan/")
    csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', load_bench._plain(page))
    assert csrf, "no scan form"
    form = {"csrfmiddlewaretoken": csrf.group(1).decode(), "checkpoint": f"Gate {i % 4}"}
    barrier.wait()  # every scanner signed in
    barrier.wait()  # the parent has set the start time
    t0 = start.value
    rng = random.Random(i)
    out, k = [], 0
    for rate, seconds, offset in phases:
        began, end = t0 + offset, t0 + offset + seconds
        while time.time() < began:
            time.sleep(min(0.05, began - time.time()))
        mine = []
        due = began + (rng.random() / rate if rate else 0)
        while True:
            if rate:
                if due >= end:
                    break
                while (wait := due - time.time()) > 0:
                    time.sleep(wait)
            elif time.time() >= end:
                break
            sent = due if rate else time.time()
            token = tokens[k % len(tokens)]
            k += 1
            try:
                status, location, _ = client.request(
                    "POST", "/presence/scan/", {**form, "token": token}
                )
            except Exception:  # noqa: BLE001 - no answer is an error
                status, location = 0, ""
            recorded = time.time()
            shown = None
            if status == 302 and location:
                try:
                    client.request("GET", location)
                    shown = (time.time() - sent) * 1000
                except Exception:  # noqa: BLE001
                    pass
            mine.append(((recorded - sent) * 1000, shown, status))
            if rate:
                due += 1 / rate
        out.append(mine)
    client.close()
    return out


def _pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else float("nan")


def http_bench(args, tokens) -> None:
    """Starts gunicorn (production settings), signs the scanners in, runs the phases,
    prints a line each; the server is stopped whatever happens."""
    import json
    import signal
    import subprocess
    from pathlib import Path

    bench_dir = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, bench_dir)
    import load_bench

    root = Path(bench_dir).parent
    users_file = root / "var" / "presence-bench-users.json"
    load_bench.setup(argparse.Namespace(users=args.scanners, file=str(users_file)))
    data = json.loads(users_file.read_text())
    from django.db import connections

    connections.close_all()

    venv = Path(sys.executable).parent
    port = load_bench._free_port()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="onward.settings.production")
    env.setdefault("ALLOWED_HOSTS", "localhost")
    subprocess.run([str(venv / "onward"), "collectstatic", "--noinput", "-v0"], env=env, check=True)
    cmd = [
        str(venv / "gunicorn"),
        "-c",
        "python:onward.deploy.gunicorn_conf",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--access-logfile",
        "/dev/null",
    ]
    log = open(root / "var" / "presence-bench-gunicorn.log", "w")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=log, start_new_session=True)
    headers = {"X-Forwarded-Proto": "https", "Host": "localhost"}
    base = f"http://127.0.0.1:{port}"
    gap = 3.0
    procs: list = []
    # Stopped (timeout, ^C): the finally below still stops the server and the scanners.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    phases, offset = [], 0.0
    for rate in args.rates:
        phases.append((rate, args.seconds, offset))
        offset += args.seconds + gap
    try:
        load_bench._wait(port, proc, "gunicorn")
        ctx = multiprocessing.get_context("fork")
        gate, barrier = ctx.Semaphore(2), ctx.Barrier(args.scanners + 1)
        start = ctx.Value("d", 0.0)
        n = args.scanners
        per = max(1, len(tokens) // n)
        print(
            f"gunicorn, {args.workers} sync workers, production settings; {n} scanners signing in",
            flush=True,
        )
        queue = ctx.Queue()

        def scanner(i):
            try:
                out = _http_scanner(
                    i,
                    base,
                    headers,
                    data["users"][i],
                    data["password"],
                    tokens[i * per : (i + 1) * per],
                    phases,
                    gate,
                    barrier,
                    start,
                )
                queue.put((i, out, None))
            except BaseException as e:  # noqa: BLE001 - reported by the parent
                queue.put((i, None, repr(e)))

        # Forked: the semaphore, barrier and start time are inherited, not pickled.
        procs += [ctx.Process(target=scanner, args=(i,)) for i in range(n)]
        for p in procs:
            p.start()
        try:
            barrier.wait(timeout=600)
            start.value = time.time() + 1.0
            barrier.wait(timeout=60)
        except threading.BrokenBarrierError:
            errors = [queue.get(timeout=60) for _ in range(1)]
            raise SystemExit(f"a scanner failed: {errors}") from None
        marks = []
        for _rate, seconds, off in phases:
            began = start.value + off
            while time.time() < began:
                time.sleep(0.02)
            before = (os.getloadavg()[0], load_bench.server_cpu_seconds(proc.pid))
            while time.time() < began + seconds:
                time.sleep(0.05)
            after = (os.getloadavg()[0], load_bench.server_cpu_seconds(proc.pid))
            marks.append((before, after))
        got = [queue.get(timeout=600) for _ in range(n)]
        for p in procs:
            p.join(timeout=30)
        failed = [e for _, _, e in got if e]
        if failed:
            raise SystemExit(f"scanners failed: {failed[:3]}")
        results = [out for _, out, _ in sorted(got, key=lambda g: g[0])]
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
    for k, (rate, seconds, _) in enumerate(phases):
        flat = [r for scanner in results for r in scanner[k]]
        ok = [r for r in flat if r[2] == 302]
        rec = [r[0] for r in ok]
        shown = [r[1] for r in ok if r[1] is not None]
        (load0, cpu0), (load1, cpu1) = marks[k]
        mode = f"paced {rate:g}/s each" if rate else "closed loop"
        print(
            f"http scans, {n} scanners {mode}, {seconds:.0f} s: {len(flat) / seconds:.1f}/s "
            f"achieved ({n * rate:g}/s asked); recorded (POST) p50 {_pct(rec, 50):.1f} ms, "
            f"p95 {_pct(rec, 95):.1f} ms, p99 {_pct(rec, 99):.1f} ms; with the page shown "
            f"p50 {_pct(shown, 50):.1f}, p95 {_pct(shown, 95):.1f} ms; errors "
            f"{len(flat) - len(ok)}; application CPU {1000 * (cpu1 - cpu0) / max(1, len(flat)):.1f} "
            f"ms a scan; load average {load0:.1f} -> {load1:.1f}",
            flush=True,
        )


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
    parser.add_argument("--http", action="store_true", help="through gunicorn, paced")
    parser.add_argument(
        "--rates",
        type=float,
        nargs="+",
        default=[1, 0],
        help="--http: scans a second per scanner, one phase each (0: closed loop)",
    )
    parser.add_argument("--seconds", type=float, default=30, help="--http: per phase")
    parser.add_argument("--workers", type=int, default=3, help="--http: gunicorn processes")
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
            : args.scanners * (2000 if args.http else args.scans)
        ]
    )
    if args.http:
        http_bench(args, tokens)
        return
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
