"""Throughput on loopback: N signed-in clients for S seconds over the main pages and the API.

    # once per database: bench users (data managers with a TOTP device) and a sample of ids
    .venv/bin/python bench/load_bench.py setup --users 100
    # then, against a server already running (the demo's, or gunicorn's):
    .venv/bin/python bench/load_bench.py run --base http://127.0.0.1:8000 --clients 20
    # or let the bench start the server, load it, and stop it (gunicorn: with the
    # production settings' environment: DATABASE_URL, SECRET_KEY, ONWARD_FIELD_KEYS_FILE,
    # ONWARD_DATA_DIR; the demo: its own SQLite data in ONWARD_DATA_DIR):
    .venv/bin/python bench/load_bench.py serve --server gunicorn --workers 5 --clients 20 100
    .venv/bin/python bench/load_bench.py serve --server demo --clients 20 100

Each client signs in as its own user (password, then the TOTP code when the server asks),
then requests the pages of `MIX` in a shuffled loop with no pause, one at a time, for the
duration. It reports requests/s, p50/p95/p99 overall and per page, the errors (anything
but 200, or no answer in 30 s), and the load average of the machine before and after
(other people's work shares the cores: docs/benchmarks.md says what else was running).

Bounded: every request has a 30 s timeout, the run stops at its duration, and the
servers this script starts are stopped whatever happens. Loopback only.
The run phase needs only the standard library (it is not the server's Python's work
that is measured, but its own CPU shares the machine: it is a few per cent of the
server's at these rates).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import random
import re
import signal
import statistics
import struct
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = ROOT / "var" / "load-bench-users.json"
PASSWORD = "bench-load-password-2026"

# The main pages a member of staff opens, and the API calls a script makes.
MIX = {
    "home": "/",
    "persons": "/persons/",
    "search": "/persons/?q={name}",
    "person": "/persons/{person}/",
    "cases": "/cases/",
    "case": "/cases/{case}/",
    "dashboard": "/reports/",
    "population": "/population/",
    "pledges": "/relocation/pledges/",
    "api_persons": "/api/persons/?page={page}",
    "api_person": "/api/persons/{person}/",
    "api_case": "/api/cases/{case}/",
}


# -- setup (Django) ----------------------------------------------------------------------


def setup(args) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onward.settings.base")
    import django

    django.setup()
    from onward.accounts import roles
    from onward.accounts.models import AuthenticatorDevice, User
    from onward.registry.models import Case, Person

    users = []
    for i in range(1, args.users + 1):
        name = f"bench_{i:03d}"
        user = User.objects.filter(username=name).first()
        if user is None:
            user = User.objects.create_user(
                username=name, password=PASSWORD, role=roles.DATA_MANAGER
            )
        # Onward's own device model (its secret encrypted with the field keys).
        device = AuthenticatorDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = AuthenticatorDevice.objects.create(user=user, name="bench", confirmed=True)
        users.append({"username": name, "secret": base64.b32encode(device.bin_key).decode()})
    rng = random.Random(2026)
    persons = list(
        Person.objects.filter(merged_into__isnull=True, removed_at__isnull=True).values_list(
            "person_id", "family_name"
        )
    )
    cases = list(Case.objects.values_list("case_id", flat=True))
    sample = rng.sample(persons, min(300, len(persons)))
    data = {
        "users": users,
        "password": PASSWORD,
        "persons": [p for p, _ in sample],
        "names": sorted({n for _, n in sample if n}),
        "cases": rng.sample(cases, min(300, len(cases))),
        "pages": max(1, len(persons) // 50),
    }
    path = Path(args.file)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))
    path.chmod(0o600)
    print(
        f"{len(users)} bench users, {len(data['persons'])} persons and "
        f"{len(data['cases'])} cases sampled: {path}"
    )


# -- the clients (standard library only) -------------------------------------------------


def totp(secret: str, at: float) -> str:
    key = base64.b32decode(secret)
    digest = hmac.new(key, struct.pack(">Q", int(at // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**6:06d}"


class Client:
    def __init__(self, base: str, headers: dict[str, str]):
        self.base = urllib.parse.urlsplit(base)
        self.headers = headers
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.timeout = 30
        # What a form's Origin is in the browser: the public name behind the proxy.
        self.origin = (
            f"https://{headers['Host']}"
            if "X-Forwarded-Proto" in headers
            else f"http://{self.base.netloc}"
        )

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(
                self.base.hostname, self.base.port, timeout=self.timeout
            )
        return self.conn

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {"Accept-Encoding": "gzip", **self.headers}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"], headers["Referer"] = self.origin, self.origin + path
        for attempt in (1, 2):
            try:
                conn = self._connection()
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError, OSError):
                self.close()
                if attempt == 2:
                    raise
        self.last_headers = response.headers
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        for line in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = line.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location", ""), data

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _form_token(self, path: str) -> re.Match:
        status, _, page = self.request("GET", path)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', _plain(page))
        if token is None:  # e.g. 400 when the server's ALLOWED_HOSTS lacks 127.0.0.1
            raise RuntimeError(f"no sign-in form at {path} ({status}): see the server's log")
        return token

    def sign_in(self, username: str, password: str, secret: str) -> None:
        token = self._form_token("/login/")
        status, location, _ = self.request(
            "POST",
            "/login/",
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "username": username,
                "password": password,
            },
        )
        if status != 302:
            raise RuntimeError(f"{username}: password refused ({status})")
        status, location, _ = self.request("GET", "/persons/")
        if status == 200:
            return  # no second factor asked (the demo server)
        for _ in range(3):
            token = self._form_token("/account/two-factor/")
            status, location, _ = self.request(
                "POST",
                "/account/two-factor/",
                {
                    "csrfmiddlewaretoken": token.group(1).decode(),
                    "next": "/",
                    "otp_token": totp(secret, time.time()),
                },
            )
            if status == 302:
                return
            time.sleep(31)  # this time step's code was used already: wait for the next
        raise RuntimeError(f"{username}: TOTP code refused")


def _plain(data: bytes) -> bytes:
    import gzip

    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def run_clients(base: str, n: int, seconds: float, data: dict, headers: dict, cpu=None) -> dict:
    users = data["users"]
    if n > len(users):
        raise SystemExit(f"{n} clients but {len(users)} bench users: run setup --users {n}")
    clients = [Client(base, headers) for _ in range(n)]
    failures: list[str] = []

    # Two sign-ins at a time, unhurried: a password check is ~0.5 s of one core by design
    # (PBKDF2), and the sign-ins are not what is measured.
    gate = threading.Semaphore(2)

    def sign_in(i):
        with gate:
            try:
                clients[i].timeout = 180
                clients[i].sign_in(users[i]["username"], data["password"], users[i]["secret"])
            except Exception as e:  # noqa: BLE001 - reported, and the run stops
                failures.append(f"{users[i]['username']}: {e}")
            finally:
                clients[i].timeout = 30
                clients[i].close()

    threads = [threading.Thread(target=sign_in, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise SystemExit("sign-in failed: " + "; ".join(failures[:5]))

    results: list[list[tuple[str, float, int]]] = [[] for _ in range(n)]
    start = threading.Event()
    deadline = [0.0]

    def work(i):
        rng = random.Random(i)
        names = list(MIX)
        start.wait()
        while time.monotonic() < deadline[0]:
            rng.shuffle(names)
            for name in names:
                if time.monotonic() >= deadline[0]:
                    break
                path = MIX[name].format(
                    person=rng.choice(data["persons"]),
                    case=rng.choice(data["cases"]),
                    name=urllib.parse.quote(rng.choice(data["names"])),
                    page=rng.randint(1, data["pages"]),
                )
                t0 = time.monotonic()
                try:
                    status, _, _ = clients[i].request("GET", path)
                except Exception:  # noqa: BLE001 - a request with no answer is an error
                    status = 0
                results[i].append((name, time.monotonic() - t0, status))

    workers = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in workers:
        t.start()
    print(f"  {n} clients signed in; measuring for {seconds:.0f} s", flush=True)
    load_before = os.getloadavg()
    cpu_before = cpu() if cpu else None
    began = time.monotonic()
    deadline[0] = began + seconds
    start.set()
    for t in workers:
        t.join()
    elapsed = time.monotonic() - began
    cpu_used = cpu() - cpu_before if cpu else None
    for c in clients:
        c.close()
    flat = [r for rs in results for r in rs]
    out = summarise(flat, elapsed, n, load_before, os.getloadavg())
    if cpu_used is not None and flat:
        # The application's own CPU per request (the database's is not in it): what
        # sets the throughput of a machine that is not shared.
        out["server_cpu_ms_per_request"] = 1000 * cpu_used / len(flat)
    return out


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def summarise(flat, elapsed, n, load_before, load_after) -> dict:
    ok = [d for _, d, s in flat if s == 200]
    pages = {}
    for name in MIX:
        times = [d for k, d, s in flat if k == name and s == 200]
        pages[name] = {
            "n": len(times),
            "p50_ms": 1000 * _pct(times, 50),
            "p95_ms": 1000 * _pct(times, 95),
        }
    errors: dict[str, int] = {}
    for name, _, status in flat:
        if status != 200:
            errors[f"{name}:{status}"] = errors.get(f"{name}:{status}", 0) + 1
    return {
        "clients": n,
        "seconds": round(elapsed, 1),
        "requests": len(flat),
        "rps": len(flat) / elapsed,
        "p50_ms": 1000 * _pct(ok, 50),
        "p95_ms": 1000 * _pct(ok, 95),
        "p99_ms": 1000 * _pct(ok, 99),
        "mean_ms": 1000 * statistics.fmean(ok) if ok else float("nan"),
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "pages": pages,
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
    }


def report(label: str, r: dict) -> None:
    print(
        f"\n{label}: {r['clients']} clients, {r['seconds']} s, load average "
        f"{r['load_before'][0]:.1f} before, {r['load_after'][0]:.1f} after"
    )
    print(
        f"  {r['requests']} requests, {r['rps']:.1f}/s; p50 {r['p50_ms']:.0f} ms, "
        f"p95 {r['p95_ms']:.0f} ms, p99 {r['p99_ms']:.0f} ms; errors {r['errors']} "
        f"{r['error_kinds'] or ''}"
    )
    if "server_cpu_ms_per_request" in r:
        print(
            f"  server CPU {r['server_cpu_ms_per_request']:.0f} ms per request "
            "(the application's processes; the database's not counted)"
        )
    print(
        "  "
        + "  ".join(f"{k} {v['p50_ms']:.0f}/{v['p95_ms']:.0f}" for k, v in r["pages"].items())
        + "   (page p50/p95 ms)"
    )


def server_cpu_seconds(pgid: int) -> float:
    """CPU time (user + system) of a server's process group: the processes alive now, and
    the workers their parents already reaped (children's times). Linux /proc only."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # field 5, pgrp, counted after the ")"
            total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return total / tick


def run(args) -> list[dict]:
    data = json.loads(Path(args.file).read_text())
    headers = {}
    if args.proxy_header:
        # As the TLS proxy would: the request came over HTTPS, for the public name.
        headers = {"X-Forwarded-Proto": "https", "Host": "localhost"}
    out = []
    for n in args.clients:
        r = run_clients(
            args.base,
            n,
            args.seconds,
            data,
            headers,
            cpu=(lambda: server_cpu_seconds(args.server_pgid))
            if getattr(args, "server_pgid", None)
            else None,
        )
        report(args.label or args.base, r)
        out.append(r)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))
    return out


# -- starting a server -------------------------------------------------------------------


def _wait(port: int, proc: subprocess.Popen, what: str) -> None:
    for _ in range(600):
        if proc.poll() is not None:  # e.g. the port was taken after all
            raise SystemExit(f"{what} stopped (exit {proc.returncode})")
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/login/")
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{what} did not answer on port {port}")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(args) -> None:
    venv = Path(sys.executable).parent
    args.port = args.port or _free_port()  # never another server's (the machine is shared)
    env = dict(os.environ)
    if args.server == "demo":
        cmd = [str(venv / "onward"), "demo", "--port", str(args.port)]
        env.setdefault("DJANGO_SETTINGS_MODULE", "onward.settings.base")
        label = "demo server (onward demo: waitress, 1 process, 8 threads)"
        args.proxy_header = False
    else:
        env["DJANGO_SETTINGS_MODULE"] = "onward.settings.production"
        env.setdefault("ALLOWED_HOSTS", "localhost")
        subprocess.run(
            [str(venv / "onward"), "collectstatic", "--noinput", "-v0"], env=env, check=True
        )
        cmd = [
            str(venv / "gunicorn"),
            "-c",
            "python:onward.deploy.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--access-logfile",
            "/dev/null",
        ]
        label = f"production server (gunicorn, {args.workers} sync workers)"
        args.proxy_header = True
    log = open(ROOT / "var" / f"load-bench-{args.server}.log", "w")
    print(f"{label}: log in {log.name}")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=log, start_new_session=True)
    try:
        _wait(args.port, proc, args.server)
        args.base, args.label = f"http://127.0.0.1:{args.port}", label
        args.server_pgid = proc.pid  # start_new_session: the server leads its group
        run(args)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("setup", help="bench users and a sample of ids, in DATABASE_URL")
    p.add_argument("--users", type=int, default=100)
    p.add_argument("--file", default=str(DEFAULT_FILE))
    for name in ("run", "serve"):
        p = sub.add_parser(name)
        p.add_argument("--clients", type=int, nargs="+", default=[20, 100])
        p.add_argument("--seconds", type=float, default=60)
        p.add_argument("--file", default=str(DEFAULT_FILE))
        p.add_argument("--json", help="also write the figures to this file")
        if name == "run":
            p.add_argument("--base", required=True)
            p.add_argument("--label", default="")
            p.add_argument(
                "--proxy-header",
                action="store_true",
                help="send X-Forwarded-Proto: https as the TLS proxy does",
            )
        else:
            p.add_argument("--server", choices=("demo", "gunicorn"), required=True)
            p.add_argument("--workers", type=int, default=5)
            p.add_argument("--port", type=int, default=0, help="default: a free one")
    args = parser.parse_args(argv)
    {"setup": setup, "run": run, "serve": serve}[args.command](args)


if __name__ == "__main__":
    main()
