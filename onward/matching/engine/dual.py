"""Capacity prices from the Lagrangian dual, before any LP is solved.

With capacity prices ``v >= 0`` fixed, every case picks its best priced pair on its
own, so ``L(v) = sum_c max(0, max_p s_cp - use_c . v_p) + sum cap . v`` is an upper
bound on the optimum for *any* v (it is the LP dual at u_c = that max). ``L`` is
convex and piecewise linear in the P x D prices. We minimise a smoothed version
(each case's max replaced by ``tau * log-sum-exp(./tau)``, which lies above it) by
L-BFGS projected onto v >= 0, lowering ``tau``
in steps. Every evaluation also yields the exact ``L(v)``: the best one seen is a
proven bound, and its ``v`` seeds the column generation (which then needs few rows
and few rounds).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

import numpy as np

from .core import Core, pair_sums, profits


def smoothed(core: Core, v: np.ndarray, tau: float) -> tuple[float, np.ndarray, float]:
    """(smoothed L, its gradient in v, exact L) at prices ``v``."""
    w = profits(core, v)
    m = np.zeros(core.n_cases)
    if core.n_pairs:
        m[core.seg_case] = np.maximum(np.maximum.reduceat(w, core.seg_start), 0.0)
    exact = float(m.sum() + (core.cap * v).sum()) + core.fixed_value
    grad = core.cap.copy()
    if not core.n_pairs:
        return exact, grad, exact
    w -= m[core.pc]
    w /= tau
    e = np.exp(w, out=w)
    z = np.exp(-m / tau)
    z[core.seg_case] += np.add.reduceat(e, core.seg_start)
    f = float((m + tau * np.log(z)).sum() + (core.cap * v).sum()) + core.fixed_value
    e /= z[core.pc]
    grad -= pair_sums(core, e)
    return f, grad, exact


def minimise(
    core: Core,
    v0: np.ndarray,
    deadline: float,
    taus: list[float],
    iters: int,
    report: Callable[[np.ndarray, float], None],
) -> np.ndarray:
    """Projected L-BFGS on the smoothed dual for each ``tau``; return the last prices.

    ``report(v, exact L)`` is called at every point evaluated.
    """
    shape = core.cap.shape
    x = np.maximum(np.asarray(v0, float), 0.0).ravel()

    def fg(x: np.ndarray, tau: float) -> tuple[float, np.ndarray]:
        v = x.reshape(shape)
        f, g, exact = smoothed(core, v, tau)
        report(v, exact)
        return f, g.ravel()

    for tau in taus:
        if time.perf_counter() >= deadline:
            break
        x = _lbfgs(partial(fg, tau=tau), x, iters, deadline)
    return x.reshape(shape)


def _lbfgs(
    fg: Callable[[np.ndarray], tuple[float, np.ndarray]],
    x: np.ndarray,
    iters: int,
    deadline: float,
    memory: int = 8,
) -> np.ndarray:
    """L-BFGS kept to x >= 0 by projection (prices at 0 pushed down stay out of the
    direction); Armijo backtracking; stops on ``iters``, time or no progress."""
    f, g = fg(x)
    s_list: list[np.ndarray] = []
    y_list: list[np.ndarray] = []
    for it in range(iters):
        if time.perf_counter() >= deadline:
            break
        free = ~((x <= 0) & (g > 0))
        q = np.where(free, g, 0.0)
        alphas = []
        for s, yv in zip(reversed(s_list), reversed(y_list), strict=True):
            a = s @ q / (yv @ s)
            alphas.append(a)
            q -= a * yv
        if s_list:
            q *= (s_list[-1] @ y_list[-1]) / (y_list[-1] @ y_list[-1])
        else:
            q /= max(np.abs(q).max(), 1e-12)  # first step: move the largest price by ~1
        for s, yv, a in zip(s_list, y_list, reversed(alphas), strict=True):
            b = yv @ q / (yv @ s)
            q += (a - b) * s
        d = np.where(free, -q, 0.0)
        if g @ d >= 0:  # not a descent direction: restart along the gradient
            s_list.clear()
            y_list.clear()
            d = np.where(free, -g, 0.0) / max(np.abs(g[free]).max(initial=0.0), 1e-12)
        step, ok = 1.0, False
        for _ in range(20):
            x_new = np.maximum(x + step * d, 0.0)
            f_new, g_new = fg(x_new)
            if f_new <= f + 1e-4 * (g @ (x_new - x)):
                ok = True
                break
            step *= 0.3
        if not ok:
            break
        s, yv = x_new - x, g_new - g
        if s @ yv > 1e-12 * max(1.0, s @ s):
            s_list.append(s)
            y_list.append(yv)
            if len(s_list) > memory:
                s_list.pop(0)
                y_list.pop(0)
        improved = f - f_new
        x, f, g = x_new, f_new, g_new
        if it > 5 and improved <= 1e-10 * max(1.0, abs(f)):
            break
    return x
