from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "onward.tasks"
    label = "tasks"

    def ready(self):
        from onward.tasks import jobs, rules  # noqa: F401  (registers the rules and the chore)
