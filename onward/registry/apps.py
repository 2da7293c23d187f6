from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "onward.registry"
    label = "registry"

    def ready(self):
        from onward.registry import jobs  # noqa: F401  (registers the "import" job kind)
