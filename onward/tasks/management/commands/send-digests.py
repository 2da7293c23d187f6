"""`onward send-digests`: make the e-mail digests that are due and deliver every pending
one (new, and failed ones whose wait is over). The worker runs the same every 15 minutes."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Make the e-mail digests that are due and deliver the pending ones (with retries)."

    def handle(self, *args, **options):
        from onward.tasks.digests import send_digests

        counts = send_digests()
        self.stdout.write(
            f"{counts['made']} made, {counts['sent']} delivered, {counts['failed']} failed "
            "(failed ones are tried again later)"
        )
