from django.db import migrations

DIMENSIONS = [
    ("persons", "Persons (places)", 0),
    ("medical", "Medical places", 1),
    ("large_family", "Large-family places (cases of 5 or more)", 2),
]


def seed(apps, schema_editor):
    CapacityDimension = apps.get_model("relocation", "CapacityDimension")
    for code, label, order in DIMENSIONS:
        CapacityDimension.objects.update_or_create(code=code,
                                                   defaults={"label": label, "order": order})


class Migration(migrations.Migration):
    dependencies = [("relocation", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
