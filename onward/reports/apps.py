from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "onward.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self):
        from onward.audit.services import write_committed
        from onward.reports import figures_cache

        write_committed.connect(figures_cache.bump, dispatch_uid="reports.figures_cache")
