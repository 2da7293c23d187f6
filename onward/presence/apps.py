from django.apps import AppConfig


class PresenceConfig(AppConfig):
    name = "onward.presence"
    label = "presence"

    def ready(self):
        # The task rule "resident not seen" joins the tasks registry (onward/tasks/rules.py).
        from onward.presence import rules  # noqa: F401
