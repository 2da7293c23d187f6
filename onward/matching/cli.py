"""``onward match``: batch matching of cases to pledges from CSV files.

Reads CASES.csv, PLEDGES.csv, SCORES.csv (and optional LOCKS.csv / FORBIDS.csv),
writes OUT.csv (and optionally an explanation JSON), prints one JSON summary on
stdout. Progress goes to stderr. Bad input is refused whole: a message naming the
file, row and field on stderr, exit status 2, and no output file written.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import math
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pacsv

from onward.matching.engine import Problem, Result, solve

CHUNK_ROWS = 500_000  # SCORES.csv rows parsed per batch (row by row)
ARROW_BLOCK = 16 << 20  # bytes per block of the columnar reader (few, large chunks)
WRITE_SECONDS = 0.2  # kept back from the time limit for writing OUT.csv ...
WRITE_PER_CASE = 3e-6  # ... plus this per case (measured 0.7 us), and with --explain
EXPLAIN_PER_CASE = 3e-5  # this per case more (measured ~17 us, every case blocked)


class InputError(Exception):
    """Bad input, located: file, row (the header is row 1) and field."""

    def __init__(
        self, path: Path, message: str, row: int | None = None, field: str | None = None
    ) -> None:
        where = str(path) + (f", row {row}" if row is not None else "")
        where += f", field '{field}'" if field else ""
        super().__init__(f"{where}: {message}")


@contextmanager
def _open_rows(path: Path) -> Iterator[tuple[list[str], Any]]:
    """Header and csv reader of a file (closed on exit); an empty file is an error."""
    try:
        f = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror}") from exc
    with f:
        reader = csv.reader(f)
        try:
            header = next(reader, None)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputError(path, f"not a readable CSV file: {exc}", 1) from None
        if not header or not any(h.strip() for h in header):
            raise InputError(path, "empty file (a header row is required)", 1)
        try:
            yield [h.strip() for h in header], reader
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputError(path, f"not a readable CSV file: {exc}", reader.line_num) from None


def _check_header(
    path: Path, header: list[str], required: list[str], optional_extra: bool = False
) -> None:
    """Exactly the required columns (in any order), no duplicates, no unknown ones."""
    for name in header:
        if header.count(name) > 1:
            raise InputError(path, "duplicate column", 1, name)
    for name in required:
        if name not in header:
            raise InputError(path, "missing column", 1, name)
    for name in header:
        if name not in required and not optional_extra:
            raise InputError(path, "unknown column", 1, name)


def _int_field(path: Path, row: int, field: str, text: str) -> int:
    try:
        number = int(text.strip())
    except ValueError:
        raise InputError(path, f"not an integer: {text!r}", row, field) from None
    if number < 0:
        raise InputError(path, f"negative value: {number}", row, field)
    return number


def read_table(
    path: Path, id_column: str, dims: list[str] | None
) -> tuple[list[str], list[str], np.ndarray]:
    """Ids, dimension names and the (n, D) integer matrix of CASES or PLEDGES.

    With ``dims`` given (cases), the file must have exactly those dimension columns.
    """
    with _open_rows(path) as (header, reader):
        return _read_table(path, header, reader, id_column, dims)


def _read_table(
    path: Path, header: list[str], reader: Any, id_column: str, dims: list[str] | None
) -> tuple[list[str], list[str], np.ndarray]:
    if id_column not in header:
        raise InputError(path, "missing column", 1, id_column)
    if dims is None:
        dims = [h for h in header if h != id_column]
        if not dims:
            raise InputError(path, "no capacity dimension column", 1)
    _check_header(path, header, [id_column, *dims])
    col = {name: header.index(name) for name in header}
    ids, values, seen = [], [], {}
    for line in reader:
        row = reader.line_num
        if len(line) != len(header):
            raise InputError(path, f"{len(line)} fields, expected {len(header)}", row)
        ident = line[col[id_column]].strip()
        if not ident:
            raise InputError(path, "empty id", row, id_column)
        if ident in seen:
            raise InputError(
                path, f"duplicate id {ident!r} (first on row {seen[ident]})", row, id_column
            )
        seen[ident] = row
        ids.append(ident)
        values.append([_int_field(path, row, d, line[col[d]]) for d in dims])
    if not ids:
        raise InputError(path, "no data rows")
    return ids, dims, np.asarray(values, np.int64).reshape(len(ids), len(dims))


def _locate(path: Path, first_row: int, bad: np.ndarray, field: str, message: str) -> InputError:
    return InputError(path, message, first_row + int(np.flatnonzero(bad)[0]), field)


def _parse_chunk(
    path: Path,
    chunk: list[list[str]],
    first_row: int,
    cases: dict[str, int],
    pledges: dict[str, int],
    col: list[int],
) -> tuple[np.ndarray, ...]:
    """One batch of score rows to arrays; C-speed maps, row lookup only on error."""
    bad_len = [i for i, line in enumerate(chunk) if len(line) != 3]
    if bad_len:
        raise InputError(
            path, f"{len(chunk[bad_len[0]])} fields, expected 3", first_row + bad_len[0]
        )
    cols = list(zip(*chunk, strict=True))
    c_ids, p_ids, s_txt = cols[col[0]], cols[col[1]], cols[col[2]]
    c = np.fromiter(map(cases.get, c_ids, [-1] * len(chunk)), np.int64, len(chunk))
    if (c < 0).any():
        i = int(np.flatnonzero(c < 0)[0])
        raise InputError(path, f"unknown case {c_ids[i]!r}", first_row + i, "case_id")
    p = np.fromiter(map(pledges.get, p_ids, [-1] * len(chunk)), np.int64, len(chunk))
    if (p < 0).any():
        i = int(np.flatnonzero(p < 0)[0])
        raise InputError(path, f"unknown pledge {p_ids[i]!r}", first_row + i, "pledge_id")
    return c, p, _floats(path, s_txt, first_row)


def _floats(path: Path, texts: tuple[str, ...], first_row: int) -> np.ndarray:
    try:
        s = np.fromiter(map(float, texts), np.float64, len(texts))
    except ValueError:
        for i, t in enumerate(texts):
            try:
                float(t)
            except ValueError:
                raise InputError(path, f"not a number: {t!r}", first_row + i, "score") from None
        raise
    if not np.isfinite(s).all():
        raise _locate(path, first_row, ~np.isfinite(s), "score", "score must be finite")
    return s


def read_scores(
    path: Path, cases: dict[str, int], pledges: dict[str, int], say: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All allowed pairs, sorted by (case, pledge); duplicate pairs are an error.

    Read by pyarrow's columnar CSV reader (30 M pairs in seconds); a file it cannot
    read cleanly (a bad row, an unknown id, a score with spaces) is read again row by
    row, which locates the first bad row or accepts what pyarrow was too strict for.
    """
    required = ["case_id", "pledge_id", "score"]
    with _open_rows(path) as (header, _reader):
        _check_header(path, header, required)
    fast = _read_scores_columnar(path, header, cases, pledges)
    if fast is not None:
        return _sorted_pairs(path, *fast, len(pledges))
    gc_was_on = gc.isenabled()
    gc.disable()  # millions of short-lived row lists: the cycle collector only slows parsing
    try:
        return _read_scores(path, cases, pledges, say, required)
    finally:
        if gc_was_on:
            gc.enable()


def _read_scores(
    path: Path, cases: dict[str, int], pledges: dict[str, int], say: Any, required: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    parts, row = [], 2
    with _open_rows(path) as (header, reader):
        _check_header(path, header, required)
        col = [header.index(n) for n in required]
        while chunk := list(islice(reader, CHUNK_ROWS)):
            parts.append(_parse_chunk(path, chunk, row, cases, pledges, col))
            row += len(chunk)
            if len(parts) % 10 == 0:
                say(f"read {row - 2:,} score rows")
    if not parts:
        raise InputError(path, "no data rows")
    c, p, s = (np.concatenate(a) for a in zip(*parts, strict=True))
    del parts
    return _sorted_pairs(path, c, p, s, len(pledges))


def _read_scores_columnar(
    path: Path, header: list[str], cases: dict[str, int], pledges: dict[str, int]
) -> tuple[np.ndarray, ...] | None:
    """(case, pledge, score) arrays, or None when any row is not clean (then read by rows)."""
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(
                skip_rows=1, column_names=header, block_size=ARROW_BLOCK
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={
                    "case_id": pa.string(),
                    "pledge_id": pa.string(),
                    "score": pa.float64(),
                },
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    if not table.num_rows:
        raise InputError(path, "no data rows")
    c = _index_column(table.column("case_id"), cases)
    p = _index_column(table.column("pledge_id"), pledges)
    score = table.column("score")
    if c is None or p is None or score.null_count:
        return None
    s = score.to_numpy()
    if not np.isfinite(s).all():
        return None
    return c, p, s


def _index_column(column: pa.ChunkedArray, index: dict[str, int]) -> np.ndarray | None:
    """Each row's position in ``index`` (ids in the order of ``index``), None if one is unknown."""
    pos = pc.index_in(column, value_set=pa.array(list(index), pa.string()))
    if pos.null_count:
        return None
    return pos.to_numpy()


def _sorted_pairs(
    path: Path, c: np.ndarray, p: np.ndarray, s: np.ndarray, n_pledges: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs in (case, pledge) order; no sort when the file is in that order already."""
    key = c.astype(np.int64)
    key *= n_pledges
    key += p
    if (key[1:] > key[:-1]).all():  # already in order (as written by bench/match_gen.py)
        return c.astype(np.int32, copy=False), p.astype(np.int32, copy=False), s
    order = np.argsort(key, kind="stable")
    dup = np.flatnonzero(np.diff(key[order]) == 0)
    if len(dup):
        i = int(order[dup[0] + 1])
        raise InputError(path, "duplicate (case_id, pledge_id) pair", i + 2, "pledge_id")
    return c[order].astype(np.int32), p[order].astype(np.int32), s[order]


def read_pairs(
    path: Path, cases: dict[str, int], pledges: dict[str, int]
) -> tuple[np.ndarray, list[int]]:
    """LOCKS or FORBIDS: (n, 2) case/pledge indices and the row of each."""
    with _open_rows(path) as (header, reader):
        return _read_pairs(path, header, reader, cases, pledges)


def _read_pairs(
    path: Path, header: list[str], reader: Any, cases: dict[str, int], pledges: dict[str, int]
) -> tuple[np.ndarray, list[int]]:
    _check_header(path, header, ["case_id", "pledge_id"])
    ci, pi = header.index("case_id"), header.index("pledge_id")
    out, where = [], []
    for line in reader:
        row = reader.line_num
        if len(line) != 2:
            raise InputError(path, f"{len(line)} fields, expected 2", row)
        c, p = cases.get(line[ci].strip()), pledges.get(line[pi].strip())
        if c is None:
            raise InputError(path, f"unknown case {line[ci]!r}", row, "case_id")
        if p is None:
            raise InputError(path, f"unknown pledge {line[pi]!r}", row, "pledge_id")
        out.append((c, p))
        where.append(row)
    return np.asarray(out, np.int64).reshape(-1, 2), where


def check_locks(
    path: Path,
    locks: np.ndarray,
    rows: list[int],
    forbids: np.ndarray,
    key: np.ndarray,
    n_pledges: int,
) -> None:
    """Each lock on an allowed, not forbidden pair; one lock per case."""
    forbidden = set((forbids[:, 0] * n_pledges + forbids[:, 1]).tolist())
    seen: dict[int, int] = {}
    for (c, p), row in zip(locks.tolist(), rows, strict=True):
        k = c * n_pledges + p
        if k in forbidden:
            raise InputError(path, "lock on a forbidden pair", row, "pledge_id")
        pos = int(np.searchsorted(key, k))
        if pos >= len(key) or key[pos] != k:
            raise InputError(
                path, "lock on a pair that is not allowed (no score)", row, "pledge_id"
            )
        if c in seen:
            raise InputError(path, f"case locked twice (first on row {seen[c]})", row, "case_id")
        seen[c] = row


def check_lock_capacity(
    path: Path, problem: Problem, locks: np.ndarray, pledge_ids: list[str]
) -> None:
    """Locked cases alone must fit every capacity of their pledge."""
    used = np.zeros_like(problem.capacity)
    np.add.at(used, locks[:, 1], problem.use[locks[:, 0]])
    over = np.argwhere(used > problem.capacity)
    if len(over):
        p, d = over[0].tolist()
        raise InputError(
            path,
            f"locks on pledge {pledge_ids[p]!r} use {used[p, d]} "
            f"of {problem.capacity[p, d]} {problem.dimensions[d]}",
            None,
            problem.dimensions[d],
        )


def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="onward match", description=__doc__.splitlines()[0])
    ap.add_argument(
        "--cases", type=Path, required=True, help="CASES.csv: case_id + one column per dimension"
    )
    ap.add_argument(
        "--pledges",
        type=Path,
        required=True,
        help="PLEDGES.csv: pledge_id + one column per dimension",
    )
    ap.add_argument(
        "--scores", type=Path, required=True, help="SCORES.csv: case_id, pledge_id, score"
    )
    ap.add_argument("--out", type=Path, required=True, help="OUT.csv: case_id, pledge_id")
    ap.add_argument("--time-limit", type=float, default=60.0, help="seconds (default 60)")
    ap.add_argument("--gap", type=float, default=1e-4, help="target relative gap (default 0.0001)")
    ap.add_argument("--locks", type=Path, help="LOCKS.csv: case_id, pledge_id")
    ap.add_argument("--forbids", type=Path, help="FORBIDS.csv: case_id, pledge_id")
    ap.add_argument("--explain", type=Path, help="write a per-case explanation as JSON")
    ap.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = ap.parse_args(argv)
    if not (args.time_limit > 0 and math.isfinite(args.time_limit)):
        ap.error("--time-limit must be a positive number")
    if not 0 <= args.gap < 1:
        ap.error("--gap must be in [0, 1)")
    return args


def load(
    args: argparse.Namespace, say: Any
) -> tuple[Problem, list[str], list[str], np.ndarray, np.ndarray]:
    """Everything read and checked; raises InputError before anything is written."""
    pledge_ids, dims, capacity = read_table(args.pledges, "pledge_id", None)
    case_ids, _, use = read_table(args.cases, "case_id", dims)
    cases = {c: i for i, c in enumerate(case_ids)}
    pledges = {p: i for i, p in enumerate(pledge_ids)}
    say(f"read {len(case_ids):,} cases, {len(pledge_ids):,} pledges, {len(dims)} dimensions")
    pc, pp, score = read_scores(args.scores, cases, pledges, say)
    say(f"read {len(score):,} allowed pairs")
    empty = np.empty((0, 2), np.int64)
    forbids = read_pairs(args.forbids, cases, pledges)[0] if args.forbids else empty
    locks = empty
    if args.locks:
        locks, rows = read_pairs(args.locks, cases, pledges)
        check_locks(
            args.locks,
            locks,
            rows,
            forbids,
            pc.astype(np.int64) * len(pledge_ids) + pp,
            len(pledge_ids),
        )
    problem = Problem(use, capacity, pc, pp, score, tuple(dims))
    if args.locks:
        check_lock_capacity(args.locks, problem, locks, pledge_ids)
    return problem, case_ids, pledge_ids, locks, forbids


def _write_atomic(path: Path, write) -> None:
    """Write via a temp file in the same folder, renamed only once complete."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def write_plan(f, result: Result, case_ids: list[str], pledge_ids: list[str]) -> None:
    out = csv.writer(f)
    out.writerow(["case_id", "pledge_id"])
    for case, p in zip(case_ids, result.assignment.tolist(), strict=True):
        out.writerow([case, pledge_ids[p] if p >= 0 else ""])


def write_explanation(
    f, result: Result, problem: Problem, case_ids: list[str], pledge_ids: list[str]
) -> None:
    """One object per case: score, best alternative and the capacity that blocked it."""
    e = result.explanation
    cases = []
    for i, case in enumerate(case_ids):
        p, alt, bp = int(result.assignment[i]), int(e.alt_pledge[i]), int(e.block_pledge[i])
        cases.append(
            {
                "case_id": case,
                "pledge_id": pledge_ids[p] if p >= 0 else None,
                "score": _num(e.score[i]),
                "alternative": pledge_ids[alt] if alt >= 0 else None,
                "alternative_score": _num(e.alt_score[i]),
                "blocked_by": None
                if bp < 0
                else {
                    "pledge_id": pledge_ids[bp],
                    "dimension": problem.dimensions[int(e.block_dim[i])],
                    "shadow_price": float(e.shadow_price[i]),
                },
            }
        )
    json.dump({"objective": result.objective, "bound": result.bound, "cases": cases}, f)


def _num(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def process_age() -> float:
    """Seconds since this process started (0 where /proc does not tell)."""
    try:
        with open("/proc/self/stat", "rb") as f:
            start_ticks = int(f.read().rsplit(b")", 1)[1].split()[19])
        return max(
            0.0, time.clock_gettime(time.CLOCK_BOOTTIME) - start_ticks / os.sysconf("SC_CLK_TCK")
        )
    except (OSError, ValueError, IndexError, AttributeError):
        return 0.0


def solve_deadline(args: argparse.Namespace, t0: float, n_cases: int) -> float:
    """When the engine must be done: the limit from the command's start, less the writing."""
    writing = WRITE_SECONDS + n_cases * (WRITE_PER_CASE + (EXPLAIN_PER_CASE if args.explain else 0))
    return t0 + args.time_limit - writing


def main(argv: list[str], *, started: float | None = None) -> int:
    """Run ``onward match``; 0 on success, 2 on bad input (nothing written).

    ``--time-limit`` counts from the command's start (interpreter and reading
    included): the engine gets what is left of it, less the time to write. `started`
    (on the ``time.perf_counter()`` clock): the ``onward`` entry point passes the process's
    start; a call from Python (a long-lived process, the tests) starts the clock now.
    """
    t0 = time.perf_counter() if started is None else started
    args = parse_args(argv)

    def say(msg: str) -> None:
        if not args.quiet:
            print(
                f"onward match [{time.perf_counter() - t0:7.1f}s] {msg}",
                file=sys.stderr,
                flush=True,
            )

    try:
        problem, case_ids, pledge_ids, locks, forbids = load(args, say)
        deadline = solve_deadline(args, t0, problem.n_cases)
        result = solve(
            problem,
            locks=locks,
            forbids=forbids,
            time_limit=args.time_limit,
            gap=args.gap,
            progress=say,
            deadline=deadline,
        )
    except (InputError, ValueError) as exc:
        print(f"onward match: error: {exc}", file=sys.stderr)
        return 2
    _write_atomic(args.out, lambda f: write_plan(f, result, case_ids, pledge_ids))
    if args.explain:
        _write_atomic(
            args.explain, lambda f: write_explanation(f, result, problem, case_ids, pledge_ids)
        )
    summary = {
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "assigned": int((result.assignment >= 0).sum()),
        "seconds": round(time.perf_counter() - t0, 3),
        "solve_seconds": round(result.seconds, 3),
        "status": result.status,
        "cases": problem.n_cases,
        "pledges": problem.n_pledges,
        "pairs": len(problem.score),
        "locks": len(locks),
        "forbids": len(forbids),
        "used": {
            d: int(problem.use[result.assignment >= 0, i].sum())
            for i, d in enumerate(problem.dimensions)
        },
        **{k: v for k, v in result.stats.items() if k not in ("pairs", "history")},
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
