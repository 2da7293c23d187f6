from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Tasks made by rules: `onward tasks refresh` runs every rule once."

    def add_arguments(self, parser):
        parser.add_argument("action", help="refresh")

    def handle(self, *args, action, **options):
        if action != "refresh":
            raise CommandError(f"unknown action {action!r}: the only one is 'refresh'")
        from onward.tasks.services import refresh

        for name, counts in refresh().items():
            self.stdout.write(f"{name}: {counts['opened']} opened, {counts['ended']} ended")
