"""A submission ends in a decision (accepted, rejected, withdrawn), recorded and kept; on
PostgreSQL a trigger refuses DELETE on relocation_submission even from raw SQL
(onward/appendonly.py, "never_deleted" version 1)."""

from django.db import migrations


def _forward(apps, schema_editor):
    from onward import appendonly

    appendonly.install(schema_editor, "never_deleted", 1, "relocation_submission")


def _backward(apps, schema_editor):
    from onward import appendonly

    appendonly.uninstall(schema_editor, "never_deleted", 1, "relocation_submission")


class Migration(migrations.Migration):

    dependencies = [
        ("relocation", "0002_capacity_dimensions"),
    ]

    operations = [migrations.RunPython(_forward, _backward)]
