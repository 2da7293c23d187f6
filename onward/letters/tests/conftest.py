import json
from pathlib import Path

import pytest

TRANSLATIONS = Path(__file__).resolve().parents[3] / "LETTERS_TRANSLATIONS.json"


@pytest.fixture
def letter_catalog():
    """The letters' ar/fa translations (LETTERS_TRANSLATIONS.json), added for the test to
    the loaded catalogs where the catalog does not hold them yet: the lead puts them in
    onward/locale at merge time, after which this adds nothing. Restored afterwards."""
    from django.utils.translation import trans_real

    entries = json.loads(TRANSLATIONS.read_text(encoding="utf-8"))
    added = []
    for language in ("ar", "fa"):
        catalog = trans_real.translation(language)._catalog
        for entry in entries:
            key = entry["msgid"]
            if entry["msgctxt"]:
                key = f"{entry['msgctxt']}\x04{key}"
            if key not in catalog:
                catalog[key] = entry[language]
                added.append((catalog, key))
    yield entries
    for catalog, key in added:
        for layer in catalog._catalogs:
            layer.pop(key, None)
