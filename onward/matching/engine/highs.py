"""HiGHS models: the restricted master LP and the restricted MILP.

MILP rows: one per case (sum of its pairs <= 1), then one per (pledge, dimension)
(use of its pairs <= capacity), in that order. The master LP has the capacity rows
first and a row only for the cases that hold two or more columns (see ``Master``).
"""

from __future__ import annotations

import os
import sys
import time

import highspy
import numpy as np

from .core import Core

MAX_SWAPS = 3  # a case that keeps changing pledge gets a row and keeps its columns
STOP_GRACE = 0.3  # seconds HiGHS gets, once interrupted, to reach its next check


def run_until(h: highspy.Highs, deadline: float | None) -> bool:
    """Run ``h``; stop it at ``deadline`` (a ``time.perf_counter()`` instant) in any phase.

    HiGHS's own ``time_limit`` is checked only at some points (a restricted MILP of
    100,000 pairs was seen returning 70 s after it), so it runs in a thread of its
    own, is interrupted at the deadline (a callback on its simplex and MIP checks)
    and, if it still runs ``STOP_GRACE`` later, is left behind: its thread ends on
    its own time limit and ``h`` must not be used again. True if it finished.
    """
    if deadline is None:
        h.run()
        return True
    h.HandleUserInterrupt = True
    h.startSolve()
    done = h.wait(max(deadline - time.perf_counter(), 0.0))[0]
    if not done:
        h.cancelSolve()
        done = h.wait(STOP_GRACE)[0]
    return bool(done)


_banner_shown = False


def new_highs() -> highspy.Highs:
    """A silent HiGHS instance; its one-time banner goes to stderr, never stdout."""
    global _banner_shown
    if _banner_shown:
        h = highspy.Highs()
    else:
        # HiGHS prints a banner on fd 1 when the first instance is created: stdout
        # belongs to the CLI's JSON, so point fd 1 at stderr for that moment.
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            os.dup2(2, 1)
            h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _banner_shown = True
    h.silent()
    h.setOptionValue("threads", 1)
    return h


def columns(core: Core, ks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Column-wise sparse entries (starts, rows, values) of pair columns ``ks``."""
    n_c, n_d = core.n_cases, core.cap.shape[1]
    rows = np.empty((len(ks), 1 + n_d), np.int32)
    vals = np.empty((len(ks), 1 + n_d))
    rows[:, 0] = core.pc[ks]
    vals[:, 0] = 1.0
    rows[:, 1:] = n_c + core.pp[ks, None] * n_d + np.arange(n_d)
    vals[:, 1:] = core.pu[ks]
    nz = vals != 0
    starts = np.concatenate(([0], np.cumsum(nz.sum(axis=1))[:-1])).astype(np.int32)
    return starts, rows[nz], vals[nz]


def row_upper(core: Core) -> np.ndarray:
    return np.concatenate((np.ones(core.n_cases), core.cap.ravel()))


class Master:
    """The restricted master LP over a growing set of pair columns.

    Rows: one per (pledge, dimension) capacity, then one per case that holds two or
    more columns. A case with a single column needs no row of its own: its
    "at most one pledge" is that column's upper bound of 1. Most cases keep one
    column (their best priced pair), so the LP has a few thousand rows instead of
    one per case, and HiGHS's iterations are cheap.

    Invariant: ``cols`` lists the pair index of every LP column, in column order,
    ``in_master`` marks them, ``active`` says which are enabled (upper bound 1, not 0);
    ``row_of[c]`` is case c's row (-1 if it has none) and a case without a row has at
    most one active column (``single[c]``, -1 if none).
    """

    def __init__(self, core: Core) -> None:
        self.core = core
        self.h = new_highs()
        n_rows = core.cap.size
        self.h.addRows(
            n_rows,
            np.full(n_rows, -highspy.kHighsInf),
            core.cap.ravel(),
            0,
            np.zeros(n_rows, np.int32),
            np.empty(0, np.int32),
            np.empty(0),
        )
        self.h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self.h.setOptionValue("simplex_strategy", 4)  # primal: columns enter at 0, stays feasible
        self.cols = np.empty(0, np.int64)
        self.in_master = np.zeros(core.n_pairs, bool)
        self.row_of = np.full(core.n_cases, -1, np.int64)
        self.single = np.full(core.n_cases, -1, np.int64)
        self.swaps = np.zeros(core.n_cases, np.int32)
        self.col_of = np.full(core.n_pairs, -1, np.int64)
        self.active = np.empty(0, bool)
        self.n_rows = n_rows
        self.objective = -np.inf
        self.x = np.zeros(0)
        self.deadline: float | None = None  # HiGHS is stopped here (set by the search)
        self.abandoned = False  # a solve outran the deadline: ``h`` is no longer usable

    def add(self, ks: np.ndarray, x: np.ndarray | None = None) -> int:
        """Bring pairs ``ks`` into the LP; return how many.

        A case without a row whose only column is not fractional in the last LP
        solution (``x``) and that gets one new pair *swaps*: the old column's upper
        bound drops to 0 (it stays in the LP, disabled) and the new one enters, so
        no row is needed. A case whose column is fractional, that gets several
        pairs, or that has swapped ``MAX_SWAPS`` times gets a row and keeps its
        columns.
        """
        core = self.core
        ks = np.unique(ks)
        if not len(ks):
            return 0
        cases = core.pc[ks]
        multi = np.bincount(cases, minlength=core.n_cases)[cases] > 1
        old = self.single[cases]
        if x is None or len(x) != len(self.cols):
            x = np.zeros(len(self.cols))
        xo = x[np.maximum(old, 0)] if len(x) else np.zeros(len(ks))
        whole = xo <= 1e-9  # a column at 1 stays (dropping it would lose its value)
        swap = (old >= 0) & whole & ~multi & (self.swaps[cases] < MAX_SWAPS)
        if swap.any():
            self._set_active(old[swap], False)
            self.swaps[cases[swap]] += 1
            self.single[cases[swap]] = -1
        need_row = ((old >= 0) & ~swap) | (multi & (self.row_of[cases] < 0))
        if need_row.any():
            self._add_case_rows(np.unique(cases[need_row]))
        back = self.in_master[ks]  # disabled by an earlier swap: enable again
        if back.any():
            cols = self.col_of[ks[back]]
            self._set_active(cols, True)
            lone = self.row_of[core.pc[ks[back]]] < 0
            self.single[core.pc[ks[back]][lone]] = cols[lone]
        ks = ks[~back]
        n = len(ks)
        if n:
            first_col = len(self.cols)
            starts, rows, vals = self._entries(ks)
            self.h.addCols(n, core.s[ks], np.zeros(n), np.ones(n), len(rows), starts, rows, vals)
            lone = self.row_of[core.pc[ks]] < 0
            self.single[core.pc[ks[lone]]] = first_col + np.flatnonzero(lone)
            self.col_of[ks] = first_col + np.arange(n)
            self.cols = np.concatenate((self.cols, ks))
            self.active = np.concatenate((self.active, np.ones(n, bool)))
            self.in_master[ks] = True
        return n + int(back.sum())

    def _set_active(self, cols: np.ndarray, on: bool) -> None:
        if not len(cols):
            return
        n = len(cols)
        self.h.changeColsBounds(
            n, cols.astype(np.int32), np.zeros(n), np.full(n, 1.0 if on else 0.0)
        )
        self.active[cols] = on

    def _add_case_rows(self, cases: np.ndarray) -> None:
        """A row "at most one pledge" for each case, over all its columns (also disabled)."""
        mine = np.flatnonzero(np.isin(self.core.pc[self.cols], cases))
        order = np.argsort(self.core.pc[self.cols[mine]], kind="stable")
        mine = mine[order]
        count = np.bincount(
            np.searchsorted(cases, self.core.pc[self.cols[mine]]), minlength=len(cases)
        )
        starts = np.concatenate(([0], np.cumsum(count)[:-1])).astype(np.int32)
        n = len(cases)
        self.h.addRows(
            n,
            np.full(n, -highspy.kHighsInf),
            np.ones(n),
            len(mine),
            starts,
            mine.astype(np.int32),
            np.ones(len(mine)),
        )
        self.row_of[cases] = self.n_rows + np.arange(n)
        self.n_rows += n
        self.single[cases] = -1

    def _entries(self, ks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Column-wise entries of pair columns: the case row (if any), then capacities."""
        core = self.core
        n_d = core.cap.shape[1]
        rows = np.empty((len(ks), 1 + n_d), np.int32)
        vals = np.empty((len(ks), 1 + n_d))
        row = self.row_of[core.pc[ks]]
        rows[:, 0] = row
        vals[:, 0] = np.where(row >= 0, 1.0, 0.0)
        rows[:, 1:] = core.pp[ks, None] * n_d + np.arange(n_d)
        vals[:, 1:] = core.pu[ks]
        nz = vals != 0
        starts = np.concatenate(([0], np.cumsum(nz.sum(axis=1))[:-1])).astype(np.int32)
        return starts, rows[nz], vals[nz]

    def solve(self, time_limit: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
        """Solve the LP; return (x per column, u per case, v per capacity, optimal).

        ``u[c]`` is max(0, best net profit among c's master columns): the LP dual of
        c's row, also for cases whose row is implicit (a column bound).
        """
        if self.abandoned:
            return self.x, np.zeros(self.core.n_cases), np.zeros_like(self.core.cap), False
        # HiGHS measures time_limit from the instance's creation, across runs
        self.h.setOptionValue("time_limit", self.h.getRunTime() + max(time_limit, 0.01))
        if not run_until(self.h, self.deadline):
            self.abandoned = True
            return self.x, np.zeros(self.core.n_cases), np.zeros_like(self.core.cap), False
        ok = self.h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        sol = self.h.getSolution()
        x = self.x = np.asarray(sol.col_value)
        core = self.core
        self.objective = float(self.h.getInfo().objective_function_value) if ok else -np.inf
        v = np.maximum(np.asarray(sol.row_dual)[: core.cap.size], 0.0).reshape(core.cap.shape)
        return x, self.case_u(None, v), v, ok

    def case_u(self, w: np.ndarray | None, v: np.ndarray | None = None) -> np.ndarray:
        """Per case max(0, best net profit among its active columns).

        With ``w`` (net profit of every pair) given, read from it; else computed at ``v``.
        """
        core = self.core
        u = np.zeros(core.n_cases)
        on = self.cols[self.active]
        if len(on):
            if w is not None:
                won = w[on]
            else:
                assert v is not None  # callers give w or v
                won = core.s[on] - (core.pu[on] * v[core.pp[on]]).sum(axis=1)
            np.maximum.at(u, core.pc[on], won)
        return u


def solve_milp(
    core: Core,
    ks: np.ndarray,
    start: np.ndarray,
    time_limit: float,
    gap: float,
    cap: np.ndarray | None = None,
    heuristic_effort: float | None = None,
    deadline: float | None = None,
    enough: float | None = None,
) -> tuple[np.ndarray, float, bool]:
    """Best plan over pair columns ``ks`` from the MIP start ``start`` (0/1 per column).

    ``cap`` replaces the core's capacities (a MILP over what the fixed part left).
    ``enough``: HiGHS stops once it holds a plan worth this much (its
    ``objective_target``), whatever its own gap.
    At ``deadline`` HiGHS is stopped whatever it is doing (``run_until``); if it
    does not stop, the start itself is returned with an infinite bound.

    Returns the chosen pairs, HiGHS's dual bound over these columns, and whether
    it stopped on its gap (rather than on time).
    """
    h = new_highs()
    # Only the rows the columns touch: a case row per case in ``ks`` and the capacity
    # rows of its pledges (a MILP over a few hundred pairs had 10,300 rows, most empty,
    # and HiGHS's presolve went over all of them on every neighbourhood step).
    starts, rows, vals = columns(core, ks)
    upper = row_upper(core)
    if cap is not None:
        upper[core.n_cases :] = np.maximum(cap, 0.0).ravel()
    used_rows = np.unique(rows)
    rows = np.searchsorted(used_rows, rows).astype(np.int32)
    upper = upper[used_rows]
    n, n_rows = len(ks), len(used_rows)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, n_rows
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = core.s[ks], np.zeros(n), np.ones(n)
    lp.row_lower_, lp.row_upper_ = np.full(n_rows, -highspy.kHighsInf), upper
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.append(starts, len(rows)).astype(np.int32)
    lp.a_matrix_.index_, lp.a_matrix_.value_ = rows, vals
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    h.passModel(lp)
    h.setOptionValue("time_limit", max(time_limit, 0.01))
    h.setOptionValue("mip_rel_gap", gap)
    if heuristic_effort is not None:
        h.setOptionValue("mip_heuristic_effort", heuristic_effort)
    if enough is not None:
        h.setOptionValue("objective_target", enough)
    h.setSolution(n, np.arange(n, dtype=np.int32), start.astype(np.float64))
    if not run_until(h, deadline):
        return ks[start > 0.5], float("inf"), False
    status = h.getModelStatus()
    x = np.asarray(h.getSolution().col_value)
    chosen = ks[x > 0.5] if len(x) == n else np.empty(0, np.int64)
    bound = h.getInfo().mip_dual_bound
    return chosen, float(bound), status == highspy.HighsModelStatus.kOptimal
