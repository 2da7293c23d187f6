"""`onward archive --before YYYY-MM` / `onward archive --restore YYYY-MM`: months of the
audit log out of the database into checksummed files and back (onward/backup/archive.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from onward.audit import partitions
from onward.backup.archive import ArchiveError, archive_before, parse_month, restore_month


class Command(BaseCommand):
    help = (
        "PostgreSQL: detach the audit log's months older than --before into gzip files "
        "(SHA-256 in the archive index) and drop them from the database; --restore loads "
        "one month back; --ahead makes the coming months' partitions. Run as the owner."
    )

    def add_arguments(self, parser):
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--before", metavar="YYYY-MM", help="Archive every older month.")
        what.add_argument("--restore", metavar="YYYY-MM", help="Bring one month back.")
        what.add_argument(
            "--ahead",
            type=int,
            metavar="N",
            help="Make this month's and the next N months' partitions (the worker does daily).",
        )
        parser.add_argument("--dir", help="Where the archive files are (default DATA_DIR/archive).")

    def handle(self, *args, before=None, restore=None, ahead=None, dir=None, **options):
        directory = Path(dir) if dir else None
        try:
            if ahead is not None:
                made = partitions.partitions_ahead(ahead)
                self.stdout.write(f"{made} partition(s) made.")
            elif before:
                done = archive_before(parse_month(before), directory=directory)
                for entry in done:
                    self.stdout.write(
                        f"{entry.month:%Y-%m}: {entry.rows:,} rows → {entry.file} "
                        f"(SHA-256 {entry.sha256[:16]}…)"
                    )
                self.stdout.write(self.style.SUCCESS(f"{len(done)} month(s) archived."))
            else:
                entry = restore_month(parse_month(restore), directory=directory)
                self.stdout.write(
                    self.style.SUCCESS(f"{entry.month:%Y-%m}: {entry.rows:,} rows restored.")
                )
        except ArchiveError as exc:
            raise CommandError(str(exc)) from None
