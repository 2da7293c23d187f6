"""`onward reconcile`: prove the ledger, its rollups and the registry agree at every date.

Exits 0 when they do; otherwise lists the dates (and rollup rows: total, sex, birth year,
need, nationality) that disagree and exits 1.
"""

from django.core.management.base import BaseCommand, CommandError

from onward.movements.reconcile import reconcile


class Command(BaseCommand):
    help = "Check that the population ledger and the registry agree at every date."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-breakdowns",
            action="store_true",
            help="Skip the row-by-row check of the rollups' breakdowns.",
        )

    def handle(self, *args, no_breakdowns=False, **options):
        report = reconcile(check_rollup_rows=not no_breakdowns)
        days = report.dates_checked
        span = f"{days[0]} to {days[-1]}" if days else "no dates"
        self.stdout.write(
            f"Checked {len(days)} dates ({span}): ledger sum, rollup and "
            "registry count of persons present"
            + (
                ""
                if no_breakdowns
                else ", and every rollup row (total, sex, birth year, need, nationality)"
            )
            + "."
        )
        if report.ok:
            self.stdout.write(self.style.SUCCESS("The ledger and the registry agree."))
            return
        for line in report.lines():
            self.stdout.write(line)
        raise CommandError(
            f"{len(report.disagreements)} dates disagree, "
            f"{len(report.rollup_problems)} rollup rows disagree."
        )
