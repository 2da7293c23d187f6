from django.apps import AppConfig


class MovementsConfig(AppConfig):
    name = "onward.movements"
    label = "movements"
