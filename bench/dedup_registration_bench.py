"""Registration-time duplicate check against a registry held in PostgreSQL.

Builds a registry of N synthetic persons (onward.demo.synthetic.iter_persons) with
COPY into the registry tables of a dedicated database, stores a dedup model fitted on a
sample (as a whole-registry run would), then times the app function
``onward.dedup.selectors.likely_matches``: the real registration-time path, with the
index built once from the database and the person lookup query of each call.

    createdb -h 127.0.0.1 -U postgres onward_bench_dedup
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onward_bench_dedup .venv/bin/onward migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onward_bench_dedup \
        .venv/bin/python bench/dedup_registration_bench.py --persons 1000000 --queries 200

The registry is loaded only when the database holds fewer persons than asked
(--reload forces it).  Query persons are re-registrations of random registry persons,
re-spelled with the variant spellings of bench/dedup_variants.py.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onward.settings.base")


def _setup() -> None:
    import django

    django.setup()


def _precision(text: str) -> tuple[str | None, str]:
    if not text:
        return None, ""
    if len(text) == 4:
        return f"{text}-01-01", "Y"
    if len(text) == 7:
        return f"{text}-01", "M"
    return text, "D"


def _esc(v) -> str:
    if v is None:
        return "\\N"
    return str(v).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def load_registry(persons: int, seed: int = 2013) -> float:
    """Empty the registry tables and COPY `persons` synthetic persons in; seconds."""
    from django.db import connection

    from onward.demo.synthetic import iter_persons

    t = time.perf_counter()
    now = "2024-01-01 00:00:00+00"
    with connection.cursor() as cur:
        cur.execute("TRUNCATE registry_person, registry_case RESTART IDENTITY CASCADE")
        cases: dict[str, int] = {}
        case_buf, person_buf = io.StringIO(), io.StringIO()
        for p in iter_persons(seed=seed, persons=persons):
            cid = cases.get(p.case_id)
            if cid is None:
                cid = cases[p.case_id] = len(cases) + 1
                case_buf.write(
                    f"{cid}\t{p.case_id}\topen\t{_esc(p.arrival_date or None)}\t{now}\t{now}\t1\n"
                )
            bd, prec = _precision(p.birth_date)
            person_buf.write(
                "\t".join(
                    _esc(v)
                    for v in (
                        p.person_id,
                        cid,
                        p.relationship,
                        p.given_name,
                        p.family_name,
                        p.father_name,
                        p.sex,
                        bd,
                        prec,
                        p.nationality,
                        p.document_number,
                        p.phone,
                        p.arrival_date or None,
                        None,
                        "",
                        None,
                        "",
                        now,
                        now,
                        1,
                    )
                )
                + "\n"
            )
        case_buf.seek(0)
        person_buf.seek(0)
        raw = cur.cursor  # psycopg 3
        with raw.copy(
            "COPY registry_case (id, case_id, status, arrival_date, created_at, "
            "updated_at, version) FROM STDIN"
        ) as cp:
            cp.write(case_buf.getvalue())
        with raw.copy(
            "COPY registry_person (person_id, case_id, relationship, given_name, "
            "family_name, father_name, sex, birth_date, birth_precision, "
            "nationality, document_number, phone, arrival_date, departure_date, "
            "departure_type, merged_into_id, search_keys, created_at, updated_at, "
            "version) FROM STDIN"
        ) as cp:
            cp.write(person_buf.getvalue())
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('registry_case', 'id'), %s)", [len(cases)]
        )
        cur.execute("ANALYZE registry_person")
    return time.perf_counter() - t


def store_model(sample: int) -> float:
    """Fit a model on a sample of the registry and store it, as dedup_run_registry does
    at the end of a whole-registry run (the full run is bench/dedup_bench.py scale)."""
    from onward.dedup import engine
    from onward.dedup.models import DedupModel
    from onward.dedup.records import registry_dataset

    t = time.perf_counter()
    ds = registry_dataset()
    rng = random.Random(3)
    pick = sorted(rng.sample(range(len(ds)), min(sample, len(ds))))
    rows = [_row(ds, i) for i in pick]
    model = engine.dedup(rows).model
    DedupModel.objects.all().delete()
    DedupModel.objects.create(records=len(rows), parameters=engine.model_to_dict(model))
    return time.perf_counter() - t


def _row(ds, i: int) -> dict:
    names = ds.vocabs.names.strings
    out = {"person_id": ds.person_ids[i]}
    for f in ("given_name", "family_name", "father_name"):
        k = ds.name_norm[f][i]
        out[f] = names[k] if k >= 0 else ""
    codes = ds.vocabs.codes.strings
    out["sex"] = codes[ds.sex[i]] if ds.sex[i] >= 0 else ""
    out["nationality"] = codes[ds.nationality[i]] if ds.nationality[i] >= 0 else ""
    out["document_number"] = ds.vocabs.docs.strings[ds.doc[i]] if ds.doc[i] >= 0 else ""
    out["phone"] = ds.vocabs.phones.strings[ds.phone[i]] if ds.phone[i] >= 0 else ""
    y, m, d = int(ds.year[i]), int(ds.month[i]), int(ds.day[i])
    out["birth_date"] = (
        f"{y:04d}" + (f"-{m:02d}" if m else "") + (f"-{d:02d}" if d else "") if y else ""
    )
    return out


def _variant(name: str, rng: random.Random) -> str:
    """Another attested spelling of the same name (bench/dedup_variants.py lists)."""
    from dedup_variants import FAMILY_IRN, FAMILY_IRQ, FEMALE, MALE

    low = name.lower()
    for fam in MALE + FEMALE + FAMILY_IRN + FAMILY_IRQ:
        if any(v.lower() == low for v in fam):
            return rng.choice(fam)
    return name


def queries(n: int, seed: int = 5) -> list[tuple[str, dict]]:
    """(person_id of the original, form values of a re-registration) for n random persons."""
    from onward.registry.models import Person

    rng = random.Random(seed)
    total = Person.objects.count()
    out = []
    ids = rng.sample(range(1, total + 1), n)
    for p in Person.objects.filter(pk__in=ids):
        birth = ""
        if p.birth_date:
            birth = {"Y": f"{p.birth_date:%Y}", "M": f"{p.birth_date:%Y-%m}"}.get(
                p.birth_precision, p.birth_date.isoformat()
            )
        if birth and len(birth) == 10 and rng.random() < 0.3:
            birth = birth[:4]  # a partial date this time
        out.append(
            (
                p.person_id,
                {
                    "given_name": _variant(p.given_name, rng),
                    "family_name": _variant(p.family_name, rng),
                    "father_name": p.father_name if rng.random() < 0.7 else "",
                    "sex": p.sex,
                    "birth_date": birth,
                    "nationality": p.nationality,
                    "document_number": "",
                    "phone": p.phone if rng.random() < 0.5 else "",
                },
            )
        )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--model-sample", type=int, default=100_000)
    ap.add_argument("--reload", action="store_true")
    args = ap.parse_args(argv)
    _setup()
    from django.contrib.auth import get_user_model

    from onward.accounts import roles
    from onward.dedup import selectors
    from onward.dedup.records import registry_dataset
    from onward.registry.models import Person

    out: dict = {"persons": args.persons}
    if args.reload or Person.objects.count() < args.persons:
        out["load_seconds"] = round(load_registry(args.persons), 1)
    out["registry_persons"] = Person.objects.count()
    out["store_model_seconds"] = round(store_model(args.model_sample), 1)
    t = time.perf_counter()
    ds = registry_dataset()
    out["load_dataset_seconds"] = round(time.perf_counter() - t, 2)
    del ds
    user = get_user_model().objects.filter(
        username="bench-clerk"
    ).first() or get_user_model().objects.create_user(
        username="bench-clerk", password="x" * 16, role=roles.CLERK
    )
    qs = queries(args.queries)
    selectors._index.update(index=None)
    t = time.perf_counter()
    selectors._registry_index()
    out["index_build_seconds"] = round(time.perf_counter() - t, 2)
    times, hits = [], 0
    for pid, form in qs:
        t = time.perf_counter()
        found = selectors.likely_matches(user=user, person=form, k=5)
        times.append((time.perf_counter() - t) * 1000)
        hits += pid in {m["person"].person_id for m in found}
    times.sort()
    out.update(
        {
            "queries": len(times),
            "p50_ms": round(times[len(times) // 2], 1),
            "p95_ms": round(times[int(len(times) * 0.95)], 1),
            "max_ms": round(times[-1], 1),
            "original_in_top5": round(hits / len(times), 3),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }
    )
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
