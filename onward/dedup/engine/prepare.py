"""Records -> column arrays of interned ids, so blocking and comparisons run vectorised.

Every string value is interned in a ``Vocab`` (string -> small int).  Names repeat a lot in
a registry, so the costly work (normalisation, keys, similarities) is done once per
distinct string, never once per record or per pair.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

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

    names: Vocab = field(default_factory=Vocab)  # normalised names (all name fields)
    keys: Vocab = field(default_factory=Vocab)  # name keys
    codes: Vocab = field(default_factory=Vocab)  # sex, nationality
    docs: Vocab = field(default_factory=Vocab)
    phones: Vocab = field(default_factory=Vocab)
    extra: Vocab = field(default_factory=Vocab)  # extra field values
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


def prepare(
    records: Iterable[Person | Mapping[str, Any]],
    vocabs: Vocabs | None = None,
    extra_fields: list[str] | None = None,
) -> Dataset:
    """Intern and normalise the records into a Dataset (unparseable dates are unknown).

    Column by column: each distinct value is normalised once, then the column is mapped
    to ids in one pass (a million records in a few seconds).
    """
    records = records if isinstance(records, list) else list(records)
    is_person = [isinstance(r, Person) for r in records[:1]] == [True]
    if not all(isinstance(r, Person) == is_person for r in records):
        records = [as_person(r, i) for i, r in enumerate(records)]
        is_person = True

    def column(f: str) -> list:
        if is_person:
            return [getattr(r, f) for r in records]
        # Not is_person: the check above found no Person among the records.
        return [r.get(f) for r in cast("list[Mapping[str, Any]]", records)]

    ids = column("person_id")
    if is_person:
        person_ids = ids
    else:
        person_ids = [str(v) if v not in (None, "") else str(i) for i, v in enumerate(ids)]
    extras = column("extra")
    if extra_fields is None:
        extra_fields = sorted({str(k) for e in extras if e for k in e})
    columns = {
        f: column(f)
        for f in (
            "given_name",
            "family_name",
            "father_name",
            "sex",
            "birth_date",
            "nationality",
            "document_number",
            "phone",
        )
    }
    for f in extra_fields:
        columns[f"extra:{f}"] = [(e or {}).get(f) for e in extras]
    return prepare_columns(person_ids, columns, vocabs=vocabs, extra_fields=extra_fields)


def _mapped(values: list, fn) -> np.ndarray:
    """fn applied once per distinct value, the column mapped to int32 through it."""
    cache = {v: fn(v) for v in set(values)}
    return np.array(list(map(cache.__getitem__, values)), np.int32).reshape(len(values))


def _text(v: Any) -> str:
    return "" if v is None else str(v)


def prepare_columns(
    person_ids: list[str],
    columns: Mapping[str, list],
    vocabs: Vocabs | None = None,
    extra_fields: list[str] | None = None,
) -> Dataset:
    """A Dataset from columns (field -> list of values, None or "" = unknown): the person
    fields by name, extra fields as "extra:<name>".  The app feeds database columns here
    directly, without building a record per person."""
    vocabs = vocabs or Vocabs()
    n = len(person_ids)
    extra_fields = list(extra_fields or [])
    empty = [None] * n

    def col(f: str) -> list:
        return columns.get(f) or empty

    name_norm, name_k = {}, {}
    for f in NAME_FIELDS:
        values = col(f)
        # Distinct values in sorted order: name ids (and so the order inside big blocks,
        # see blocking.secondary_rank) do not depend on the process's string hash seed.
        pairs = {
            v: (_intern_name(str(v), vocabs) if v else (-1, -1))
            for v in sorted(set(values), key=_text)
        }
        norm_of = {v: p[0] for v, p in pairs.items()}
        key_of = {v: p[1] for v, p in pairs.items()}
        name_norm[f] = np.array(list(map(norm_of.__getitem__, values)), np.int32).reshape(n)
        name_k[f] = np.array(list(map(key_of.__getitem__, values)), np.int32).reshape(n)
    sex = _mapped(col("sex"), lambda v: vocabs.codes.get(normalise_code(_text(v))))
    nat = _mapped(col("nationality"), lambda v: vocabs.codes.get(normalise_code(_text(v))))
    doc = _mapped(col("document_number"), lambda v: vocabs.docs.get(normalise_document(_text(v))))
    phone = _mapped(col("phone"), lambda v: vocabs.phones.get(normalise_phone(_text(v))))
    dates = col("birth_date")
    parsed = {}
    for v in set(dates):
        y, m, d = lenient_birth_date(_text(v)) if v else (0, 0, 0)
        parsed[v] = y * 10_000 + m * 100 + d
    code = np.array(list(map(parsed.__getitem__, dates)), np.int32).reshape(n)
    ymd = np.stack([code // 10_000, code // 100 % 100, code % 100], axis=1).astype(np.int16)
    extra = {
        f: _mapped(
            col(f"extra:{f}"), lambda v: vocabs.extra.get(" ".join(_text(v).lower().split()))
        )
        for f in extra_fields
    }
    return Dataset(
        person_ids=list(person_ids),
        vocabs=vocabs,
        name_norm=name_norm,
        name_key=name_k,
        sex=sex,
        nationality=nat,
        year=ymd[:, 0].copy(),
        month=ymd[:, 1].copy(),
        day=ymd[:, 2].copy(),
        doc=doc,
        phone=phone,
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
