from django.core.management.base import BaseCommand

from onward.jobs.services import worker_loop


class Command(BaseCommand):
    help = "Run background jobs (imports, whole-registry dedup, matching) until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true",
                            help="Run the jobs queued now, then exit.")

    def handle(self, *args, once, **options):
        ran = worker_loop(once=once)
        if once:
            self.stdout.write(f"Ran {ran} job(s).")
