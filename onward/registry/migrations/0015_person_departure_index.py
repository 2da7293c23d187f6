# The departures' index on (departure date, kind) replaces the one on the date alone.
# The old index is dropped by name, not by AlterField: on SQLite an AlterField remakes the
# whole table, which drops the name-key triggers made by earlier migrations.

from django.conf import settings
from django.db import migrations, models

OLD_INDEX = "registry_person_departure_date_5aad04b4"


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0014_person_gone_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="person",
                    name="departure_date",
                    field=models.DateField(blank=True, null=True),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {OLD_INDEX}",
                    f"CREATE INDEX {OLD_INDEX} ON registry_person (departure_date)",
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                condition=models.Q(("departure_date__isnull", False)),
                fields=["departure_date", "departure_type"],
                name="person_departure_idx",
            ),
        ),
    ]
