from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "onward.accounts"
    label = "accounts"

    def ready(self):
        # Sessions recorded at sign-in and ended on deactivation; the demo-account check.
        from onward.accounts import checks, signals  # noqa: F401
