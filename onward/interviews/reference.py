"""The appointment types as shipped: seeded by a data migration, and again by the test
fixtures after a test flushed the database. The labels are msgids: a label as shipped
reads in the reader's language (onward/shipped.py)."""

from django.utils.translation import gettext_noop

TYPES = {
    "resettlement_interview": gettext_noop("Resettlement interview"),
    "counselling": gettext_noop("Counselling"),
    "medical": gettext_noop("Medical"),
    "pre_departure": gettext_noop("Pre-departure orientation"),
}


def seed(apps=None) -> None:
    from django.apps import apps as live_apps

    AppointmentType = (apps or live_apps).get_model("interviews", "AppointmentType")
    for code, label in TYPES.items():
        AppointmentType.objects.get_or_create(code=code, defaults={"label": label})
