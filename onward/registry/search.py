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
  rAzI, Rezaei -> rIzI): the skeleton keys above cover it.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from functools import cached_property, lru_cache

from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from onward.db import sqlite_insert_many
from onward.dedup.engine.names import name_key, normalise, skeleton_and_vowels

_ARABIC = re.compile(r"[\u0600-\u06ff]")
# Arabic-script first parts written apart from the second: عبد الرحمن, ابو بكر.
_ARABIC_COMPOUND = re.compile(r"(^|\s)(عبد|ابو|أبو)\s+")
_ID_LIKE = re.compile(r"\d")
MIN_PREFIX = 3
# A word matching fewer persons than this drives the search (name_matches).
RARE = 2000
# Lists count their matches up to this (then: 10,000 or more).
COUNT_CAP = 10_000


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


def name_filter(q: str) -> Q | None:
    """A Q object on Person matching every word of `q` through the key table (None: no
    name). `person_search` runs the same matching from the rarest word; this is the plain
    form, for a queryset that needs a Q."""
    from onward.registry.models import PersonNameKey

    words = query_words(q)
    condition = None
    for index, word in enumerate(words):
        match = Q(pk__in=PersonNameKey.objects.filter(
            _word_match(word, prefix=index == len(words) - 1)).values("person_id"))
        condition = match if condition is None else condition & match
    return condition


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
        pks = set(keys.filter(matches[i], person_id__in=pks)
                  .values_list("person_id", flat=True))
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

        pks = list(Person.objects.filter(names).values_list("pk", flat=True)[:RARE + 1])
        if len(pks) <= RARE:
            names = Q(pk__in=pks)
    elif (pks := name_matches(q)) is not None:
        names = Q(pk__in=pks)
    else:  # every word common: checked per person, in the list's order, until a page is full
        names = Q()
        for index, word in enumerate(words_):
            names &= Q(Exists(PersonNameKey.objects.filter(
                _word_match(word, prefix=index == len(words_) - 1), person_id=OuterRef("pk"))))
    return persons.filter(names | ids if ids else names)


class CappedPaginator(Paginator):
    """A paginator whose count stops at COUNT_CAP (`count_capped` then says so): counting a
    million-row list (no query, or a common name) would cost more than the page itself."""

    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        counted = self.object_list[:self.cap + 1].count() \
            if hasattr(self.object_list, "query") else len(self.object_list)
        self.count_capped = counted > self.cap
        return min(counted, self.cap)


_PG_KEYS = "string_to_array(btrim(\"registry_person\".\"search_keys\"), ' ')"
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
            [pattern, pattern, PREFIX_KEYS])
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
        condition &= Q(RawSQL(f"{_PG_KEYS} && %s::text[]", [sorted(set(keys))],
                              output_field=BooleanField()))
    return condition


# --- the key table's triggers (migration 0005) ------------------------------------------

_PG_TRIGGERS = """
CREATE OR REPLACE FUNCTION registry_person_name_keys_ins() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO registry_personnamekey (person_id, key)
  SELECT n.id, k FROM new_rows n, unnest(string_to_array(btrim(n.search_keys), ' ')) AS k
  WHERE k <> '';
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION registry_person_name_keys_upd() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM registry_personnamekey k USING old_rows o JOIN new_rows n ON n.id = o.id
  WHERE k.person_id = o.id AND o.search_keys IS DISTINCT FROM n.search_keys;
  INSERT INTO registry_personnamekey (person_id, key)
  SELECT n.id, k FROM new_rows n JOIN old_rows o ON o.id = n.id,
       unnest(string_to_array(btrim(n.search_keys), ' ')) AS k
  WHERE k <> '' AND o.search_keys IS DISTINCT FROM n.search_keys;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION registry_person_name_keys_del() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM registry_personnamekey k USING old_rows o WHERE k.person_id = o.id;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS registry_person_name_keys_ins ON registry_person;
CREATE TRIGGER registry_person_name_keys_ins AFTER INSERT ON registry_person
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
EXECUTE FUNCTION registry_person_name_keys_ins();

DROP TRIGGER IF EXISTS registry_person_name_keys_upd ON registry_person;
CREATE TRIGGER registry_person_name_keys_upd AFTER UPDATE ON registry_person
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
EXECUTE FUNCTION registry_person_name_keys_upd();

DROP TRIGGER IF EXISTS registry_person_name_keys_del ON registry_person;
CREATE TRIGGER registry_person_name_keys_del AFTER DELETE ON registry_person
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
EXECUTE FUNCTION registry_person_name_keys_del()
"""


def sqlite_split(expression: str) -> str:
    """SQLite: the words of a search_keys text as rows (json_each over a JSON array)."""
    quoted = f"replace(replace(trim({expression}), '\\', '\\\\'), '\"', '\\\"')"
    return f"""json_each('["' || replace({quoted}, ' ', '","') || '"]')"""


_SQLITE_FLAG = "registry_personnamekey_deferred"


def _sqlite_triggers() -> list[str]:
    insert = ("INSERT OR IGNORE INTO registry_personnamekey (person_id, key) "
              f"SELECT NEW.id, value FROM {sqlite_split('NEW.search_keys')} WHERE value <> '';")
    return [
        # The flag of name_keys_deferred (a TEMP table would do, but a trigger of the main
        # database may not read the temp one).
        f"CREATE TABLE IF NOT EXISTS {_SQLITE_FLAG} (flag INTEGER)",
        "DROP TRIGGER IF EXISTS registry_person_name_keys_ins",
        f"CREATE TRIGGER registry_person_name_keys_ins AFTER INSERT ON registry_person "
        f"WHEN NOT EXISTS (SELECT 1 FROM {_SQLITE_FLAG}) BEGIN {insert} END",
        "DROP TRIGGER IF EXISTS registry_person_name_keys_upd",
        "CREATE TRIGGER registry_person_name_keys_upd AFTER UPDATE OF search_keys "
        "ON registry_person WHEN OLD.search_keys IS NOT NEW.search_keys "
        "BEGIN DELETE FROM registry_personnamekey WHERE person_id = OLD.id; "
        f"{insert} END",
        "DROP TRIGGER IF EXISTS registry_person_name_keys_del",
        "CREATE TRIGGER registry_person_name_keys_del AFTER DELETE ON registry_person "
        "BEGIN DELETE FROM registry_personnamekey WHERE person_id = OLD.id; END",
    ]


def name_key_triggers_create(schema_editor) -> None:
    """The triggers that keep registry_personnamekey equal to the words of every person's
    search_keys. A later migration that rebuilds registry_person on SQLite (Django remakes
    a table to alter it, which drops its triggers) must call this again."""
    if schema_editor.connection.vendor == "postgresql":
        for statement in _PG_TRIGGERS.split(";\n\n"):
            schema_editor.execute(statement)
    else:
        for statement in _sqlite_triggers():
            schema_editor.execute(statement)


def name_key_triggers_drop(schema_editor) -> None:
    for name in ("ins", "upd", "del"):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"DROP TRIGGER IF EXISTS registry_person_name_keys_{name} ON registry_person")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS registry_person_name_keys_{name}()")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS registry_person_name_keys_{name}")
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.execute(f"DROP TABLE IF EXISTS {_SQLITE_FLAG}")


def name_key_index_create(schema_editor) -> None:
    """(key, person) btree; text_pattern_ops on PostgreSQL serves = and LIKE 'prefix%'
    whatever the database's collation."""
    opclass = " text_pattern_ops" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute("CREATE INDEX IF NOT EXISTS registry_personnamekey_key "
                          f"ON registry_personnamekey (key{opclass}, person_id)")
    if schema_editor.connection.vendor == "postgresql":
        # The search's index: the array of each person's keys (registry/search.py).
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS registry_person_search_keys_gin ON registry_person "
            "USING gin ((string_to_array(btrim(search_keys), ' ')))")
        schema_editor.execute("ALTER TABLE registry_personnamekey ALTER COLUMN key "
                              "SET STATISTICS 1000")
        schema_editor.execute("ANALYZE registry_personnamekey")


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
        cursor.execute(f"INSERT INTO {_SQLITE_FLAG} (flag) VALUES (1)")
    try:
        with transaction.atomic():  # a failure is rolled back before the flag is cleared
            yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {_SQLITE_FLAG}")


def name_keys_write(persons) -> None:
    """SQLite: writes the key rows of (pk, search_keys) pairs inserted in
    `name_keys_deferred`: the words the insert trigger would write (split on single
    spaces, empty words dropped, as json_each over the split does)."""
    rows = [(pk, key) for pk, keys in persons
            for key in dict.fromkeys(keys.strip(" ").split(" ")) if key]
    with connection.cursor() as cursor:
        sqlite_insert_many(
            cursor, "INSERT OR IGNORE INTO registry_personnamekey (person_id, key)", rows, 2)


# --- exact lookup of an identifier (document number, phone) ---------------------------------


def identifier_lookup(persons: QuerySet, *, document_number: str = "",
                      phone: str = "") -> QuerySet:
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
