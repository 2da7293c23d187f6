"""Benchmark of ``onward.matching.engine`` against greedy and the whole MILP in HiGHS.

Each method runs in its own subprocess (same generated instance, same seed), so
the peak memory reported (ru_maxrss of that process) is honest: it includes the
instance, the solver and everything the method allocates.

    python bench/match_bench.py --cases 10000 --pledges 100 --milp-cap 60 --resolve
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.match_gen import generate  # noqa: E402
from onward.matching.engine import check, relative_gap, solve  # noqa: E402
from onward.matching.engine.core import build_core  # noqa: E402
from onward.matching.engine.highs import solve_milp  # noqa: E402
from onward.matching.engine.plan import density, greedy_fill, load, value  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_greedy(problem, args) -> dict:
    t0 = time.perf_counter()
    core = build_core(problem, None, None)
    every = np.arange(core.n_pairs)
    assign = greedy_fill(core, np.full(core.n_cases, -1), every, density(core, every))
    return {
        "objective": value(core, assign),
        "bound": None,
        "seconds": time.perf_counter() - t0,
        "plan": assign,
    }


def run_milp(problem, args) -> dict:
    """The whole model, every pair a binary, handed to HiGHS with a time cap."""
    t0 = time.perf_counter()
    core = build_core(problem, None, None)
    ks = np.arange(core.n_pairs)
    chosen, bound, _ = solve_milp(core, ks, np.zeros(len(ks)), args.milp_cap, args.gap)
    assign = np.full(core.n_cases, -1)
    assign[core.pc[chosen]] = core.pp[chosen]
    return {
        "objective": value(core, assign),
        "bound": bound,
        "seconds": time.perf_counter() - t0,
        "plan": assign,
    }


def run_engine(problem, args) -> dict:
    result = solve(problem, time_limit=args.time_limit, gap=args.gap)
    out = {
        "objective": result.objective,
        "bound": result.bound,
        "seconds": result.seconds,
        "plan": result.assignment,
        "status": result.status,
        "lp_seconds": result.stats["lp_seconds"],
        "columns": result.stats["columns"],
        "first_within_0.3%": _first_within(result.stats["history"], result.bound, 0.003),
    }
    if args.resolve:
        out["resolve"] = _resolve(problem, result, args)
    return out


def _first_within(history, final_bound: float, gap: float) -> float | None:
    """Seconds until the plan was first within ``gap`` of the final (proven) bound."""
    for seconds, plan, _ in history:
        if plan >= (1 - gap) * final_bound:
            return round(seconds, 2)
    return None


def _resolve(problem, first, args) -> list[dict]:
    """Re-solve after one forbid and after one lock, warm-started from ``first``."""
    core = build_core(problem, None, None)
    plan = first.assignment
    c = int(np.flatnonzero(plan >= 0)[0])
    runs = [("forbid", None, np.array([[c, plan[c]]]))]
    rem = core.cap - load(core, np.where(core.fixed >= 0, -1, plan))
    for k in np.flatnonzero(plan[core.pc] < 0):  # an unplaced case that fits somewhere
        if (core.use[core.pc[k]] <= rem[core.pp[k]]).all():
            runs.append(("lock", np.array([[core.pc[k], core.pp[k]]]), None))
            break
    else:  # none: lock a placed case onto another pledge with room for it
        for k in np.flatnonzero((plan[core.pc] >= 0) & (plan[core.pc] != core.pp)):
            if (core.use[core.pc[k]] <= rem[core.pp[k]]).all():
                runs.append(("lock", np.array([[core.pc[k], core.pp[k]]]), None))
                break
    out = []
    for what, locks, forbids in runs:
        r = solve(
            problem,
            locks=locks,
            forbids=forbids,
            time_limit=args.resolve_time_limit,
            gap=args.gap,
            warm=first.warm,
        )
        assert check(problem, r.assignment, locks, forbids) == []
        out.append(
            {
                "change": what,
                "seconds": round(r.seconds, 3),
                "gap": r.gap,
                "objective": r.objective,
                "lp_seconds": r.stats["lp_seconds"],
            }
        )
    return out


METHODS = {"greedy": run_greedy, "milp": run_milp, "engine": run_engine}


def worker(args) -> None:
    """One method on the instance; prints its figures as one JSON line."""
    problem = generate(args.cases, args.pledges, seed=args.seed)
    base = peak_mb()
    out = METHODS[args.worker](problem, args)
    plan = out.pop("plan")
    out["feasible"] = check(problem, plan) == []
    out["peak_mb"] = round(peak_mb(), 1)
    out["instance_mb"] = round(base, 1)
    print(json.dumps(out))


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="match_bench")
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--pledges", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=60.0, help="engine time limit")
    ap.add_argument("--milp-cap", type=float, default=60.0, help="time cap of the whole MILP")
    ap.add_argument("--gap", type=float, default=1e-4)
    ap.add_argument("--methods", default="greedy,milp,engine")
    ap.add_argument("--resolve", action="store_true", help="also time warm re-solves")
    ap.add_argument("--resolve-time-limit", type=float, default=20.0)
    ap.add_argument("--worker", choices=sorted(METHODS), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        worker(args)
        return 0
    problem = generate(args.cases, args.pledges, seed=args.seed)
    print(
        f"instance: {args.cases} cases x {args.pledges} pledges, {len(problem.score):,} pairs, "
        f"seed {args.seed}; demand {problem.use.sum(0).tolist()} vs capacity "
        f"{problem.capacity.sum(0).tolist()} {list(problem.dimensions)}",
        flush=True,
    )
    del problem
    rows = {}
    for method in args.methods.split(","):
        cmd = [sys.executable, __file__, *argv, "--worker", method]
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        rows[method] = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"  {method}: {rows[method]}", file=sys.stderr, flush=True)
    _table(rows)
    return 0


def _table(rows: dict[str, dict]) -> None:
    bounds = [r["bound"] for r in rows.values() if r.get("bound") is not None]
    best_bound = min(bounds) if bounds else None
    print(
        f"{'method':8} {'objective':>12} {'bound':>12} {'own gap':>9} {'vs best bound':>13} "
        f"{'seconds':>8} {'peak MB':>8} feasible"
    )
    for name, r in rows.items():
        own = "-" if r["bound"] is None else f"{relative_gap(r['objective'], r['bound']):.4%}"
        vs = "-" if best_bound is None else f"{relative_gap(r['objective'], best_bound):.4%}"
        bound = "-" if r["bound"] is None else f"{r['bound']:.1f}"
        print(
            f"{name:8} {r['objective']:12.1f} {bound:>12} {own:>9} {vs:>13} "
            f"{r['seconds']:8.2f} {r['peak_mb']:8.0f} {r['feasible']}"
        )
    eng = rows.get("engine")
    if eng:
        for name, r in rows.items():
            if name != "engine":
                print(
                    f"engine / {name}: objective x{eng['objective'] / max(r['objective'], 1e-9):.4f}, "
                    f"time x{eng['seconds'] / max(r['seconds'], 1e-9):.2f}"
                )
        print(
            f"engine: plan within 0.3% of its final bound after {eng['first_within_0.3%']} s, "
            f"LP {eng['lp_seconds']} s, {eng['columns']} columns, status {eng['status']}"
        )
        for r in eng.get("resolve", []):
            print(
                f"re-solve after one {r['change']}: {r['seconds']} s (LP {r['lp_seconds']} s), "
                f"gap {r['gap']:.4%}, objective {r['objective']:.1f}"
            )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
