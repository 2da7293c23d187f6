"""The matching engine: dual prices for the bound, column generation for the LP,
neighbourhood search and a restricted MILP for the plan.

1. A greedy plan exists before any LP is solved.
2. Dual phase (``dual.py``): for any prices v >= 0, u_c = max(0, max_k s_k -
   use_c . v_p) makes (u, v) dual feasible, so L(v) = sum(u) + cap . v is a valid
   upper bound. A smoothed L is minimised by projected L-BFGS (numpy over all
   pairs); every point evaluated is a proven bound. Skipped on a warm start (its
   prices are used instead).
3. Column generation solves the LP relaxation exactly from those prices: each case
   starts with its best priced pair (no row of its own: a column bound), pricing
   is smoothed towards the best prices, and only cases that need two columns get
   a row, so the master stays small.
4. The LP solution is rounded (integral columns kept, a greedy fill, then a small
   MILP over the other cases in the capacity left).
5. Neighbourhood search: small MILPs over a few pledges at a time (large instances).
6. A MILP over the pairs whose reduced cost is within delta of zero: a plan using
   any other pair scores below UB - delta, so the proven bound is
   max(MILP bound, UB - delta), optimal once delta >= UB - incumbent.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from .core import Core, build_core, case_best, dual_bound, profits
from .dual import minimise
from .highs import Master, solve_milp
from .model import UNASSIGNED, Explanation, Problem, Result, WarmStart, relative_gap
from .plan import density, feasible, fits, greedy_fill, load, pair_of, repair, value
from .repack import repack

Progress = Callable[[str], None]
SMOOTHING = 0.95  # weight of the best prices so far in the pricing point
DUAL_SHARE = 0.3  # at most this share of the time limit for the dual phase
DUAL_ITERS = 80  # L-BFGS iterations per smoothing level
SAMPLE_CASES = 10_000  # larger instances start their prices from a sample of this size
SAMPLE_SHARE = 0.3  # at most this share of the dual phase on the sample
SAMPLE_ITERS = 200  # L-BFGS iterations per smoothing level on the sample
CG_SHARE = 0.6  # at most this share of the time left for column generation
ROUND_DELTA = 0.05  # rounding MILP: pairs within this share of the mean score
ROUND_SECONDS = 10.0  # time cap of the rounding MILP
LNS_PLEDGES = 6  # pledges freed per neighbourhood-search step
LNS_SECONDS = 3.0  # time cap of one step's MILP
LNS_DELTA = 0.1  # neighbourhood: pairs within this share of the mean score (a heuristic)
LNS_MIN_PAIRS = 2_000_000  # below this many pairs the restricted MILP alone closes the gap
# faster (10,000 x 100, five seeds: the gap target reached on 4 of 5 against 3 of 5)
LNS_SHARE = 0.85  # share of the time left after the LP spent in neighbourhood search
MILP_MIN_SECONDS = 3.0  # no restricted MILP with less time left (HiGHS's presolve overruns)
MILP_OVERRUN = 0.7  # HiGHS stops a MILP up to this late: ask it to stop this much earlier
MILP_FACTOR = 2.0  # a restricted MILP needs this many times an LP's seconds per column
REPACK_SHARE = 0.15  # at most this share of the time left for one-pledge repacking
FINISH_PER_PAIR = 4e-8  # seconds per pair kept back for the explanation and the checks


class _Search:
    """Incumbent and bound of one solve.

    Invariant: ``assign`` is always a feasible free assignment worth ``lb``, and
    ``ub`` is always a proven upper bound on the optimum (``lb <= ub``).
    """

    def __init__(self, core: Core, t0: float, deadline: float, progress: Progress) -> None:
        self.core, self.t0, self.deadline, self.progress = core, t0, deadline, progress
        self.budget = deadline - t0
        self.history: list[tuple[float, float, float]] = []  # (seconds, plan, bound)
        self.assign = np.full(core.n_cases, UNASSIGNED, np.int64)
        self.lb = core.fixed_value
        self.ub = core.fixed_value + float(np.maximum(case_max_score(core), 0).sum())
        self.v = np.zeros_like(core.cap)
        self.v_ub = self.ub  # the dual bound given by self.v (for the rc filter)
        self.rate = 0.0  # slowest seconds per column of a HiGHS run so far (for estimates)

    def measured(self, seconds: float, size: int, finished: bool) -> None:
        """A HiGHS run of ``size`` (``milp_size`` for a MILP) took ``seconds``: the rate
        of later estimates.

        Only runs that ended on their own count: one stopped by its time limit says
        how long it was allowed, not how long it needed.
        """
        if finished:
            self.rate = max(self.rate, seconds / max(size, 1))

    def milp_size(self, n_pairs: int) -> int:
        """The size a MILP over ``n_pairs`` is measured by: its columns or its rows.

        A MILP has a row per case, so one over a few hundred pairs (the rounding MILP)
        still costs HiGHS's presolve over every row: counted by columns alone, its
        seconds gave a rate per column 20-40 times too high under load, no restricted
        MILP was started and a 60 s run returned after 5 s at a gap of 0.21%.
        """
        return max(n_pairs, self.core.n_cases + self.core.cap.size)

    def fits(self, n_columns: int, factor: float = MILP_FACTOR) -> bool:
        """Whether a HiGHS model of ``n_columns`` can be solved in the time left."""
        return factor * self.rate * n_columns + MILP_OVERRUN < self.left()

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

    def report(self, v: np.ndarray, exact: float) -> None:
        """A proven bound ``exact`` = L(v) found outside ``prices`` (the dual phase)."""
        if exact < self.ub:
            self.ub, self.v, self.v_ub = exact, v.copy(), exact

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


def _start(search: _Search, master: Master, warm: WarmStart | None, dual_share: float) -> None:
    """A first plan, capacity prices from the dual phase, and the master's first columns."""
    core = search.core
    cols = np.empty(0, np.int64)
    if warm is not None:
        k = core.find(warm.case, warm.pledge)
        cols = k[k >= 0]
        search.prices(np.maximum(np.asarray(warm.duals, float), 0.0))
        search.offer(repair(core, warm.assignment))
    every = np.arange(core.n_pairs)
    search.offer(greedy_fill(core, search.assign, every, density(core, every)))
    search.say(f"greedy plan {search.lb:.6g}, bound {search.ub:.6g}")
    if core.n_pairs and warm is None:  # a warm start brings its prices: no dual phase
        scale = float(np.mean(np.maximum(case_max_score(core)[core.seg_case], 1e-9)))
        taus = [0.02 * scale, 0.006 * scale, 0.002 * scale]
        dual_end = time.perf_counter() + dual_share * search.left()
        v = search.v
        if core.n_cases >= 2 * SAMPLE_CASES:  # prices from a sample first: far cheaper
            end = time.perf_counter() + SAMPLE_SHARE * (dual_end - time.perf_counter())
            v = minimise(
                core.sample(SAMPLE_CASES / core.n_cases),
                v,
                end,
                taus,
                SAMPLE_ITERS,
                lambda _v, _exact: None,
            )
            search.prices(v)
            search.say(f"sample prices: bound {search.ub:.6g}")
            taus = taus[1:]
        minimise(core, v, dual_end, taus, DUAL_ITERS, search.report)
        search.say(f"dual prices: bound {search.ub:.6g}")
    w = profits(core, search.v)
    cols = np.concatenate((cols, best_per_case(core, w)))
    master.add(cols)
    search.say(f"start: {master.cols.size} columns, plan {search.lb:.6g}, bound {search.ub:.6g}")


def column_generation(
    search: _Search,
    master: Master,
    target: float,
    alpha: float = SMOOTHING,
    seconds: float | None = None,
) -> tuple[np.ndarray, bool]:
    """Solve the LP relaxation by pricing; return the last LP x and whether it converged.

    Pricing is stabilised (Wentges smoothing): pairs are priced at
    ``alpha * best prices so far + (1 - alpha) * the master's duals``, which keeps
    the duals from jumping between extreme points (and keeps most cases on one
    column, so without a row of their own). When that point finds no pair, the
    master's own duals are priced (nothing entering then proves optimality) and
    ``alpha`` is halved.
    """
    core = search.core
    eps = 1e-9 * max(1.0, float(np.abs(core.s).max(initial=0.0)))
    x, rounds, last = np.zeros(0), 0, 0.0
    end = time.perf_counter() + (search.left() if seconds is None else seconds)
    # a round not started unless it can end in time (as long as the last one took)
    while search.left() > last and time.perf_counter() < end:
        began = time.perf_counter()
        x, _, v, ok = master.solve(min(search.left(), end - time.perf_counter()))
        search.measured(time.perf_counter() - began, int(master.active.sum()), ok)
        rounds += 1
        if not ok:
            return x, False
        lp = master.objective + core.fixed_value
        enter = np.empty(0, np.int64)
        for a in (alpha, 0.0) if alpha > 0 else (0.0,):
            if search.ub - lp <= 1e-9 * max(1.0, abs(lp)):
                break
            w = search.prices(a * search.v + (1 - a) * v)
            best = best_per_case(core, w)
            enter = best[w[best] - master.case_u(w)[core.pc[best]] > eps]
            if enter.size:
                break
            alpha *= 0.5
        search.say(
            f"lp round {rounds}: {int(master.active.sum())} columns, "
            f"{master.n_rows} rows, lp {lp:.6g}, bound {search.ub:.6g}, "
            f"entering {enter.size}"
        )
        if not enter.size:
            return x, True
        if search.gap() <= target * 0.01:
            return x, ok
        master.add(enter, x)
        last = time.perf_counter() - began
    return x, False


def round_lp(search: _Search, master: Master, x: np.ndarray) -> None:
    """Keep the LP's integral columns; the other cases are placed by a small MILP.

    A greedy fill by net profit gives a plan at once; then a MILP over the cases the
    LP did not place integrally (their pairs with reduced cost within ``ROUND_DELTA``
    of the scores' scale), in the capacity the fixed part leaves, improves it.
    """
    core = search.core
    if not len(x):
        return
    assign = np.full(core.n_cases, UNASSIGNED, np.int64)
    cols = master.cols[: len(x)]  # columns added after that LP solve have no x yet
    whole = cols[x > 1 - 1e-6]
    assign[core.pc[whole]] = core.pp[whole]
    w = profits(core, search.v)
    part = (x > 1e-6) & (x <= 1 - 1e-6)
    prio = w.copy()
    prio[cols[part]] += np.abs(w).max(initial=0.0) + x[part]
    search.offer(greedy_fill(core, assign, np.arange(core.n_pairs), prio))
    search.say(f"rounded: plan {search.lb:.6g}, bound {search.ub:.6g}, gap {search.gap():.3%}")
    if search.left() <= 0.05 or search.gap() <= 0:
        return
    rc = w - case_best(core, w)[core.pc]
    scale = float(np.mean(np.abs(core.s))) if core.n_pairs else 1.0
    free = assign[core.pc] == UNASSIGNED
    rest = core.cap - load(core, assign)
    cand = np.flatnonzero(free & (rc >= -ROUND_DELTA * scale))
    cand = cand[fits(core, cand, rest)]
    mine = pair_of(core, search.assign)
    mine = mine[assign[core.pc[mine]] == UNASSIGNED]
    ks = np.union1d(cand, mine)
    if not len(ks) or not search.fits(search.milp_size(ks.size)):
        return
    began = time.perf_counter()
    chosen, _, solved = solve_milp(
        core,
        ks,
        np.isin(ks, mine),
        min(search.left() - MILP_OVERRUN, ROUND_SECONDS),
        1e-6,
        cap=rest,
        heuristic_effort=0.3,
        deadline=search.deadline,
    )
    search.measured(time.perf_counter() - began, search.milp_size(ks.size), solved)
    plan = assign.copy()
    plan[core.pc[chosen]] = core.pp[chosen]
    search.offer(plan)
    search.say(f"rounding milp over {ks.size} pairs: plan {search.lb:.6g}, gap {search.gap():.4%}")


def repack_plan(search: _Search, target: float) -> None:
    """One-pledge exact knapsacks on the incumbent (``repack.py``) until they stop gaining."""
    if search.gap() <= target or search.left() <= 0.05:
        return
    end = time.perf_counter() + REPACK_SHARE * search.left()
    plan, changed = repack(search.core, search.assign, search.v, end, np.random.default_rng(0))
    search.offer(plan)
    search.say(f"repacked {changed} pledges: plan {search.lb:.6g}, gap {search.gap():.4%}")


def improve(
    search: _Search,
    target: float,
    seconds: float,
    group: int = LNS_PLEDGES,
    small_too: bool = False,
) -> None:
    """Large neighbourhood search: small MILPs over a few pledges at a time.

    Each step frees the cases on ``group`` pledges (and every unplaced case): they may
    take any of their pairs to those pledges whose reduced cost at the prices is
    within ``LNS_DELTA`` of the mean score (and the pairs they hold), or leave; the rest of the plan
    stays. HiGHS solves that small MILP from the incumbent, so a step never loses.
    """
    core = search.core
    if core.n_pairs <= LNS_MIN_PAIRS and not small_too:  # small: the restricted MILP is quicker
        return
    if not core.n_pairs or search.gap() <= target or search.left() <= 0.05:
        return
    end = time.perf_counter() + seconds
    rng = np.random.default_rng(core.n_pairs)
    w = profits(core, search.v)
    rc = w - case_best(core, w)[core.pc]
    scale = float(np.mean(np.abs(core.s)))
    steps, last = 0, 0.0  # last: seconds of the last step (none started that cannot end)
    while time.perf_counter() < end and search.left() > 0.05 and search.gap() > target:
        before, stop = search.lb, False
        for pledges in np.array_split(
            rng.permutation(core.n_pledges), max(1, core.n_pledges // group)
        ):
            left = min(end - time.perf_counter(), search.left())
            if left <= max(0.05, last) or search.gap() <= target:
                stop = True  # out of time (or done) within the sweep: still say where it got
                break
            mark = np.zeros(core.n_pledges, bool)
            mark[pledges] = True
            a = search.assign
            movable = (a == UNASSIGNED) | mark[np.maximum(a, 0)] & (a >= 0)
            delta = min(max(search.ub - search.lb, 1e-9), LNS_DELTA * scale)
            ks = np.flatnonzero(mark[core.pp] & movable[core.pc] & (rc >= -delta))
            mine = pair_of(core, a)
            mine = mine[mark[core.pp[mine]]]
            ks = np.union1d(ks, mine)
            if not len(ks):
                continue
            cap = np.where(mark[:, None], core.cap, 0.0)
            began = time.perf_counter()
            chosen, _, _ = solve_milp(
                core,
                ks,
                np.isin(ks, mine),
                min(left, LNS_SECONDS),
                1e-6,
                cap=cap,
                deadline=search.deadline,
            )
            last = time.perf_counter() - began
            plan = a.copy()
            plan[movable & (a >= 0)] = UNASSIGNED
            plan[core.pc[chosen]] = core.pp[chosen]
            search.offer(plan)
            steps += 1
            if steps % 5 == 0:
                search.say(
                    f"neighbourhood step {steps} ({ks.size} pairs): plan {search.lb:.6g}, "
                    f"gap {search.gap():.4%}"
                )
        search.say(
            f"neighbourhood search ({steps} steps): plan {search.lb:.6g}, gap {search.gap():.4%}"
        )
        if stop or search.lb <= before + 1e-9:  # out of time, or a whole sweep found nothing
            return


def close_gap(search: _Search, target: float, max_pairs: int) -> None:
    """Restricted MILPs over pairs with reduced cost >= -delta, delta growing.

    None is started that cannot end in the time left: the pairs are cut to what the
    rate of the HiGHS runs so far allows (``_Search.fits``), and below the incumbent's
    own pairs plus as many again, the MILP is not started at all.
    """
    core = search.core
    rc = profits(core, search.v)
    rc -= case_best(core, rc)[core.pc]  # <= 0 everywhere: dual feasible
    while search.left() > min(MILP_MIN_SECONDS, 0.2 * search.budget) and search.gap() > target:
        mine = pair_of(core, search.assign)
        room = _pairs_that_fit(search, max_pairs, len(mine))
        if room is None:
            search.say(
                f"no restricted milp: {search.left():.1f} s left, too few for "
                f"{max_pairs} pairs at {search.rate * 1e6:.1f} us per column"
            )
            return
        max_pairs = room
        delta = search.v_ub - search.lb
        keep = np.flatnonzero(rc >= -delta)
        capped = len(keep) > max_pairs
        if capped:
            cut = -np.partition(-rc[keep], max_pairs)[max_pairs]
            delta = -cut
            keep = keep[rc[keep] > cut]
        ks = np.union1d(keep, mine)
        began = time.perf_counter()
        chosen, bound, solved = solve_milp(
            core,
            ks,
            np.isin(ks, mine),
            search.left() - MILP_OVERRUN,
            max(target * 0.5, 1e-9),
            deadline=search.deadline,
            # a plan this good meets the gap target against the bound held now,
            # which the MILP can only lower: no need to wait for HiGHS's own gap
            enough=(1 - 0.999 * target) * search.ub - core.fixed_value if search.ub > 0 else None,
        )
        search.measured(time.perf_counter() - began, search.milp_size(ks.size), solved)
        assign = np.full(core.n_cases, UNASSIGNED, np.int64)
        assign[core.pc[chosen]] = core.pp[chosen]
        search.offer(assign)
        proven = max(bound + core.fixed_value, search.v_ub - delta, search.lb)
        search.ub = min(search.ub, proven)
        search.say(
            f"milp over {ks.size} pairs: plan {search.lb:.6g}, bound {search.ub:.6g}, "
            f"gap {search.gap():.4%}"
        )
        if not capped or not solved:
            return
        max_pairs *= 4


def _pairs_that_fit(search: _Search, max_pairs: int, n_mine: int) -> int | None:
    """``max_pairs``, or fewer so that the MILP ends in time; None if too few are left."""
    if search.fits(search.milp_size(max_pairs + n_mine)):
        return max_pairs
    per_column = MILP_FACTOR * search.rate
    room = int((search.left() - MILP_OVERRUN) / per_column) - n_mine if per_column > 0 else 0
    if room < max(n_mine, 1) or not search.fits(search.milp_size(room + n_mine)):
        return None
    return room


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


def solve(
    problem: Problem,
    *,
    locks: np.ndarray | None = None,
    forbids: np.ndarray | None = None,
    time_limit: float = 60.0,
    gap: float = 1e-4,
    warm: WarmStart | None = None,
    progress: Progress | None = None,
    max_milp_pairs: int | None = None,
    deadline: float | None = None,
) -> Result:
    """Best assignment of cases to pledges, with a proven bound.

    ``locks`` and ``forbids`` are (n, 2) arrays of (case, pledge) indices. A lock on
    a pair that is not allowed or forbidden, or locks beyond a capacity, raise
    ValueError. The returned plan is always feasible, also when ``time_limit``
    cuts the search short.

    ``deadline`` (a ``time.perf_counter()`` instant, e.g. the CLI's start plus its
    limit) replaces ``time_limit`` when given: the result is back by then, the
    explanation included (``FINISH_PER_PAIR``), and no phase runs past it.
    """
    t0 = time.perf_counter()
    end = t0 + time_limit if deadline is None else deadline
    core = build_core(problem, locks, forbids)
    finish = 0.05 + FINISH_PER_PAIR * core.n_pairs
    search = _Search(core, t0, max(end - finish, t0), progress or (lambda _msg: None))
    master = Master(core)
    master.deadline = search.deadline
    _start(search, master, warm, DUAL_SHARE)
    x, converged = column_generation(search, master, gap, seconds=CG_SHARE * search.left())
    if search.gap() > gap:
        round_lp(search, master, x)
    repack_plan(search, gap)
    t_lp = time.perf_counter() - t0
    improve(search, gap, LNS_SHARE * search.left())
    close_gap(search, gap, max_milp_pairs or max(20_000, 2 * problem.n_cases))
    improve(search, gap, search.left(), small_too=True)  # the time no restricted MILP could use
    return _result(
        problem,
        core,
        search,
        master,
        locks,
        forbids,
        t0,
        {
            "lp_converged": int(converged),
            "lp_seconds": round(t_lp, 3),
            "columns": int(master.cols.size),
            "pairs": int(core.n_pairs),
            "history": search.history,
        },
        gap,
    )


def _result(
    problem: Problem,
    core: Core,
    search: _Search,
    master: Master,
    locks: np.ndarray | None,
    forbids: np.ndarray | None,
    t0: float,
    stats: dict,
    target: float,
) -> Result:
    """Check the plan against the problem itself (never return an infeasible plan)."""
    if not feasible(core, search.assign):  # repair makes this impossible: refuse, never hand out
        raise RuntimeError("engine produced an infeasible plan")
    plan = np.where(core.fixed >= 0, core.fixed, search.assign)
    g = search.gap()
    status = "optimal" if g == 0 else "gap_reached" if g <= target else "time_limit"
    support = master.cols[master.x > 1e-9] if len(master.x) == len(master.cols) else master.cols
    warm = WarmStart(core.pc[support].copy(), core.pp[support].copy(), search.v.copy(), plan.copy())
    return Result(
        plan,
        search.lb,
        search.ub,
        g,
        status,
        time.perf_counter() - t0,
        explain(core, plan, search.v),
        search.v,
        warm,
        stats,
    )
