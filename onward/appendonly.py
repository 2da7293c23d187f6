"""Records that are written once: the one home of the rule, in the model and in the
database.

- `AppendOnly` (abstract model) and `AppendOnlyQuerySet`: the application can insert such
  rows, never change or delete them, one by one or in bulk (`QuerySet.update/delete`).
  A wrong entry is undone by a new, reversing one.
- `scope_frozen`: the fields that decide who may see a record (onward/accounts/scope.py)
  refused a change at the database, for raw SQL.
- The triggers that refuse the same at the database, even to raw SQL through the
  application's connection. Their DDL is versioned: a migration names the version it
  installs, and a version is never edited once a migration uses it (a change is a new
  version and a new migration), so that replaying the migrations of a fresh install
  builds exactly the schema every existing database has.

SQLite keeps DELETE possible for the test runner's flush between tests (the model and
queryset still refuse it); production runs PostgreSQL, whose test flush is TRUNCATE,
which row triggers do not see.
"""

from django.db import models


class AppendOnlyError(ValueError):
    """A written-once record was asked to change or go."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are never changed: record a new one.")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows are never deleted.")


class AppendOnly(models.Model):
    """Rows that are written once and never changed or deleted."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError(
                f"{type(self).__name__} rows are never changed: record a new one."
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are never deleted.")


# --- The database's side, versioned -------------------------------------------------------


def _append_only_v1(vendor: str, table: str, function: str) -> list[str]:
    """Refuse UPDATE (and DELETE on PostgreSQL) on `table` (audit 0002, movements 0002)."""
    if vendor == "postgresql":
        return [
            f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '{table} is append-only: %% refused', TG_OP;
END; $$ LANGUAGE plpgsql;
CREATE TRIGGER {table}_append_only
  BEFORE UPDATE OR DELETE ON {table}
  FOR EACH ROW EXECUTE FUNCTION {function}();
"""
        ]
    if vendor == "sqlite":
        return [
            f"""
CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END;
"""
        ]
    return []


def _append_only_v1_drop(vendor: str, table: str, function: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}; "
            f"DROP FUNCTION IF EXISTS {function}();"
        ]
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_update;"]
    return []


_NEVER_DELETED_V1_FUNCTION = """
CREATE OR REPLACE FUNCTION onward_refuse_delete() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '%% rows are never deleted: remove or withdraw them instead',
    TG_TABLE_NAME;
END; $$ LANGUAGE plpgsql
"""


def _never_deleted_v1(vendor: str, table: str) -> list[str]:
    """PostgreSQL: refuse DELETE on `table` (persons, cases, submissions: removed or
    withdrawn as recorded statuses, never deleted)."""
    if vendor != "postgresql":
        return []
    return [
        _NEVER_DELETED_V1_FUNCTION,
        f"DROP TRIGGER IF EXISTS {table}_never_deleted ON {table}",
        f"CREATE TRIGGER {table}_never_deleted BEFORE DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION onward_refuse_delete()",
    ]


def _never_deleted_v1_drop(vendor: str, table: str) -> list[str]:
    return (
        [f"DROP TRIGGER IF EXISTS {table}_never_deleted ON {table}"]
        if vendor == "postgresql"
        else []
    )


_SCOPE_FROZEN_V1_FUNCTION = """
CREATE OR REPLACE FUNCTION onward_refuse_scope_change() RETURNS trigger AS $$
DECLARE
  found boolean;
BEGIN
  IF TG_ARGV[1] <> '' THEN
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %%I WHERE %%I = $1)', TG_ARGV[1], TG_ARGV[2])
      INTO found USING OLD.id;
    IF NOT found THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION '%%.%% decides who may see records: it cannot change (accounts/scope.py)',
    TG_TABLE_NAME, TG_ARGV[0];
END; $$ LANGUAGE plpgsql
"""


def _scope_frozen_v1(
    vendor: str, table: str, column: str, referenced_by: str = "", fk: str = ""
) -> list[str]:
    """Refuse an UPDATE that changes `table.column` (a field that decides scope,
    onward/accounts/scope.py); with `referenced_by`, only while a row of that table
    points at the row through `fk` (a pledge's country, once it has a submission)."""
    name = f"{table}_{column}_frozen"
    if vendor == "postgresql":
        return [
            _SCOPE_FROZEN_V1_FUNCTION,
            f"DROP TRIGGER IF EXISTS {name} ON {table}",
            f"CREATE TRIGGER {name} BEFORE UPDATE OF {column} ON {table} FOR EACH ROW "
            f"WHEN (OLD.{column} IS DISTINCT FROM NEW.{column}) EXECUTE FUNCTION "
            f"onward_refuse_scope_change('{column}', '{referenced_by}', '{fk}')",
        ]
    if vendor == "sqlite":
        only = (
            f" AND EXISTS (SELECT 1 FROM {referenced_by} WHERE {fk} = OLD.id)"
            if referenced_by
            else ""
        )
        return [
            f"""
CREATE TRIGGER {name} BEFORE UPDATE OF {column} ON {table}
WHEN OLD.{column} IS NOT NEW.{column}{only}
BEGIN SELECT RAISE(ABORT, '{table}.{column} decides who may see records: it cannot change'); END;
"""
        ]
    return []


def _scope_frozen_v1_drop(vendor: str, table: str, column: str, **_) -> list[str]:
    name = f"{table}_{column}_frozen"
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {name} ON {table}"]
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}"]
    return []


DDL = {
    ("append_only", 1): (_append_only_v1, _append_only_v1_drop),
    ("never_deleted", 1): (_never_deleted_v1, _never_deleted_v1_drop),
    ("scope_frozen", 1): (_scope_frozen_v1, _scope_frozen_v1_drop),
}


def install(schema_editor, kind: str, version: int, table: str, **names) -> None:
    """For a migration: install version `version` of the `kind` trigger on `table`."""
    for statement in DDL[kind, version][0](schema_editor.connection.vendor, table, **names):
        schema_editor.execute(statement)


def uninstall(schema_editor, kind: str, version: int, table: str, **names) -> None:
    for statement in DDL[kind, version][1](schema_editor.connection.vendor, table, **names):
        schema_editor.execute(statement)
