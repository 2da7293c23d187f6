from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "onward.vault"
    label = "vault"
    verbose_name = "Field encryption"

    def ready(self):
        from django.core.signals import setting_changed

        from onward.vault import keys

        setting_changed.connect(keys.reset_on_setting_changed)
