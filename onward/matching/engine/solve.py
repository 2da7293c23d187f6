"""The matching engine: column generation for the bound, a restricted MILP for the plan.

1. A greedy plan over each case's best pairs exists before any LP is solved.
2. Column generation solves the LP relaxation: the master LP holds a subset of
   pair columns; every allowed pair is priced with numpy from the duals and the
   best positive one per case enters, until none is positive. For any prices
   v >= 0, u_c = max(0, max_k s_k - use_c . v_p) makes (u, v) dual feasible, so
   sum(u) + cap . v is a valid upper bound at *every* iteration.
3. The LP solution is rounded (integral columns kept, the rest filled greedily).
4. A MILP over the pairs whose reduced cost is within delta of zero closes the
   gap: a plan using any other pair scores below UB - delta, so the proven bound
   is max(MILP bound, UB - delta), optimal once delta >= UB - incumbent.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from .core import Core, build_core, case_best, dual_bound, profits
from .highs import Master, solve_milp
from .model import UNASSIGNED, Explanation, Problem, Result, WarmStart, relative_gap
from .plan import density, feasible, greedy_fill, pair_of, repair, value

Progress = Callable[[str], None]


class _Search:
    """Incumbent and bound of one solve.

    Invariant: ``assign`` is always a feasible free assignment worth ``lb``, and
    ``ub`` is always a proven upper bound on the optimum (``lb <= ub``).
    """

    def __init__(self, core: Core, t0: float, deadline: float, progress: Progress) -> None:
        self.core, self.t0, self.deadline, self.progress = core, t0, deadline, progress
        self.history: list[tuple[float, float, float]] = []  # (seconds, plan, bound)
        self.assign = np.full(core.n_cases, UNASSIGNED, np.int64)
        self.lb = core.fixed_value
        self.ub = core.fixed_value + float(np.maximum(case_max_score(core), 0).sum())
        self.v = np.zeros_like(core.cap)
        self.v_ub = self.ub  # the dual bound given by self.v (for the rc filter)

    def say(self, message: str) -> None:
        self.history.append((time.perf_counter() - self.t0, self.lb, self.ub))
        self.progress(message)

    def left(self) -> float:
        return self.deadline - time.perf_counter()

    def offer(self, assign: np.ndarray) -> None:
        """Keep ``assign`` (repaired first) if it beats the incumbent."""
        assign = repair(self.core, assign)
        val = value(self.core, assign)
        if val > self.lb + 1e-9:
            self.assign, self.lb = assign, val

    def prices(self, v: np.ndarray) -> np.ndarray:
        """Price all pairs at ``v``; tighten the bound; return the net profits."""
        w = profits(self.core, v)
        ub = dual_bound(self.core, v, case_best(self.core, w))
        if ub < self.ub:
            self.ub, self.v, self.v_ub = ub, v, ub
        return w

    def gap(self) -> float:
        return relative_gap(self.lb, self.ub)


def case_max_score(core: Core) -> np.ndarray:
    return case_best(core, core.s)


def best_per_case(core: Core, w: np.ndarray) -> np.ndarray:
    """Pair index of each case's largest ``w`` (ties to the lowest pledge)."""
    if not core.n_pairs:
        return np.empty(0, np.int64)
    top = np.full(core.n_cases, -np.inf)
    top[core.seg_case] = np.maximum.reduceat(w, core.seg_start)
    hit = np.flatnonzero(w == top[core.pc])
    first = np.ones(len(hit), bool)
    first[1:] = core.pc[hit[1:]] != core.pc[hit[:-1]]
    return hit[first]


def top_pairs(core: Core, per_case: int) -> np.ndarray:
    """The ``per_case`` best-scoring pairs of every case."""
    s = core.s.copy()
    picked = []
    for _ in range(per_case):
        ks = best_per_case(core, s)
        ks = ks[np.isfinite(s[ks])]
        picked.append(ks)
        s[ks] = -np.inf
    return np.concatenate(picked) if picked else np.empty(0, np.int64)


def _start(search: _Search, master: Master, warm: WarmStart | None) -> None:
    """Seed the master with good columns and build the first plan."""
    core = search.core
    cols = top_pairs(core, 3)
    if warm is not None:
        k = core.find(warm.case, warm.pledge)
        cols = np.concatenate((cols, k[k >= 0]))
        search.prices(np.maximum(np.asarray(warm.duals, float), 0.0))
        search.offer(greedy_fill(core, repair(core, warm.assignment), cols, density(core, cols)))
    every = np.arange(core.n_pairs)
    search.offer(greedy_fill(core, search.assign, every, density(core, every)))
    master.add(cols)
    search.say(f"start: {master.cols.size} columns, plan {search.lb:.6g}, bound {search.ub:.6g}")


def column_generation(search: _Search, master: Master, target: float) -> tuple[np.ndarray, bool]:
    """Solve the LP relaxation by pricing; return the last LP x and whether it converged."""
    core = search.core
    eps = 1e-9 * max(1.0, float(np.abs(core.s).max(initial=0.0)))
    x, rounds = np.zeros(0), 0
    while search.left() > 0:
        x, u, v, ok = master.solve(search.left())
        w = search.prices(v)
        rounds += 1
        best = best_per_case(core, w)
        enter = best[(w[best] - u[core.pc[best]] > eps) & ~master.in_master[best]]
        search.say(f"lp round {rounds}: {master.cols.size} columns, bound {search.ub:.6g}, "
                   f"entering {enter.size}")
        if ok and not enter.size:
            return x, True
        if not ok or search.gap() <= target * 0.01:
            return x, ok
        master.add(enter)
    return x, False


def round_lp(search: _Search, master: Master, x: np.ndarray) -> None:
    """Keep the LP's integral columns, fill the rest greedily by net profit."""
    core = search.core
    if not len(x):
        return
    assign = np.full(core.n_cases, UNASSIGNED, np.int64)
    whole = master.cols[x > 1 - 1e-6]
    assign[core.pc[whole]] = core.pp[whole]
    w = profits(core, search.v)
    frac = master.cols[(x > 1e-6) & (x <= 1 - 1e-6)]
    prio = w.copy()
    prio[frac] += np.abs(w).max(initial=0.0) + x[(x > 1e-6) & (x <= 1 - 1e-6)]
    search.offer(greedy_fill(core, assign, np.arange(core.n_pairs), prio))
    search.say(f"rounded: plan {search.lb:.6g}, bound {search.ub:.6g}, gap {search.gap():.3%}")


def close_gap(search: _Search, target: float, max_pairs: int) -> None:
    """Restricted MILPs over pairs with reduced cost >= -delta, delta growing."""
    core = search.core
    rc = profits(core, search.v)
    rc -= case_best(core, rc)[core.pc]  # <= 0 everywhere: dual feasible
    while search.left() > 0.05 and search.gap() > target:
        delta = search.v_ub - search.lb
        keep = np.flatnonzero(rc >= -delta)
        if len(keep) > max_pairs:
            cut = -np.partition(-rc[keep], max_pairs)[max_pairs]
            delta = -cut
            keep = keep[rc[keep] > cut]
        mine = pair_of(core, search.assign)
        ks = np.union1d(keep, mine)
        chosen, bound, solved = solve_milp(core, ks, np.isin(ks, mine), search.left(),
                                           max(target * 0.5, 1e-9))
        assign = np.full(core.n_cases, UNASSIGNED, np.int64)
        assign[core.pc[chosen]] = core.pp[chosen]
        search.offer(assign)
        proven = max(bound + core.fixed_value, search.v_ub - delta, search.lb)
        search.ub = min(search.ub, proven)
        search.say(f"milp over {ks.size} pairs: plan {search.lb:.6g}, bound {search.ub:.6g}, "
                   f"gap {search.gap():.4%}")
        if len(keep) < max_pairs or not solved:
            return
        max_pairs *= 4


def explain(core: Core, plan: np.ndarray, v: np.ndarray) -> Explanation:
    """Per case: its score, the best other pledge and the capacity priced against it."""
    n = core.n_cases
    score = np.where(core.fixed >= 0, core.fixed_score, np.nan)
    free = np.where(core.fixed >= 0, UNASSIGNED, plan)
    mine = pair_of(core, free)
    cases = np.flatnonzero(free >= 0)
    score[cases[mine >= 0]] = core.s[mine[mine >= 0]]
    s = core.s.copy()
    s[mine[mine >= 0]] = -np.inf
    alt = best_per_case(core, s)
    alt = alt[np.isfinite(s[alt])]
    alt_pledge, alt_score = np.full(n, -1), np.full(n, np.nan)
    alt_pledge[core.pc[alt]], alt_score[core.pc[alt]] = core.pp[alt], core.s[alt]
    block_pledge, block_dim, price = np.full(n, -1), np.full(n, -1), np.zeros(n)
    better = alt[~(core.s[alt] <= score[core.pc[alt]])]  # unassigned or a better score
    if len(better):
        charge = core.pu[better] * v[core.pp[better]]
        d = charge.argmax(axis=1)
        priced = charge[np.arange(len(better)), d] > 0
        c, k, d = core.pc[better][priced], better[priced], d[priced]
        block_pledge[c], block_dim[c] = core.pp[k], d
        price[c] = v[core.pp[k], d]
    return Explanation(score, alt_pledge, alt_score, block_pledge, block_dim, price)


def solve(problem: Problem, *, locks: np.ndarray | None = None,
          forbids: np.ndarray | None = None, time_limit: float = 60.0, gap: float = 1e-4,
          warm: WarmStart | None = None, progress: Progress | None = None,
          max_milp_pairs: int | None = None) -> Result:
    """Best assignment of cases to pledges, with a proven bound.

    ``locks`` and ``forbids`` are (n, 2) arrays of (case, pledge) indices. A lock on
    a pair that is not allowed or forbidden, or locks beyond a capacity, raise
    ValueError. The returned plan is always feasible, also when ``time_limit``
    cuts the search short.
    """
    t0 = time.perf_counter()
    core = build_core(problem, locks, forbids)
    search = _Search(core, t0, t0 + time_limit, progress or (lambda _msg: None))
    master = Master(core)
    _start(search, master, warm)
    x, converged = column_generation(search, master, gap)
    if search.gap() > gap:
        round_lp(search, master, x)
    t_lp = time.perf_counter() - t0
    close_gap(search, gap, max_milp_pairs or max(20_000, 2 * problem.n_cases))
    return _result(problem, core, search, master, locks, forbids, t0,
                   {"lp_converged": int(converged), "lp_seconds": round(t_lp, 3),
                    "columns": int(master.cols.size), "pairs": int(core.n_pairs),
                    "history": search.history}, gap)


def _result(problem: Problem, core: Core, search: _Search, master: Master,
            locks: np.ndarray | None, forbids: np.ndarray | None, t0: float,
            stats: dict, target: float) -> Result:
    """Check the plan against the problem itself (never return an infeasible plan)."""
    if not feasible(core, search.assign):  # repair makes this impossible: refuse, never hand out
        raise RuntimeError("engine produced an infeasible plan")
    plan = np.where(core.fixed >= 0, core.fixed, search.assign)
    g = search.gap()
    status = "optimal" if g == 0 else "gap_reached" if g <= target else "time_limit"
    warm = WarmStart(core.pc[master.cols].copy(), core.pp[master.cols].copy(), search.v.copy(),
                     plan.copy())
    return Result(plan, search.lb, search.ub, g, status, time.perf_counter() - t0,
                  explain(core, plan, search.v), search.v, warm, stats)
