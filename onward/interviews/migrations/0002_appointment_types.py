from django.db import migrations

# The types as shipped, copied here (a migration must not import application code that
# can change: onward/web/tests/test_frozen_migrations.py); onward/interviews/reference.py
# seeds the same list again after a test flushed the database.
TYPES = {
    "resettlement_interview": "Resettlement interview",
    "counselling": "Counselling",
    "medical": "Medical",
    "pre_departure": "Pre-departure orientation",
}


def seed(apps, schema_editor):
    AppointmentType = apps.get_model("interviews", "AppointmentType")
    for code, label in TYPES.items():
        AppointmentType.objects.get_or_create(code=code, defaults={"label": label})


class Migration(migrations.Migration):
    dependencies = [("interviews", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
