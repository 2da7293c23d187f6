"""The registry's SQL that migrations and code share, versioned.

The name-key table (registry_personnamekey) is kept equal to the words of every person's
`search_keys` by triggers; the search reads it. Migrations install a named version of
those triggers and of the key index; a version is never edited once a migration uses it
(a change is a new version and a new migration), so that a fresh install replays at each
step exactly what existing databases ran. `name_key_triggers_create(editor)` without a
version installs the current one (a migration that remakes registry_person on SQLite,
which drops its triggers, must put them back).
"""

# SQLite: the flag row of search.name_keys_deferred (a TEMP table would do, but a trigger
# of the main database may not read the temp one).
SQLITE_DEFERRED_FLAG = "registry_personnamekey_deferred"


def sqlite_split(expression: str) -> str:
    """SQLite: the words of a search_keys text as rows (json_each over a JSON array)."""
    quoted = f"replace(replace(trim({expression}), '\\', '\\\\'), '\"', '\\\"')"
    return f"""json_each('["' || replace({quoted}, ' ', '","') || '"]')"""


# Version 1 (migration 0005) and 2: statement triggers over transition tables.
_PG_TRIGGERS_V1 = """
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


def _sqlite_insert() -> str:
    return (
        "INSERT OR IGNORE INTO registry_personnamekey (person_id, key) "
        f"SELECT NEW.id, value FROM {sqlite_split('NEW.search_keys')} WHERE value <> '';"
    )


def _sqlite_update_delete() -> list[str]:
    return [
        "DROP TRIGGER IF EXISTS registry_person_name_keys_upd",
        "CREATE TRIGGER registry_person_name_keys_upd AFTER UPDATE OF search_keys "
        "ON registry_person WHEN OLD.search_keys IS NOT NEW.search_keys "
        "BEGIN DELETE FROM registry_personnamekey WHERE person_id = OLD.id; "
        f"{_sqlite_insert()} END",
        "DROP TRIGGER IF EXISTS registry_person_name_keys_del",
        "CREATE TRIGGER registry_person_name_keys_del AFTER DELETE ON registry_person "
        "BEGIN DELETE FROM registry_personnamekey WHERE person_id = OLD.id; END",
    ]


def _sqlite_v1() -> list[str]:
    """Migration 0005: one row trigger per insert, update of the keys, delete."""
    return [
        "DROP TRIGGER IF EXISTS registry_person_name_keys_ins",
        "CREATE TRIGGER registry_person_name_keys_ins AFTER INSERT ON registry_person "
        f"BEGIN {_sqlite_insert()} END",
        *_sqlite_update_delete(),
    ]


def _sqlite_v2() -> list[str]:
    """Migration 0008: the insert trigger may be skipped by the transaction that writes
    the keys itself, set-based (name_keys_deferred: a bulk import)."""
    return [
        f"CREATE TABLE IF NOT EXISTS {SQLITE_DEFERRED_FLAG} (flag INTEGER)",
        "DROP TRIGGER IF EXISTS registry_person_name_keys_ins",
        "CREATE TRIGGER registry_person_name_keys_ins AFTER INSERT ON registry_person "
        f"WHEN NOT EXISTS (SELECT 1 FROM {SQLITE_DEFERRED_FLAG}) "
        f"BEGIN {_sqlite_insert()} END",
        *_sqlite_update_delete(),
    ]


NAME_KEY_TRIGGERS = {
    1: {"postgresql": lambda: _PG_TRIGGERS_V1.split(";\n\n"), "sqlite": _sqlite_v1},
    2: {"postgresql": lambda: _PG_TRIGGERS_V1.split(";\n\n"), "sqlite": _sqlite_v2},
}
NAME_KEY_TRIGGERS_CURRENT = 2


def name_key_triggers_create(schema_editor, version: int = NAME_KEY_TRIGGERS_CURRENT) -> None:
    vendor = "postgresql" if schema_editor.connection.vendor == "postgresql" else "sqlite"
    for statement in NAME_KEY_TRIGGERS[version][vendor]():
        schema_editor.execute(statement)


def name_key_triggers_drop(schema_editor) -> None:
    """Every version's triggers (and SQLite's flag table) go."""
    for name in ("ins", "upd", "del"):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"DROP TRIGGER IF EXISTS registry_person_name_keys_{name} ON registry_person"
            )
            schema_editor.execute(f"DROP FUNCTION IF EXISTS registry_person_name_keys_{name}()")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS registry_person_name_keys_{name}")
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.execute(f"DROP TABLE IF EXISTS {SQLITE_DEFERRED_FLAG}")


def name_key_index_create_v1(schema_editor) -> None:
    """Migration 0005. (key, person) btree; text_pattern_ops on PostgreSQL serves = and
    LIKE 'prefix%' whatever the database's collation."""
    opclass = " text_pattern_ops" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS registry_personnamekey_key "
        f"ON registry_personnamekey (key{opclass}, person_id)"
    )
    if schema_editor.connection.vendor == "postgresql":
        # The search's index: the array of each person's keys (registry/search.py).
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS registry_person_search_keys_gin ON registry_person "
            "USING gin ((string_to_array(btrim(search_keys), ' ')))"
        )
        schema_editor.execute(
            "ALTER TABLE registry_personnamekey ALTER COLUMN key SET STATISTICS 1000"
        )
        schema_editor.execute("ANALYZE registry_personnamekey")
