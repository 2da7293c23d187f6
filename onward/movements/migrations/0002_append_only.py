"""The ledger refuses UPDATE (and DELETE on PostgreSQL) like the audit log: a wrong entry
is reversed by a new one, never edited."""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'movements_ledgerentry is append-only: %% refused', TG_OP;
END; $$ LANGUAGE plpgsql;
CREATE TRIGGER movements_ledgerentry_append_only
  BEFORE UPDATE OR DELETE ON movements_ledgerentry
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
"""
SQLITE_UP = """
CREATE TRIGGER movements_ledgerentry_no_update BEFORE UPDATE ON movements_ledgerentry
BEGIN SELECT RAISE(ABORT, 'movements_ledgerentry is append-only: UPDATE refused'); END;
"""


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor in ("postgresql", "sqlite"):
        schema_editor.execute(PG_UP if vendor == "postgresql" else SQLITE_UP)


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS movements_ledgerentry_append_only "
                              "ON movements_ledgerentry; DROP FUNCTION IF EXISTS "
                              "ledger_refuse_change();")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS movements_ledgerentry_no_update;")


class Migration(migrations.Migration):
    dependencies = [("movements", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
