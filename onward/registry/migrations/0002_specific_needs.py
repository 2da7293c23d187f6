"""The specific needs as first shipped (frozen here: the managed list may grow later,
by its own migrations)."""

from django.db import migrations

SPECIFIC_NEEDS = {
    "SM": "Serious medical condition",
    "DS": "Disability",
    "ER": "Older person at risk",
    "UC": "Unaccompanied child",
    "SC": "Separated child",
    "CR": "Child at risk",
    "WR": "Woman at risk",
    "SP": "Single parent or caregiver",
    "TR": "Survivor of torture",
    "SV": "Survivor of sexual or gender-based violence",
    "LP": "Specific legal and physical protection needs",
    "FU": "Family unity",
}


def seed(apps, schema_editor):
    SpecificNeed = apps.get_model("registry", "SpecificNeed")
    for code, label in SPECIFIC_NEEDS.items():
        SpecificNeed.objects.get_or_create(code=code, defaults={"label": label})


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
