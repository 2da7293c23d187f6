from django.db import migrations

from onward.interviews import reference


def seed(apps, schema_editor):
    reference.seed(apps)


class Migration(migrations.Migration):
    dependencies = [("interviews", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
