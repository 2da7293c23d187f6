"""Field comparisons: each field of a pair gets an agreement level (-1 = null, a value is
missing, so the field contributes nothing).

Vectorised over pairs; string similarities are computed once per distinct pair of strings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA, JaroWinkler

from .names import _spelled, _word_key, similarity_of_pairs
from .prepare import Dataset

NULL = -1


@dataclass(frozen=True)
class FieldSpec:
    """A compared field: its name and the labels of its levels, lowest (disagree) first."""

    name: str
    levels: tuple[str, ...]


NAME_LEVELS = ("different", "similar", "high_similarity", "same_key", "exact")
DATE_LEVELS = (
    "different",
    "year_off_by_one",
    "two_of_three",
    "day_month_swapped",
    "partial_compatible",
    "exact",
)
BASE_FIELDS = (
    FieldSpec("given_name", NAME_LEVELS),
    FieldSpec("family_name", NAME_LEVELS),
    FieldSpec("father_name", NAME_LEVELS),
    FieldSpec("birth_date", DATE_LEVELS),
    FieldSpec("sex", ("different", "same")),
    FieldSpec("nationality", ("different", "same")),
    FieldSpec("document_number", ("different", "one_edit", "exact")),
    FieldSpec("phone", ("different", "same_last_7")),
)
EXTRA_LEVELS = ("different", "similar", "high_similarity", "exact")
NAME_HIGH, NAME_SIMILAR = 0.9, 0.8
EXTRA_HIGH, EXTRA_SIMILAR = 0.92, 0.8


def field_specs(ds: Dataset) -> list[FieldSpec]:
    """The compared fields of a dataset: the person fields then its extra fields."""
    return list(BASE_FIELDS) + [FieldSpec(f"extra:{k}", EXTRA_LEVELS) for k in ds.extra]


def _unique_pairs_apply(
    a: np.ndarray, b: np.ndarray, many: Callable[[np.ndarray, np.ndarray], np.ndarray]
) -> np.ndarray:
    """many(lo, hi) over the distinct unordered pairs of ids, mapped back to every k."""
    if len(a) == 0:
        return np.empty(0, np.float32)
    lo, hi = np.minimum(a, b).astype(np.int64), np.maximum(a, b).astype(np.int64)
    code = lo * np.int64(1 << 31) + hi
    uniq, inv = np.unique(code, return_inverse=True)
    return np.asarray(many(uniq >> 31, uniq & ((1 << 31) - 1)), np.float32)[inv]


def _cpdist(strings: list[str], scorer, **kwargs) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """rapidfuzz's element-wise scorer (C, no Python call per pair) over string ids."""

    def many(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        return process.cpdist(
            [strings[x] for x in lo.tolist()],
            [strings[y] for y in hi.tolist()],
            scorer=scorer,
            **kwargs,
        )

    return many


def _name_levels(
    ds_a: Dataset, ds_b: Dataset, f: str, ia: np.ndarray, ib: np.ndarray, f_b: str | None = None
) -> np.ndarray:
    """exact (4) / same key (3) / high similarity (2) / similar (1) / different (0).

    Field f of the a side against field f_b (default f) of the b side.  Two registration
    slips count as "high similarity" whatever the string similarity says (short names
    score low on Jaro-Winkler for one letter): one consonant mistyped, dropped, added or
    two letters transposed (see consonant_slip), and, for given names, a middle or
    compound part left out (Noor Walid / Walid, see dropped_part).
    """
    f_b = f_b or f
    na, nb = ds_a.name_norm[f][ia], ds_b.name_norm[f_b][ib]
    ka, kb = ds_a.name_key[f][ia], ds_b.name_key[f_b][ib]
    lev = np.zeros(len(ia), np.int8)
    lev[ka == kb] = 3
    lev[na == nb] = 4
    lev[(na < 0) | (nb < 0)] = NULL
    todo = np.nonzero(lev == 0)[0]
    strings = ds_a.vocabs.names.strings
    sim = _unique_pairs_apply(
        na[todo], nb[todo], lambda lo, hi: similarity_of_pairs(strings, lo, hi)
    )
    lev[todo[sim >= NAME_SIMILAR]] = 1
    lev[todo[sim >= NAME_HIGH]] = 2
    low = todo[sim < NAME_HIGH]
    given = "given_name" in (f, f_b)
    slip = _unique_pairs_apply(
        na[low], nb[low], lambda lo, hi: _registration_slips(strings, lo, hi, given)
    )
    lev[low[slip > 0]] = 2
    return lev


def _vowels(spelled: str) -> str:
    return "".join(c for c in spelled if c in "aeiou")


def _slip_forms(norm: str) -> tuple[str, str, str]:
    """The forms a slip is looked for in: the joined name as written, its spelled form,
    and the spelled form with kh read as h (Cyrillic-style Х for ح: Khassan, Mukhammad)."""
    joined = norm.replace(" ", "")
    spelled = _spelled(joined)
    return joined, spelled, _spelled(joined.replace("kh", "h"))


@lru_cache(maxsize=500_000)
def _slip_features(norm: str) -> tuple[tuple[str, int, int, int, int], ...]:
    """Per slip form: (form, first letter, hash of its vowels, number of vowels, length);
    cached, so a million records' names are read once, not once per chunk."""
    out = []
    for form in _slip_forms(norm):
        vowels = _vowels(form)
        out.append((form, ord(form[:1] or " "), hash(vowels), len(vowels), len(form)))
    return tuple(out)


def _one_slip_in(sa: str, sb: str) -> bool:
    """sa and sb (>= 4 letters, same first letter) one keystroke apart, where the
    keystroke is not a vowel for another vowel, nor a vowel dropped or added."""
    if min(len(sa), len(sb)) < 4 or sa[0] != sb[0]:
        return False
    va, vb = _vowels(sa), _vowels(sb)
    same_vowels = va == vb
    vowel_for_consonant = len(sa) == len(sb) and abs(len(va) - len(vb)) == 1
    return (same_vowels or vowel_for_consonant) and OSA.distance(sa, sb, score_cutoff=2) <= 1


def consonant_slip(na: str, nb: str) -> bool:
    """One keystroke between two normalised names that leaves the vowels as they are: a
    consonant substituted, dropped or added, a vowel typed as a consonant (Amal/Amsl), or
    two neighbours transposed (Rania/Ramia, Sara/Saar, Farhad/Fahrad), in the names as
    written or spelled (kh also read as h: Wahid/Wakhid), both of at least four letters.

    Not a slip: a vowel changed, dropped or added (Hanan/Hanin, Rania/Rana are other
    names) or the first letter changed (Jamal/Kamal, Rami/Sami: rhyming names of
    brothers and sisters).
    """
    return any(_one_slip_in(x, y) for x, y in zip(_slip_forms(na), _slip_forms(nb), strict=True))


@lru_cache(maxsize=500_000)
def _given_words(norm: str) -> list[str]:
    """Words of a given name, an Abdul- compound counted as two (Abdul Khaled / Khaled)."""
    out = []
    for w in norm.split():
        if w.startswith("abdul") and len(w) >= 8 and w != "abdullah":
            out += ["abdul", w[5:]]
        else:
            out.append(w)
    return out


def dropped_part(na: str, nb: str) -> bool:
    """One given name is the other with a part left out (Noor Walid / Walid, Mohammad
    Saeed / Saeed, Abdul Khaled / Khaled, Lina Ali / Leena, Gul Farhad / Farkhad): the
    longer has more words, and every word of the shorter has the key of a word of the
    longer or is one slip from it (consonant_slip)."""
    ta, tb = _given_words(na), _given_words(nb)
    if len(ta) == len(tb):
        return False
    short, long_ = (ta, tb) if len(ta) < len(tb) else (tb, ta)
    keys = {_word_key(t) for t in long_}
    return all(_word_key(t) in keys or any(consonant_slip(t, u) for u in long_) for t in short)


def _registration_slips(
    strings: list[str], lo: np.ndarray, hi: np.ndarray, given: bool
) -> np.ndarray:
    """1.0 where consonant_slip (or, for given names, dropped_part) holds, else 0.0.

    Vectorised: the forms are computed once per distinct string, the OSA distances in C
    for the pairs whose first letter, length and vowels allow a slip; dropped_part runs
    in Python only for the pairs whose word counts differ."""
    out = np.zeros(len(lo), np.float32)
    if not len(lo):
        return out
    used, inv = np.unique(np.concatenate([lo, hi]), return_inverse=True)
    names = [strings[x] for x in used.tolist()]
    a, b = inv[: len(lo)], inv[len(lo) :]
    feats = [_slip_features(nm) for nm in names]
    for k in range(3):
        forms = np.array([f[k][0] for f in feats], dtype=object)
        num = np.array([f[k][1:] for f in feats], np.int64).reshape(len(feats), 4)
        first, vowel_id, n_vowels, length = num.T
        same_vowels = vowel_id[a] == vowel_id[b]
        vowel_for_consonant = (length[a] == length[b]) & (np.abs(n_vowels[a] - n_vowels[b]) == 1)
        maybe = np.nonzero(
            (out == 0)
            & (first[a] == first[b])
            & (np.minimum(length[a], length[b]) >= 4)
            & (same_vowels | vowel_for_consonant)
        )[0]
        if len(maybe):
            dist = process.cpdist(
                forms[a[maybe]],
                forms[b[maybe]],
                scorer=OSA.distance,
                score_cutoff=2,
                dtype=np.int32,
                workers=-1,
            )
            out[maybe[dist <= 1]] = 1.0
    if given:
        words = np.array([len(_given_words(nm)) for nm in names], np.int64)
        for k in np.nonzero((words[a] != words[b]) & (out == 0))[0].tolist():
            if dropped_part(names[a[k]], names[b[k]]):
                out[k] = 1.0
    return out


# Day and month a registry writes when only the year is known (UNHCR and many civil
# registries: 1 January; some: 1 July, mid-year).
PLACEHOLDER_DAY_MONTHS = ((1, 1), (7, 1))


def placeholder_day_month(month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Whether each (month, day) is a placeholder for an unknown day and month."""
    out = np.zeros(len(month), bool)
    for m, d in PLACEHOLDER_DAY_MONTHS:
        out |= (month == m) & (day == d)
    return out


def _date_levels(ds_a: Dataset, ds_b: Dataset, ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
    """exact / partial-compatible / day-month swapped / two of three parts / year off by one
    with the known parts otherwise compatible / different.

    1 January and 1 July against another date are a year-only date (placeholders for an
    unknown day and month): the same year is partial-compatible, one year apart "year off
    by one", never "different" for the day and month alone.

    A YYYY-MM date whose month is the other date's day counts as swapped.  Two full
    dates of the same year with another month AND day are "different": a clerk
    slips on one part, not two.  A year off by one with the same month and day is "two of
    three" (an age converted to a year, a Persian-calendar year converted the wrong way).
    """
    ya, ma, da = (c[ia].astype(np.int32) for c in (ds_a.year, ds_a.month, ds_a.day))
    yb, mb, db = (c[ib].astype(np.int32) for c in (ds_b.year, ds_b.month, ds_b.day))
    # A placeholder day and month (1 January, 1 July) means "day and month unknown" when
    # the other date differs: compared on the year only (same year / one year apart).
    same = (ya == yb) & (ma == mb) & (da == db)
    for m, d in ((ma, da), (mb, db)):
        unknown = placeholder_day_month(m, d) & ~same
        m[unknown] = 0
        d[unknown] = 0
    full = (ma > 0) & (da > 0) & (mb > 0) & (db > 0)
    month_ok = (ma == 0) | (mb == 0) | (ma == mb)
    day_ok = (da == 0) | (db == 0) | (da == db)
    lev = np.zeros(len(ia), np.int8)
    lev[(np.abs(ya - yb) == 1) & ~full & month_ok & day_ok] = 1
    two = full & (
        ((ya == yb) & ((ma == mb) | (da == db))) | ((ma == mb) & (da == db) & _year_slip(ya, yb))
    )
    lev[two] = 2
    lev[full & (ya == yb) & (ma == db) & (da == mb) & (ma != da)] = 3
    # YYYY-MM against a full date whose DAY is that month: the month and day were swapped
    # on one of the two registrations (1991-10 vs 1991-01-10).
    a_ym, b_ym = (ma > 0) & (da == 0) & (db > 0), (mb > 0) & (db == 0) & (da > 0)
    lev[(ya == yb) & ((a_ym & (ma == db) & (mb != ma)) | (b_ym & (mb == da) & (ma != mb)))] = 3
    lev[(ya == yb) & ~full & month_ok & day_ok] = 4
    lev[full & (ya == yb) & (ma == mb) & (da == db)] = 5
    lev[(ya == 0) | (yb == 0)] = NULL
    return lev


def _year_slip(ya: np.ndarray, yb: np.ndarray) -> np.ndarray:
    """Years one apart, or one digit mistyped, or the last two digits transposed (1985 /
    1958): what a clerk's slip or a wrong calendar conversion gives; a mother and her
    daughter born on the same day and month decades apart are not "two of three"."""
    diff = ya != yb
    digits = [(y // 1000 % 10, y // 100 % 10, y // 10 % 10, y % 10) for y in (ya, yb)]
    n_diff = sum((p != q).astype(np.int32) for p, q in zip(*digits, strict=True))
    swapped = (digits[0][2] == digits[1][3]) & (digits[0][3] == digits[1][2])
    swapped &= (digits[0][0] == digits[1][0]) & (digits[0][1] == digits[1][1])
    return diff & ((np.abs(ya - yb) == 1) | (n_diff == 1) | swapped)


def _code_levels(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """same (1) / different (0) / null."""
    lev = (a == b).astype(np.int8)
    lev[(a < 0) | (b < 0)] = NULL
    return lev


def _doc_levels(ds_a: Dataset, ds_b: Dataset, ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
    """exact (2) / one edit or transposition (1) / different (0) / null."""
    a, b = ds_a.doc[ia], ds_b.doc[ib]
    lev = _code_levels(a, b) * 2
    lev[lev < 0] = NULL
    todo = np.nonzero(lev == 0)[0]
    dist = _unique_pairs_apply(
        a[todo], b[todo], _cpdist(ds_a.vocabs.docs.strings, OSA.distance, score_cutoff=2)
    )
    lev[todo[dist <= 1]] = 1
    return lev


def _extra_levels(
    ds_a: Dataset, ds_b: Dataset, f: str, ia: np.ndarray, ib: np.ndarray
) -> np.ndarray:
    """exact (3) / Jaro-Winkler >= 0.92 (2) / >= 0.8 (1) / different (0) / null."""
    a, b = ds_a.extra[f][ia], ds_b.extra[f][ib]
    lev = _code_levels(a, b) * 3
    lev[lev < 0] = NULL
    todo = np.nonzero(lev == 0)[0]
    sim = _unique_pairs_apply(
        a[todo], b[todo], _cpdist(ds_a.vocabs.extra.strings, JaroWinkler.similarity)
    )
    lev[todo[sim >= EXTRA_SIMILAR]] = 1
    lev[todo[sim >= EXTRA_HIGH]] = 2
    return lev


def compare(ds_a: Dataset, ds_b: Dataset, ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
    """Agreement levels, shape (pairs, fields) in the order of field_specs(ds_a)."""
    cols = [
        _name_levels(ds_a, ds_b, f, ia, ib) for f in ("given_name", "family_name", "father_name")
    ]
    _fix_swapped_names(ds_a, ds_b, ia, ib, cols)
    cols += [
        _date_levels(ds_a, ds_b, ia, ib),
        _code_levels(ds_a.sex[ia], ds_b.sex[ib]),
        _code_levels(ds_a.nationality[ia], ds_b.nationality[ib]),
        _doc_levels(ds_a, ds_b, ia, ib),
        _code_levels(ds_a.phone[ia], ds_b.phone[ib]),
    ]
    cols += [_extra_levels(ds_a, ds_b, f, ia, ib) for f in ds_a.extra]
    return np.stack(cols, axis=1) if cols else np.empty((len(ia), 0), np.int8)


def _fix_swapped_names(
    ds_a: Dataset, ds_b: Dataset, ia: np.ndarray, ib: np.ndarray, cols: list[np.ndarray]
) -> None:
    """Given and family name entered in each other's place: when one of them has the key
    of the other's swapped field, both are compared crosswise (so the other may carry a
    typo or another spelling too) and the crosswise levels, capped at "same key", replace
    the direct ones if both are at least "high similarity" and better than the direct pair.
    """
    ga, fa = ds_a.name_key["given_name"][ia], ds_a.name_key["family_name"][ia]
    gb, fb = ds_b.name_key["given_name"][ib], ds_b.name_key["family_name"][ib]
    given, family = cols[0], cols[1]
    direct = np.minimum(given, family)
    known = (ga >= 0) & (fa >= 0) & (gb >= 0) & (fb >= 0)
    sel = np.nonzero(known & (direct < 3) & ((ga == fb) | (fa == gb)) & (ga != fa))[0]
    if not len(sel):
        return
    cross_g = _name_levels(ds_a, ds_b, "given_name", ia[sel], ib[sel], "family_name")
    cross_f = _name_levels(ds_a, ds_b, "family_name", ia[sel], ib[sel], "given_name")
    cross = np.minimum(cross_g, cross_f)
    ok = (cross >= 2) & (cross > direct[sel])
    swapped = sel[ok]
    given[swapped] = np.maximum(given[swapped], np.minimum(cross_g[ok], 3))
    family[swapped] = np.maximum(family[swapped], np.minimum(cross_f[ok], 3))


def veto(levels: np.ndarray) -> np.ndarray:
    """Hard non-duplicate rules, waived only when the document number is the same:

    * both given names known and different (another name, not a spelling variant), when
      the father's name is known on both sides or the phone is shared (registry data; in
      data without them, such as FEBRL, a badly mistyped given name is left to the
      weights);
    * siblings and twins: same family and father's name (same key or better) but given
      names that are other names ("similar" or "different": not a key variant, not
      one keystroke apart, not the a/e of a Persian fatha);
    * same family and father's name but birth dates known and more than a year apart:
      two children of one father given the same name (households share phone and names,
      so their weights would otherwise add up);
    * sex M vs F, both known.
    """
    given, family, father, dob, sex, doc, phone = (levels[:, k] for k in (0, 1, 2, 3, 4, 6, 7))
    household = (family >= 3) & (father >= 3)
    sibling = household & (((given >= 0) & (given <= 1)) | (dob == 0))
    other_name = (given == 0) & ((father >= 0) | (phone == 1))
    return (other_name | sibling | (sex == 0)) & (doc != 2)
