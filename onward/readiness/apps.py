from django.apps import AppConfig


class ReadinessConfig(AppConfig):
    name = "onward.readiness"
    label = "readiness"
    verbose_name = "Departure readiness"
