"""``onward dedup PEOPLE.csv --out CLUSTERS.csv``: batch duplicate detection on a person CSV.

No database needed.  Writes ``person_id, cluster_id`` for every input row (a person alone
is its own cluster; a cluster is named after its first member in file order), optionally
every scored pair, and prints one JSON summary on stdout.  Bad input is refused whole with
the row and column at fault (exit 2), and no output file is left half-written.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

import numpy as np

from onward.dedup.engine import api
from onward.dedup.engine.model import DEFAULT_REVIEW_THRESHOLD, DEFAULT_THRESHOLD
from onward.dedup.engine.parallel import in_process
from onward.dedup.engine.prepare import Dataset, prepare
from onward.dedup.engine.records import PERSON_COLUMNS, parse_birth_date


class InputError(Exception):
    """Bad input file; the message names the row and the column."""


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="onward dedup", description=__doc__.splitlines()[0])
    ap.add_argument("people", help="person CSV (UTF-8, header row)")
    ap.add_argument("--out", required=True, help="CLUSTERS.csv to write: person_id, cluster_id")
    ap.add_argument(
        "--threshold",
        type=float,
        default=None,
        help=f"match probability for an automatic duplicate "
        f"(default {DEFAULT_THRESHOLD}, chosen without labels)",
    )
    ap.add_argument(
        "--review-threshold",
        type=float,
        default=None,
        help=f"lower match probability for the review queue (default {DEFAULT_REVIEW_THRESHOLD})",
    )
    ap.add_argument("--pairs-out", help="PAIRS.csv to write: every scored candidate pair")
    ap.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    ap.add_argument(
        "--workers",
        type=int,
        default=0,
        help="run blocking, comparing and scoring on a local Dask cluster of this many "
        "worker processes (default 0: in this process); the clusters are the same",
    )
    ap.add_argument(
        "--worker-memory",
        default="4GB",
        help="memory limit of each local worker, as Dask reads it (default 4GB)",
    )
    ap.add_argument(
        "--scheduler", help="address of a running Dask scheduler to use instead (tcp://host:8786)"
    )
    return ap


@contextmanager
def _mapper(args: argparse.Namespace):
    """Where the engine's parts run: here, or on the Dask cluster asked for."""
    if not args.workers and not args.scheduler:
        yield in_process
        return
    if args.workers < 0:
        raise InputError(f"--workers must be 0 or more, not {args.workers}")
    from onward.dedup.distributed import cluster_mapper

    with cluster_mapper(args.workers, args.worker_memory, args.scheduler) as mapper:
        yield mapper


def read_people(path: str) -> list[dict[str, str]]:
    """Read and validate the person CSV; raise InputError naming row and column."""
    try:
        raw = open(path, "rb").read()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"{path}: row {row}: not UTF-8 text (byte {exc.start})") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise InputError(f"{path}: empty file, expected a header row: {','.join(PERSON_COLUMNS)}")
    header = [h.strip() for h in header]
    missing = [c for c in PERSON_COLUMNS if c not in header]
    unknown = [c for c in header if c not in PERSON_COLUMNS]
    if missing:
        raise InputError(f"{path}: row 1: missing column(s): {', '.join(missing)}")
    if unknown:
        raise InputError(f"{path}: row 1: unknown column(s): {', '.join(unknown)}")
    rows, seen = [], set()
    for line_no, values in enumerate(reader, start=2):
        if not values or not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise InputError(
                f"{path}: row {line_no}: {len(values)} values for {len(header)} columns"
            )
        row = {h: v.strip() for h, v in zip(header, values, strict=True)}
        _validate_row(path, line_no, row, seen)
        rows.append(row)
    return rows


def _read_and_prepare(path: str) -> Dataset:
    return prepare(read_people(path))


def read_prepared(path: str) -> Dataset:
    """The person CSV read, checked and prepared in a child process: the rows as dicts of
    strings take far more memory than the prepared columns (1.7 GB at a million rows),
    and once freed they leave the heap in pieces that the pairs' arrays cannot reuse (1.3
    GB still resident after they went), so here only the prepared columns arrive."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(_read_and_prepare, path).result()


def _validate_row(path: str, line_no: int, row: dict[str, str], seen: set[str]) -> None:
    """Check one row's values (ids, sex, date, nationality)."""

    def fail(col: str, msg: str) -> InputError:
        return InputError(f"{path}: row {line_no}, column {col}: {msg}")

    pid = row["person_id"]
    if not pid:
        raise fail("person_id", "empty")
    if pid in seen:
        raise fail("person_id", f"duplicate id {pid!r}")
    seen.add(pid)
    if row["sex"] not in ("", "M", "F", "X"):
        raise fail("sex", f"{row['sex']!r} is not M, F or X")
    try:
        parse_birth_date(row["birth_date"])
    except ValueError as exc:
        raise fail("birth_date", str(exc)) from exc
    nat = row["nationality"]
    if nat and not (len(nat) == 3 and nat.isalpha() and nat.isupper()):
        raise fail("nationality", f"{nat!r} is not an ISO 3166-1 alpha-3 code")


def _atomic_write(path: str, write: Callable[[csv.writer], None]) -> str:
    """Write a CSV to a temp file in the target folder; return the temp path (renamed
    by the caller once everything succeeded)."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".onward-dedup-", suffix=".csv", dir=folder)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            write(csv.writer(fh))
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def _progress_bar(enabled: bool):
    """A progress callback drawing a tqdm bar per stage on stderr."""
    if not enabled:
        return None, lambda: None
    from tqdm import tqdm

    state: dict[str, object] = {}

    def progress(stage: str, done: int, total: int) -> None:
        bar = state.get("bar")
        if state.get("stage") != stage:
            if bar is not None:
                bar.close()
            bar = state["bar"] = tqdm(total=total, desc=stage, file=sys.stderr, leave=False)
            state["stage"] = stage
        bar.total = total
        bar.n = done
        bar.refresh()

    def close() -> None:
        if state.get("bar") is not None:
            state["bar"].close()

    return progress, close


def run(args: argparse.Namespace) -> dict:
    """Dedup the file and write the outputs; return the summary."""
    t0 = time.perf_counter()
    ds = read_prepared(args.people)
    for name, value in (
        ("--threshold", args.threshold),
        ("--review-threshold", args.review_threshold),
    ):
        if value is not None and not 0.0 < value < 1.0:
            raise InputError(f"{name} must be a probability between 0 and 1, not {value}")
    progress, close = _progress_bar(not args.no_progress and len(ds) > 0)
    try:
        with _mapper(args) as mapper:
            res = api.dedup(
                ds,
                threshold=args.threshold,
                review_threshold=args.review_threshold,
                progress=progress,
                mapper=mapper,
            )
    finally:
        close()
    ids = res.dataset.person_ids
    first: dict[int, str] = {}
    cluster_of = [first.setdefault(int(c), ids[i]) for i, c in enumerate(res.clusters)]

    def write_clusters(w) -> None:
        w.writerow(["person_id", "cluster_id"])
        w.writerows(zip(ids, cluster_of, strict=True))

    tmps = [(_atomic_write(args.out, write_clusters), args.out)]
    try:
        if args.pairs_out:
            tmps.append(
                (_atomic_write(args.pairs_out, lambda w: _write_pairs(w, res)), args.pairs_out)
            )
        for tmp, final in tmps:
            os.replace(tmp, final)
    except BaseException:
        for tmp, _ in tmps:
            if os.path.exists(tmp):
                os.unlink(tmp)
        raise
    prob = res.probability
    return {
        "records": len(ids),
        "candidate_pairs": int(len(res.ia)),
        "pairs_above_threshold": int((prob >= res.threshold).sum()),
        "pairs_for_review": int(((prob >= res.review_threshold) & (prob < res.threshold)).sum()),
        "clusters": len(first),
        "duplicate_clusters": int(sum(1 for c in _sizes(res.clusters) if c > 1)),
        "threshold": res.threshold,
        "review_threshold": res.review_threshold,
        "seconds": round(time.perf_counter() - t0, 3),
    }


def _sizes(clusters) -> list[int]:
    counts: dict[int, int] = {}
    for c in clusters.tolist():
        counts[c] = counts.get(c, 0) + 1
    return list(counts.values())


def _write_pairs(w, res: api.DedupResult) -> None:
    """Every scored candidate pair: ids, probability, weight, decision, level per field."""
    specs = res.model.specs
    w.writerow(
        ["person_id_a", "person_id_b", "match_probability", "match_weight", "decision"]
        + [s.name for s in specs]
    )
    ids = res.dataset.person_ids
    labels = [[*s.levels, "null"] for s in specs]  # level -1 (missing) reads "null"
    # Most likely first; a stable sort keeps equal pairs in candidate order. At a million
    # records there are tens of millions of pairs: sort with numpy, write in blocks.
    order = np.argsort(-res.probability, kind="stable")
    for start in range(0, len(order), 100_000):
        ks = order[start : start + 100_000]
        rows = zip(
            res.ia[ks].tolist(),
            res.ib[ks].tolist(),
            res.probability[ks].tolist(),
            res.weight[ks].tolist(),
            res.levels[ks].tolist(),
            strict=True,
        )
        w.writerows(
            [
                ids[a],
                ids[b],
                f"{p:.6f}",
                f"{wt:.3f}",
                "match"
                if p >= res.threshold
                else "review"
                if p >= res.review_threshold
                else "no_match",
                *(names[v] for names, v in zip(labels, lev, strict=True)),
            ]
            for a, b, p, wt, lev in rows
        )


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``onward dedup``; returns the exit code (2 for bad input)."""
    args = build_parser().parse_args(argv)
    try:
        summary = run(args)
    except InputError as exc:
        print(f"onward dedup: error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
