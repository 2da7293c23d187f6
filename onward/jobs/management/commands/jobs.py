"""`onward jobs`: the latest background jobs and what became of each attempt."""

from django.core.management.base import BaseCommand

from onward.jobs.models import Job
from onward.jobs.services import describe, when_text


class Command(BaseCommand):
    help = "List the latest background jobs: status, attempts, and why an attempt ended."

    def add_arguments(self, parser):
        parser.add_argument(
            "--status", choices=Job.Status.values, help="Only the jobs in this state."
        )
        parser.add_argument("--limit", type=int, default=20, help="How many (default 20).")

    def handle(self, *args, status, limit, **options):
        jobs = Job.objects.order_by("-created_at")
        if status:
            jobs = jobs.filter(status=status)
        for job in jobs[: max(limit, 0)]:
            self.stdout.write(f"{when_text(job.created_at)}  {describe(job)}")
            if job.status == Job.Status.RUNNING:
                self.stdout.write(
                    f"    held by {job.lease_owner} until {when_text(job.lease_expires_at)}"
                )
            for entry in job.history:
                self.stdout.write(
                    f"    attempt {entry['attempt']} on {entry['worker'] or '?'}: "
                    f"{entry['outcome']}; {entry['then']}"
                )
