"""Records -> column arrays of interned ids, so blocking and comparisons run vectorised.

Every string value is interned in a ``Vocab`` (string -> small int).  Names repeat a lot in
a registry, so the costly work (normalisation, keys, similarities) is done once per
distinct string, never once per record or per pair.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .names import name_key, normalise
from .records import (
    NAME_FIELDS,
    Person,
    as_person,
    lenient_birth_date,
    normalise_code,
    normalise_document,
    normalise_phone,
)


class Vocab:
    """Interns strings to ids; id -1 is 'missing'."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.strings: list[str] = []

    def get(self, value: str) -> int:
        """Id of a value, adding it when new; -1 for the empty string."""
        if not value:
            return -1
        i = self.ids.get(value)
        if i is None:
            i = self.ids[value] = len(self.strings)
            self.strings.append(value)
        return i

    def __len__(self) -> int:
        return len(self.strings)


@dataclass
class Vocabs:
    """All vocabularies of one registry; an index and its queries share them."""

    names: Vocab = field(default_factory=Vocab)       # normalised names (all name fields)
    keys: Vocab = field(default_factory=Vocab)        # name keys
    codes: Vocab = field(default_factory=Vocab)       # sex, nationality
    docs: Vocab = field(default_factory=Vocab)
    phones: Vocab = field(default_factory=Vocab)
    extra: Vocab = field(default_factory=Vocab)       # extra field values
    norm_to_key: dict[int, int] = field(default_factory=dict)


@dataclass
class Dataset:
    """Column arrays of n records (ids; -1 = missing; dates with 0 = unknown part)."""

    person_ids: list[str]
    vocabs: Vocabs
    name_norm: dict[str, np.ndarray]
    name_key: dict[str, np.ndarray]
    sex: np.ndarray
    nationality: np.ndarray
    year: np.ndarray
    month: np.ndarray
    day: np.ndarray
    doc: np.ndarray
    phone: np.ndarray
    extra: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.person_ids)


def prepare(records: Iterable[Person | Mapping[str, Any]], vocabs: Vocabs | None = None,
            extra_fields: list[str] | None = None) -> Dataset:
    """Intern and normalise the records into a Dataset (unparseable dates are unknown)."""
    people = [as_person(r, i) for i, r in enumerate(records)]
    vocabs = vocabs or Vocabs()
    n = len(people)
    if extra_fields is None:
        extra_fields = sorted({k for p in people for k in p.extra})
    name_norm = {f: np.full(n, -1, np.int32) for f in NAME_FIELDS}
    name_k = {f: np.full(n, -1, np.int32) for f in NAME_FIELDS}
    cols = {c: np.full(n, -1, np.int32) for c in ("sex", "nat", "doc", "phone")}
    ymd = np.zeros((n, 3), np.int16)
    extra = {f: np.full(n, -1, np.int32) for f in extra_fields}
    raw_cache: dict[str, tuple[int, int]] = {}
    date_cache: dict[str, tuple[int, int, int]] = {}
    for i, p in enumerate(people):
        for f in NAME_FIELDS:
            raw = getattr(p, f)
            if raw:
                nk = raw_cache.get(raw)
                if nk is None:
                    nk = raw_cache[raw] = _intern_name(raw, vocabs)
                name_norm[f][i], name_k[f][i] = nk
        cols["sex"][i] = vocabs.codes.get(normalise_code(p.sex))
        cols["nat"][i] = vocabs.codes.get(normalise_code(p.nationality))
        cols["doc"][i] = vocabs.docs.get(normalise_document(p.document_number))
        cols["phone"][i] = vocabs.phones.get(normalise_phone(p.phone))
        if p.birth_date:
            d = date_cache.get(p.birth_date)
            if d is None:
                d = date_cache[p.birth_date] = lenient_birth_date(p.birth_date)
            ymd[i] = d
        for f in extra_fields:
            v = p.extra.get(f, "")
            if v:
                extra[f][i] = vocabs.extra.get(" ".join(v.lower().split()))
    return Dataset(
        person_ids=[p.person_id for p in people], vocabs=vocabs, name_norm=name_norm,
        name_key=name_k, sex=cols["sex"], nationality=cols["nat"], year=ymd[:, 0].copy(),
        month=ymd[:, 1].copy(), day=ymd[:, 2].copy(), doc=cols["doc"], phone=cols["phone"],
        extra=extra,
    )


def _intern_name(raw: str, vocabs: Vocabs) -> tuple[int, int]:
    """(normalised-name id, key id) of one raw name."""
    norm = normalise(raw)
    nid = vocabs.names.get(norm)
    if nid < 0:
        return (-1, -1)
    kid = vocabs.norm_to_key.get(nid)
    if kid is None:
        kid = vocabs.norm_to_key[nid] = vocabs.keys.get(name_key(norm))
    return (nid, kid)
