"""Rows that are never deleted, refused at the database itself.

Persons, cases and submissions are removed or withdrawn as recorded, reversible statuses
(registry.services.person_remove, the relocation workflow's withdraw); nothing deletes
them. On PostgreSQL a BEFORE DELETE trigger refuses a DELETE even in raw SQL through the
application's connection, as the audit log's does (audit 0002_append_only). SQLite keeps
DELETE possible for the test runner's flush; production runs PostgreSQL, whose test flush
is TRUNCATE, which row triggers do not see. Called by migrations (registry 0007,
relocation 0003).
"""

_FUNCTION = """
CREATE OR REPLACE FUNCTION onward_refuse_delete() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '%% rows are never deleted: remove or withdraw them instead',
    TG_TABLE_NAME;
END; $$ LANGUAGE plpgsql
"""


def never_deleted(schema_editor, table: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(_FUNCTION)
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_never_deleted ON {table}")
    schema_editor.execute(f"CREATE TRIGGER {table}_never_deleted BEFORE DELETE ON {table} "
                          "FOR EACH ROW EXECUTE FUNCTION onward_refuse_delete()")


def never_deleted_drop(schema_editor, table: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_never_deleted ON {table}")
