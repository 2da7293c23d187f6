# Written by hand: the name keys of persons whose names have ژ (zh, jh) are recomputed.

from django.db import migrations
from django.db.models import Q


def _forward(apps, schema_editor):
    """ژ written zh, jh or j now gives one key (Bizhan = Bijan, Nezhad = Nejad): recompute
    the search keys of the persons whose names hold one of these spellings. The triggers
    rewrite their rows of registry_personnamekey."""
    from onward.registry.search import search_keys_for

    person = apps.get_model("registry", "Person")
    spelled = Q()
    for field in ("given_name", "family_name", "father_name"):
        for letters in ("zh", "jh", "ژ"):
            spelled |= Q(**{f"{field}__icontains": letters})
    batch = []
    for p in person.objects.filter(spelled).only(
            "pk", "given_name", "family_name", "father_name", "search_keys").iterator(2000):
        keys = search_keys_for(p.given_name, p.family_name, p.father_name)
        if keys != p.search_keys:
            p.search_keys = keys
            batch.append(p)
        if len(batch) >= 2000:
            person.objects.bulk_update(batch, ["search_keys"])
            batch = []
    person.objects.bulk_update(batch, ["search_keys"])


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0009_plain_indexes"),
    ]

    operations = [
        migrations.RunPython(_forward, migrations.RunPython.noop),
    ]
