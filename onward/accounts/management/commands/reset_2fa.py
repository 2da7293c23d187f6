"""`onward reset_2fa USERNAME --by ADMIN`: remove a user's lost second factor (audited)."""

from django.core.management.base import BaseCommand, CommandError

from onward.accounts import policy
from onward.accounts.models import User
from onward.accounts.twofactor import otp_reset


class Command(BaseCommand):
    help = (
        "Remove a user's two-factor device (a lost phone) and end their sessions; they "
        "pair a new authenticator app at their next sign-in. Recorded in the audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The user whose device is lost.")
        parser.add_argument(
            "--by", required=True, help="The administrator doing it (recorded in the audit log)."
        )

    def handle(self, *args, username, by, **options):
        admin = User.objects.filter(username=by).first()
        if admin is None or not policy.can(admin, "users.manage"):
            raise CommandError(f"--by {by!r}: not an active administrator.")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        removed = otp_reset(actor=admin, user=user)
        self.stdout.write(
            f"{username}: {removed} device(s) removed; they set up a new "
            "authenticator app at their next sign-in."
        )
