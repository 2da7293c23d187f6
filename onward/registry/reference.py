"""The registry's managed lists as shipped: seeded by a data migration, and again by the
test fixtures after a test flushed the database."""

from onward.registry.codes import SPECIFIC_NEEDS


def seed(apps=None) -> None:
    from django.apps import apps as live_apps

    SpecificNeed = (apps or live_apps).get_model("registry", "SpecificNeed")
    for code, label in SPECIFIC_NEEDS.items():
        SpecificNeed.objects.get_or_create(code=code, defaults={"label": label})
