"""The appointment types as shipped: seeded by a data migration, and again by the test
fixtures after a test flushed the database."""

TYPES = {
    "resettlement_interview": "Resettlement interview",
    "counselling": "Counselling",
    "medical": "Medical",
    "pre_departure": "Pre-departure orientation",
}


def seed(apps=None) -> None:
    from django.apps import apps as live_apps

    AppointmentType = (apps or live_apps).get_model("interviews", "AppointmentType")
    for code, label in TYPES.items():
        AppointmentType.objects.get_or_create(code=code, defaults={"label": label})
