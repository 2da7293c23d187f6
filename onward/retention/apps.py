from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "onward.retention"
    label = "retention"
    verbose_name = "Retention"

    def ready(self):
        from onward.retention import jobs  # noqa: F401  (registers the job kind)
