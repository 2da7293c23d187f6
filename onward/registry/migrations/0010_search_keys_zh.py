# Written by hand. ژ written zh, jh or j gives one key since this change (Bizhan = Bijan,
# Nezhad = Nejad). The keys are derived data: this migration once recomputed them with the
# code of its day; now registry.search.search_keys_refresh brings every stored key up to
# SEARCH_KEYS_VERSION after `migrate`, so a migration never runs today's code.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0009_plain_indexes"),
    ]

    operations = []
