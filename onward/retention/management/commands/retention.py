"""`onward retention [--dry-run] [--counts-only] [--background]`: anonymise the persons
the retention policy names (docs/retention.md); with --dry-run, list them and why."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from onward.retention import services


class Command(BaseCommand):
    help = (
        "Anonymise the persons the retention policy names (ONWARD_RETENTION_* settings); "
        "--dry-run lists them, rule by rule, and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be anonymised, and why."
        )
        parser.add_argument(
            "--counts-only", action="store_true", help="Counts per rule, without the ids."
        )
        parser.add_argument(
            "--background", action="store_true", help="Queue the run for `onward worker`."
        )

    def handle(self, *args, dry_run=False, counts_only=False, background=False, **options):
        today = timezone.localdate()
        # Checked first, whatever was asked: a policy that makes no sense stops here.
        plan = services.retention_plan(today=today, ids=not counts_only)
        self.stdout.write(f"Retention policy on {today}:")
        for item in plan:
            rule = item.rule
            self.stdout.write(
                f"  {rule.name}: {item.count} person(s) — {rule.what}; "
                f"{rule.setting}={rule.years}, due if before {item.cutoff}"
            )
            if item.person_ids:
                self.stdout.write("    " + " ".join(item.person_ids))
        total = sum(item.count for item in plan)
        if dry_run:
            self.stdout.write(f"Dry run: {total} person(s) would be anonymised; nothing changed.")
            return
        if background:
            from onward.jobs.services import job_enqueue

            job = job_enqueue(kind="retention", actor=None)
            self.stdout.write(f"Queued as job {job.pk}.")
            return
        outcome = services.retention_run(today=today)
        self.stdout.write(
            f"Anonymised {outcome.total} person(s) "
            f"({', '.join(f'{k} {v}' for k, v in outcome.persons.items())}); "
            f"free text of {outcome.cases} case(s); {outcome.files} document file(s) deleted."
        )
