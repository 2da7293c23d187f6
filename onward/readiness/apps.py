from django.apps import AppConfig


class ReadinessConfig(AppConfig):
    name = "onward.readiness"
    label = "readiness"
    verbose_name = "Departure readiness"

    def ready(self):
        from onward.readiness import jobs  # noqa: F401  (registers the chore)
