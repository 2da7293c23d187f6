"""A user's country cannot change at the database either (onward/accounts/scope.py;
onward/appendonly.py, "scope_frozen" version 1). With the constraint that a delegation,
and only a delegation, has a country, this also refuses turning a user into a delegation
or a delegation into anything else."""

from django.db import migrations


def _forward(apps, schema_editor):
    from onward import appendonly

    appendonly.install(schema_editor, "scope_frozen", 1, "accounts_user", column="country")


def _backward(apps, schema_editor):
    from onward import appendonly

    appendonly.uninstall(schema_editor, "scope_frozen", 1, "accounts_user", column="country")


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_authenticator_device_encrypted"),
    ]

    operations = [migrations.RunPython(_forward, _backward)]
