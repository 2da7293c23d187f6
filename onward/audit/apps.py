from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "onward.audit"
    label = "audit"

    def ready(self):
        from onward.audit import signals  # noqa: F401  (login, logout, failed login)
