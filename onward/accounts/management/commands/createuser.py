"""`onward createuser NAME --role ROLE [--country ALB] [--by ADMIN]`: an account with a role, its
password checked by the same rules as the admin's forms (AUTH_PASSWORD_VALIDATORS).

The password is asked twice on a terminal, or read from the first line of stdin when
piped (never from an argument, which would sit in the shell history). Django's
`createsuperuser --noinput` does not check the password rules and gives no role: use this.
"""

import getpass
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from onward.accounts import policy, roles
from onward.accounts.models import User
from onward.audit.actor import acting_as


class Command(BaseCommand):
    help = "Create a user with a role; the password must pass Onward's password rules."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=sorted(roles.ROLES))
        parser.add_argument("--country", default="", help="Delegation users: ISO alpha-3.")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--staff", action="store_true", help="May open the admin site (administrators only)."
        )
        parser.add_argument(
            "--by",
            default="",
            help="The administrator creating the account (recorded in the "
            "audit log); leave out only for the first administrator.",
        )

    def handle(self, *args, username, role, country, first_name, last_name, staff, by, **options):
        admin = None
        if by:
            admin = User.objects.filter(username=by).first()
            if admin is None or not policy.can(admin, "users.manage"):
                raise CommandError(f"--by {by!r}: not an active administrator.")
        user = User(
            username=username,
            role=role,
            country=country,
            first_name=first_name,
            last_name=last_name,
            is_staff=staff,
        )
        password = self._password()
        try:
            user.full_clean(exclude=["password"])
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        user.set_password(password)
        # The account's creation is audited by the model's signal (accounts/signals.py),
        # as on every other path, with --by as the actor.
        with transaction.atomic(), acting_as(admin):
            user.save()
        self.stdout.write(
            f"Created {username} ({roles.ROLES[role]}). They set up two-factor "
            "sign-in at their first sign-in."
        )

    def _password(self) -> str:
        if not sys.stdin.isatty():
            return sys.stdin.readline().rstrip("\n")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return first
