"""The engine and ``onward match`` stop on time, with a feasible plan and its proven gap.

Instances large enough that the engine overran a short limit before it was given a
deadline (its final restricted MILP started with a second left and returned seconds
later; the CLI read 2 M score rows row by row before the limit even began).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from pyarrow import csv as pacsv

from onward.matching.engine import check, relative_gap, solve

pytestmark = pytest.mark.slow


def _bench_generate(n_cases: int, n_pledges: int):
    """bench/match_gen.py's instances (the benchmarks' own), loaded by path."""
    path = Path(__file__).resolve().parents[3] / "bench" / "match_gen.py"
    spec = importlib.util.spec_from_file_location("match_gen", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(n_cases, n_pledges, seed=1)


def test_the_engine_returns_by_its_deadline_with_a_feasible_plan_and_its_gap() -> None:
    # 1.5 M pairs, restricted MILPs of up to 500,000: before the deadline was passed to
    # HiGHS and estimated, this returned after 6.6 s (its last MILP started too late)
    problem = _bench_generate(30_000, 100)
    limit = 5.0
    t0 = time.perf_counter()
    result = solve(problem, time_limit=limit, gap=0.0, max_milp_pairs=500_000)
    seconds = time.perf_counter() - t0
    # The promise (issue 25): back within T + 2 s of its start; 6.2 s was seen beside a
    # busy xdist worker on two cores, so a 0.5 s margin measured the machine, not the engine.
    assert seconds <= limit + 2.0, f"{seconds:.2f} s for a {limit} s limit"
    assert check(problem, result.assignment) == []
    assert result.objective <= result.bound
    assert result.gap == pytest.approx(relative_gap(result.objective, result.bound))
    assert 0 < result.gap < 1 and result.status == "time_limit"


def _write_inputs(folder: Path, n_cases: int, n_pledges: int) -> list[str]:
    """CASES, PLEDGES and every (case, pledge) pair's score, written by pyarrow (fast)."""
    rng = np.random.default_rng(5)
    size = rng.integers(1, 7, n_cases)
    (folder / "cases.csv").write_text(
        "case_id,places\n" + "".join(f"C{i},{s}\n" for i, s in enumerate(size.tolist()))
    )
    (folder / "pledges.csv").write_text(
        "pledge_id,places\n"
        + "".join(f"P{j},{int(size.sum() * 0.6 / n_pledges)}\n" for j in range(n_pledges))
    )
    case = pc.binary_join_element_wise(
        "C", pc.cast(pa.array(np.repeat(np.arange(n_cases), n_pledges)), pa.string()), ""
    )
    pledge = pc.binary_join_element_wise(
        "P", pc.cast(pa.array(np.tile(np.arange(n_pledges), n_cases)), pa.string()), ""
    )
    score = np.round(
        rng.uniform(10, 100, n_cases).repeat(n_pledges) + rng.normal(0, 5, n_cases * n_pledges), 2
    )
    pacsv.write_csv(
        pa.table({"case_id": case, "pledge_id": pledge, "score": score}),
        folder / "scores.csv",
        pacsv.WriteOptions(quoting_style="none"),
    )
    return [a for n in ("cases", "pledges", "scores") for a in (f"--{n}", str(folder / f"{n}.csv"))]


def test_onward_match_returns_within_its_time_limit_counted_from_its_start(tmp_path: Path) -> None:
    argv = [*_write_inputs(tmp_path, 20_000, 100), "--out", str(tmp_path / "out.csv"), "--quiet"]
    limit = 5.0
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "onward.cli", "match", *argv, "--time-limit", str(limit)],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - t0
    assert seconds <= limit + 2, f"{seconds:.2f} s for a {limit} s limit"
    summary = json.loads(done.stdout)
    assert summary["pairs"] == 2_000_000 and summary["assigned"] > 0
    assert summary["objective"] <= summary["bound"] and 0 <= summary["gap"] < 1
    assert len((tmp_path / "out.csv").read_text().splitlines()) == 20_001
