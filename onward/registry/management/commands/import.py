"""`onward import FILE`: import a person CSV or XLSX, all or nothing.

Prints every error (row, column, value, message) and exits 1 when the file is refused;
`--dry-run` checks only; `--errors-out` writes the error report as CSV; `--assigned-out`
the ids given to rows that left person_id or case_id blank (row, person_id, case_id).
"""

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from onward.accounts.models import User
from onward.registry.importing import import_file


class Command(BaseCommand):
    help = "Import a person file (CSV or XLSX): every error reported, all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--user", required=True, help="The user the import is done as (it is audited)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Validate only.")
        parser.add_argument("--errors-out", help="Write the error report to this CSV file.")
        parser.add_argument(
            "--assigned-out",
            help="Write the ids given to blank person_id/case_id cells "
            "(row, person_id, case_id) to this CSV file.",
        )
        parser.add_argument(
            "--ignore-unknown-columns",
            action="store_true",
            help="Ignore columns that are not in the person file.",
        )
        parser.add_argument(
            "--show",
            type=int,
            default=50,
            help="How many errors to print (all are in --errors-out).",
        )

    def handle(
        self,
        *args,
        file,
        user,
        dry_run,
        errors_out,
        ignore_unknown_columns,
        show,
        assigned_out=None,
        **options,
    ):
        try:
            actor = User.objects.get(username=user, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active user {user!r}.") from None
        bar = tqdm(
            unit=" rows", file=sys.stderr, desc="Checking", disable=options.get("verbosity", 1) == 0
        )
        phase = ["check"]

        def progress(done, total=None, message=""):
            if total and phase[0] == "check":
                phase[0] = "write"
                bar.reset(total=total)
                bar.set_description("Writing")
            bar.n = done
            bar.refresh()

        result = import_file(
            file,
            actor=actor,
            dry_run=dry_run,
            ignore_unknown=ignore_unknown_columns,
            errors_out=errors_out,
            assigned_out=assigned_out,
            progress=progress,
        )
        bar.close()
        out = self.stdout
        if result.errors:
            out.write(f"Refused: {result.errors} error(s) in {file}; nothing was changed.")
            for e in result.first_errors[:show]:
                where = f"row {e.row}" if e.row else "file"
                column = f", {e.column}" if e.column else ""
                value = f" {e.value!r}" if e.value else ""
                out.write(f"  {where}{column}:{value} {e.message}")
            if result.errors > show:
                out.write(
                    f"  … and {result.errors - show} more"
                    + (
                        f" (all in {errors_out})"
                        if errors_out
                        else " (use --errors-out FILE for all)"
                    )
                )
            raise CommandError("The file was refused.", returncode=1)
        if dry_run:
            out.write(
                f"Checked {result.rows} rows: no error (dry run, nothing written)"
                + (f"; {result.assigned} rows would be given ids." if result.assigned else ".")
            )
            return
        out.write(
            self.style.SUCCESS(
                f"Imported {result.rows} rows: {result.persons_created} persons and "
                f"{result.cases_created} cases created, {result.persons_updated} persons "
                f"changed, {result.persons_unchanged} unchanged."
            )
        )
        for row, person_id, case_id in result.first_assigned[:show]:
            out.write(f"  row {row}: {person_id} in case {case_id}")
        if result.assigned > show:
            out.write(
                f"  … {result.assigned} rows were given ids"
                + (
                    f" (all in {assigned_out})"
                    if assigned_out
                    else " (use --assigned-out FILE for all)"
                )
            )
