"""The ledger refuses UPDATE (and DELETE on PostgreSQL) like the audit log: a wrong entry
is reversed by a new one, never edited.

The triggers are version 1 of "append_only" in onward/appendonly.py (frozen there).
"""

from django.db import migrations

TABLE, FUNCTION = "movements_ledgerentry", "ledger_refuse_change"


def up(apps, schema_editor):
    from onward import appendonly

    appendonly.install(schema_editor, "append_only", 1, TABLE, function=FUNCTION)


def down(apps, schema_editor):
    from onward import appendonly

    appendonly.uninstall(schema_editor, "append_only", 1, TABLE, function=FUNCTION)


class Migration(migrations.Migration):
    dependencies = [("movements", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
