from django.apps import AppConfig


class BackupConfig(AppConfig):
    name = "onward.backup"
    label = "backup"
    verbose_name = "Backup and restore"
