from django.db import migrations

from onward.registry.codes import SPECIFIC_NEEDS


def seed(apps, schema_editor):
    SpecificNeed = apps.get_model("registry", "SpecificNeed")
    for code, label in SPECIFIC_NEEDS.items():
        SpecificNeed.objects.update_or_create(code=code, defaults={"label": label})


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
