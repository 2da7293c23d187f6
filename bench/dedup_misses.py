"""Missed true pairs of the independent generator, by kind of noise (issue 25).

    .venv/bin/python bench/dedup_misses.py --seed 101 [--show 20] [--kind jan_first]

A true pair is "missed" when its two records end in different clusters. The kinds are read
off the two records (they overlap: a pair may count under several), as in
docs/benchmarks-dedup.md. Also lists the false merges (pairs in one cluster that are not
the same person). For DEVELOPMENT seeds only: never run it on a validation seed.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dedup_bench import group_pair_codes  # noqa: E402
from dedup_independent import generate  # noqa: E402

from onward.dedup.engine import dedup  # noqa: E402


def kinds(a: dict, b: dict) -> list[str]:
    """The kinds of noise that tell two records of one person apart."""
    out = []
    da, db = a["birth_date"], b["birth_date"]
    if da != db:
        ya, yb = da[:4], db[:4]
        if da[5:] == "01-01" or db[5:] == "01-01":
            out.append("jan_first")
        elif ya == yb and da[5:7] == db[8:10] and da[8:10] == db[5:7]:
            out.append("day_month_swapped")
        elif da[5:] == db[5:]:
            out.append("year_off")
        else:
            out.append("date_other")
    ga, fa = a["given_name"].lower(), a["family_name"].lower()
    gb, fb = b["given_name"].lower(), b["family_name"].lower()
    if (ga, fa) != (gb, fb) and (ga == fb or fa == gb or (ga[:3], fa[:3]) == (fb[:3], gb[:3])):
        out.append("swapped_names")
    if any(r[f].isupper() and len(r[f]) > 1 for r in (a, b) for f in ("given_name",)):
        out.append("capitals")
    if bool(a["father_name"]) != bool(b["father_name"]):
        out.append("father_empty")
    if (
        a["document_number"]
        and b["document_number"]
        and a["document_number"] != b["document_number"]
    ):
        out.append("doc_differs")
    if not out:
        out.append("names_only")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=101)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--show", type=int, default=0, help="print this many missed pairs")
    ap.add_argument("--kind", help="print only missed pairs of this kind")
    ap.add_argument("--false", type=int, default=0, help="print this many false merges")
    a = ap.parse_args(argv)
    rows, ents = generate(a.n, a.seed)
    res = dedup(rows)
    n = len(rows)
    true = group_pair_codes(np.asarray(ents))
    got = group_pair_codes(np.asarray(res.clusters))
    missed = np.setdiff1d(true, got)
    false = np.setdiff1d(got, true)
    cand = res.ia.astype(np.int64) * n + res.ib
    prob = dict(zip(cand.tolist(), res.probability.tolist(), strict=True))
    total, miss = Counter(), Counter()
    missed_set = set(missed.tolist())
    shown = 0
    fields = ("given_name", "family_name", "father_name", "birth_date", "sex", "document_number")
    for code in true.tolist():
        i, j = divmod(code, n)
        ks = kinds(rows[i], rows[j])
        total.update(ks)
        if code in missed_set:
            miss.update(ks)
            if shown < a.show and (not a.kind or a.kind in ks):
                shown += 1
                p = prob.get(code)
                print(f"MISS p={p if p is None else round(p, 3)} {ks}")
                for r in (rows[i], rows[j]):
                    print("   ", " | ".join(str(r[f]) for f in fields))
    print(f"P/R: {1 - len(false) / max(len(got), 1):.4f} / {1 - len(missed) / len(true):.4f}")
    for k in sorted(total, key=lambda k: -miss[k]):
        print(f"{k:20s} {miss[k]:4d} / {total[k]:4d}  {miss[k] / total[k]:.2f}")
    for code in false[: a.false].tolist():
        i, j = divmod(code, n)
        print(f"FALSE p={prob.get(code)}")
        for r in (rows[i], rows[j]):
            print("   ", " | ".join(str(r[f]) for f in fields))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
