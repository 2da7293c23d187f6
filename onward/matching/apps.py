from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "onward.matching"
    label = "matching"
    verbose_name = "Matching"

    def ready(self):
        from onward.matching import jobs  # noqa: F401  (registers the "match" job kind)
