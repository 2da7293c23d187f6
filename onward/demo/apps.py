from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "onward.demo"
    label = "demo"
