from django.core.management.base import BaseCommand

from directory import notifications
from directory.models import QualityCheck


class Command(BaseCommand):
    help = (
        "Email directory managers about quality checks that expire within 30 days or "
        "have lapsed. Safe to run again: each check is reported once per state."
    )

    def handle(self, *args, **options):
        counts = notifications.notify_expiring_checks()
        self.stdout.write(
            f"Quality checks reported: {counts[QualityCheck.State.EXPIRING]} expiring, "
            f"{counts[QualityCheck.State.LAPSED]} lapsed, in {counts['emails']} emails."
        )
