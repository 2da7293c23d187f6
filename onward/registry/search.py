"""Registry name search: a clerk finds a person however the name was spelled.

Each person carries `search_keys`, a space-delimited text built from their given, family
and father's names with the shared name-normalisation module (onward/dedup/engine/names.py,
also used by the dedup engine):

- the transliteration-family key of every name token (`name_key`: Mohammad, Muhammad,
  Mohamed and محمد share `mUhmd`) and of each whole name (Ali Reza = Alireza);
- every normalised token (lower case, articles dropped, compounds joined), so a clerk can
  type the beginning of a name ("rezae" finds Rezaei);
- `~` + the consonant skeleton of every token, matched only by words typed in Arabic
  script, whose short vowels are not written (رضایی finds Rezaei);
- for a name written in Arabic script, the keys of its usual romanisations
  (`name_key_readings`: the first vowel, unwritten, read a, e or o), so that a word typed
  in Latin script finds it (Zahra Ghaffarzadeh, Rezaei, Hosseini find زهرا غفارزاده,
  رضایی, حسینی).

A query word matches a person when its key or its skeleton (Arabic script) is in their
keys; the last word typed also matches the beginning of a normalised token; all the words
of a query must match. Indexes (migration 0005): the key table `registry_personnamekey`
(one row per key, written by triggers from `search_keys` on every insert and change of a
person; a bulk import on SQLite writes its rows itself, `name_keys_deferred`), and on PostgreSQL a GIN index on the array of the keys, one `&&` per word (the
words' posting lists intersected in the index). SQLite uses the key table from the
rarest word.

Work-arounds for gaps of names.py (kept here, not in the shared module):
- "عبد الرحمن" (Abd written apart from the next word, Arabic script) comes out of
  `normalise` as "bad rhmn"; we join عبد/ابو to the next word first (`_prepare`).
- Arabic script has no short vowels, so `name_key` guesses the first vowel (رضایی ->
  rAzI, Rezaei -> rIzI): the skeleton keys cover a query in Arabic script, the readings
  a query in Latin script.
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from functools import lru_cache

from django.db import connection, transaction
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from onward.dedup.engine.names import (
    name_key,
    name_key_readings,
    normalise,
    skeleton_and_vowels,
)
from onward.registry.sql import SQLITE_DEFERRED_FLAG, sqlite_split

_ARABIC = re.compile(r"[\u0600-\u06ff]")
# Arabic-script first parts written apart from the second: عبد الرحمن, ابو بكر.
_ARABIC_COMPOUND = re.compile(r"(^|\s)(عبد|ابو|أبو)\s+")
# The second parts of Persian compound family names that clerks also type apart or with a
# hyphen (Ghaffarzadeh, Ghaffar Zadeh, Ghaffar-zadeh; Hosseinpour; Mohammadinejad), after
# at least three letters. Kept short: a part added here becomes a key of every such name.
_COMPOUND_END = re.compile(
    r"(?<=[^\W\d_]{3})\u200c?(zadeh|zade|zada|pour|poor|nejad|nezhad|زاده|پور|نژاد)(?=\s|$)",
    re.IGNORECASE,
)
_ID_LIKE = re.compile(r"\d")
MIN_PREFIX = 3
# A word matching fewer persons than this drives the search (name_matches).
RARE = 2000
# Lists count their matches up to this (then: 10,000 or more).


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


def _compound_split(name: str) -> str:
    """The name with the second part of a compound family name apart (Ghaffar zadeh)."""
    return _COMPOUND_END.sub(r" \1", name)


def search_keys_for(*names: str) -> str:
    """The `search_keys` text of a person with these names (given, family, father's); a
    compound family name also carries the keys of its parts, so that it is found typed
    apart (Ghaffar Zadeh, غفار زاده) as well as joined."""
    keys: set[str] = set()
    for name in names:
        if name:
            keys.update(_name_keys(name))
    return f" {' '.join(sorted(keys))} " if keys else ""


@lru_cache(maxsize=100_000)
def _name_keys(name: str) -> frozenset[str]:
    """The keys one name gives (a person's are the union of their names'): names repeat
    across a registry, so an import of 100,000 persons computes each once."""
    keys: set[str] = set()
    for variant in dict.fromkeys((name, _compound_split(name))):
        norm = normalised(variant)
        tokens = norm.split()
        for token in tokens:
            key, skeleton = _token_keys(token)
            keys.update(k for k in (token, key, skeleton) if k)
        if len(tokens) > 1:
            keys.add(name_key(norm))
        if _ARABIC.search(variant):
            keys.update(name_key_readings(_prepare(variant)))
    return frozenset(keys)


def person_search_keys(person) -> str:
    """The keys of all of a person's names: the Arabic-script ones carry the keys of
    their romanisations, so a Latin query finds them, and their skeletons, so a query in
    Arabic script finds the Latin names' skeletons and theirs alike."""
    return search_keys_for(*person_names(person))


# The fields whose words a person is found by (search_keys_refresh reads only these).
NAME_FIELDS = (
    "given_name",
    "family_name",
    "father_name",
    "given_name_arabic",
    "family_name_arabic",
)


def person_names(person) -> tuple[str, ...]:
    """A person's (or an import row's) names, Latin and Arabic script, in NAME_FIELDS order."""
    get = person.get if isinstance(person, dict) else lambda f, d="": getattr(person, f, d)
    return tuple(get(field, "") or "" for field in NAME_FIELDS)


# The version of `search_keys_for`: raise it with any change that gives some name other
# keys. After `migrate`, search_keys_refresh brings every stored key up to it.
# 1: the first keys; 2: ژ written zh, jh or j is one key (Bizhan = Bijan); 3: a name in
# Arabic script carries the keys of its romanisations, غ ش خ ه read as one letter (issue 15);
# 4: a compound family name also carries its parts' keys (Ghaffar Zadeh = Ghaffarzadeh);
# 5: the names in Arabic script (given_name_arabic, family_name_arabic) are keys too.
SEARCH_KEYS_VERSION = 5


def search_keys_refresh(*, batch_size: int = 2000, force: bool = False) -> int:
    """Recomputes the stored keys of every person whose keys differ from what this code
    gives, once per SEARCH_KEYS_VERSION (or always with `force`); returns how many
    changed. The name-key table follows through its triggers. Run after `migrate`
    (registry/apps.py), so that no migration computes keys with the code of its day."""
    from onward.registry.models import DerivedVersion, Person

    with transaction.atomic():
        state, _ = DerivedVersion.objects.select_for_update().get_or_create(name="search_keys")
        if state.version >= SEARCH_KEYS_VERSION and not force:
            return 0
        changed, batch = 0, []
        for person in (
            Person.objects.only("pk", *NAME_FIELDS, "search_keys")
            .order_by("pk")
            .iterator(batch_size)
        ):
            keys = person_search_keys(person)
            if keys != person.search_keys:
                person.search_keys = keys
                batch.append(person)
            if len(batch) >= batch_size:
                Person.objects.bulk_update(batch, ["search_keys"])
                changed, batch = changed + len(batch), []
        if batch:
            Person.objects.bulk_update(batch, ["search_keys"])
            changed += len(batch)
        state.version = SEARCH_KEYS_VERSION
        state.save()
    return changed


def query_words(q: str) -> list[dict]:
    """The query's words, each with what may match it (for tests and the docs)."""
    words = []
    arabic = bool(_ARABIC.search(q or ""))
    for token in normalised(q or "").split():
        key, skeleton = _token_keys(token)
        words.append(
            {
                "token": token,
                "key": key,
                "skeleton": skeleton if arabic else "",
                "prefix": len(token) >= MIN_PREFIX,
            }
        )
    return words


def _word_match(word: dict, *, prefix: bool) -> Q:
    """What a query word matches in PersonNameKey: its key, its skeleton (Arabic script)
    and, for the last word typed, the beginning of a normalised token."""
    keys = [word["key"]] + ([word["skeleton"]] if word["skeleton"] else [])
    match = Q(key__in=keys)
    if prefix and word["prefix"]:
        token = word["token"]
        if connection.vendor == "postgresql":
            match |= Q(key__startswith=token)  # LIKE 'token%': the text_pattern_ops index
        else:  # SQLite's LIKE ignores case and its index: a range on the binary order
            match |= Q(key__gte=token, key__lt=token + "\U0010ffff")
    return match


def name_matches(q: str) -> list[int] | None:
    """Person pks (not scoped, unordered) whose names match every word of `q`, when the
    rarest word matches fewer than RARE persons; None when every word is common (the
    caller then filters with EXISTS per word, walking the list in its order).

    The words are counted first (index-only, each stopped at RARE), then the rarest word's
    persons are fetched and narrowed by each other word in turn, rarest first: a common
    name (Ali, Mohammad: 10-20% of a registry) is never read whole."""
    from onward.registry.models import PersonNameKey

    words = query_words(q)
    matches = [_word_match(w, prefix=i == len(words) - 1) for i, w in enumerate(words)]
    keys = PersonNameKey.objects
    sizes = [keys.filter(m).values("person_id")[:RARE].count() for m in matches]
    if min(sizes) >= RARE:
        return None
    order = sorted(range(len(matches)), key=sizes.__getitem__)
    pks = set(keys.filter(matches[order[0]]).values_list("person_id", flat=True))
    for i in order[1:]:
        if not pks:
            break
        pks = set(keys.filter(matches[i], person_id__in=pks).values_list("person_id", flat=True))
    return sorted(pks)


def person_search(persons: QuerySet, q: str) -> QuerySet:
    """Filters `persons` (already scoped by the policy) by a clerk's query: names in any
    spelling, or a person id typed whole. Never document numbers or phones: this query
    travels in the URL (and so in access logs); those are looked up by POST through their
    blind index (`person_lookup`)."""
    from onward.registry.models import PersonNameKey

    q = " ".join((q or "").split())
    if not q:
        return persons
    words = q.split()
    ids = Q()
    if len(words) == 1:
        word = words[0]
        ids = Q(person_id=word.upper())
        if _ID_LIKE.search(word):  # an id, not a name
            return persons.filter(ids)
    words_ = query_words(q)
    if not words_:
        return persons.filter(ids) if ids else persons.none()
    if connection.vendor == "postgresql":
        names = _pg_name_filter(words_)
        # The planner multiplies the words' selectivities and, for three common names,
        # walks the whole list in person_id order looking for 50 that match (seconds):
        # the matches are fetched first through the GIN index, and used as ids unless
        # there are very many (then the walk in order is the right plan).
        from onward.registry.models import Person

        pks = list(Person.objects.filter(names).values_list("pk", flat=True)[: RARE + 1])
        if len(pks) <= RARE:
            names = Q(pk__in=pks)
    elif (pks := name_matches(q)) is not None:
        names = Q(pk__in=pks)
    else:  # every word common: checked per person, in the list's order, until a page is full
        names = Q()
        for index, word in enumerate(words_):
            names &= Q(
                Exists(
                    PersonNameKey.objects.filter(
                        _word_match(word, prefix=index == len(words_) - 1), person_id=OuterRef("pk")
                    )
                )
            )
    return persons.filter(names | ids if ids else names)


_PG_KEYS = 'string_to_array(btrim("registry_person"."search_keys"), \' \')'
PREFIX_KEYS = 500  # the most keys a typed beginning stands for


def _pg_prefix_keys(token: str) -> list[str]:
    """The distinct keys starting with `token`, one index descent each (a loose index scan
    of registry_personnamekey's (key text_pattern_ops) btree)."""
    pattern = token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH RECURSIVE t(key) AS ("
            " (SELECT key FROM registry_personnamekey WHERE key LIKE %s"
            "  ORDER BY key USING ~<~ LIMIT 1)"
            " UNION ALL"
            " SELECT (SELECT k.key FROM registry_personnamekey k WHERE k.key ~>~ t.key"
            "         AND k.key LIKE %s ORDER BY k.key USING ~<~ LIMIT 1)"
            " FROM t WHERE t.key IS NOT NULL)"
            " SELECT key FROM t WHERE key IS NOT NULL LIMIT %s",
            [pattern, pattern, PREFIX_KEYS],
        )
        return [row[0] for row in cursor.fetchall()]


def _pg_name_filter(words: list[dict]) -> Q:
    """PostgreSQL: each word is `keys && ARRAY[its keys]` on the GIN index of the array
    of search_keys (migration 0005), the planner intersecting the words' posting lists
    (a few ms for three common names in a million persons); the last word's beginning
    stands for the distinct keys it starts (from registry_personnamekey)."""
    condition = Q()
    for index, word in enumerate(words):
        keys = [word["key"]] + ([word["skeleton"]] if word["skeleton"] else [])
        if index == len(words) - 1 and word["prefix"]:
            keys += _pg_prefix_keys(word["token"])
        condition &= Q(
            RawSQL(f"{_PG_KEYS} && %s::text[]", [sorted(set(keys))], output_field=BooleanField())
        )
    return condition


@contextmanager
def name_keys_deferred():
    """SQLite: inside (in a savepoint), persons inserted on this connection get no keys
    from the insert trigger, and the caller writes them with `name_keys_write`, set-based
    (a bulk import: SQLite's trigger runs per row, 40% of an import's time). The trigger
    reads a row of a flag table that is never committed; SQLite has one writer at a time,
    so no other connection inserts meanwhile. The trigger is never dropped or disabled.
    PostgreSQL's trigger runs per statement, as fast as writing the keys here (measured):
    nothing to defer there."""
    if connection.vendor != "sqlite":
        raise NotImplementedError("name_keys_deferred() is for SQLite")
    if not connection.in_atomic_block:  # a flag committed would stop every person's keys
        raise RuntimeError("name_keys_deferred() needs a transaction")
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {SQLITE_DEFERRED_FLAG} (flag) VALUES (1)")
    try:
        with transaction.atomic():  # a failure is rolled back before the flag is cleared
            yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {SQLITE_DEFERRED_FLAG}")


def name_keys_write(pks: list[int]) -> None:
    """SQLite: writes the key rows of the persons `pks` inserted in `name_keys_deferred`,
    in one statement per 5,000 persons: the insert trigger's own SELECT (the words of
    `search_keys` split by json_each, empty words dropped), over the rows just written
    rather than per row, and with no key going through Python."""
    with connection.cursor() as cursor:
        for start in range(0, len(pks), 5000):
            cursor.execute(
                "INSERT OR IGNORE INTO registry_personnamekey (person_id, key) "
                f"SELECT p.id, k.value FROM registry_person p, {sqlite_split('p.search_keys')} k "
                "WHERE p.id IN (SELECT value FROM json_each(%s)) AND k.value <> ''",
                [json.dumps(pks[start : start + 5000])],
            )


# --- exact lookup of an identifier (document number, phone) ---------------------------------


def identifier_lookup(persons: QuerySet, *, document_number: str = "", phone: str = "") -> QuerySet:
    """`persons` whose document number or phone is the one given (either matches), found
    through the blind indexes: the hash of the normalised value under every loaded key,
    so rows not yet re-encrypted after a key rotation are found too."""
    from onward.vault.fields import blind_indexes

    condition = Q()
    if hashes := blind_indexes(document_number, "document"):
        condition |= Q(document_number_bidx__in=hashes)
    if hashes := blind_indexes(phone, "phone"):
        condition |= Q(phone_bidx__in=hashes)
    return persons.filter(condition) if condition else persons.none()
