"""Benchmark of registry name search (registry/search.py) on PostgreSQL.

1. `load`: a registry of N synthetic persons (onward.demo.synthetic, seed 2013) in a
   fresh database, written with COPY (search keys computed by registry/search.py; the key
   table registry_personnamekey filled by its trigger), the GIN index on the keys built
   after the load;
2. `queries`: the spelling-variant query set bench/search_queries.csv (query, expected
   person id, variant kinds), built from a seeded sample of the same persons: each query
   is the person's given, father's and family name re-spelled the way another clerk
   would (Mohammad/Muhammad/Mohamed, Hossein/Hussein/Husayn, Abdul Rahman/Abd al-Rahman,
   al-/el-, ou/u, ee/i, Arabic script for common names);
3. `run`: every query through the REST API (GET /api/persons/?q=..., in-process Django
   client, session login: parsing, audit entry, count, first page, JSON); latency p50/p95
   and recall (the expected person on the first page, and among all matches).

    .venv/bin/python bench/search_bench.py load --persons 1000000
    .venv/bin/python bench/search_bench.py queries --persons 1000000 --count 400
    .venv/bin/python bench/search_bench.py run
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
# Another database and query file for a small run: BENCH_SEARCH_DB, BENCH_SEARCH_QUERIES.
DB = os.environ.get("BENCH_SEARCH_DB", "onward_bench_search")
QUERIES = Path(os.environ.get("BENCH_SEARCH_QUERIES", ROOT / "bench" / "search_queries.csv"))

# Spelling variants a second clerk would type (whole normalised words).
VARIANTS = {
    "mohammad": ["Muhammad", "Mohamed", "Mohammed", "Muhammed", "Mohamad", "محمد"],
    "hossein": ["Hussein", "Husayn", "Hosein", "Hussain", "حسین"],
    "hassan": ["Hasan", "Hassen", "حسن"],
    "ali": ["Aly", "علی"],
    "ahmad": ["Ahmed", "Ahmet", "احمد"],
    "mahmoud": ["Mahmud", "Mahmood", "محمود"],
    "abdulrahman": ["Abd al-Rahman", "Abdel Rahman", "Abdurrahman", "Abdul Rahman"],
    "abdullah": ["Abd Allah", "Abdallah", "Abdollah"],
    "fatemeh": ["Fatima", "Fatimah", "Fatma", "فاطمه"],
    "zahra": ["Zahraa", "زهرا"],
    "reza": ["Rida", "Ridha", "رضا"],
    "mahdi": ["Mehdi", "مهدی"],
    "yousef": ["Youssef", "Yusuf", "Yousif"],
    "jafar": ["Ja'far", "Jaafar", "جعفر"],
    "maryam": ["Mariam", "Maryem", "مریم"],
    "zeinab": ["Zaynab", "Zainab", "زینب"],
    "ebrahim": ["Ibrahim", "Ebraheem"],
    "mostafa": ["Mustafa", "Moustafa"],
    "morteza": ["Murtada", "Mortaza"],
    "omar": ["Umar", "Omer"],
    "khadijeh": ["Khadija", "Khadidja"],
    "hamid": ["Hameed"],
    "karim": ["Kareem"],
    "rahim": ["Raheem"],
    "said": ["Saeed", "Sa'id"],
    "saeed": ["Said", "Sa'id"],
}
_RULES = [
    ("ou", "u"),
    ("ee", "i"),
    ("ei", "ey"),
    ("ie", "i"),
    ("q", "gh"),
    ("ss", "s"),
    ("mm", "m"),
    ("dh", "z"),
    ("w", "v"),
    ("y", "i"),
]


def _pg_url() -> str:
    return f"{PG}/{DB}"


def _setup_django() -> None:
    os.environ["DATABASE_URL"] = _pg_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onward.settings.base")
    import django

    django.setup()


def load(persons: int) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB}")
        conn.execute(f"CREATE DATABASE {DB}")
    _setup_django()
    from django.core.management import call_command
    from django.db import connection, transaction

    from onward.demo.synthetic import iter_persons
    from onward.registry.models import Person
    from onward.registry.search import search_keys_for
    from onward.vault.fields import blind_index

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        # Built after the load (faster); the key table fills by trigger during the COPY.
        cursor.execute("DROP INDEX IF EXISTS registry_person_search_keys_gin")
        cases: dict[str, int] = {}
        with cursor.cursor.copy(
            "COPY registry_case (id, case_id, status, arrival_date, "
            "created_at, updated_at, version, removed_reason) "
            "FROM STDIN"
        ) as copy:
            for p in iter_persons(seed=2013, persons=persons):
                if p.case_id not in cases:
                    cases[p.case_id] = len(cases) + 1
                    copy.write_row(
                        (
                            cases[p.case_id],
                            p.case_id,
                            "open",
                            p.arrival_date or None,
                            "now",
                            "now",
                            1,
                            "",
                        )
                    )
        with cursor.cursor.copy(
            "COPY registry_person (person_id, case_id, relationship, given_name, "
            "family_name, father_name, sex, birth_date, birth_precision, nationality, "
            "document_number, phone, document_number_bidx, phone_bidx, needs_detail, "
            "arrival_date, departure_type, created_at, updated_at, version, search_keys, "
            "removed_reason) "
            "FROM STDIN"
        ) as copy:
            # Identifiers encrypted and indexed as the import does (onward.vault).
            doc, phone = (Person._meta.get_field(n).encrypt for n in ("document_number", "phone"))
            for p in iter_persons(seed=2013, persons=persons):
                birth, precision = _birth(p.birth_date)
                copy.write_row(
                    (
                        p.person_id,
                        cases[p.case_id],
                        p.relationship,
                        p.given_name,
                        p.family_name,
                        p.father_name,
                        p.sex,
                        birth,
                        precision,
                        p.nationality,
                        doc(p.document_number),
                        phone(p.phone),
                        blind_index(p.document_number, "document"),
                        blind_index(p.phone, "phone"),
                        "",
                        p.arrival_date or None,
                        "",
                        "now",
                        "now",
                        1,
                        search_keys_for(p.given_name, p.family_name, p.father_name),
                        "",
                    )
                )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('registry_case', 'id'), %s)", [len(cases)]
        )
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE INDEX registry_person_search_keys_gin ON registry_person "
            "USING gin ((string_to_array(btrim(search_keys), ' ')))"
        )
        for table in ("registry_person", "registry_case", "registry_personnamekey"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(
        f"loaded {persons:,} persons in {len(cases):,} cases in {loaded:.0f} s; "
        f"GIN index built in {time.perf_counter() - start:.0f} s"
    )


def _birth(text: str):
    import datetime as dt

    if not text:
        return None, ""
    parts = text.split("-")
    precision = {1: "Y", 2: "M", 3: "D"}[len(parts)]
    nums = [int(x) for x in parts] + [1] * (3 - len(parts))
    return dt.date(*nums), precision


def respell(name: str, rng: random.Random) -> tuple[str, str]:
    """Another clerk's spelling of a name, and what changed."""
    from onward.dedup.engine.names import normalise

    words, kinds = [], []
    for word in name.split():
        norm = normalise(word)
        if norm in ("",):
            words.append(word)
            continue
        if norm in VARIANTS and rng.random() < 0.85:
            choice = rng.choice(VARIANTS[norm])
            kinds.append("arabic-script" if "\u0600" <= choice[0] <= "\u06ff" else "variant")
            words.append(choice)
            continue
        if word.lower().startswith(("al-", "el-")) and rng.random() < 0.7:
            words.append(rng.choice(["", "al-", "el-", "Al ", "El"]) + word[3:])
            kinds.append("article")
            continue
        lower = word.lower()
        options = [(a, b) for a, b in _RULES if a in lower[1:]]
        if options and rng.random() < 0.6:
            a, b = rng.choice(options)
            i = lower.index(a, 1)
            lower = lower[:i] + b + lower[i + len(a) :]
            words.append(lower.capitalize())
            kinds.append("respelled")
            continue
        words.append(word)
    return " ".join(words), "+".join(sorted(set(kinds))) or "same"


def build_queries(persons: int, count: int, seed: int = 7) -> None:
    from onward.demo.synthetic import iter_persons

    rng = random.Random(seed)
    sample: list = []
    for i, p in enumerate(iter_persons(seed=2013, persons=persons)):
        if len(sample) < count:
            sample.append(p)
        else:
            j = rng.randrange(i + 1)
            if j < count:
                sample[j] = p
    with open(QUERIES, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["query", "expected_person_id", "variant"])
        for p in sorted(sample, key=lambda p: p.person_id):
            parts, kinds = [], []
            for name in (p.given_name, p.father_name, p.family_name):
                if name:
                    text, kind = respell(name, rng)
                    parts.append(text)
                    kinds.append(kind)
            writer.writerow([" ".join(parts), p.person_id, "/".join(kinds)])
    print(f"wrote {count} queries to {QUERIES}")


def run(page_only: bool = False) -> None:
    _setup_django()
    from django.conf import settings
    from django.test import Client

    from onward.accounts.models import User
    from onward.registry.models import Person
    from onward.registry.search import person_search

    settings.ALLOWED_HOSTS = ["*"]
    user, _ = User.objects.get_or_create(username="bench", defaults={"role": "data_manager"})
    client = Client()
    client.force_login(user)
    with open(QUERIES, encoding="utf-8") as f:
        queries = list(csv.DictReader(f))
    client.get("/api/persons/", {"q": queries[0]["query"]})  # warm up
    times, on_page, anywhere, sizes = [], 0, 0, []
    for q in queries:
        start = time.perf_counter()
        response = client.get("/api/persons/", {"q": q["query"]})
        times.append((time.perf_counter() - start) * 1000)
        data = response.json()
        sizes.append(data["count"])
        ids = {r["person_id"] for r in data["results"]}
        if q["expected_person_id"] in ids:
            on_page += 1
            anywhere += 1
        elif person_search(
            Person.objects.filter(person_id=q["expected_person_id"]), q["query"]
        ).exists():
            anywhere += 1
    times.sort()
    n = len(times)
    print(
        f"{n} queries on {Person.objects.count():,} persons: API p50 "
        f"{statistics.median(times):.1f} ms, p95 {times[int(0.95 * n) - 1]:.1f} ms, "
        f"max {times[-1]:.1f} ms; recall {100 * anywhere / n:.1f}% among all matches, "
        f"{100 * on_page / n:.1f}% on the first page (50); median matches "
        f"{statistics.median(sizes):.0f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("step", choices=("load", "queries", "run"))
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--count", type=int, default=400)
    args = ap.parse_args()
    if args.step == "load":
        load(args.persons)
    elif args.step == "queries":
        build_queries(args.persons, args.count)
    else:
        run()


if __name__ == "__main__":
    main()
