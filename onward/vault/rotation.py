"""Re-encryption under the primary key, and the per-key counts that show where a rotation
stands. Works on the tables with plain SQL in batches, so that it serves the data
migration that first encrypted the registry as well as `onward keys reencrypt` on a
million rows, and never loads models (nor sends signals, nor bumps versions: the content
does not change, only its envelope).

A value is rewritten when it is not under the primary key: a token of another loaded key
(a rotation), or plain text (rows written before encryption). A token whose key is not
loaded is left as it is and counted: nothing is lost, and it can be rewritten later once
the key is loaded again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection as default_connection
from django.db import transaction

from onward.vault import keys
from onward.vault.normalise import NORMALISERS

BATCH = 2000
PLAIN = "(not encrypted)"


@dataclass(frozen=True)
class Column:
    table: str
    column: str
    bidx: str = ""  # the blind-index column kept with it, if any
    kind: str = ""  # its normaliser: "document" or "phone"

    @property
    def context(self) -> str:
        return f"{self.table}.{self.column}"


def encrypted_columns() -> list[Column]:
    """Every EncryptedTextField of the installed models, with its blind index."""
    from django.apps import apps

    from onward.vault.fields import BlindIndexField, EncryptedTextField

    columns = []
    for model in apps.get_models():
        fields = model._meta.concrete_fields
        for f in fields:
            if isinstance(f, EncryptedTextField):
                bidx = next(
                    (b for b in fields if isinstance(b, BlindIndexField) and b.source == f.name),
                    None,
                )
                columns.append(
                    Column(
                        model._meta.db_table,
                        f.column,
                        bidx.column if bidx else "",
                        bidx.kind if bidx else "",
                    )
                )
    return columns


@dataclass
class Result:
    rewritten: int = 0
    unreadable: int = 0


def reencrypt(
    columns: list[Column],
    *,
    connection=None,
    batch: int = BATCH,
    progress: Callable[[Column, int, int], None] | None = None,
) -> dict[str, Result]:
    """Rewrite every value of `columns` not under the primary key; idempotent (a second
    run finds nothing to do). `progress(column, done, todo)` after each batch."""
    connection = connection or default_connection
    results = {}
    for col in columns:
        results[col.context] = _reencrypt_column(connection, col, batch, progress)
    return results


def _reencrypt_column(connection, col: Column, batch: int, progress) -> Result:
    ring = keys.keyring()
    qn = connection.ops.quote_name
    table, column = qn(col.table), qn(col.column)
    mine = f"{keys.PREFIX}{ring.primary.kid}:"
    stale = f"{column} <> '' AND {column} IS NOT NULL AND substr({column}, 1, {len(mine)}) <> %s"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE {stale}", [mine])
        todo = cursor.fetchone()[0]
    result, last_id, done = Result(), None, 0
    set_bidx = f", {qn(col.bidx)} = %s" if col.bidx else ""
    update = f"UPDATE {table} SET {column} = %s{set_bidx} WHERE id = %s AND {column} = %s"
    while True:
        after = "" if last_id is None else "AND id > %s "
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, {column} FROM {table} WHERE {stale} {after}"
                f"ORDER BY id LIMIT {int(batch)}",
                [mine] if last_id is None else [mine, last_id],
            )
            rows = cursor.fetchall()
            if not rows:
                break
            params = []
            for pk, stored in rows:
                plain = _plaintext(ring, stored, col.context)
                if plain is None:
                    result.unreadable += 1
                    continue
                new = ring.encrypt(plain, col.context)
                bidx = (
                    [ring.blind_index(NORMALISERS[col.kind](plain), col.kind)] if col.bidx else []
                )
                params.append([new, *bidx, pk, stored])
            if params:
                _update(connection, cursor, col, update, params)
            result.rewritten += len(params)
        last_id = rows[-1][0]
        done += len(rows)
        if progress:
            progress(col, done, todo)
    return result


def _update(connection, cursor, col: Column, update: str, params: list[list]) -> None:
    """One UPDATE per batch on PostgreSQL (a statement-level trigger on registry_person
    runs once per statement), one per row elsewhere (cheap on SQLite). Each row is
    written only if it still holds the value read, so a concurrent edit is not undone."""
    if connection.vendor != "postgresql":
        cursor.executemany(update, params)
        return
    qn = connection.ops.quote_name
    width = 4 if col.bidx else 3
    names = ["new", "bidx", "pk", "old"] if col.bidx else ["new", "pk", "old"]
    row = "(" + ", ".join(["%s::text"] * (width - 2) + ["%s::bigint", "%s::text"]) + ")"
    set_bidx = f", {qn(col.bidx)} = v.bidx" if col.bidx else ""
    cursor.execute(
        f"UPDATE {qn(col.table)} AS t SET {qn(col.column)} = v.new{set_bidx} "
        f"FROM (VALUES {', '.join([row] * len(params))}) AS v({', '.join(names)}) "
        f"WHERE t.id = v.pk AND t.{qn(col.column)} = v.old",
        [value for p in params for value in p],
    )


def _plaintext(ring: keys.Keyring, stored: str, context: str) -> str | None:
    if not keys.is_token(stored):
        return stored  # written before encryption: encrypt it now
    try:
        return ring.decrypt(stored, context)
    except keys.Undecryptable:
        return None


def status(columns: list[Column], *, connection=None) -> dict[str, Counter]:
    """Per column, how many values each key id holds (and how many are in clear)."""
    connection = connection or default_connection
    qn = connection.ops.quote_name
    out = {}
    for col in columns:
        c = qn(col.column)
        if connection.vendor == "postgresql":
            kid = f"split_part({c}, ':', 2)"
        else:
            kid = f"substr({c}, 4, instr(substr({c}, 4), ':') - 1)"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT CASE WHEN substr({c}, 1, 3) = %s THEN {kid} ELSE %s END, count(*) "
                f"FROM {qn(col.table)} WHERE {c} <> '' AND {c} IS NOT NULL GROUP BY 1",
                [keys.PREFIX, PLAIN],
            )
            out[col.context] = Counter(dict(cursor.fetchall()))
    return out


def decrypt_in_place(columns: list[Column], *, connection=None) -> None:
    """Undo the encryption (the backward step of the migration that introduced it);
    clears the blind indexes. Refuses if a value cannot be decrypted."""
    connection = connection or default_connection
    ring = keys.keyring()
    qn = connection.ops.quote_name
    for col in columns:
        table, column = qn(col.table), qn(col.column)
        clear = f", {qn(col.bidx)} = ''" if col.bidx else ""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, {column} FROM {table} WHERE substr({column}, 1, 3) = %s", [keys.PREFIX]
            )
            rows = [(ring.decrypt(stored, col.context), pk) for pk, stored in cursor.fetchall()]
            cursor.executemany(f"UPDATE {table} SET {column} = %s{clear} WHERE id = %s", rows)
