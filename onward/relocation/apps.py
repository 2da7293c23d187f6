from django.apps import AppConfig


class RelocationConfig(AppConfig):
    name = "onward.relocation"
    label = "relocation"
    verbose_name = "Relocation"
