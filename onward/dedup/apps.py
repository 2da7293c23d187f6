from django.apps import AppConfig


class DedupConfig(AppConfig):
    name = "onward.dedup"
    label = "dedup"

    def ready(self):
        from onward.dedup import jobs  # noqa: F401  (registers the "dedup" job kind)
