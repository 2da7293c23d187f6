"""One-pledge repacking (``engine/repack.py``) and the MILP size the time estimates use.

Plain Python: no Django needed (the engine never imports it).
"""

from __future__ import annotations

import importlib
import itertools
import time

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from onward.matching.engine import Problem, check
from onward.matching.engine.core import build_core
from onward.matching.engine.plan import density, feasible, greedy_fill, value
from onward.matching.engine.repack import knapsack, repack

solve_module = importlib.import_module("onward.matching.engine.solve")  # the package shadows it


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 3).flatmap(
        lambda d: st.tuples(
            st.lists(st.lists(st.integers(0, 4), min_size=d, max_size=d), min_size=1, max_size=8),
            st.lists(st.integers(0, 7), min_size=d, max_size=d),
            st.lists(st.floats(-5, 30, allow_nan=False), min_size=8, max_size=8),
        )
    )
)
def test_the_knapsack_is_exact_against_brute_force(inst) -> None:
    uses, room, profits = inst
    use = np.array(uses, np.int64)
    profit = np.array(profits[: len(use)])
    room_a = np.array(room, np.int64)
    chosen = knapsack(use, profit, room_a)
    assert len(set(chosen.tolist())) == len(chosen)
    assert (use[chosen].sum(axis=0) <= room_a).all()
    best = 0.0
    for pick in itertools.product((0, 1), repeat=len(use)):
        sel = np.flatnonzero(pick)
        if (use[sel].sum(axis=0) <= room_a).all():
            best = max(best, float(profit[sel].sum()))
    assert profit[chosen].sum() >= best - 1e-6


def _instance(n_c: int, n_p: int, seed: int) -> Problem:
    rng = np.random.default_rng(seed)
    use = np.stack(
        [rng.integers(1, 6, n_c), rng.integers(0, 2, n_c) * rng.integers(1, 3, n_c)], axis=1
    )
    cap = np.stack([rng.integers(10, 40, n_p), rng.integers(0, 4, n_p)], axis=1)
    allowed = rng.random((n_c, n_p)) < 0.5
    pc, pp = np.nonzero(allowed)
    score = rng.uniform(5, 40, len(pc)) + 2 * use[pc, 0]
    return Problem(use, cap, pc, pp, score)


def test_repacking_never_loses_keeps_every_capacity_and_gains_on_a_greedy_plan() -> None:
    problem = _instance(400, 12, seed=5)
    core = build_core(problem, None, None)
    every = np.arange(core.n_pairs)
    plan = greedy_fill(core, np.full(core.n_cases, -1), every, density(core, every))
    v = np.zeros_like(core.cap)
    better, changed = repack(core, plan, v, time.perf_counter() + 10, np.random.default_rng(0))
    assert feasible(core, better)
    assert check(problem, better) == []
    assert value(core, better) >= value(core, plan) - 1e-9
    assert changed > 0 and value(core, better) > value(core, plan)


def test_repacking_stops_at_its_end() -> None:
    problem = _instance(400, 12, seed=6)
    core = build_core(problem, None, None)
    plan = np.full(core.n_cases, -1)
    same, changed = repack(core, plan, np.zeros_like(core.cap), 0.0, np.random.default_rng(0))
    assert changed == 0 and (same == plan).all()


def test_a_milp_is_sized_by_its_rows_when_they_outnumber_its_columns() -> None:
    # A rounding MILP of 400 pairs has a row per case (3,000 + 40): its seconds spread
    # over 400 columns made the restricted MILP look 7x slower than it is.
    problem = _instance(3000, 20, seed=1)
    core = build_core(problem, None, None)
    t0 = time.perf_counter()
    search = solve_module._Search(core, t0, t0 + 60, lambda _m: None)
    assert search.milp_size(400) == core.n_cases + core.cap.size
    assert search.milp_size(50_000) == 50_000
    search.measured(0.5, search.milp_size(400), True)
    assert search.rate == 0.5 / (core.n_cases + core.cap.size)
    assert search.fits(search.milp_size(20_000))
