from django.core.management.base import BaseCommand

from caseload import reminders


class Command(BaseCommand):
    help = (
        "Email each link worker a digest of what on their caseload is due today. "
        "Safe to run again: each link worker gets one digest a day."
    )

    def handle(self, *args, **options):
        sent = reminders.send_daily_digests()
        self.stdout.write(f"Caseload digests sent: {sent}.")
