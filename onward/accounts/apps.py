from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "onward.accounts"
    label = "accounts"

    def ready(self):
        # Sessions recorded at sign-in and ended on deactivation.
        from onward.accounts import signals  # noqa: F401
