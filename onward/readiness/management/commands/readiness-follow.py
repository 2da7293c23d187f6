"""`onward readiness-follow`: the cases whose readiness changed with time alone (a
fact's validity ended, or a fact dated ahead came due, since the previous run) follow
it: ready for departure back to accepted, or accepted to ready. For cron users without
a worker (the worker runs the same, its chore "readiness follow"); run it daily, after
midnight. Running it again the same day changes nothing."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Follow readiness for the cases whose facts expired since the previous run."

    def add_arguments(self, parser):
        parser.add_argument(
            "--on", help="the day to follow on, YYYY-MM-DD (default today; not ahead)"
        )

    def handle(self, *args, **options):
        from django.utils import timezone

        from onward.readiness.services import follow_expiries

        today = timezone.localdate()
        on = today
        if options["on"]:
            try:
                on = dt.date.fromisoformat(options["on"])
            except ValueError as exc:
                raise CommandError(f"--on {options['on'][:20]}: not a date (YYYY-MM-DD)") from exc
            if on > today:
                raise CommandError(f"--on {on}: after today ({today})")
        done = follow_expiries(today=on)
        self.stdout.write(
            f"{done['day']}: {done['cases']} cases followed since "
            f"{done['since'] or 'the first run'}, {done['moved']} moved"
        )
