from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "onward.incidents"
    label = "incidents"
    verbose_name = "Incidents, claims and protection requests"
