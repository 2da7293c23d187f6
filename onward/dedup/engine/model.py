"""Fellegi–Sunter model fitted without labels.

* u (probability of each level among NON-matches) from random record pairs: almost every
  random pair is two different people.
* m (probability among matches) by EM the way Splink trains: once per training blocking
  rule (same name key; same birth date; same document), each time over the candidate pairs
  that rule blocks together, leaving out of the likelihood the fields of the rule itself
  (they agree by construction).  Inside a block the non-matches are not random pairs
  (same given name => same sex, same family name => same nationality), so within a round
  u is re-estimated too, starting from the random-pair u.  Each field's m is the mean of
  the rounds that estimated it.
* lambda (probability that two records drawn at random match) from the number of matches
  each training round found in its block, divided by that rule's recall (see
  api._estimate_match_count).  EM runs on distinct comparison patterns with their counts,
  so it costs nothing even for tens of millions of pairs.
* Term-frequency adjustment for the name fields: agreeing on a very common name
  (Mohammad) is worth less than agreeing on a rare one.
* The match weight of a pair is log2(lambda/(1-lambda)) + sum of log2(m/u) of its levels
  (+ TF adjustments); the match probability is 1 / (1 + 2^-weight).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .compare import FieldSpec, compare, veto
from .prepare import Dataset

# Thresholds on the match probability, chosen without labels: a pair is a duplicate when
# the model says it is more likely than not; a person reviews pairs with odds above 1:9.
DEFAULT_THRESHOLD = 0.5
DEFAULT_REVIEW_THRESHOLD = 0.1
MAX_WEIGHT = 20.0
TF_FIELDS = ("given_name", "family_name", "father_name")


@dataclass
class Model:
    """Estimated m, u (per field, per level) and lambda."""

    specs: list[FieldSpec]
    m: list[np.ndarray]
    u: list[np.ndarray]
    lam: float
    tf: dict[str, np.ndarray] = field(default_factory=dict)  # freq by name-norm id
    u_exact: dict[str, float] = field(default_factory=dict)
    iterations: int = 0
    n_records: int = 0  # registry size fitted on

    def weights(self) -> list[np.ndarray]:
        """log2(m/u) per field and level, bounded."""
        return [
            np.clip(np.log2(m / u), -MAX_WEIGHT, MAX_WEIGHT)
            for m, u in zip(self.m, self.u, strict=True)
        ]

    @property
    def prior_weight(self) -> float:
        """log2 of the prior odds of a match among candidate pairs."""
        return float(np.log2(self.lam / (1 - self.lam)))


def estimate_u(
    ds: Dataset, specs: list[FieldSpec], n_pairs: int = 300_000, seed: int = 12345
) -> list[np.ndarray]:
    """u probabilities from random pairs of distinct records."""
    n = len(ds)
    rng = np.random.default_rng(seed)
    n_pairs = int(min(n_pairs, max(n * (n - 1) // 2, 1)))
    a = rng.integers(0, n, n_pairs)
    b = rng.integers(0, n, n_pairs)
    keep = a != b
    levels = compare(ds, ds, a[keep], b[keep])
    u = []
    for k, spec in enumerate(specs):
        col = levels[:, k]
        counts = np.bincount(col[col >= 0], minlength=len(spec.levels)).astype(float)
        # add-half smoothing: an agreement never seen among random pairs is rare, not impossible
        u.append((counts + 0.5) / (counts.sum() + 0.5 * len(spec.levels)))
    return u


def _initial_m(spec: FieldSpec) -> np.ndarray:
    """Matches mostly agree: mass on the top level, decreasing below."""
    k = len(spec.levels)
    m = np.array([2.0**i for i in range(k)])
    return m / m.sum()


def fit(
    levels: np.ndarray,
    u: list[np.ndarray],
    specs: list[FieldSpec],
    max_iter: int = 60,
    tol: float = 1e-6,
    m: list[np.ndarray] | None = None,
    fixed_m: bool = False,
    free_u: bool = False,
) -> Model:
    """EM for m (unless fixed_m) and lambda over pair levels; u held fixed unless free_u
    (then u starts from the given values and is re-estimated too)."""
    pats, counts = patterns(levels)
    counts = counts.astype(float)
    m = m or [_initial_m(s) for s in specs]
    lam = 0.1
    logu = _loglik(pats, u)
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 — the count is reported
        logm = _loglik(pats, m)
        lp = np.log(lam) + logm
        lq = np.log(1 - lam) + logu
        post = 1.0 / (1.0 + np.exp(np.clip(lq - lp, -700, 700)))
        w = counts * post
        new_lam = float(np.clip(w.sum() / counts.sum(), 1e-6, 1 - 1e-6))
        new_m = m if fixed_m else _level_probs(pats, w, specs)
        delta = max(
            abs(new_lam - lam), *(np.abs(a - b).max() for a, b in zip(new_m, m, strict=True))
        )
        m, lam = new_m, new_lam
        if free_u:
            u = _level_probs(pats, counts - w, specs)
            logu = _loglik(pats, u)
        if delta < tol:
            break
    return Model(specs=specs, m=m, u=u, lam=lam, iterations=it)


def patterns(levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of a level matrix and how many pairs have each.

    Each row is read as one integer (levels + 1 in base max+2), counted with bincount
    when the codes are few and np.unique otherwise: np.unique(axis=0) compares rows as
    bytes and takes seconds for tens of millions of pairs.
    """
    n_fields = levels.shape[1]
    base = int(levels.max(initial=0)) + 2
    if len(levels) == 0 or n_fields == 0 or base**n_fields >= 2**62:
        return np.unique(levels, axis=0, return_counts=True)
    code = np.zeros(len(levels), np.int64)
    for k in range(n_fields):
        code *= base
        code += levels[:, k] + 1
    if base**n_fields <= 1 << 24:
        counts = np.bincount(code, minlength=base**n_fields)
        uniq = np.nonzero(counts)[0]
        counts = counts[uniq]
    else:
        uniq, counts = np.unique(code, return_counts=True)
    pats = np.empty((len(uniq), n_fields), np.int8)
    for k in reversed(range(n_fields)):
        pats[:, k] = uniq % base - 1
        uniq = uniq // base
    return pats, counts


def _level_probs(pats: np.ndarray, w: np.ndarray, specs: list[FieldSpec]) -> list[np.ndarray]:
    """Per field, the weighted share of each level among non-null values (smoothed)."""
    out = []
    for k, spec in enumerate(specs):
        col = pats[:, k]
        mass = np.bincount(col[col >= 0], weights=w[col >= 0], minlength=len(spec.levels))
        out.append((mass + 0.01) / (mass.sum() + 0.01 * len(spec.levels)))
    return out


def _loglik(pats: np.ndarray, probs: list[np.ndarray]) -> np.ndarray:
    """Sum over fields of log prob[level] (null levels contribute 0)."""
    total = np.zeros(len(pats))
    for k, p in enumerate(probs):
        col = pats[:, k]
        ok = col >= 0
        total[ok] += np.log(p[col[ok]])
    return total


def term_frequencies(ds: Dataset, model: Model) -> None:
    """Store, per name field, the frequency of each normalised name among known values."""
    for f in TF_FIELDS:
        col = ds.name_norm[f]
        known = col[col >= 0]
        freq = np.bincount(known, minlength=len(ds.vocabs.names)).astype(float)
        model.tf[f] = freq / max(len(known), 1)
        k = [s.name for s in model.specs].index(f)
        model.u_exact[f] = float(model.u[k][-1])


def score(
    model: Model, ds_a: Dataset, ds_b: Dataset, ia: np.ndarray, ib: np.ndarray, levels: np.ndarray
) -> np.ndarray:
    """Match weight of each pair (vetoed pairs get -inf-like weight)."""
    weights = model.weights()
    total = np.full(len(ia), model.prior_weight)
    for k, w in enumerate(weights):
        col = levels[:, k]
        ok = col >= 0
        total[ok] += w[col[ok]]
    total += _tf_adjustment(model, ds_a, ia, levels)
    total[veto(levels)] = -50.0
    return total


def _tf_adjustment(model: Model, ds_a: Dataset, ia: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """log2(u_exact / tf(value)) for exact name agreements, bounded to [-5, +1]: a very
    common name (Mohammad) is worth much less, a rare one a little more."""
    adj = np.zeros(len(ia))
    names = [s.name for s in model.specs]
    for f, tf in model.tf.items():
        k = names.index(f)
        exact = levels[:, k] == len(model.specs[k].levels) - 1
        if not exact.any():
            continue
        ids = ds_a.name_norm[f][ia[exact]]
        ids = np.clip(ids, 0, len(tf) - 1)
        freq = np.maximum(tf[ids] if len(tf) else np.ones(len(ids)), 1e-9)
        adj[exact] = np.clip(np.log2(model.u_exact[f] / freq), -5.0, 1.0)
    return adj


def probability(weight: np.ndarray) -> np.ndarray:
    """Match probability from a match weight."""
    return 1.0 / (1.0 + np.exp2(-np.clip(weight, -60, 60)))


def weight_of(p: float) -> float:
    """Match weight of a probability."""
    p = min(max(p, 1e-12), 1 - 1e-12)
    return float(np.log2(p / (1 - p)))


MODEL_FORMAT = 1


def model_to_dict(model: Model) -> dict:
    """The fitted model as JSON-serialisable data, to store and reload with model_from_dict.

    Term frequencies are not stored: they are counts of the registry the model is used
    on, so build_index recomputes them (cheap) from the registry it indexes.
    """
    return {
        "format": MODEL_FORMAT,
        "lambda": model.lam,
        "iterations": model.iterations,
        "records": model.n_records,
        "fields": [
            {"name": s.name, "levels": list(s.levels), "m": m.tolist(), "u": u.tolist()}
            for s, m, u in zip(model.specs, model.m, model.u, strict=True)
        ],
    }


def model_from_dict(data: dict) -> Model:
    """A Model from model_to_dict's output (raises ValueError when it is not one)."""
    if not isinstance(data, dict) or data.get("format") != MODEL_FORMAT:
        raise ValueError("not a stored dedup model (or another format version)")
    specs = [FieldSpec(f["name"], tuple(f["levels"])) for f in data["fields"]]
    m = [np.asarray(f["m"], float) for f in data["fields"]]
    u = [np.asarray(f["u"], float) for f in data["fields"]]
    for spec, mm, uu in zip(specs, m, u, strict=True):
        if len(mm) != len(spec.levels) or len(uu) != len(spec.levels):
            raise ValueError(f"field {spec.name}: m/u do not match its levels")
    return Model(
        specs=specs,
        m=m,
        u=u,
        lam=float(data["lambda"]),
        iterations=int(data.get("iterations", 0)),
        n_records=int(data.get("records") or 0),
    )
