from django.apps import AppConfig


class BackupConfig(AppConfig):
    name = "onward.backup"
    label = "backup"
    verbose_name = "Backup and restore"

    def ready(self):
        from onward.backup import archive  # noqa: F401  (registers the partitions chore)
