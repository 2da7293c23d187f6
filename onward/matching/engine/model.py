"""Plain data of the matching engine: the problem, the result, the warm start.

No Django, no I/O: numpy arrays in, numpy arrays out. Cases and pledges are
identified by their index (0..n-1); the caller keeps the mapping to its ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

UNASSIGNED = -1


@dataclass(frozen=True)
class Problem:
    """One matching instance.

    Invariant (checked by ``validate``): ``use`` is (cases, dims) and ``capacity``
    (pledges, dims), both non-negative integers; the three pair arrays have the same
    length, indices in range. A (case, pledge) pair not listed is not allowed.
    """

    use: np.ndarray  # (C, D) what each case uses of each capacity dimension
    capacity: np.ndarray  # (P, D) what each pledge offers of each dimension
    pair_case: np.ndarray  # (K,) case index of each allowed pair
    pair_pledge: np.ndarray  # (K,) pledge index of each allowed pair
    score: np.ndarray  # (K,) score of each allowed pair
    dimensions: tuple[str, ...] = ()

    @property
    def n_cases(self) -> int:
        return int(self.use.shape[0])

    @property
    def n_pledges(self) -> int:
        return int(self.capacity.shape[0])

    @property
    def n_dims(self) -> int:
        return int(self.capacity.shape[1])

    def validate(self) -> None:
        """Raise ValueError unless the arrays keep the invariant above."""
        if self.use.ndim != 2 or self.capacity.ndim != 2:
            raise ValueError("use and capacity must be 2-D arrays")
        if self.use.shape[1] != self.capacity.shape[1]:
            raise ValueError("cases and pledges must have the same dimensions")
        if self.use.size and self.use.min() < 0:
            raise ValueError("a case uses a negative amount")
        if self.capacity.size and self.capacity.min() < 0:
            raise ValueError("a pledge has a negative capacity")
        k = len(self.score)
        if len(self.pair_case) != k or len(self.pair_pledge) != k:
            raise ValueError("pair arrays differ in length")
        if k and not np.isfinite(self.score).all():
            raise ValueError("a score is not finite")
        _check_range(self.pair_case, self.n_cases, "case")
        _check_range(self.pair_pledge, self.n_pledges, "pledge")


def _check_range(index: np.ndarray, n: int, what: str) -> None:
    if len(index) and (index.min() < 0 or index.max() >= n):
        raise ValueError(f"a pair names an unknown {what} index")


@dataclass(frozen=True)
class WarmStart:
    """What a re-solve reuses: the master's columns, the prices and the plan.

    Columns are (case, pledge) index pairs so that they survive new locks and
    forbids (pairs that are no longer allowed are simply dropped).
    """

    case: np.ndarray
    pledge: np.ndarray
    duals: np.ndarray  # (P, D)
    assignment: np.ndarray  # (C,)


@dataclass(frozen=True)
class Explanation:
    """Why each case went where it went (arrays indexed by case).

    ``alt_pledge`` is the best-scoring allowed pledge other than the assigned one
    (-1 if none); ``block_pledge``/``block_dim`` name the capacity whose shadow
    price made that better alternative too expensive (-1 when the alternative is
    not better, or no capacity is priced).
    """

    score: np.ndarray  # score at the assigned pledge, nan if unassigned
    alt_pledge: np.ndarray
    alt_score: np.ndarray  # nan if no alternative
    block_pledge: np.ndarray
    block_dim: np.ndarray
    shadow_price: np.ndarray  # LP dual of (block_pledge, block_dim), 0 if none


@dataclass(frozen=True)
class Result:
    """A feasible plan and how good it provably is.

    Invariant: ``objective <= optimum <= bound`` and the plan keeps every capacity,
    lock, forbid and allowed pair (checked before the result is built).
    """

    assignment: np.ndarray  # (C,) pledge index or -1
    objective: float
    bound: float
    gap: float  # (bound - objective) / |bound|
    status: str  # optimal | gap_reached | time_limit
    seconds: float
    explanation: Explanation
    duals: np.ndarray  # (P, D) shadow price of each capacity
    warm: WarmStart
    stats: dict[str, object] = field(default_factory=dict)


def relative_gap(objective: float, bound: float) -> float:
    """The proven relative gap; 0 when the bound is reached."""
    diff = bound - objective
    if diff <= 1e-9 * max(1.0, abs(bound)):
        return 0.0
    return diff / max(abs(bound), 1e-9)
