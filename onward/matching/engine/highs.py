"""HiGHS models: the restricted master LP and the restricted MILP.

Rows: one per case (sum of its pairs <= 1), then one per (pledge, dimension)
(use of its pairs <= residual capacity), in that order.
"""

from __future__ import annotations

import os
import sys

import highspy
import numpy as np

from .core import Core

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

    Invariant: ``cols`` lists the pair index of every LP column, in column order,
    and ``in_master`` marks them.
    """

    def __init__(self, core: Core) -> None:
        self.core = core
        self.h = new_highs()
        n_rows = core.n_cases + core.cap.size
        self.h.addRows(n_rows, np.full(n_rows, -highspy.kHighsInf), row_upper(core), 0,
                       np.zeros(n_rows, np.int32), np.empty(0, np.int32), np.empty(0))
        self.h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self.h.setOptionValue("simplex_strategy", int(os.environ.get("SS", "4")))
        self.cols = np.empty(0, np.int64)
        self.in_master = np.zeros(core.n_pairs, bool)

    def add(self, ks: np.ndarray) -> int:
        """Add the pairs not yet in the master; return how many were added."""
        ks = np.unique(ks[~self.in_master[ks]])
        if not len(ks):
            return 0
        starts, rows, vals = columns(self.core, ks)
        n = len(ks)
        self.h.addCols(n, self.core.s[ks], np.zeros(n), np.full(n, highspy.kHighsInf),
                       len(rows), starts, rows, vals)
        self.cols = np.concatenate((self.cols, ks))
        self.in_master[ks] = True
        return n

    def solve(self, time_limit: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
        """Solve the LP; return (x per column, u per case, v per capacity, optimal)."""
        # HiGHS measures time_limit from the instance's creation, across runs
        self.h.setOptionValue("time_limit", self.h.getRunTime() + max(time_limit, 0.01))
        self.h.run()
        ok = self.h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        sol = self.h.getSolution()
        x = np.asarray(sol.col_value)
        dual = np.maximum(np.asarray(sol.row_dual), 0.0)
        n_c = self.core.n_cases
        return x, dual[:n_c], dual[n_c:].reshape(self.core.cap.shape), ok


def solve_milp(core: Core, ks: np.ndarray, start: np.ndarray, time_limit: float,
               gap: float) -> tuple[np.ndarray, float, bool]:
    """Best plan over pair columns ``ks`` from the MIP start ``start`` (0/1 per column).

    Returns the chosen pairs, HiGHS's dual bound over these columns, and whether
    it stopped on its gap (rather than on time).
    """
    h = new_highs()
    starts, rows, vals = columns(core, ks)
    n, n_rows = len(ks), core.n_cases + core.cap.size
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, n_rows
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = core.s[ks], np.zeros(n), np.ones(n)
    lp.row_lower_, lp.row_upper_ = np.full(n_rows, -highspy.kHighsInf), row_upper(core)
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.append(starts, len(rows)).astype(np.int32)
    lp.a_matrix_.index_, lp.a_matrix_.value_ = rows, vals
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    h.passModel(lp)
    h.setOptionValue("time_limit", max(time_limit, 0.01))
    h.setOptionValue("mip_rel_gap", gap)
    h.setSolution(n, np.arange(n, dtype=np.int32), start.astype(np.float64))
    h.run()
    status = h.getModelStatus()
    x = np.asarray(h.getSolution().col_value)
    chosen = ks[x > 0.5] if len(x) == n else np.empty(0, np.int64)
    bound = h.getInfo().mip_dual_bound
    return chosen, float(bound), status == highspy.HighsModelStatus.kOptimal
