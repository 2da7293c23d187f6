"""The forecast engine at the issue's sizes (issue 23), beside a naive per-case Python loop.

- 3,200 residents (about 1,000 cases), 10,000 runs, 24 months: target < 5 s;
- 1,000,000 residents (about 310,000 cases), 1,000 runs, 24 months: target < 60 s, < 4 GB;
- the same model one case at a time in plain Python (`forecast_engine.simulate_naive`) on
  a small size, timed per case-run-month and extrapolated to both sizes.

Every case is at some step with a pledge of one of 8 countries; the rates are in the
demo's range. Peak memory is the process's maximum resident set (ru_maxrss); the CPU time beside the
wall time shows what the machine's other load took.

    .venv/bin/python bench/forecast_bench.py [--only small|large|naive]
"""

import argparse
import resource
import sys
import time

import numpy as np

sys.path.insert(0, ".")
from onward.reports.forecast_engine import parse, simulate, simulate_naive  # noqa: E402

STEPS = ["identified", "assessed", "submitted", "accepted", "ready"]


def problem(residents: int, runs: int, months: int = 24, seed: int = 1) -> dict:
    rng = np.random.default_rng(seed)
    sizes = rng.choice(
        [1, 2, 3, 4, 5, 6], p=[0.25, 0.2, 0.2, 0.15, 0.12, 0.08], size=int(residents / 3.0) + 1
    )
    sizes = sizes[np.cumsum(sizes) <= residents]
    countries = [f"C{i}" for i in range(8)]
    pledges = [
        {
            "id": f"P{i}",
            "country": c,
            "places": int(residents * 0.06),
            "to_month": 18 if i % 3 == 0 else None,
        }
        for i, c in enumerate(countries)
    ]
    steps = rng.choice(STEPS, p=[0.4, 0.25, 0.2, 0.1, 0.05], size=len(sizes))
    which = rng.integers(0, len(pledges), size=len(sizes))
    cases = [
        {"step": str(s), "persons": int(n), "pledge": f"P{w}"}
        for s, n, w in zip(steps, sizes, which, strict=True)
    ]
    return {
        "months": months,
        "runs": runs,
        "seed": seed,
        "steps": {"identified": 0.15, "assessed": 0.25},
        "countries": {
            c: {"decide": 0.2 + 0.02 * i, "accept": 0.6, "ready": 0.4}
            for i, c in enumerate(countries)
        },
        "pledges": pledges,
        "cases": cases,
        "transfers": {"per_month": 1.5, "seats": max(30, residents // 100)},
        "own_accord": 0.002,
        "death": 0.0003,
        "birth": 0.0015,
        "present": residents,
        # As from the records: every rate drawn per run from the 30 events it was read from.
        "evidence": {
            "transfers": [18, 12],
            "steps": {s: [30, 150] for s in ("identified", "assessed")},
            "countries": {
                c: {"decide": [30, 140], "accept": [18, 30], "ready": [30, 60]} for c in countries
            },
        },
    }


def timed(data: dict) -> tuple[float, float, float, int]:
    pb = parse(data)
    started, cpu = time.perf_counter(), time.process_time()
    paths = simulate(pb)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return seconds, cpu, float(np.median(paths["population"][:, -1])), len(pb.cases)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def naive_per_case_month(residents: int = 320, runs: int = 20, months: int = 24) -> float:
    pb = parse(problem(residents, runs, months))
    started = time.perf_counter()
    simulate_naive(pb)
    return (time.perf_counter() - started) / (len(pb.cases) * runs * months)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", choices=["small", "large", "naive"])
    args = ap.parse_args()
    per = naive_per_case_month() if args.only in (None, "naive") else None
    if per is not None:
        print(f"naive loop: {per * 1e6:.2f} µs per case-run-month")
    for name, residents, runs in (("small", 3_200, 10_000), ("large", 1_000_000, 1_000)):
        if args.only not in (None, name):
            continue
        seconds, cpu, median, cases = timed(problem(residents, runs))
        line = (
            f"{name}: {residents:,} residents ({cases:,} cases) x {runs:,} runs x 24 months:"
            f" {seconds:.2f} s wall ({cpu:.2f} s CPU), median at 24 months {median:,.0f}, peak {peak_mb():,.0f} MB"
        )
        if per is not None:
            naive = per * cases * runs * 24
            line += f"; naive loop extrapolated {naive:,.0f} s ({naive / seconds:,.0f}x)"
        print(line, flush=True)


if __name__ == "__main__":
    main()
