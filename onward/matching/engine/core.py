"""The active instance: allowed pairs after locks and forbids, sorted by case.

Locked cases are taken out of the optimisation (their use is subtracted from the
pledge's capacity), forbidden pairs and pairs that could never fit are dropped.
Everything the solver loops over lives here as flat numpy arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .model import UNASSIGNED, Problem

CHUNK = 1 << 21  # pairs priced per numpy pass: bounds the temporary memory


@dataclass
class Core:
    """Active pairs sorted by (case, pledge).

    Invariant: every pair here is allowed, not forbidden, belongs to an unlocked
    case and fits the residual capacity of its pledge on its own.
    """

    n_cases: int
    n_pledges: int
    use: np.ndarray  # (C, D) float64
    cap: np.ndarray  # (P, D) float64, residual after locks
    key: np.ndarray  # (K,) int64 case * P + pledge, strictly increasing
    pc: np.ndarray  # (K,) int32 case
    pp: np.ndarray  # (K,) int32 pledge
    s: np.ndarray  # (K,) float64 score
    pu: np.ndarray  # (K, D) small ints: use of the pair's case
    seg_case: np.ndarray  # cases having at least one pair
    seg_start: np.ndarray  # first pair of each of those cases
    fixed: np.ndarray  # (C,) locked pledge or -1
    fixed_score: np.ndarray  # (C,) score of the locked pair, nan if not locked
    patterns: np.ndarray | None  # (G, D) the distinct use vectors of the cases (None: too many)
    gp: np.ndarray | None  # (K,) int32 pattern * P + pledge: a pair's place in a (G, P) table

    @property
    def fixed_value(self) -> float:
        return float(np.nansum(self.fixed_score))

    @property
    def n_pairs(self) -> int:
        return len(self.s)

    def sample(self, share: float, seed: int = 0) -> Core:
        """A random ``share`` of the cases with that share of every capacity.

        Cases here are many and alike, so the capacity prices that are best for a
        sample are close to the best prices for all: a cheap place to start from.
        The sample's bounds say nothing about the whole instance.
        """
        pick = np.random.default_rng(seed).random(self.n_cases) < share
        keep = pick[self.pc]
        n, use, pp = int(pick.sum()), self.use[pick], self.pp[keep]
        pc = (np.cumsum(pick) - 1)[self.pc[keep]].astype(np.int32)
        seg_case, seg_start = np.unique(pc, return_index=True)
        patterns, gp = _pattern_table(use, pc, pp, self.n_pledges)
        return replace(
            self,
            n_cases=n,
            use=use,
            cap=self.cap * share,
            key=pc.astype(np.int64) * self.n_pledges + pp,
            pc=pc,
            pp=pp,
            s=self.s[keep],
            pu=self.pu[keep],
            seg_case=seg_case,
            seg_start=seg_start,
            fixed=self.fixed[pick],
            fixed_score=np.full(n, np.nan),
            patterns=patterns,
            gp=gp,
        )

    def find(self, case: np.ndarray, pledge: np.ndarray) -> np.ndarray:
        """Pair index of each (case, pledge), or -1 where not an active pair."""
        want = np.asarray(case, np.int64) * self.n_pledges + np.asarray(pledge, np.int64)
        if not len(self.key):
            return np.full(len(want), -1, np.int64)
        pos = np.minimum(np.searchsorted(self.key, want), len(self.key) - 1)
        return np.where(self.key[pos] == want, pos, -1)


def _sorted_keys(problem: Problem) -> tuple[np.ndarray, np.ndarray | None]:
    """Pair keys in increasing order and the permutation (None: already sorted);
    duplicates are an error."""
    key = problem.pair_case.astype(np.int64) * problem.n_pledges + problem.pair_pledge
    order = None
    if len(key) > 1 and not (np.diff(key) > 0).all():
        order = np.argsort(key, kind="stable")
        key = key[order]
        if (np.diff(key) == 0).any():
            raise ValueError("a (case, pledge) pair is listed twice")
    return key, order


def _pairs_array(pairs: np.ndarray | None) -> np.ndarray:
    if pairs is None:
        return np.empty((0, 2), np.int64)
    return np.asarray(pairs, np.int64).reshape(-1, 2)


def build_core(problem: Problem, locks: np.ndarray | None, forbids: np.ndarray | None) -> Core:
    """Apply locks and forbids; raise ValueError on an impossible lock."""
    problem.validate()
    n_c, n_p = problem.n_cases, problem.n_pledges
    key, order = _sorted_keys(problem)
    score = problem.score.astype(np.float64)
    if order is not None:
        score = score[order]
    keep = np.ones(len(key), bool)
    forbids, locks = _pairs_array(forbids), _pairs_array(locks)
    fkey = forbids[:, 0] * n_p + forbids[:, 1]
    keep &= ~np.isin(key, fkey)
    fixed, fixed_score, cap = _apply_locks(problem, key, score, locks, set(fkey.tolist()))
    pc = (key // n_p).astype(np.int32)
    keep &= fixed[pc] == UNASSIGNED
    use = problem.use.astype(np.float64)
    pp = (key % n_p).astype(np.int32)
    keep &= _fits(use, cap, pc, pp)
    key, pc, pp, score = key[keep], pc[keep], pp[keep], score[keep]
    seg_case, seg_start = np.unique(pc, return_index=True)
    patterns, gp = _pattern_table(use, pc, pp, n_p)
    return Core(
        n_c,
        n_p,
        use,
        cap,
        key,
        pc,
        pp,
        score,
        _small(problem.use)[pc],
        seg_case,
        seg_start,
        fixed,
        fixed_score,
        patterns,
        gp,
    )


def _pattern_table(
    use: np.ndarray, pc: np.ndarray, pp: np.ndarray, n_p: int
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The distinct use vectors and each pair's (pattern, pledge) cell, or (None, None)
    when the (patterns x pledges) table would be as large as the pairs themselves
    (uses nearly all distinct): then pairs are priced one dimension at a time."""
    patterns, pattern = np.unique(use, axis=0, return_inverse=True)
    if len(patterns) * n_p > max(len(pc), 1 << 16):
        return None, None
    return patterns, pattern.reshape(-1).astype(np.int32)[pc] * np.int32(n_p) + pp


def _apply_locks(
    problem: Problem, key: np.ndarray, score: np.ndarray, locks: np.ndarray, forbidden: set[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fix locked cases; their use comes off the pledge's capacity."""
    n_p = problem.n_pledges
    fixed = np.full(problem.n_cases, UNASSIGNED, np.int64)
    cap = problem.capacity.astype(np.float64).copy()
    value = np.full(problem.n_cases, np.nan)
    for c, p in locks.tolist():
        if not (0 <= c < problem.n_cases and 0 <= p < n_p):
            raise ValueError(f"lock ({c}, {p}) names an unknown case or pledge")
        if fixed[c] != UNASSIGNED:
            raise ValueError(f"case {c} is locked twice")
        k = c * n_p + p
        pos = int(np.searchsorted(key, k))
        if k in forbidden:
            raise ValueError(f"lock ({c}, {p}) is on a forbidden pair")
        if pos >= len(key) or key[pos] != k:
            raise ValueError(f"lock ({c}, {p}) is on a pair that is not allowed")
        fixed[c] = p
        cap[p] -= problem.use[c]
        value[c] = score[pos]
    over = np.argwhere(cap < 0)
    if len(over):
        p, d = over[0]
        raise ValueError(f"locks exceed the capacity of pledge {p} in dimension {d}")
    return fixed, value, cap


def _fits(use: np.ndarray, cap: np.ndarray, pc: np.ndarray, pp: np.ndarray) -> np.ndarray:
    """Pairs whose case fits the pledge's residual capacity on its own (chunked)."""
    ok = np.empty(len(pc), bool)
    for a in range(0, len(pc), CHUNK):
        sl = slice(a, a + CHUNK)
        ok[sl] = (use[pc[sl]] <= cap[pp[sl]]).all(axis=1)
    return ok


def _small(use: np.ndarray) -> np.ndarray:
    """The case use in the smallest integer type that holds it (pairs × dims is big)."""
    top = int(use.max()) if use.size else 0
    for dtype in (np.uint8, np.uint16, np.uint32):
        if top <= np.iinfo(dtype).max:
            return use.astype(dtype)
    return use.astype(np.int64)


def profits(core: Core, v: np.ndarray) -> np.ndarray:
    """w_k = s_k - sum_d use[c,d] * v[p,d]: a pair's score net of capacity prices.

    Cases share few distinct use vectors (household sizes times a few needs), so
    the charge of every (use vector, pledge) is one small (G, P) table and each
    pair reads its charge from it: one gather over the pairs instead of D.
    """
    if core.patterns is None:
        w = core.s.copy()
        for a in range(0, core.n_pairs, CHUNK):
            sl = slice(a, a + CHUNK)
            w[sl] -= (core.pu[sl] * v[core.pp[sl]]).sum(axis=1)
        return w
    charge = (core.patterns @ v.T).ravel()
    return core.s - charge[core.gp]


def pair_sums(core: Core, weights: np.ndarray) -> np.ndarray:
    """(P, D): sum over pairs of ``weights`` times the pair's use, per pledge."""
    if core.patterns is None or core.gp is None:  # both None or neither
        return np.stack(
            [
                np.bincount(core.pp, weights=weights * core.pu[:, d], minlength=core.n_pledges)
                for d in range(core.cap.shape[1])
            ],
            axis=1,
        )
    g = np.bincount(core.gp, weights=weights, minlength=len(core.patterns) * core.n_pledges)
    return g.reshape(len(core.patterns), core.n_pledges).T @ core.patterns


def case_best(core: Core, w: np.ndarray) -> np.ndarray:
    """Per case, max(0, best net profit): the smallest dual u that keeps rc <= 0."""
    u = np.zeros(core.n_cases)
    if core.n_pairs:
        u[core.seg_case] = np.maximum(np.maximum.reduceat(w, core.seg_start), 0.0)
    return u


def dual_bound(core: Core, v: np.ndarray, u: np.ndarray) -> float:
    """Objective of the LP dual at (u, v): a valid upper bound when u = case_best."""
    return float(u.sum() + (core.cap * v).sum()) + core.fixed_value
