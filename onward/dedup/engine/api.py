"""The engine's entry points: find_pairs, cluster, dedup, build_index, top_matches."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import model as fs
from .blocking import blocking_keys, candidate_pairs, flat_codes, unique_sorted
from .cluster import cluster_ids
from .compare import compare, field_specs, veto
from .parallel import Mapper, chunks, in_process
from .prepare import Dataset, prepare
from .records import Person

DEBUG_LAMBDA = bool(os.environ.get("ONWARD_DEDUP_DEBUG"))
Progress = Callable[[str, int, int], None]
Records = Sequence[Person | Mapping[str, Any]]


@dataclass
class ScoredPair:
    """One candidate pair: person ids, positions, match probability and weight, and the
    agreement level of each field (None when a value is missing)."""

    a: str
    b: str
    i: int
    j: int
    probability: float
    weight: float
    levels: dict[str, str | None]


class PairList(list):
    """A list of ScoredPair that remembers the fitted model and the prepared data."""

    def __init__(self, items, result: DedupResult) -> None:
        super().__init__(items)
        self.result = result


@dataclass
class DedupResult:
    """Everything a batch run computed, as arrays (cheap even for tens of millions of
    pairs: int32 positions, int8 levels, float32 weight and probability)."""

    dataset: Dataset
    model: fs.Model
    ia: np.ndarray
    ib: np.ndarray
    levels: np.ndarray
    weight: np.ndarray
    probability: np.ndarray
    threshold: float
    review_threshold: float
    clusters: np.ndarray | None = None

    def level_labels(self, k: int) -> dict[str, str | None]:
        """Field -> level label of pair k."""
        return {
            s.name: (s.levels[lev] if lev >= 0 else None)
            for s, lev in zip(self.model.specs, self.levels[k].tolist(), strict=True)
        }

    def scored_pair(self, k: int) -> ScoredPair:
        """Pair k as a ScoredPair."""
        i, j = int(self.ia[k]), int(self.ib[k])
        ids = self.dataset.person_ids
        return ScoredPair(
            ids[i],
            ids[j],
            i,
            j,
            float(self.probability[k]),
            float(self.weight[k]),
            self.level_labels(k),
        )


# Training rules: pairs sharing this blocking key, and the fields left out while training.
TRAINING_RULES = (
    ("given+family", ("given_name", "family_name")),
    ("birth_date", ("birth_date",)),
    ("document", ("document_number",)),
)


def fit_model(
    ds: Dataset, levels: np.ndarray, ia: np.ndarray, ib: np.ndarray, seed: int = 12345
) -> fs.Model:
    """u from random pairs; m by EM per training rule; lambda from the rules' match counts.

    Vetoed pairs (siblings, twins) are known non-matches and stay out of the fit.
    """
    specs = field_specs(ds)
    names = [s.name for s in specs]
    u = fs.estimate_u(ds, specs, seed=seed)
    ok = _not_vetoed(levels)
    keys = blocking_keys(ds)
    sums = [np.zeros(len(s.levels)) for s in specs]
    seen = np.zeros(len(specs))
    rounds = []
    for key, left_out in TRAINING_RULES:
        sel = ok & _same_key(keys[key], ia, ib)
        if sel.sum() < 20:
            continue
        train = levels[sel]  # a copy already (a boolean index)
        cols = [names.index(f) for f in left_out]
        train[:, cols] = -1
        rule_model = fs.fit(train, u, specs, free_u=True)
        rounds.append((key, rule_model.lam * sel.sum()))
        for k in range(len(specs)):
            if k not in cols and (train[:, k] >= 0).any():
                sums[k] += rule_model.m[k]
                seen[k] += 1
    m = [sums[k] / seen[k] if seen[k] else fs._initial_m(specs[k]) for k in range(len(specs))]
    n_matches = _estimate_match_count(ds, keys, rounds, m, names)
    n = len(ds)
    lam = float(np.clip(n_matches / max(n * (n - 1) / 2, 1), 1e-12, 0.5))
    model = fs.Model(specs=specs, m=m, u=u, lam=lam)
    model.n_records = n
    fs.term_frequencies(ds, model)
    return model


def _not_vetoed(levels: np.ndarray, chunk: int = 4_000_000) -> np.ndarray:
    """~veto(levels) in chunks: veto's boolean temporaries over every pair at once would
    be several bytes per pair (GBs at 5 million records)."""
    out = np.empty(len(levels), bool)
    for s in range(0, len(levels), chunk):
        np.logical_not(veto(levels[s : s + chunk]), out=out[s : s + chunk])
    return out


def _same_key(
    code: np.ndarray, ia: np.ndarray, ib: np.ndarray, chunk: int = 4_000_000
) -> np.ndarray:
    """Whether each pair shares a (known) key, in chunks: code[ia] of tens of millions of
    pairs would be hundreds of MB of int64 at once."""
    out = np.empty(len(ia), bool)
    for s in range(0, len(ia), chunk):
        a, b = code[ia[s : s + chunk]], code[ib[s : s + chunk]]
        out[s : s + chunk] = (a == b) & (a >= 0)
    return out


def _estimate_match_count(
    ds: Dataset, keys: dict[str, np.ndarray], rounds: list, m: list[np.ndarray], names: list[str]
) -> float:
    """Number of matching pairs in the whole registry, from each training rule.

    A rule's EM says how many matches its block holds; divided by the rule's recall (the
    share of all matches that share its key, read off m of the other rounds and the share
    of records that have the key) it estimates all matches.  The median over rules is used.
    """
    estimates = []
    for key, found in rounds:
        has_key = float((keys[key] >= 0).mean())
        if key == "birth_date":
            # m of the date is among pairs with both years known (a partial date is not
            # missing), so the share that matters is the records with a year.
            has_key = float((ds.year > 0).mean())
        if key == "given+family":
            g, f = m[names.index("given_name")], m[names.index("family_name")]
            recall = g[3:].sum() * f[3:].sum()
        elif key == "birth_date":
            recall = m[names.index("birth_date")][[3, 5]].sum()
        else:
            recall = m[names.index("document_number")][2]
        recall *= has_key**2
        if recall > 0.02:
            estimates.append(found / recall)
    if DEBUG_LAMBDA:
        print("lambda estimates", [round(e) for e in estimates], file=sys.stderr)
    return float(np.median(estimates)) if estimates else max(len(ds) * 0.01, 1.0)


def dedup(
    records: Records | Dataset,
    threshold: float | None = None,
    review_threshold: float | None = None,
    progress: Progress | None = None,
    model: fs.Model | None = None,
    mapper: Mapper = in_process,
) -> DedupResult:
    """Block, compare, fit (unless a model is given), score and cluster.

    Blocking (one part per key), comparing and scoring (one part per chunk of candidate
    pairs) run through `mapper`: here, or on a cluster's workers (distributed.py); the
    model is fitted and the clusters are made here, on every pair, so the result is the
    same wherever the parts ran."""
    ds = records if isinstance(records, Dataset) else prepare(records)
    threshold = fs.DEFAULT_THRESHOLD if threshold is None else threshold
    review = fs.DEFAULT_REVIEW_THRESHOLD if review_threshold is None else review_threshold
    review = min(review, threshold)
    ia, ib = candidate_pairs(ds, progress=progress, mapper=mapper)
    levels = _compare_chunked(ds, ia, ib, progress, mapper=mapper)
    model = adapt_model(model, ds) if model is not None else fit_model(ds, levels, ia, ib)
    weight, prob = _score_chunked(ds, model, ia, ib, levels, mapper=mapper)
    res = DedupResult(ds, model, ia, ib, levels, weight, prob, threshold, review)
    if progress:
        progress("clustering", 0, 1)
    res.clusters = cluster_ids(
        len(ds), ia, ib, weight, fs.weight_of(threshold), fs.weight_of(review), _rescorer(ds, model)
    )
    if progress:
        progress("clustering", 1, 1)
    return res


def _compare_part(ds: Dataset, ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
    return compare(ds, ds, ia, ib)


def _compare_chunked(
    ds: Dataset,
    ia: np.ndarray,
    ib: np.ndarray,
    progress: Progress | None,
    chunk: int = 4_000_000,
    mapper: Mapper = in_process,
) -> np.ndarray:
    """compare() in chunks, so memory stays bounded and progress moves."""
    n_specs = len(field_specs(ds))
    out = np.empty((len(ia), n_specs), np.int8)
    spans = chunks(len(ia), chunk)
    parts = ((ia[s:e], ib[s:e]) for s, e in spans)
    for (s, e), levels in zip(spans, mapper(_compare_part, ds, parts), strict=True):
        out[s:e] = levels
        if progress:
            progress("comparing", e, len(ia))
    return out


def _score_part(
    ds: Dataset, model: fs.Model, ia: np.ndarray, ib: np.ndarray, levels: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    w = fs.score(model, ds, ds, ia, ib, levels)
    return w, fs.probability(w)


def _score_chunked(
    ds: Dataset,
    model: fs.Model,
    ia: np.ndarray,
    ib: np.ndarray,
    levels: np.ndarray,
    chunk: int = 2_000_000,
    mapper: Mapper = in_process,
) -> tuple[np.ndarray, np.ndarray]:
    """Match weight and probability of every pair, stored as float32 (tens of millions of
    pairs; the thresholds do not need more than 7 digits)."""
    weight = np.empty(len(ia), np.float32)
    prob = np.empty(len(ia), np.float32)
    spans = chunks(len(ia), chunk)
    parts = ((model, ia[s:e], ib[s:e], levels[s:e]) for s, e in spans)
    for (s, e), (w, p) in zip(spans, mapper(_score_part, ds, parts), strict=True):
        weight[s:e] = w
        prob[s:e] = p
    return weight, prob


def _rescorer(ds: Dataset, model: fs.Model):
    """Scores arbitrary pairs of the dataset (used inside clusters)."""

    def rescore(pa: np.ndarray, pb: np.ndarray) -> np.ndarray:
        return fs.score(model, ds, ds, pa, pb, compare(ds, ds, pa, pb))

    return rescore


def find_pairs(
    records: Records | Dataset, threshold: float | None = None, progress: Progress | None = None
) -> PairList:
    """Scored pairs with match probability >= threshold (default: the review threshold, so
    both the automatic duplicates and the review queue are returned)."""
    res = dedup(records, progress=progress)
    bar = res.review_threshold if threshold is None else threshold
    keep = np.nonzero(res.probability >= bar)[0]
    keep = keep[np.argsort(-res.probability[keep], kind="stable")]
    return PairList((res.scored_pair(int(k)) for k in keep), res)


def cluster(
    records: Records | Dataset, pairs: Sequence[ScoredPair], threshold: float | None = None
) -> list[int]:
    """Cluster id of each record from scored pairs (as returned by find_pairs)."""
    res = getattr(pairs, "result", None)
    ds = res.dataset if res else (records if isinstance(records, Dataset) else prepare(records))
    mdl = res.model if res else None
    if mdl is None:
        clusters = dedup(ds, threshold).clusters
        assert clusters is not None  # dedup() always clusters
        return clusters.tolist()
    assert res is not None  # mdl came from res
    threshold = res.threshold if threshold is None else threshold
    ia = np.array([p.i for p in pairs], np.int64)
    ib = np.array([p.j for p in pairs], np.int64)
    w = np.array([p.weight for p in pairs], float)
    return cluster_ids(
        len(ds),
        ia,
        ib,
        w,
        fs.weight_of(threshold),
        fs.weight_of(min(res.review_threshold, threshold)),
        _rescorer(ds, mdl),
    ).tolist()


# --- stored models -------------------------------------------------------------------------

model_to_dict = fs.model_to_dict
model_from_dict = fs.model_from_dict


def adapt_model(model: fs.Model, ds: Dataset) -> fs.Model:
    """A stored model applied to a registry: the same m and u; term frequencies counted on
    this registry; lambda rescaled from the registry the model was fitted on (duplicate
    pairs grow like n, all pairs like n^2, so lambda goes like 1/n)."""
    names = [s.name for s in field_specs(ds)]
    if [s.name for s in model.specs] != names:
        raise ValueError(
            f"the stored model compares {[s.name for s in model.specs]}, this registry {names}"
        )
    lam = model.lam
    fitted_on = model.n_records
    if fitted_on > 1 and len(ds) > 1:
        lam = float(np.clip(lam * (fitted_on - 1) / (len(ds) - 1), 1e-12, 0.5))
    out = fs.Model(
        specs=model.specs,
        m=model.m,
        u=model.u,
        lam=lam,
        iterations=model.iterations,
        n_records=len(ds),
    )
    fs.term_frequencies(ds, out)
    return out


# --- registration-time lookup ------------------------------------------------------------


@dataclass
class DedupIndex:
    """In-memory lookup index over a registry: sorted blocking codes per key."""

    dataset: Dataset
    model: fs.Model
    sorted_codes: dict[str, np.ndarray]
    order: dict[str, np.ndarray]
    max_lookup: int = 2000


@dataclass
class Match:
    """One registry record proposed as a possible duplicate of a new registration."""

    person_id: str
    index: int
    probability: float
    weight: float
    levels: dict[str, str | None]


def build_index(
    records: Records | Dataset, model: fs.Model | None = None, sample_pairs: int = 2_000_000
) -> DedupIndex:
    """Index a registry once.

    With a stored ``model`` (model_from_dict of the last whole-registry run) nothing is
    fitted: prepare, blocking keys, one argsort per key, term frequencies of this
    registry, and lambda rescaled to its size (the expected number of duplicate pairs
    grows with n, the number of pairs with n squared).  Without one, the model is fitted
    on (a sample of) the candidate pairs, which is slow for a large registry.
    """
    ds = records if isinstance(records, Dataset) else prepare(records)
    if model is None:
        ia, ib = candidate_pairs(ds)
        if len(ia) > sample_pairs:
            pick = np.random.default_rng(7).choice(len(ia), sample_pairs, replace=False)
            ia, ib = ia[pick], ib[pick]
        model = fit_model(ds, compare(ds, ds, ia, ib), ia, ib)
    else:
        model = adapt_model(model, ds)
    sorted_codes, order = {}, {}
    for name, key in blocking_keys(ds).items():
        code, rec = flat_codes(key)  # a two-column key: one entry per column
        o = np.argsort(code, kind="stable")
        o = o[code[o] >= 0]
        sorted_codes[name], order[name] = code[o], rec[o]
    return DedupIndex(ds, model, sorted_codes, order)


def top_matches(
    record: Person | Mapping[str, Any], index: DedupIndex, k: int = 5, min_probability: float = 0.0
) -> list[Match]:
    """The k registry records most likely to be the same person as ``record``."""
    q = prepare([record], vocabs=index.dataset.vocabs, extra_fields=list(index.dataset.extra))
    cands = []
    for name, code in blocking_keys(q).items():
        for c in np.atleast_1d(code[0]).tolist():
            if c < 0:
                continue
            sc = index.sorted_codes[name]
            lo, hi = np.searchsorted(sc, c, "left"), np.searchsorted(sc, c, "right")
            cands.append(index.order[name][lo : min(hi, lo + index.max_lookup)])
    if not cands:
        return []
    ib = unique_sorted(np.concatenate(cands))
    qa = np.zeros(len(ib), np.int64)
    ds = index.dataset
    levels = compare(ds, q, ib, qa)
    weight = fs.score(index.model, ds, q, ib, qa, levels)
    prob = fs.probability(weight)
    best = np.argsort(-weight, kind="stable")[:k]
    specs = index.model.specs
    out = []
    for b in best:
        if prob[b] <= min_probability or weight[b] <= -50:
            continue
        lv = {
            s.name: (s.levels[v] if v >= 0 else None)
            for s, v in zip(specs, levels[b].tolist(), strict=True)
        }
        out.append(Match(ds.person_ids[ib[b]], int(ib[b]), float(prob[b]), float(weight[b]), lv))
    return out
