"""A submission ends in a decision (accepted, rejected, withdrawn), recorded and kept; on
PostgreSQL a trigger refuses DELETE on relocation_submission even from raw SQL
(registry/nodelete.py)."""

from django.db import migrations


def _forward(apps, schema_editor):
    from onward.registry.nodelete import never_deleted

    never_deleted(schema_editor, "relocation_submission")


def _backward(apps, schema_editor):
    from onward.registry.nodelete import never_deleted_drop

    never_deleted_drop(schema_editor, "relocation_submission")


class Migration(migrations.Migration):

    dependencies = [
        ("relocation", "0002_capacity_dimensions"),
    ]

    operations = [migrations.RunPython(_forward, _backward)]
