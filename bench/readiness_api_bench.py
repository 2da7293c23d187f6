"""The readiness API beside the readiness matrix page, on the same world and the same
queries (docs/readiness.md, "The API"; docs/benchmarks.md, "Readiness API").

The world is bench/readiness_bench.py's (PERSONS persons in cases of 4 under 200
pledges of 10 countries, 20 requirements each, about half ready on D), built in the
database of DATABASE_URL. Each query is timed, with Django's test client as an admin
(the whole request in the server process: SQL, the engine, the audit entries, rendering
or JSON), on the page `/readiness/` (the reference) and on `GET /api/readiness/`, and
the two must list the same persons in the same order.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onward_bench_readiness_api \\
        nice -n 10 .venv/bin/python bench/readiness_api_bench.py [--persons 200000] [--reuse]
"""

import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import readiness_bench as world  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/onward_bench_readiness_api"
ROW = re.compile(rb'<tr data-person="([^"]+)"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=200_000)
    parser.add_argument("--reuse", action="store_true", help="keep the data already built")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    world.setup_django(os.environ.get("DATABASE_URL", DEFAULT_URL))

    from django.test import Client
    from django.test.utils import override_settings

    from onward.accounts import roles
    from onward.accounts.models import User
    from onward.readiness.models import Fact
    from onward.relocation.models import Pledge

    if not args.reuse:
        built = world.build(args.persons)
        print(f"built in {built['total_s']:.0f} s (COPY {built['load_s']:.0f} s)")
    print(f"persons {args.persons:,}; facts {Fact.objects.count():,}; load {os.getloadavg()}")
    user, _ = User.objects.get_or_create(username="bench-admin", defaults={"role": roles.ADMIN})
    client = Client()
    client.force_login(user)
    pledge = Pledge.objects.order_by("pk").first()
    on = world.D.isoformat()
    cases = [
        ("all pledges, page 1", {"on": on}),
        ("all pledges, who can fly on D", {"on": on, "ready": "1"}),
        ("pledge: who can fly on D", {"on": on, "pledge": pledge.pk, "ready": "1"}),
        ("pledge: blocked by visa", {"on": on, "pledge": pledge.pk, "blocked": "visa"}),
        ("pledge: expires within 14 days", {"on": on, "pledge": pledge.pk, "expiring": "1"}),
        ("country ALB: who can fly on D", {"on": on, "country": "ALB", "ready": "1"}),
    ]
    print(f"{'query':36s} {'page (reference)':>22s} {'API':>22s}  persons")
    with override_settings(ALLOWED_HOSTS=["*"], ONWARD_REQUIRE_2FA=False):
        for label, query in cases:
            client.get("/readiness/", query)  # warm
            client.get("/api/readiness/", query)
            page_ms, page_max, page = world._time(
                lambda q=query: client.get("/readiness/", q), args.repeat
            )
            api_ms, api_max, api = world._time(
                lambda q=query: client.get("/api/readiness/", q), args.repeat
            )
            assert page.status_code == 200 and api.status_code == 200, (page, api.content[:300])
            shown = [m.decode() for m in ROW.findall(page.content)]
            answered = [r["person_id"] for r in api.json()["results"]]
            assert shown == answered, (label, shown[:3], answered[:3])
            print(
                f"{label:36s} {page_ms:8.1f} ms (max {page_max:6.1f}) "
                f"{api_ms:8.1f} ms (max {api_max:6.1f})  {len(answered)}"
            )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
