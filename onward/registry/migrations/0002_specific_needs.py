from django.db import migrations


def seed(apps, schema_editor):
    from onward.registry.reference import seed as seed_lists

    seed_lists(apps)


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
