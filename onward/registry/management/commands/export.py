"""`onward export --format csv|xlsx|hxl --out FILE --user USERNAME [--pseudonymise]`:
persons (or `--kind cases`) with the list pages' filters. Audited as the user's export."""

from django.core.management.base import BaseCommand, CommandError

from onward.accounts.models import User
from onward.registry import exporting


class Command(BaseCommand):
    help = "Export persons or cases to CSV, XLSX or HXL-tagged CSV (audited)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=exporting.FORMATS, default="csv")
        parser.add_argument("--out", required=True, help="The file to write.")
        parser.add_argument(
            "--user", required=True, help="The user the export is done as (it is audited)."
        )
        parser.add_argument("--kind", choices=exporting.KINDS, default="persons")
        parser.add_argument(
            "--pseudonymise",
            action="store_true",
            help="Stable pseudonyms in place of ids, names, documents, phones.",
        )
        for name in ("q", "sex", "nationality", "need", "age_band", "case_status", "status"):
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name, default="")

    def handle(self, *args, **options):
        try:
            actor = User.objects.get(username=options["user"], is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active user {options['user']!r}.") from None
        kind = options["kind"]
        names = (
            ("q", "sex", "nationality", "need", "age_band", "case_status")
            if kind == "persons"
            else ("q", "status", "need", "nationality")
        )
        filters = {n: options[n] for n in names}
        try:
            export = exporting.export_build(
                user=actor,
                kind=kind,
                filters=filters,
                pseudonymise=options["pseudonymise"],
                fmt=options["format"],
            )
        except Exception as exc:  # PermissionDenied, a bad filter
            raise CommandError(str(exc)) from None
        exporting.write(export, options["format"], options["out"])
        self.stdout.write(f"Wrote {export.count} {kind} to {options['out']}.")
