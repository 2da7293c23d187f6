"""The audit log refuses UPDATE (and, on PostgreSQL, DELETE) at the database itself, so
that not even raw SQL through the application's connection can rewrite history.

SQLite keeps DELETE possible for the test runner's flush between tests; the model and
queryset still refuse it, and production runs PostgreSQL.

The triggers are version 1 of "append_only" in onward/appendonly.py (frozen there).
"""

from django.db import migrations

TABLE, FUNCTION = "audit_auditentry", "audit_refuse_change"


def up(apps, schema_editor):
    from onward import appendonly

    appendonly.install(schema_editor, "append_only", 1, TABLE, function=FUNCTION)


def down(apps, schema_editor):
    from onward import appendonly

    appendonly.uninstall(schema_editor, "append_only", 1, TABLE, function=FUNCTION)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
