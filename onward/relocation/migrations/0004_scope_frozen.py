"""The fields that decide which delegation sees a record cannot change at the database
either (onward/accounts/scope.py; onward/appendonly.py, "scope_frozen" version 1): a
pledge's country once it has a submission, a submission's pledge and case always."""

from django.db import migrations

FROZEN = [
    ("relocation_pledge", "country", {"referenced_by": "relocation_submission",
                                      "fk": "pledge_id"}),
    ("relocation_submission", "pledge_id", {}),
    ("relocation_submission", "case_id", {}),
]


def _forward(apps, schema_editor):
    from onward import appendonly

    for table, column, extra in FROZEN:
        appendonly.install(schema_editor, "scope_frozen", 1, table, column=column, **extra)


def _backward(apps, schema_editor):
    from onward import appendonly

    for table, column, _ in FROZEN:
        appendonly.uninstall(schema_editor, "scope_frozen", 1, table, column=column)


class Migration(migrations.Migration):

    dependencies = [
        ("relocation", "0003_submission_never_deleted"),
    ]

    operations = [migrations.RunPython(_forward, _backward)]
