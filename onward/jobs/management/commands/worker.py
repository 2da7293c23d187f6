"""`onward worker`: the background worker, as its own process (a service in production,
docs/operations.md "Background worker")."""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from onward.jobs.services import worker_loop, worker_name


class Command(BaseCommand):
    help = (
        "Run background jobs (imports, whole-registry dedup, matching) until stopped; "
        "take back the jobs of workers that died."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once",
            action="store_true",
            help="Run the jobs queued now (after taking back those of dead workers), then exit.",
        )

    def handle(self, *args, once, **options):
        stop = threading.Event()
        name = worker_name()
        if not once:
            self._stop_on_signals(stop)
        self.say(
            f"Worker {name}: lease {settings.ONWARD_JOB_LEASE_SECONDS} s, "
            f"up to {settings.ONWARD_JOB_MAX_ATTEMPTS} attempts for the kinds that "
            "may be retried."
        )
        ran = worker_loop(once=once, stop=stop, say=self.say, worker=name)
        if once:
            self.say(f"Ran {ran} job(s).")

    def say(self, line: str) -> None:
        # Flushed line by line: under systemd stdout is a pipe to the journal.
        self.stdout.write(f"{timezone.localtime():%Y-%m-%d %H:%M:%S} {line}")
        self.stdout.flush()

    def _stop_on_signals(self, stop: threading.Event) -> None:
        """SIGTERM or Ctrl-C: finish the job in hand, then exit. Twice: exit now (the job
        is left to its lease: another worker takes it back once the lease expires)."""

        def handler(signum, frame):
            if stop.is_set():
                raise KeyboardInterrupt
            stop.set()
            self.say(
                f"{signal.Signals(signum).name}: stopping after the current job "
                "(send it again to stop now)."
            )

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)
