"""`onward restore PATH [--yes] [--check-only] [--without-keys]`: put a backup back and
prove it. Exits non-zero on any mismatch, and when the field keys the backup needs are
not loaded (unless --without-keys: the drill's step that shows a backup alone is not
readable)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from onward.backup.services import (
    BackupError,
    backup_check,
    backup_restore,
    missing_keys_message,
    read_manifest,
)


class Command(BaseCommand):
    help = (
        "Restore a backup made by `onward backup` into the configured database, then "
        "check every table's row count and the audit-log checksum against its manifest "
        "(exit status 1 on any mismatch)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup file (.tar).")
        parser.add_argument(
            "--yes", action="store_true", help="Replace a database that holds data."
        )
        parser.add_argument(
            "--check-only",
            action="store_true",
            help="Restore nothing: compare the database with the backup's manifest.",
        )
        parser.add_argument(
            "--without-keys",
            action="store_true",
            help="Restore even though the field keys the backup's encrypted "
            "values need are not loaded (they stay unreadable).",
        )

    def handle(self, *args, path, yes=False, check_only=False, without_keys=False, **options):
        try:
            if check_only:
                result = backup_check(manifest=read_manifest(Path(path)))
            else:
                result = backup_restore(
                    path=Path(path), replace=yes, without_keys=without_keys, say=self.stdout.write
                )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self._report(result, "The database" if check_only else "The restored database")
        if result.unreadable and not without_keys:
            raise CommandError(
                missing_keys_message(result.unreadable) + " Load the key(s) "
                "(ONWARD_FIELD_KEYS or ONWARD_FIELD_KEYS_FILE), or pass "
                "--without-keys if that is expected."
            )

    def _report(self, result, subject: str):
        width = max(len(line.what) for line in result.lines)
        self.stdout.write(f"{'':2}{'check':<{width}}  {'backup':>16}  {'restored':>16}")
        for line in result.lines:
            mark = "ok" if line.ok else "MISMATCH"
            self.stdout.write(
                f"{'':2}{line.what:<{width}}  {_short(line.expected):>16}  "
                f"{_short(line.found):>16}  {mark}"
            )
        for kid, n in sorted(result.unreadable.items()):
            self.stdout.write(
                self.style.WARNING(
                    f"Field key {kid} is not loaded: {n} encrypted values stay unreadable until "
                    "ONWARD_FIELD_KEYS holds it."
                )
            )
        bad = [line.what for line in result.lines if not line.ok]
        if bad:
            raise CommandError(
                f"{subject} does not match the backup "
                f"({len(bad)} mismatches: {', '.join(bad[:5])}"
                f"{' …' if len(bad) > 5 else ''})."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{subject} matches the backup of {result.manifest['created_at']}: "
                f"{len(result.lines) - 3} tables, {result.manifest['audit']['entries']:,} audit "
                "entries, checksum equal."
            )
        )


def _short(text: str) -> str:
    return text if len(text) <= 16 else text[:15] + "…"
