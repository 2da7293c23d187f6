# Written by hand.
"""Version 2 of the name-key triggers (registry/sql.py). SQLite: the name-key insert trigger (per row) may be skipped by the transaction that
inserts the persons and writes their keys itself, set-based (registry/search.py,
name_keys_deferred: a bulk import). Other inserts keep the trigger. PostgreSQL: no change
(its trigger runs per statement)."""

from django.db import migrations


def _forward(apps, schema_editor):
    from onward.registry.sql import name_key_triggers_create

    if schema_editor.connection.vendor == "sqlite":
        name_key_triggers_create(schema_editor, version=2)


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0007_person_removal'),
    ]

    operations = [
        # Backward: nothing to undo; the new trigger behaves as the old one unless a
        # transaction asks otherwise (and it reads the flag table created with it).
        migrations.RunPython(_forward, migrations.RunPython.noop),
    ]
