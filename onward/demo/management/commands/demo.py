"""`onward demo`: set up and serve the reference operation on SQLite.

Creates (or reuses) the database, migrates, loads the synthetic population of Camp
Liberty, creates one user per role, prints their logins and serves the UI on 127.0.0.1.
Running it again reuses the data.
"""

import os
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from onward.demo.population import population_load
from onward.demo.scenario import scenario_play
from onward.demo.synthetic import generate_population
from onward.demo.users import demo_users_ensure
from onward.movements.demo import UNHCR_STATEMENT_DAY
from onward.registry.models import Person


class Command(BaseCommand):
    help = "Set up the reference operation's demo (SQLite by default) and serve it."

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed",
            type=int,
            default=2013,
            help="Seed of the synthetic population (default 2013).",
        )
        parser.add_argument(
            "--persons",
            type=int,
            default=3200,
            help="About how many residents to generate (default 3200).",
        )
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="Set everything up, then exit instead of serving.",
        )
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, seed, persons, no_serve, host, port, **options):
        if settings.ONWARD_PRODUCTION:
            # The demo's users have published passwords: never in a real deployment.
            raise CommandError(
                "`onward demo` does not run with the production settings: it "
                "would create accounts whose passwords are public."
            )
        if not os.environ.get("ONWARD_OPERATION_NAME"):
            settings.ONWARD_OPERATION_NAME = "Camp Liberty"  # the reference operation
        db = settings.DATABASES["default"]
        self.stdout.write(f"Database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}")
        call_command("migrate", interactive=False, verbosity=0)
        logins = demo_users_ensure()
        if Person.objects.exists():
            self.stdout.write(
                f"Reusing the registry already loaded ({Person.objects.count()} persons)."
            )
        else:
            started = time.monotonic()
            self.stdout.write(f"Generating the synthetic population (seed {seed}) …")
            n_cases, n_persons = population_load(generate_population(seed=seed, persons=persons))
            self.stdout.write(
                f"Loaded {n_persons} persons in {n_cases} cases in "
                f"{time.monotonic() - started:.1f} s."
            )
            scenario_play(log=self.stdout.write)
            self.stdout.write(
                f"The reference operation is in place ({time.monotonic() - started:.1f} s)."
            )
        self.stdout.write("\nDemo logins (demo data only):")
        for username, password, role in logins:
            self.stdout.write(f"  {username:<14} {password:<24} {role}")
        if no_serve:
            return
        self.serve(host, port)

    def serve(self, host: str, port: int) -> None:
        from waitress import serve

        from onward.jobs.services import worker_thread_start
        from onward.wsgi import application

        worker_thread_start()  # background jobs run in this process for the demo
        if settings.ONWARD_REPORTS_AS_OF is None:
            # Reports open where the reference operation's history shows (UNHCR's 311),
            # not on today's flat lines; "Today" is one click away.
            settings.ONWARD_REPORTS_AS_OF = UNHCR_STATEMENT_DAY
            self.stdout.write(
                f"Reports open on {UNHCR_STATEMENT_DAY}, the reference "
                "operation's date (ONWARD_REPORTS_AS_OF chooses another)."
            )
        # Demo visitors cannot scan a QR code for accounts they share: this local server
        # signs in with the password alone. Deployments require the second factor.
        settings.ONWARD_REQUIRE_2FA = False
        self.stdout.write(
            "Two-factor sign-in is off for this demo server (passwords only); "
            "a real deployment requires it for every role."
        )
        self.stdout.write(
            self.style.SUCCESS(f"\nOnward is at http://{host}:{port}/ (Ctrl-C to stop)")
        )
        serve(application, host=host, port=port, threads=8, _quiet=True)
