"""Integral plans: greedy filling, feasibility repair and the independent check.

A *free assignment* is a (C,) array over the core: pledge index for assigned
unlocked cases, -1 otherwise (locked cases are -1 here and added back at the end).
"""

from __future__ import annotations

import numpy as np

from .core import Core
from .model import UNASSIGNED, Problem

GREEDY_PART = 2  # greedy sorts this many pairs per case at a time


def pair_of(core: Core, assign: np.ndarray) -> np.ndarray:
    """Active pair index of every assigned case (-1 where not an active pair)."""
    cases = np.flatnonzero(assign >= 0)
    return core.find(cases, assign[cases])


def load(core: Core, assign: np.ndarray) -> np.ndarray:
    """(P, D) capacity used by the free assignment."""
    used = np.zeros_like(core.cap)
    cases = np.flatnonzero(assign >= 0)
    np.add.at(used, assign[cases], core.use[cases])
    return used


def value(core: Core, assign: np.ndarray) -> float:
    """Total score of the free assignment plus the locked cases' scores."""
    k = pair_of(core, assign)
    return float(core.s[k[k >= 0]].sum()) + core.fixed_value


def density(core: Core, k: np.ndarray) -> np.ndarray:
    """Score per unit of the pledge's capacity a pair takes: the greedy order."""
    if core.patterns is None or core.gp is None:  # both None or neither
        share = (core.pu[k] / np.maximum(core.cap[core.pp[k]], 1.0)).sum(axis=1)
        return core.s[k] / np.maximum(share, 1e-9)
    share = (core.patterns[:, None, :] / np.maximum(core.cap, 1.0)[None]).sum(axis=2)
    return core.s[k] / np.maximum(share.ravel()[core.gp[k]], 1e-9)


def fits(core: Core, k: np.ndarray, rem: np.ndarray) -> np.ndarray:
    """Whether each pair's case fits its pledge's remaining capacity ``rem``."""
    if core.patterns is None or core.gp is None:  # both None or neither
        return (core.pu[k] <= rem[core.pp[k]]).all(axis=1)
    table = (core.patterns[:, None, :] <= rem[None]).all(axis=2)
    return table.ravel()[core.gp[k]]


def greedy_fill(
    core: Core, assign: np.ndarray, cand: np.ndarray, priority: np.ndarray
) -> np.ndarray:
    """Assign still-free cases along candidate pairs, highest priority first.

    Keeps feasibility: a pair is taken only if its case is free and every
    dimension of its pledge still has room. Candidates with a non-positive score
    or that cannot fit the residual capacity are dropped before sorting.
    """
    assign = assign.copy()
    rem = core.cap - load(core, assign)
    ok = (core.s[cand] > 0) & (assign[core.pc[cand]] == UNASSIGNED) & fits(core, cand, rem)
    cand, priority = cand[ok], priority[ok]
    use_l = core.use.tolist()
    while len(cand):
        # Sorting millions of pairs is the cost here, and most cases are placed (or
        # every pledge they fit is full) after their first pairs: sort the best
        # part, take from it, drop what can no longer be taken, sort the next part.
        # Ties at the cut all go first, so the order is exactly a full sort's.
        top = np.ones(len(cand), bool)
        if len(cand) > GREEDY_PART * max(core.n_cases, 1):
            cut = len(cand) - GREEDY_PART * core.n_cases
            top = priority >= np.partition(priority, cut)[cut]
        order = cand[top][np.argsort(-priority[top], kind="stable")]
        _take_in_blocks(core, order, assign, rem, use_l)
        cand, priority = cand[~top], priority[~top]
        live = (assign[core.pc[cand]] == UNASSIGNED) & fits(core, cand, rem)
        cand, priority = cand[live], priority[live]
    return assign


def _take_in_blocks(
    core: Core,
    order: np.ndarray,
    assign: np.ndarray,
    rem: np.ndarray,
    use_l: list[list[float]],
    block: int = 20_000,
) -> None:
    for a in range(0, len(order), block):
        ks = order[a : a + block]
        if a:  # cheap numpy pass drops pairs that can no longer be taken
            ks = ks[(assign[core.pc[ks]] == UNASSIGNED) & fits(core, ks, rem)]
        _take(core, ks, assign, rem, use_l)


def _take(
    core: Core, ks: np.ndarray, assign: np.ndarray, rem: np.ndarray, use_l: list[list[float]]
) -> None:
    """Take pairs ``ks`` in order where the case is free and the pledge has room."""
    rem_l = rem.tolist()
    for c, p in zip(core.pc[ks].tolist(), core.pp[ks].tolist(), strict=True):
        if assign[c] != UNASSIGNED:
            continue
        r, u = rem_l[p], use_l[c]
        if all(x >= y for x, y in zip(r, u, strict=True)):
            rem_l[p] = [x - y for x, y in zip(r, u, strict=True)]
            assign[c] = p
    rem[:] = rem_l


def feasible(core: Core, assign: np.ndarray) -> bool:
    """True if the free assignment uses active pairs only and fits every capacity."""
    return bool(
        (pair_of(core, assign) >= 0).all() and (load(core, assign) <= core.cap + 1e-9).all()
    )


def repair(core: Core, assign: np.ndarray) -> np.ndarray:
    """Make a free assignment feasible: drop inactive pairs, then over-capacity cases.

    From each over-full pledge the cases with the lowest score per use leave first,
    until every dimension fits.
    """
    assign = np.where(assign >= 0, assign, UNASSIGNED).astype(np.int64)
    assign[core.fixed >= 0] = UNASSIGNED
    cases = np.flatnonzero(assign >= 0)
    k = core.find(cases, assign[cases])
    assign[cases[k < 0]] = UNASSIGNED
    used = load(core, assign)
    for p in np.flatnonzero((used > core.cap + 1e-9).any(axis=1)).tolist():
        _empty_until_fits(core, assign, p, used[p])
    return assign


def _empty_until_fits(core: Core, assign: np.ndarray, p: int, used: np.ndarray) -> None:
    cases = np.flatnonzero(assign == p)
    k = core.find(cases, np.full(len(cases), p))
    for i in np.argsort(density(core, k), kind="stable").tolist():
        if (used <= core.cap[p] + 1e-9).all():
            return
        used -= core.use[cases[i]]
        assign[cases[i]] = UNASSIGNED


def check(
    problem: Problem,
    plan: np.ndarray,
    locks: np.ndarray | None = None,
    forbids: np.ndarray | None = None,
) -> list[str]:
    """Every rule a plan breaks, checked from the problem alone (empty = feasible)."""
    errors: list[str] = []
    plan = np.asarray(plan, np.int64)
    if plan.shape != (problem.n_cases,):
        return [f"plan has shape {plan.shape}, expected ({problem.n_cases},)"]
    cases = np.flatnonzero(plan >= 0)
    allowed = problem.pair_case.astype(np.int64) * problem.n_pledges + problem.pair_pledge
    bad = ~np.isin(cases * problem.n_pledges + plan[cases], allowed)
    for c in cases[bad].tolist():
        errors.append(f"case {c} on pledge {plan[c]}: pair not allowed")
    for c, p in np.asarray(forbids).reshape(-1, 2).tolist() if forbids is not None else []:
        if plan[c] == p:
            errors.append(f"case {c} on forbidden pledge {p}")
    for c, p in np.asarray(locks).reshape(-1, 2).tolist() if locks is not None else []:
        if plan[c] != p:
            errors.append(f"case {c} not on locked pledge {p}")
    used = np.zeros(problem.capacity.shape, np.int64)
    np.add.at(used, plan[cases], problem.use[cases].astype(np.int64))
    for p, d in np.argwhere(used > problem.capacity).tolist():
        errors.append(f"pledge {p} dimension {d}: {used[p, d]} > {problem.capacity[p, d]}")
    return errors
