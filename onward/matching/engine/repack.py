"""Repacking one pledge at a time: an exact small knapsack on the incumbent.

The rounded plan loses its last tenths of a percent to capacity left in pieces
(a place here, a medical quota there) that no single case fills. For one pledge,
some of its cases (the cheapest at the capacity prices) may leave and cases may
come in: unplaced ones, or placed ones that score more here than where they are
(their old pledge gets the room). Which subset to keep is a multi-dimensional
0/1 knapsack over the capacity the staying cases leave; it is small (a few
dozen places, a few units of the other dimensions) and solved exactly by dynamic
programming over the integer capacity grid. A pledge is changed only when that
gains, so a sweep never loses, and the room a case leaves behind is what the
next pledge's knapsack can fill: chains of moves across pledges.
"""

from __future__ import annotations

import time

import numpy as np

from .core import Core, profits
from .model import UNASSIGNED
from .plan import pair_of

LEAVE = 24  # cases of the pledge that may leave (the cheapest at the prices)
ENTER = 120  # cases that may come in (the best net profit at the prices)
MAX_STATES = 60_000  # knapsack grid cells (product of the capacities + 1)


def knapsack(use: np.ndarray, profit: np.ndarray, room: np.ndarray) -> np.ndarray:
    """Indices of the items of largest total ``profit`` whose ``use`` fits ``room``.

    ``use`` (n, D) and ``room`` (D,) are non-negative integers; exact dynamic
    programming over the (room + 1) grid, items with no profit are never taken.
    """
    room = room.astype(np.int64)
    shape = tuple(int(r) + 1 for r in room)
    best = np.zeros(shape)
    takes: list[np.ndarray | None] = []
    for u, p in zip(use.astype(np.int64).tolist(), profit.tolist(), strict=True):
        if p <= 0 or any(a > r for a, r in zip(u, room.tolist(), strict=True)):
            takes.append(None)
            continue
        dst = tuple(slice(a, None) for a in u)
        src = tuple(slice(0, n - a) for a, n in zip(u, shape, strict=True))
        cand = best[src] + p
        take = cand > best[dst] + 1e-9
        best[dst] = np.where(take, cand, best[dst])
        takes.append(take)
    chosen = []
    state = room.copy()
    for i in range(len(takes) - 1, -1, -1):
        take = takes[i]
        if take is None:
            continue
        u = use[i].astype(np.int64)
        if (state >= u).all() and take[tuple((state - u).tolist())]:
            chosen.append(i)
            state -= u
    return np.array(chosen[::-1], np.int64)


def repack(
    core: Core,
    assign: np.ndarray,
    v: np.ndarray,
    end: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, int]:
    """Sweeps of one-pledge knapsacks over ``assign`` until ``end`` or a sweep finds
    nothing; return the plan (never worse, always feasible) and the pledges changed."""
    assign = assign.copy()
    if not core.n_pairs or not np.array_equal(core.use, np.round(core.use)):
        return assign, 0
    w = profits(core, v)
    # pairs of each pledge, for the cases that may come in
    by_pledge = np.argsort(core.pp, kind="stable")
    first = np.searchsorted(core.pp[by_pledge], np.arange(core.n_pledges + 1))
    changed, last = 0, 0.0
    while time.perf_counter() + last < end:
        began, gained = time.perf_counter(), 0
        for p in rng.permutation(core.n_pledges).tolist():
            if time.perf_counter() >= end:
                break
            gained += _repack_pledge(core, assign, w, p, by_pledge[first[p] : first[p + 1]], rng)
        changed += gained
        last = time.perf_counter() - began
        if not gained:
            break
    return assign, changed


def _repack_pledge(
    core: Core,
    assign: np.ndarray,
    w: np.ndarray,
    p: int,
    pairs: np.ndarray,
    rng: np.random.Generator,
) -> int:
    """One pledge's knapsack; apply it to ``assign`` if it gains. 1 if changed."""
    here = np.flatnonzero(assign == p)
    k_here = core.find(here, np.full(len(here), p))
    # leaving: the cases with the lowest net profit here (a little noise: sweeps differ)
    noise = rng.uniform(0.0, 0.5, len(here)) * (
        float(np.abs(w[k_here]).mean()) if len(here) else 1.0
    )
    leave = np.argsort(w[k_here] + noise)[:LEAVE]
    stay = np.ones(len(here), bool)
    stay[leave] = False
    room = core.cap[p] - core.use[here[stay]].sum(axis=0)
    # coming: unplaced cases, or placed elsewhere with a better score here
    cases = core.pc[pairs]
    cur = assign[cases]
    held = np.zeros(core.n_cases)  # each case's score where it is now
    mine = pair_of(core, assign)
    held[np.flatnonzero(assign >= 0)] = core.s[mine]
    gain = core.s[pairs] - held[cases]
    come = (cur != p) & (gain > 0) & (core.use[cases] <= room).all(axis=1)
    k_come = pairs[come]
    if not len(k_come):
        return 0
    k_come = k_come[np.argsort(-(w[k_come] - held[core.pc[k_come]]))[:ENTER]]
    k_leave = k_here[leave]
    items = np.concatenate((k_leave, k_come))
    profit = np.concatenate((core.s[k_leave], core.s[k_come] - held[core.pc[k_come]]))
    use = core.use[core.pc[items]]
    room = np.floor(room + 1e-9)
    top = use.sum(axis=0)
    room = np.minimum(room, top)  # no cell beyond what all items together use
    if np.prod(room + 1) > MAX_STATES:
        return 0
    chosen = knapsack(use, profit, room)
    if profit[chosen].sum() <= core.s[k_leave].sum() + 1e-6:
        return 0
    assign[core.pc[k_leave]] = UNASSIGNED
    assign[core.pc[items[chosen]]] = p
    return 1
