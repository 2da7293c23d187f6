from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "onward.accounts"
    label = "accounts"
