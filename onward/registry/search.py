"""Registry name search: a clerk finds a person however the name was spelled.

Each person carries `search_keys`, a space-delimited text built from their given, family
and father's names with the shared name-normalisation module (onward/dedup/engine/names.py,
also used by the dedup engine):

- the transliteration-family key of every name token (`name_key`: Mohammad, Muhammad,
  Mohamed and محمد share `mUhmd`) and of each whole name (Ali Reza = Alireza);
- every normalised token (lower case, articles dropped, compounds joined), so a clerk can
  type the beginning of a name ("rezae" finds Rezaei);
- `~` + the consonant skeleton of every token, matched only by words typed in Arabic
  script, whose short vowels are not written (رضایی finds Rezaei).

A query word matches a person when its key, its skeleton (Arabic script) or the beginning
of a normalised token is in their keys; all the words of a query must match. On
PostgreSQL a GIN trigram index (pg_trgm) on `search_keys` serves these LIKE patterns
(migration 0004); SQLite scans, which is fine at the size of a SQLite registry.

Work-arounds for gaps of names.py (kept here, not in the shared module):
- "عبد الرحمن" (Abd written apart from the next word, Arabic script) comes out of
  `normalise` as "bad rhmn"; we join عبد/ابو to the next word first (`_prepare`).
- Arabic script has no short vowels, so `name_key` guesses the first vowel (رضایی ->
  rAzI, Rezaei -> rIzI): the skeleton keys above cover it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.db.models import Q, QuerySet

from onward.dedup.engine.names import name_key, normalise, skeleton_and_vowels

_ARABIC = re.compile(r"[\u0600-\u06ff]")
# Arabic-script first parts written apart from the second: عبد الرحمن, ابو بكر.
_ARABIC_COMPOUND = re.compile(r"(^|\s)(عبد|ابو|أبو)\s+")
_ID_LIKE = re.compile(r"\d")
MIN_PREFIX = 3


def _prepare(text: str) -> str:
    text = " ".join(str(text or "").split())
    if _ARABIC.search(text):
        text = _ARABIC_COMPOUND.sub(lambda m: m.group(1) + m.group(2), text)
    return text


@lru_cache(maxsize=100_000)
def normalised(text: str) -> str:
    """`names.normalise` after this module's work-arounds."""
    return normalise(_prepare(text))


@lru_cache(maxsize=100_000)
def _token_keys(token: str) -> tuple[str, str]:
    """(name key, ~skeleton) of one normalised token."""
    skeleton = skeleton_and_vowels(token)[0]
    return name_key(token), "~" + skeleton if skeleton else ""


def search_keys_for(*names: str) -> str:
    """The `search_keys` text of a person with these names (given, family, father's)."""
    keys: set[str] = set()
    for name in names:
        norm = normalised(name or "")
        tokens = norm.split()
        for token in tokens:
            key, skeleton = _token_keys(token)
            keys.update(k for k in (token, key, skeleton) if k)
        if len(tokens) > 1:
            keys.add(name_key(norm))
    return f" {' '.join(sorted(keys))} " if keys else ""


def person_search_keys(person) -> str:
    return search_keys_for(person.given_name, person.family_name, person.father_name)


def search_keys_fill(persons) -> None:
    """Sets `search_keys` on Person objects about to be saved (bulk loads, services)."""
    for person in persons:
        person.search_keys = person_search_keys(person)


def search_keys_backfill(*, batch_size: int = 2000) -> int:
    """Recomputes every person's keys (after a change of the normalisation rules)."""
    from onward.registry.models import Person

    done = 0
    batch = []
    for person in Person.objects.only("pk", "given_name", "family_name", "father_name") \
            .order_by("pk").iterator(chunk_size=batch_size):
        person.search_keys = person_search_keys(person)
        batch.append(person)
        if len(batch) >= batch_size:
            Person.objects.bulk_update(batch, ["search_keys"])
            done += len(batch)
            batch = []
    if batch:
        Person.objects.bulk_update(batch, ["search_keys"])
        done += len(batch)
    return done


def query_words(q: str) -> list[dict]:
    """The query's words, each with what may match it (for tests and the docs)."""
    words = []
    arabic = bool(_ARABIC.search(q or ""))
    for token in normalised(q or "").split():
        key, skeleton = _token_keys(token)
        words.append({"token": token, "key": key,
                      "skeleton": skeleton if arabic else "",
                      "prefix": len(token) >= MIN_PREFIX})
    return words


def name_filter(q: str) -> Q | None:
    """A Q object matching persons whose names match every word of `q` (None: no name)."""
    condition = None
    for word in query_words(q):
        match = Q(search_keys__contains=f" {word['key']} ")
        if word["skeleton"]:
            match |= Q(search_keys__contains=f" {word['skeleton']} ")
        if word["prefix"]:
            match |= Q(search_keys__contains=f" {word['token']}")
        condition = match if condition is None else condition & match
    return condition


def person_search(persons: QuerySet, q: str) -> QuerySet:
    """Filters `persons` (already scoped by the policy) by a clerk's query: names in any
    spelling, or a person id or document number typed whole."""
    q = " ".join((q or "").split())
    if not q:
        return persons
    words = q.split()
    ids = Q()
    if len(words) == 1:
        word = words[0]
        ids = Q(person_id=word.upper()) | Q(document_number=word) \
            | Q(document_number=word.upper())
        if _ID_LIKE.search(word):  # an id or a document number, not a name
            return persons.filter(ids)
    names = name_filter(q)
    if names is None:
        return persons.filter(ids) if ids else persons.none()
    return persons.filter(names | ids if ids else names)
