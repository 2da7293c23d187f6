from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "onward.registry"
    label = "registry"
