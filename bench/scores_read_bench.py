"""How fast ``onward match`` reads a score file: N pairs written, read, deleted.

The file is written by pyarrow (C++, seconds) in the CLI's contract (``C<i>,P<j>,score``,
in case order like bench/match_gen.py's), read by ``onward.matching.cli.read_scores``
and removed after, so the disk holds it only while measured.

    python bench/scores_read_bench.py --cases 100000 --pledges 300   # 30 M pairs, ~0.6 GB
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pacsv

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from onward.matching.cli import read_scores  # noqa: E402


def write_scores(path: Path, n_cases: int, n_pledges: int, seed: int = 1) -> int:
    """Every (case, pledge) pair with a score of two decimals; returns the row count."""
    rng = np.random.default_rng(seed)
    with pacsv.CSVWriter(
        path,
        pa.schema([("case_id", pa.string()), ("pledge_id", pa.string()), ("score", pa.float64())]),
        write_options=pacsv.WriteOptions(quoting_style="none"),
    ) as out:
        pledge = pc.binary_join_element_wise(
            "P", pc.cast(pa.array(np.arange(n_pledges)), pa.string()), ""
        )
        step = max(1, 2_000_000 // n_pledges)
        for a in range(0, n_cases, step):
            n = min(step, n_cases - a)
            case = pc.binary_join_element_wise(
                "C", pc.cast(pa.array(np.repeat(np.arange(a, a + n), n_pledges)), pa.string()), ""
            )
            score = np.round(rng.uniform(10, 150, n * n_pledges), 2)
            out.write_table(
                pa.table(
                    {"case_id": case, "pledge_id": pa.concat_arrays([pledge] * n), "score": score}
                )
            )
    return n_cases * n_pledges


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="scores_read_bench")
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--pledges", type=int, default=300)
    ap.add_argument("--dir", type=Path, default=None, help="where the file is written (a temp dir)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        path = Path(tmp) / "SCORES.csv"
        t0 = time.perf_counter()
        rows = write_scores(path, args.cases, args.pledges)
        size = path.stat().st_size
        print(
            f"wrote {rows:,} pairs, {size / 1e6:.0f} MB in {time.perf_counter() - t0:.1f} s",
            flush=True,
        )
        cases = {f"C{i}": i for i in range(args.cases)}
        pledges = {f"P{j}": j for j in range(args.pledges)}
        t0 = time.perf_counter()
        c, p, s = read_scores(path, cases, pledges, lambda _m: None)
        seconds = time.perf_counter() - t0
        assert len(s) == rows and c[-1] == args.cases - 1 and p[-1] == args.pledges - 1
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"read {rows:,} pairs in {seconds:.2f} s ({rows / seconds / 1e6:.1f} M pairs/s), "
        f"peak {peak:.0f} MB; file deleted"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
