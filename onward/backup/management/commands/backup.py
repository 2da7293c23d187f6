"""`onward backup [--output PATH]`: one file holding the database dump and its manifest."""

from django.core.management.base import BaseCommand, CommandError

from onward.backup.services import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite: online backup API; PostgreSQL: pg_dump -Fc) into "
        "one tar file with a manifest of row counts and an audit-log checksum."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            help="Where to write the backup (default: "
            "DATA_DIR/backups/onward-YYYYmmdd-HHMMSS.tar). Never overwritten.",
        )

    def handle(self, *args, output=None, **options):
        try:
            path, manifest = backup_create(output=output, say=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        tables = manifest["tables"]
        keys = sorted(
            {
                k
                for counts in manifest["field_keys"].values()
                for k in counts
                if not k.startswith("(")
            }
        )
        self.stdout.write(self.style.SUCCESS(f"Backup written: {path}"))
        self.stdout.write(
            f"  {manifest['vendor']}, {manifest['dump']['bytes']:,} bytes, {len(tables)} "
            f"tables, {sum(tables.values()):,} rows\n"
            f"  persons {tables.get('registry_person', 0):,}, cases "
            f"{tables.get('registry_case', 0):,}, audit entries "
            f"{manifest['audit']['entries']:,} (SHA-256 {manifest['audit']['sha256'][:16]}…)\n"
            f"  field-key ids the data uses: {', '.join(keys) or 'none'} — the keys are not "
            "in the backup: keep them apart (docs/operations.md)"
        )
