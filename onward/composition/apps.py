from django.apps import AppConfig


class CompositionConfig(AppConfig):
    name = "onward.composition"
    label = "composition"
    verbose_name = "Case composition: moves, splits and links"
