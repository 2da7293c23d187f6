"""`onward purge_uploads [--days N]`: remove uploaded import files and their error reports
past their retention (the background worker does it hourly; this is for cron or now)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from onward.registry.jobs import uploads_purge


class Command(BaseCommand):
    help = (
        "Remove uploaded import files and their error reports older than "
        "ONWARD_UPLOAD_RETENTION_DAYS (or --days), except those of unfinished imports."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=_days,
            default=None,
            help="Retention in days (default: ONWARD_UPLOAD_RETENTION_DAYS).",
        )

    def handle(self, *args, days=None, **options):
        days = settings.ONWARD_UPLOAD_RETENTION_DAYS if days is None else days
        removed = uploads_purge(days=days)
        self.stdout.write(f"Removed {len(removed)} file(s) older than {days} days.")


def _days(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"--days must be a whole number of days, at least 1 (not {text!r})."
        )
    return value
