"""A transfer's pledge and country cannot change at the database either
(onward/accounts/scope.py; onward/appendonly.py, "scope_frozen" version 1)."""

from django.db import migrations

FROZEN = [("movements_transfer", "pledge_id"), ("movements_transfer", "country")]


def _forward(apps, schema_editor):
    from onward import appendonly

    for table, column in FROZEN:
        appendonly.install(schema_editor, "scope_frozen", 1, table, column=column)


def _backward(apps, schema_editor):
    from onward import appendonly

    for table, column in FROZEN:
        appendonly.uninstall(schema_editor, "scope_frozen", 1, table, column=column)


class Migration(migrations.Migration):

    dependencies = [
        ("movements", "0007_reported_departures"),
    ]

    operations = [migrations.RunPython(_forward, _backward)]
