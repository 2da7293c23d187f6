"""Relocation's managed lists as shipped, re-seeded by the test fixtures after a test
flushed the database (the data migration seeds them in a real database). The labels are
msgids: a label as shipped reads in the reader's language (onward/shipped.py)."""

from django.utils.translation import gettext_noop

DIMENSIONS = [
    ("persons", gettext_noop("Persons (places)"), 0),
    ("medical", gettext_noop("Medical places"), 1),
    ("large_family", gettext_noop("Large-family places (cases of 5 or more)"), 2),
]
SHIPPED = {code: label for code, label, _order in DIMENSIONS}


def seed(apps=None) -> None:
    from django.apps import apps as live_apps

    CapacityDimension = (apps or live_apps).get_model("relocation", "CapacityDimension")
    for code, label, order in DIMENSIONS:
        CapacityDimension.objects.get_or_create(
            code=code, defaults={"label": label, "order": order}
        )
