"""Records that are written once: the one home of the rule, in the model and in the
database.

- `AppendOnly` (abstract model) and `AppendOnlyQuerySet`: the application can insert such
  rows, never change or delete them, one by one or in bulk (`QuerySet.update/delete`).
  A wrong entry is undone by a new, reversing one.
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
                f"{type(self).__name__} rows are never changed: record a new one.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are never deleted.")


# --- The database's side, versioned -------------------------------------------------------

def _append_only_v1(vendor: str, table: str, function: str) -> list[str]:
    """Refuse UPDATE (and DELETE on PostgreSQL) on `table` (audit 0002, movements 0002)."""
    if vendor == "postgresql":
        return [f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '{table} is append-only: %% refused', TG_OP;
END; $$ LANGUAGE plpgsql;
CREATE TRIGGER {table}_append_only
  BEFORE UPDATE OR DELETE ON {table}
  FOR EACH ROW EXECUTE FUNCTION {function}();
"""]
    if vendor == "sqlite":
        return [f"""
CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END;
"""]
    return []


def _append_only_v1_drop(vendor: str, table: str, function: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}; "
                f"DROP FUNCTION IF EXISTS {function}();"]
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
    return [_NEVER_DELETED_V1_FUNCTION,
            f"DROP TRIGGER IF EXISTS {table}_never_deleted ON {table}",
            f"CREATE TRIGGER {table}_never_deleted BEFORE DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION onward_refuse_delete()"]


def _never_deleted_v1_drop(vendor: str, table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_never_deleted ON {table}"] \
        if vendor == "postgresql" else []


DDL = {
    ("append_only", 1): (_append_only_v1, _append_only_v1_drop),
    ("never_deleted", 1): (_never_deleted_v1, _never_deleted_v1_drop),
}


def install(schema_editor, kind: str, version: int, table: str, **names) -> None:
    """For a migration: install version `version` of the `kind` trigger on `table`."""
    for statement in DDL[kind, version][0](schema_editor.connection.vendor, table, **names):
        schema_editor.execute(statement)


def uninstall(schema_editor, kind: str, version: int, table: str, **names) -> None:
    for statement in DDL[kind, version][1](schema_editor.connection.vendor, table, **names):
        schema_editor.execute(statement)
