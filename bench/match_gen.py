"""Deterministic matching instances shaped like the operation's.

Cases: households of 1-8 persons skewed to small ones; dimensions ``places``
(= persons), ``medical`` (a share of cases need 1-2 medical places) and
``large_family`` (cases of 5+ persons use 1). Pledges offer places with scarce
medical and large-family quotas so that all three dimensions bind. About half
of the pairs are allowed (a pledge's criteria); the score adds priority
category, needs met, waiting time, the pledge's preference and noise.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from onward.matching.engine import Problem

DIMENSIONS = ("places", "medical", "large_family")
SIZE_SHARE = np.array([0.30, 0.18, 0.15, 0.13, 0.10, 0.07, 0.04, 0.03])  # 1..8 persons


def generate(
    n_cases: int, n_pledges: int, seed: int = 0, allowed: float = 0.5, supply: float = 0.6
) -> Problem:
    """An instance where pledges offer about ``supply`` of the persons waiting."""
    rng = np.random.default_rng(seed)
    size = rng.choice(np.arange(1, 9), n_cases, p=SIZE_SHARE)
    medical = np.where(rng.random(n_cases) < 0.12, rng.integers(1, 3, n_cases), 0)
    large = (size >= 5).astype(np.int64)
    use = np.stack([size, medical, large], axis=1).astype(np.int64)
    capacity = _capacity(rng, use, n_pledges, supply)
    pair_case, pair_pledge = _pairs(rng, n_cases, n_pledges, allowed)
    score = _scores(rng, use, pair_case, pair_pledge, n_cases, n_pledges)
    return Problem(use, capacity, pair_case, pair_pledge, score, DIMENSIONS)


def _capacity(
    rng: np.random.Generator, use: np.ndarray, n_pledges: int, supply: float
) -> np.ndarray:
    """Pledge sizes vary tenfold; medical and large-family quotas are tighter than demand."""
    weight = rng.pareto(1.5, n_pledges) + 0.3
    weight /= weight.sum()
    total = use.sum(axis=0)
    share = np.array([supply, supply * 0.5, supply * 0.6])
    cap = np.floor(
        weight[:, None] * total[None, :] * share[None, :] * rng.uniform(0.7, 1.3, (n_pledges, 3))
    )
    cap[:, 0] = np.maximum(cap[:, 0], 8)
    return cap.astype(np.int64)


def _pairs(
    rng: np.random.Generator, n_cases: int, n_pledges: int, allowed: float
) -> tuple[np.ndarray, np.ndarray]:
    """Each pledge accepts a random ``allowed`` share of cases (sorted by case)."""
    chunks_c, chunks_p = [], []
    step = max(1, 2_000_000 // max(n_pledges, 1))
    for a in range(0, n_cases, step):
        ok = rng.random((min(step, n_cases - a), n_pledges)) < allowed
        c, p = np.nonzero(ok)
        chunks_c.append((c + a).astype(np.int32))
        chunks_p.append(p.astype(np.int32))
    return np.concatenate(chunks_c), np.concatenate(chunks_p)


def _scores(
    rng: np.random.Generator,
    use: np.ndarray,
    pc: np.ndarray,
    pp: np.ndarray,
    n_cases: int,
    n_pledges: int,
) -> np.ndarray:
    """Priority category + needs + waiting time per case, pledge fit, and noise."""
    priority = rng.choice([0.0, 20.0, 40.0, 60.0], n_cases, p=[0.5, 0.25, 0.15, 0.10])
    waiting = rng.exponential(12.0, n_cases)  # months
    needs = 15.0 * (use[:, 1] > 0) + 5.0 * (use[:, 0] >= 5)
    case_part = 10.0 + priority + needs + np.minimum(waiting, 48.0)
    pledge_part = rng.normal(0.0, 5.0, n_pledges)
    noise = rng.normal(0.0, 3.0, len(pc))
    return np.round(case_part[pc] + pledge_part[pp] + noise, 2)


def write_csv(problem: Problem, folder: Path) -> dict[str, Path]:
    """Write CASES.csv, PLEDGES.csv and SCORES.csv in the CLI's file contract."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {n: folder / f"{n}.csv" for n in ("cases", "pledges", "scores")}
    dims = list(problem.dimensions)
    _write_table(
        paths["cases"],
        ["case_id", *dims],
        ([f"C{i}", *row] for i, row in enumerate(problem.use.tolist())),
    )
    _write_table(
        paths["pledges"],
        ["pledge_id", *dims],
        ([f"P{i}", *row] for i, row in enumerate(problem.capacity.tolist())),
    )
    rows = zip(
        problem.pair_case.tolist(),
        problem.pair_pledge.tolist(),
        problem.score.tolist(),
        strict=True,
    )
    _write_table(
        paths["scores"],
        ["case_id", "pledge_id", "score"],
        ([f"C{c}", f"P{p}", s] for c, p, s in rows),
    )
    return paths


def _write_table(path: Path, header: list[str], rows) -> None:
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(header)
        out.writerows(rows)
