from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "onward.demo"
    label = "demo"

    def ready(self):
        from onward.demo import checks  # noqa: F401  (`check --deploy`: no demo account)
