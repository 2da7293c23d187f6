"""Blocking: candidate pairs from several keys, with bounded block sizes.

Each blocking key is an int64 code per record (-1 = no key).  Records sharing a code are
candidates.  A block up to ``max_block`` records gives all its pairs; a larger block (the
Mohammad + Mohammadi + 1990 kind) is sorted by the full name and only records within
``window`` places of each other are paired (sorted neighbourhood), so the cost stays
linear in the registry size while similar records still meet.
"""

from __future__ import annotations

import numpy as np

from .parallel import Mapper, in_process
from .prepare import Dataset

MAX_BLOCK = 60
WINDOW = 12
# A blocking part's pairs (about; a block is never cut): ~130 MB as int64 pair codes, so
# a part and its temporaries stay within a few hundred MB whatever the registry's size.
PART_PAIRS = 1 << 24
_M1 = np.int64(1_000_003)
_M2 = np.int64(998_244_353)


def _combine(*parts: np.ndarray) -> np.ndarray:
    """One int64 code from several id arrays; -1 where any part is missing."""
    code = np.zeros(len(parts[0]), np.int64)
    missing = np.zeros(len(parts[0]), bool)
    for k, p in enumerate(parts):
        p64 = p.astype(np.int64)
        missing |= p64 < 0
        code = code * (_M1 if k % 2 else _M2) + p64 + 1  # wraps on overflow: still a code
    code[missing] = -1
    code[code < -1] = np.abs(code[code < -1])
    return code


def blocking_keys(ds: Dataset) -> dict[str, np.ndarray]:
    """The blocking keys of a dataset, by name (same functions serve the lookup index)."""
    g, f, fa = (ds.name_key[k] for k in ("given_name", "family_name", "father_name"))
    year = np.where(ds.year > 0, ds.year, -1).astype(np.int32)
    full = (ds.month > 0) & (ds.day > 0) & (ds.year > 0)
    lo = np.minimum(ds.month, ds.day).astype(np.int32)
    hi = np.maximum(ds.month, ds.day).astype(np.int32)
    dob = np.where(full, ds.year.astype(np.int32) * 10_000 + lo * 100 + hi, -1)  # swap-proof
    names = (g, f, fa)
    keys: dict[str, np.ndarray] = {
        "given+family": _combine(g, f),
        "family+given": _combine(np.maximum(g, f), np.minimum(g, f)),  # swapped name order
        "family+year": _combine(f, year),
        "given+year": _combine(g, year),
        "given+father": _combine(g, fa),
        "family+father": _combine(f, fa),
        "birth_date": _combine(dob),
        "given+day_month": _combine(g, np.where(full, lo * 100 + hi, -1)),  # year typos
        "document": _combine(ds.doc),
        "phone": _combine(ds.phone),
        # Two-column keys (one code per column, one code space): a record is in the block
        # of each of its codes, so a name typed wrongly or in the other field (given and
        # family swapped) still meets its original through the other name.  Small blocks
        # at a million records, where the one-name keys above are windowed.
        "name+date±1": np.stack(
            [
                _combine(name, np.where(full, lo * 100 + hi, -1), (year + shift) // 2)
                for name in names
                for shift in (0, 1)  # years one apart share one of the two buckets
            ],
            axis=1,
        ),
        "name+father+year": np.stack([_combine(name, fa, year) for name in (g, f)], axis=1),
    }
    for name, col in ds.extra.items():
        keys[f"extra:{name}"] = _combine(col)
    return keys


def _rank(order: np.ndarray) -> np.ndarray:
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    return rank


def key_ranks(ds: Dataset) -> dict[str, np.ndarray]:
    """Sort orders inside big blocks that differ from ``secondary_rank``, by key.

    The swapped-order key puts "Hassan Yousefi" and "Yousefi Hassan" in one block; sorted
    by family name first they would land at its two ends (at a million records such a
    block holds ~400 records), so there the names are taken in key order.
    """
    g, f, fa = (ds.name_key[k] for k in ("given_name", "family_name", "father_name"))
    lo, hi = np.minimum(g, f), np.maximum(g, f)
    return {"family+given": _rank(np.lexsort((fa, ds.year, hi, lo)))}


def secondary_rank(ds: Dataset) -> np.ndarray:
    """A rank that orders records by family and given name, birth year, then father's
    name (sort inside big blocks).  The year before the father's name: a re-registration
    often lacks the father's name (it would sort to the block's start, dozens of places
    from its original in a 150-record Mohammad Hosseini block) but rarely the year."""
    order = np.lexsort(
        (ds.name_key["father_name"], ds.year, ds.name_key["given_name"], ds.name_key["family_name"])
    )
    return _rank(order)


def flat_codes(code: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, record of each code): a two-column key has one entry per column."""
    if code.ndim == 1:
        return code, np.arange(len(code))
    return code.T.ravel(), np.tile(np.arange(code.shape[0]), code.shape[1])


def key_blocks(code: np.ndarray, rank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A key's blocks of two or more: (records, block sizes), the records of each block
    in a row, the blocks in code order, each sorted by rank (one-record blocks give no
    pairs and are left out)."""
    code, rec = flat_codes(code)
    valid = np.nonzero(code >= 0)[0]
    if len(valid) < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    order = valid[np.lexsort((rank[rec[valid]], code[valid]))]
    sc = code[order]
    first = np.empty(len(sc), bool)
    first[0] = True
    np.not_equal(sc[1:], sc[:-1], out=first[1:])
    del sc
    start = np.flatnonzero(first)
    del first
    counts = np.diff(start, append=len(order))
    shared = counts > 1
    members = order[np.repeat(shared, counts)]
    del order
    return rec[members], counts[shared]


def block_pair_counts(counts: np.ndarray, max_block: int = MAX_BLOCK, window: int = WINDOW):
    """How many pairs each block gives (an upper bound for a two-column key, whose record
    can meet itself): all of them up to max_block records, else each record with the
    next `window`."""
    s = counts.astype(np.int64)
    w = min(window, max_block)
    windowed = w * (w + 1) // 2 + np.maximum(s - 1 - w, 0) * w
    return np.where(s <= max_block, s * (s - 1) // 2, windowed)


def block_pairs(
    rec: np.ndarray,
    counts: np.ndarray,
    max_block: int = MAX_BLOCK,
    window: int = WINDOW,
    two_column: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs (i < j) of blocks laid out as key_blocks gives them."""
    if not len(counts):
        return np.empty(0, rec.dtype), np.empty(0, rec.dtype)
    size = np.repeat(counts, counts)
    start = np.cumsum(counts) - counts
    pos = np.arange(len(rec)) - np.repeat(start, counts)  # position inside its block
    del start
    left, right = [], []
    live = np.nonzero(size > 1)[0]
    d = 1
    while len(live):
        remaining = size[live] - pos[live] - 1  # members after this one
        reach = np.where(size[live] <= max_block, remaining, np.minimum(remaining, window))
        live = live[reach >= d]
        if not len(live):
            break
        left.append(rec[live])
        right.append(rec[live + d])
        d += 1
    if not left:
        return np.empty(0, rec.dtype), np.empty(0, rec.dtype)
    a = np.concatenate(left)
    del left
    b = np.concatenate(right)
    del right
    if two_column:  # a record meets itself, pairs repeat
        other = a != b
        a, b = a[other], b[other]
    return np.minimum(a, b), np.maximum(a, b)


def pairs_for_key(
    code: np.ndarray, rank: np.ndarray, max_block: int = MAX_BLOCK, window: int = WINDOW
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs (i < j) of records sharing a code (a two-column key: any code)."""
    rec, counts = key_blocks(code, rank)
    two_column = code.ndim == 2 and code.shape[1] > 1
    return block_pairs(rec, counts, max_block, window, two_column)


def unique_sorted(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an integer array.

    np.unique without a return_* argument uses a hash table since NumPy 2.3, which is
    ~100x slower than sorting on millions of pair codes (13 s against 0.1 s for 5 M).
    """
    return _distinct(np.sort(values))


def _distinct(ordered: np.ndarray) -> np.ndarray:
    """The distinct values of a sorted array."""
    keep = np.empty(len(ordered), bool)
    keep[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def _part_pairs(
    n: np.int64,
    rec: np.ndarray,
    counts: np.ndarray,
    max_block: int,
    window: int,
    two_column: bool,
    edges: np.ndarray,
) -> list[np.ndarray]:
    """One part's candidate pairs (a range of one key's blocks), each as the single
    integer i * n + j, sorted and distinct, cut into the buckets that start at `edges`
    (pair codes)."""
    a, b = block_pairs(rec, counts, max_block, window, two_column)
    codes = a.astype(np.int64)
    del a
    codes *= n
    codes += b
    del b
    codes.sort()
    codes = _distinct(codes)
    # Copies: a bucket's piece is released when its bucket is merged, not with the part.
    return [piece.copy() for piece in np.split(codes, np.searchsorted(codes, edges))]


def _bucket_union(n: np.int64, pieces: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """One bucket's pairs from every part: sorted, distinct, as (i, j) arrays."""
    codes = np.concatenate(pieces) if pieces else np.empty(0, np.int64)
    pieces.clear()
    codes.sort()
    codes = _distinct(codes)
    index = np.int32 if n < 2**31 else np.int64
    ia, ib = np.empty(len(codes), index), np.empty(len(codes), index)
    for s in range(0, len(codes), 4_000_000):  # no full-length int64 temporaries
        ia[s : s + 4_000_000], ib[s : s + 4_000_000] = np.divmod(codes[s : s + 4_000_000], n)
    return ia, ib


def _pair_count(bucket: tuple[np.ndarray, np.ndarray]) -> int:
    return len(bucket[0])


def bucket_edges(n: int, buckets: int) -> np.ndarray:
    """Pair codes i * n at which buckets 1.. start: ranges of the first index i of about
    equal numbers of pairs (i is the smaller index of a pair: 1 - (1 - i/n)^2 of the
    pairs of records in random order have it below i)."""
    share = np.arange(1, buckets) / buckets
    first = np.unique((n * (1 - np.sqrt(1 - share))).astype(np.int64))
    first = first[(first > 0) & (first < n)]
    return first * np.int64(n)


def candidate_pairs(
    ds: Dataset,
    max_block: int = MAX_BLOCK,
    window: int = WINDOW,
    progress=None,
    mapper: Mapper = in_process,
    part_pairs: int = PART_PAIRS,
) -> tuple[np.ndarray, np.ndarray]:
    """Union of the candidate pairs of all blocking keys, as sorted unique (i, j) arrays
    (int32 indices below 2^31 records: half the memory of int64 for tens of millions).

    A part is a range of one key's blocks giving at most about `part_pairs` pairs (a block
    is never cut: the parts' pairs are those of the key); each part returns its pairs
    sorted and cut by ranges of the first index i into buckets, and each bucket's pieces
    are merged (sorted, distinct) on their own, so nothing ever holds every key's pairs
    twice (`mapper`: where the parts and the buckets run)."""
    keys = blocking_keys(ds)
    rank = secondary_rank(ds)
    ranks = key_ranks(ds)
    n = np.int64(max(len(ds), 1))
    index = np.int32 if n < 2**31 else np.int64
    planned, total = [], 0
    for name in list(keys):
        code = keys.pop(name)
        rec, counts = key_blocks(code, ranks.get(name, rank))
        two_column = code.ndim == 2 and code.shape[1] > 1
        del code
        est = np.cumsum(block_pair_counts(counts, max_block, window))
        if not len(est):
            continue
        total += int(est[-1])
        cuts = np.searchsorted(est, np.arange(part_pairs, est[-1], part_pairs), "right")
        cuts = np.unique(cuts[(cuts > 0) & (cuts < len(counts))])
        bounds = np.concatenate(([0], cuts, [len(counts)]))
        ends = np.concatenate(([0], np.cumsum(counts)))
        planned.append((rec.astype(index), counts, bounds, ends, two_column))
    del keys, rank, ranks
    edges = bucket_edges(int(n), max(1, -(-total // part_pairs)))
    parts = [
        (rec[ends[lo] : ends[hi]], counts[lo:hi], max_block, window, two_column, edges)
        for rec, counts, bounds, ends, two_column in planned
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)
    ]
    del planned

    def parts_done(done: int, of: int) -> None:
        if progress:
            progress("blocking", done, of)

    sizes, buckets = mapper.shuffle(
        _part_pairs, n, parts, _bucket_union, len(edges) + 1, _pair_count, parts_done
    )
    del parts
    ia, ib = np.empty(sum(sizes), index), np.empty(sum(sizes), index)
    at = 0
    for a, b in buckets:  # each bucket released once copied
        ia[at : at + len(a)], ib[at : at + len(a)] = a, b
        at += len(a)
    return ia, ib
