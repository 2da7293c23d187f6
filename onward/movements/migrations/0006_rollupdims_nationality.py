"""Nationality becomes a dimension of the rollups: `RollupDims.nationality`, and the rollups
rebuilt from the ledger so that every existing entry is counted under its person's
nationality (the reports' population by nationality then reads the rollups at any date).

The rebuild is written out here, not imported from `rollup.py`, so that this migration
keeps doing the same thing when the rollups gain further dimensions later. On
PostgreSQL it runs in SQL (about a minute for 5,000,000 entries); elsewhere in Python.
"""

from collections import defaultdict

from django.db import migrations, models

_PG_REBUILD = [
    "DELETE FROM movements_rollupday",
    "DELETE FROM movements_rollupmonth",
    "DELETE FROM movements_rollupdims",
    """INSERT INTO movements_rollupdims (person_id, sex, birth_year, needs, nationality)
    SELECT p.id, p.sex, extract(year FROM p.birth_date)::smallint,
           coalesce(string_agg(n.specificneed_id, ';' ORDER BY n.specificneed_id), ''),
           p.nationality
    FROM registry_person p LEFT JOIN registry_person_specific_needs n ON n.person_id = p.id
    WHERE p.id IN (SELECT DISTINCT person_id FROM movements_ledgerentry)
    GROUP BY p.id, p.sex, p.birth_date, p.nationality""",
    """CREATE TEMP TABLE rollup_fill_e ON COMMIT DROP AS
    SELECT l.date, d.sex, d.birth_year, d.needs, d.nationality, sum(l.delta)::int AS s
    FROM movements_ledgerentry l JOIN movements_rollupdims d ON d.person_id = l.person_id
    GROUP BY 1, 2, 3, 4, 5""",
    """INSERT INTO movements_rollupday (date, dim, value, delta)
    SELECT date, 'total', '', sum(s) FROM rollup_fill_e GROUP BY date HAVING sum(s) <> 0
    UNION ALL
    SELECT date, 'sex', sex, sum(s) FROM rollup_fill_e GROUP BY date, sex HAVING sum(s) <> 0
    UNION ALL
    SELECT date, 'birth_year', coalesce(birth_year::text, ''), sum(s) FROM rollup_fill_e
    GROUP BY date, birth_year HAVING sum(s) <> 0
    UNION ALL
    SELECT date, 'need', n, sum(s) FROM rollup_fill_e,
      unnest(CASE WHEN needs = '' THEN ARRAY[''] ELSE string_to_array(needs, ';') END) AS n
    GROUP BY date, n HAVING sum(s) <> 0
    UNION ALL
    SELECT date, 'nationality', nationality, sum(s) FROM rollup_fill_e
    GROUP BY date, nationality HAVING sum(s) <> 0""",
    """INSERT INTO movements_rollupmonth (month, dim, value, delta)
    SELECT date_trunc('month', date)::date, dim, value, sum(delta) FROM movements_rollupday
    GROUP BY 1, 2, 3 HAVING sum(delta) <> 0""",
]


def _fill_python(apps):
    Entry = apps.get_model("movements", "LedgerEntry")
    Person = apps.get_model("registry", "Person")
    Dims = apps.get_model("movements", "RollupDims")
    Day = apps.get_model("movements", "RollupDay")
    Month = apps.get_model("movements", "RollupMonth")
    Day.objects.all().delete()
    Month.objects.all().delete()
    Dims.objects.all().delete()
    needs = defaultdict(list)
    for pk, code in Person.specific_needs.through.objects.values_list("person_id",
                                                                      "specificneed_id"):
        needs[pk].append(code)
    dims = {pk: (sex or "", birth.year if birth else None, ";".join(sorted(needs[pk])),
                 nationality or "")
            for pk, sex, birth, nationality in Person.objects.values_list(
                "pk", "sex", "birth_date", "nationality")}
    days, months, used = defaultdict(int), defaultdict(int), set()
    for pk, day, delta in Entry.objects.values_list("person_id", "date", "delta").iterator():
        used.add(pk)
        sex, year, codes, nationality = dims[pk]
        keys = [("total", ""), ("sex", sex), ("birth_year", str(year) if year else ""),
                ("nationality", nationality)]
        keys += [("need", c) for c in codes.split(";")] if codes else [("need", "")]
        for dim, value in keys:
            days[(day, dim, value)] += delta
            months[(day.replace(day=1), dim, value)] += delta
    Dims.objects.bulk_create([Dims(person_id=pk, sex=dims[pk][0], birth_year=dims[pk][1],
                                   needs=dims[pk][2], nationality=dims[pk][3])
                              for pk in used], batch_size=5000)
    Day.objects.bulk_create([Day(date=d, dim=k, value=v, delta=n)
                             for (d, k, v), n in days.items() if n], batch_size=5000)
    Month.objects.bulk_create([Month(month=m, dim=k, value=v, delta=n)
                               for (m, k, v), n in months.items() if n], batch_size=5000)


def fill(apps, schema_editor):
    if not apps.get_model("movements", "LedgerEntry").objects.exists():
        return
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            for statement in _PG_REBUILD:
                cursor.execute(statement)
    else:
        _fill_python(apps)


def unfill(apps, schema_editor):
    """Back to the rollups without nationality: its rows go (the other rows are unchanged)."""
    for name in ("RollupDay", "RollupMonth"):
        apps.get_model("movements", name).objects.filter(dim="nationality").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("movements", "0005_transfer_manifestline"),
        ("registry", "0004_person_search_keys"),
    ]

    operations = [
        migrations.AddField(
            model_name="rollupdims",
            name="nationality",
            field=models.CharField(blank=True, default="", max_length=3),
        ),
        migrations.RunPython(fill, unfill),
    ]
