"""Small-number suppression that never lies and cannot be undone by arithmetic.

Plain Python and HiGHS, no Django: cells in, the cells to hide out.

A report is a set of cells (counts, totals, figures derived from them) and the relations a
reader knows hold between them: a breakdown sums to its total, a pledge's count is at most
its country's, remaining places are capacity minus accepted. Hiding the counts from 1 to
threshold−1 (the *primary* cells) is not enough: a total minus the cells shown gives a
lone hidden cell back, and two hidden cells whose sum is 2 are both 1. `protect` hides
more cells (*complementary* ones) until no hidden cell can be worked out, and `bounds`
is the reader's best reckoning that it is checked against.

The reader is assumed to know every relation, every shown value, that counts are never
negative and which hidden cells are the small ones (each from 1 to threshold−1): more
than they can know from a page that marks every hidden cell alike. A hidden cell is
*protected* when at least two whole values remain possible for it; `bounds` computes the
least and greatest value a cell can take with a linear programme (HiGHS), and a range
narrower than one whole step counts as found out.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

log = logging.getLogger(__name__)

Cell = Hashable
INF = math.inf
EPS = 1e-6


@dataclass(frozen=True)
class Relation:
    """lo ≤ Σ coefficient × cell ≤ hi, known to every reader.

    `certain`: true by how the figures are computed (a relation that fails on the true
    values is a bug, logged and left out); otherwise true for most data and used only
    where it holds (two tables counting the same persons by different routes)."""

    terms: tuple[tuple[Cell, float], ...]
    lo: float = 0.0
    hi: float = 0.0
    certain: bool = True

    def value(self, values: Mapping[Cell, float]) -> float:
        return sum(c * values[cell] for cell, c in self.terms)

    def holds(self, values: Mapping[Cell, float]) -> bool:
        v = self.value(values)
        return self.lo - EPS <= v <= self.hi + EPS


def sums_to(parts: Iterable[Cell], total: Cell, *, certain: bool = True) -> Relation:
    """Σ parts = total."""
    return Relation((*((p, 1.0) for p in parts), (total, -1.0)), certain=certain)


def at_most(small: Cell, large: Cell) -> Relation:
    """small ≤ large."""
    return Relation(((small, 1.0), (large, -1.0)), lo=-INF, hi=0.0)


def parts_at_most(parts: Iterable[Cell], whole: Cell) -> Relation:
    """Σ parts ≤ whole (disjoint parts of a whole that has other parts too)."""
    return Relation((*((p, 1.0) for p in parts), (whole, -1.0)), lo=-INF, hi=0.0)


def covers(parts: Iterable[Cell], whole: Cell) -> Relation:
    """Σ parts ≥ whole (overlapping parts that together hold every member of the whole)."""
    return Relation((*((p, 1.0) for p in parts), (whole, -1.0)), lo=0.0, hi=INF)


def equals_constant(cells: Iterable[Cell], constant: float) -> Relation:
    """Σ cells = a constant that is shown (remaining + accepted = capacity)."""
    return Relation(tuple((c, 1.0) for c in cells), lo=constant, hi=constant)


@dataclass
class Protection:
    hidden: set
    primary: set
    ignored: list = field(default_factory=list)  # relations that do not hold on the values


def primary_cells(values: Mapping[Cell, float], threshold: int, free: Iterable[Cell] = ()) -> set:
    free = set(free)
    return {c for c, v in values.items() if c not in free and 0 < v < threshold}


def protect(
    values: Mapping[Cell, float],
    relations: Sequence[Relation],
    threshold: int,
    *,
    free: Iterable[Cell] = (),
    totals: Iterable[Cell] = (),
) -> Protection:
    """The cells to hide so that no small count is shown and none can be worked out.

    `values`: every cell that may be hidden, with its true value, in the order ties are
    broken in. `free`: cells with no lower bound of their own (a difference such as
    remaining places); they are never primary. `totals`: hidden last, since hiding a
    total spreads to every table that breaks it down.

    Primary cells (counts from 1 to threshold−1) are hidden first. Then, while a hidden
    cell can be worked out, one more cell is hidden: a shown cell in a relation with it,
    the smallest non-zero count first (a zero hidden beside a small count would tell the
    reader that the small one is as large as it can be), then zeros, then totals."""
    free = set(free)
    totals = set(totals)
    order = {c: i for i, c in enumerate(values)}
    usable, ignored = [], []
    for r in relations:
        if r.holds(values):
            usable.append(r)
        else:
            ignored.append(r)
            if r.certain:
                log.error("suppression: relation %s does not hold on the figures", r)
    primary = primary_cells(values, threshold, free)
    hidden = set(primary)
    by_cell: dict[Cell, list[Relation]] = {}
    for r in usable:
        for cell, _ in r.terms:
            by_cell.setdefault(cell, []).append(r)
    checked: dict[frozenset, list] = {}  # a group of hidden cells -> those found out
    hopeless: set = set()  # found out with everything around them hidden

    def rank(c):
        v = values[c]
        return (c in totals, v == 0, abs(v), order[c])

    while True:
        exposed = None
        for group in _groups(hidden, by_cell, order):
            if group not in checked:
                checked[group] = _found_out_in(
                    group, values, usable, by_cell, primary, free, threshold, order
                )
            cell = next((c for c in checked[group] if c not in hopeless), None)
            if cell is not None:
                exposed = (cell, group)
                break
        if exposed is None:
            return Protection(hidden=hidden, primary=primary, ignored=ignored)
        cell, group = exposed
        near = [c for r in by_cell.get(cell, ()) for c, _ in r.terms]
        candidates = [c for c in near if c in values and c not in hidden]
        if not candidates:  # its own relations are all hidden: widen to its group's
            candidates = [
                c
                for g in group
                for r in by_cell.get(g, ())
                for c, _ in r.terms
                if c in values and c not in hidden
            ]
        if candidates:
            hidden.add(min(candidates, key=rank))
        else:  # small counts that pin each other (1 + 1 = 2 under 3): nothing helps
            log.warning(
                "suppression: cell %s is pinned by the small counts around it, all hidden", cell
            )
            hopeless.add(cell)


def _groups(hidden: set, by_cell, order) -> list[frozenset]:
    """Hidden cells linked by relations, each group solved alone: a relation with one
    hidden cell bounds that cell, one with several ties them together."""
    parent = {c: c for c in hidden}

    def root(c):
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for c in hidden:
        for r in by_cell.get(c, ()):
            for other, _ in r.terms:
                if other in hidden:
                    parent[root(other)] = root(c)
    groups: dict[Cell, set] = {}
    for c in hidden:
        groups.setdefault(root(c), set()).add(c)
    return sorted(
        (frozenset(g) for g in groups.values()), key=lambda g: min(order.get(c, 0) for c in g)
    )


def _found_out_in(group, values, relations, by_cell, primary, free, threshold, order) -> list:
    related = {id(r): r for c in group for r in by_cell.get(c, ())}
    if not related:
        return []
    ranges = bounds(
        values, group, list(related.values()), threshold=threshold, primary=primary, free=free
    )
    return [c for c in sorted(group, key=order.get) if found_out(*ranges[c])]


def found_out(lo: float, hi: float) -> bool:
    """Whether a range leaves fewer than two whole values."""
    if math.isinf(lo) or math.isinf(hi):
        return False
    return math.floor(hi + EPS) - math.ceil(lo - EPS) < 1


def prior(cell: Cell, *, primary: set, free: set, threshold: int) -> tuple[float, float]:
    """What a reader knows of a hidden cell before any relation."""
    if cell in primary:
        return (1.0, threshold - 1.0)
    if cell in free:
        return (-INF, INF)
    return (0.0, INF)


def bounds(
    values: Mapping[Cell, float],
    hidden: Iterable[Cell],
    relations: Sequence[Relation],
    *,
    threshold: int,
    primary: Iterable[Cell],
    free: Iterable[Cell] = (),
) -> dict[Cell, tuple[float, float]]:
    """The least and greatest value each hidden cell can take, given the shown values (of
    the cells in `values` not hidden), the relations and what is known of each hidden
    cell (`prior`): one linear programme, minimised and maximised for each cell."""
    import highspy

    from onward.matching.engine.highs import new_highs

    order = {c: i for i, c in enumerate(values)}
    hidden = sorted(hidden, key=order.__getitem__)
    primary, free = set(primary), set(free)
    col = {c: i for i, c in enumerate(hidden)}
    h = new_highs()
    lows, highs = zip(
        *(prior(c, primary=primary, free=free, threshold=threshold) for c in hidden), strict=True
    )
    inf = h.getInfinity()
    h.addVars(
        len(hidden), np.array([max(v, -inf) for v in lows]), np.array([min(v, inf) for v in highs])
    )
    for r in relations:
        shown = sum(coef * values[c] for c, coef in r.terms if c not in col)
        idx = [col[c] for c, _ in r.terms if c in col]
        if not idx:
            continue
        coefs = [coef for c, coef in r.terms if c in col]
        h.addRow(
            max(r.lo - shown, -inf),
            min(r.hi - shown, inf),
            len(idx),
            np.array(idx, dtype=np.int32),
            np.array(coefs, dtype=np.float64),
        )
    out = {}
    zero = np.zeros(len(hidden))
    for c in hidden:
        ends = []
        for sense in (1, -1):  # minimise, then maximise
            cost = zero.copy()
            cost[col[c]] = sense
            h.changeColsCost(len(hidden), np.arange(len(hidden), dtype=np.int32), cost)
            h.run()
            status = h.getModelStatus()
            if status == highspy.HighsModelStatus.kUnknown:
                # The warm start from the previous cost can end undecided (seen on small
                # degenerate tables): solve this one from scratch.
                h.clearSolver()
                h.run()
                status = h.getModelStatus()
            if status == highspy.HighsModelStatus.kOptimal:
                ends.append(sense * h.getInfo().objective_function_value)
            elif status in (
                highspy.HighsModelStatus.kUnbounded,
                highspy.HighsModelStatus.kUnboundedOrInfeasible,
            ):
                ends.append(-sense * INF)
            else:  # the true values solve it: only relations that fail can get here
                raise ValueError(
                    f"suppression: no values fit the relations ({h.modelStatusToString(status)})"
                )
        out[c] = (ends[0], ends[1])
    return out
