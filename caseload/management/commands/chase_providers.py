from django.core.management.base import BaseCommand

from caseload import connections


class Command(BaseCommand):
    help = (
        "Remind services that have not answered a referral for 7 days (once) and mark "
        "those silent for 14 days 'no response'. Safe to run again."
    )

    def handle(self, *args, **options):
        reminded, marked = connections.chase_providers()
        self.stdout.write(f"Reminders queued: {reminded}. Marked no response: {marked}.")
