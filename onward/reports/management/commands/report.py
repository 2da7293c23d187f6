"""`onward report --as-of DATE --out report.pdf [--xlsx report.xlsx] [--user USERNAME]
[--shared] [--rule RULE]`: the situation report as of a date, as PDF (and XLSX).

Without --user the report is the whole operation's, made by the command line (audited
with no user); with --user it holds what that user may see (a delegation user: its own
submissions only, small numbers always suppressed)."""

import datetime as dt
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from onward.accounts import roles
from onward.incidents.selectors import RULES


class _CommandLine:
    """The operator at the command line: sees the whole operation, as a data manager."""

    is_authenticated = True
    is_active = True
    role = roles.DATA_MANAGER
    country = ""
    username = ""


class Command(BaseCommand):
    help = "Writes the situation report as of a date (PDF, and optionally XLSX)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, help="YYYY-MM-DD")
        parser.add_argument("--out", required=True, help="the PDF to write")
        parser.add_argument("--xlsx", help="also write the tables as XLSX")
        parser.add_argument("--user", help="within this user's scope")
        parser.add_argument(
            "--shared",
            action="store_true",
            help="for sharing outside the operation: suppress small numbers",
        )
        parser.add_argument(
            "--rule",
            default="latest_official",
            choices=list(RULES),
            help="how incident figures are chosen among claims",
        )

    def handle(self, *args, as_of, out, xlsx, user, shared, rule, **options):
        from onward.accounts.models import User
        from onward.reports.export import render_pdf, render_xlsx, situation_report

        try:
            on = dt.date.fromisoformat(as_of)
        except ValueError as exc:
            raise CommandError(f"--as-of: {as_of!r} is not a date (YYYY-MM-DD)") from exc
        actor = _CommandLine()
        if user:
            try:
                actor = User.objects.get(username=user, is_active=True)
            except User.DoesNotExist as exc:
                raise CommandError(f"--user: no active user {user!r}") from exc
        started = time.perf_counter()
        report = situation_report(user=actor, on=on, shared=shared, rule=rule)
        Path(out).write_bytes(render_pdf(report))
        if xlsx:
            Path(xlsx).write_bytes(render_xlsx(report))
        print(
            f"Wrote {out}{' and ' + xlsx if xlsx else ''}: as of {on}, "
            f"{len(report.tables)} tables, in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
