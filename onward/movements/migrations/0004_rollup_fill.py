"""Fills the rollups from the ledger already written (databases created before them)."""

from collections import defaultdict

from django.db import migrations


def fill(apps, schema_editor):
    Entry = apps.get_model("movements", "LedgerEntry")
    Person = apps.get_model("registry", "Person")
    Dims = apps.get_model("movements", "RollupDims")
    Day = apps.get_model("movements", "RollupDay")
    Month = apps.get_model("movements", "RollupMonth")
    if not Entry.objects.exists() or Day.objects.exists():
        return
    needs = defaultdict(list)
    for pk, code in Person.specific_needs.through.objects.values_list("person_id",
                                                                      "specificneed_id"):
        needs[pk].append(code)
    dims = {pk: (sex or "", birth.year if birth else None, ";".join(sorted(needs[pk])))
            for pk, sex, birth in Person.objects.values_list("pk", "sex", "birth_date")}
    days, months, used = defaultdict(int), defaultdict(int), set()
    for pk, day, delta in Entry.objects.values_list("person_id", "date", "delta").iterator():
        used.add(pk)
        sex, year, codes = dims[pk]
        keys = [("total", ""), ("sex", sex), ("birth_year", str(year) if year else "")]
        keys += [("need", c) for c in codes.split(";")] if codes else [("need", "")]
        for dim, value in keys:
            days[(day, dim, value)] += delta
            months[(day.replace(day=1), dim, value)] += delta
    Dims.objects.bulk_create([Dims(person_id=pk, sex=dims[pk][0], birth_year=dims[pk][1],
                                   needs=dims[pk][2]) for pk in used], batch_size=5000)
    Day.objects.bulk_create([Day(date=d, dim=k, value=v, delta=n)
                             for (d, k, v), n in days.items() if n], batch_size=5000)
    Month.objects.bulk_create([Month(month=m, dim=k, value=v, delta=n)
                               for (m, k, v), n in months.items() if n], batch_size=5000)


class Migration(migrations.Migration):
    dependencies = [("movements", "0003_rollupdims_rollupday_rollupmonth"),
                    ("registry", "0003_person_departure")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
