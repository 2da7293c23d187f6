"""Blocking recall alone (no scoring) on the independent generator, and why true pairs are
not candidates: which keys a missed pair shares (then a big block's window dropped it) or
none at all.  For developing blocking on ONE seed (101); measure on others with
bench/dedup_independent.py.

    .venv/bin/python bench/dedup_blocking.py --seed 101 --n 1000000 [--show 30]
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv: list[str] | None = None) -> int:
    import dedup_bench
    import dedup_independent
    import numpy as np

    from onward.dedup.engine import blocking
    from onward.dedup.engine.prepare import prepare

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=101)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    t = time.perf_counter()
    rows, ents = dedup_independent.generate(a.n, a.seed)
    ds = prepare(rows)
    print(f"generate+prepare {time.perf_counter() - t:.1f} s", flush=True)
    t = time.perf_counter()
    ia, ib = blocking.candidate_pairs(ds)
    print(f"blocking {time.perf_counter() - t:.1f} s, {len(ia):,} pairs", flush=True)
    n = len(rows)
    cand = ia.astype(np.int64) * n + ib
    true = dedup_bench.group_pair_codes(np.asarray(ents))
    hit = dedup_bench._contains(cand, true)
    print(f"blocking recall {hit.mean():.4f} ({(~hit).sum()} of {len(true)} missed)")
    miss = true[~hit]
    mi, mj = miss // n, miss % n
    keys = blocking.blocking_keys(ds)

    def same(code, i, j):
        """Whether records i and j share a code of this key (any column with any)."""
        ci, cj = code[i].reshape(len(i), -1), code[j].reshape(len(j), -1)
        eq = (ci[:, :, None] >= 0) & (ci[:, :, None] == cj[:, None, :])
        return eq.any(axis=(1, 2))

    shared = collections.Counter()
    any_shared = np.zeros(len(miss), bool)
    for name, code in keys.items():
        s = same(code, mi, mj)
        shared[name] = int(s.sum())
        any_shared |= s
    none = int((~any_shared).sum())
    print(
        f"missed pairs sharing no key: {none}; sharing a key (window dropped): {len(miss) - none}"
    )
    for name, c in shared.most_common():
        flat = blocking.flat_codes(keys[name])[0]
        sizes = np.bincount(np.unique(flat[flat >= 0], return_inverse=True)[1])
        print(
            f"  {name:16s} shared by {c:5d} missed; blocks > {blocking.MAX_BLOCK}: "
            f"{(sizes > blocking.MAX_BLOCK).sum()}, largest {sizes.max() if len(sizes) else 0}"
        )
    for k in range(min(a.show, len(miss))):
        i, j = int(mi[k]), int(mj[k])
        ii, jj = np.array([i]), np.array([j])
        tag = "shares " + ",".join(n_ for n_, c in keys.items() if same(c, ii, jj)[0])
        print(tag if any_shared[k] else "NO KEY")
        for r in (rows[i], rows[j]):
            print(
                "   ",
                r["given_name"],
                "|",
                r["family_name"],
                "|",
                r["father_name"],
                "|",
                r["birth_date"],
                r["sex"],
                r["document_number"],
                r["phone"],
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
