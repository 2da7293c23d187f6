"""Relocation's managed lists as shipped, re-seeded by the test fixtures after a test
flushed the database (the data migration seeds them in a real database)."""

DIMENSIONS = [
    ("persons", "Persons (places)", 0),
    ("medical", "Medical places", 1),
    ("large_family", "Large-family places (cases of 5 or more)", 2),
]


def seed(apps=None) -> None:
    from django.apps import apps as live_apps

    CapacityDimension = (apps or live_apps).get_model("relocation", "CapacityDimension")
    for code, label, order in DIMENSIONS:
        CapacityDimension.objects.get_or_create(
            code=code, defaults={"label": label, "order": order}
        )
