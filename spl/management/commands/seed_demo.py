from django.conf import settings
from django.core.management.base import BaseCommand

from spl import demo, roles

DEFAULT_PASSWORD = "spl-demo-password"  # noqa: S105 - documented demo password


class Command(BaseCommand):
    help = "Load demo PCNs, practices and users. Safe to run again: it changes nothing."

    def handle(self, *args, **options):
        created = demo.seed(password=settings.SPL_DEMO_PASSWORD)
        self.stdout.write(f"Demo data ready ({len(created)} users created now).")
        if settings.SPL_DEMO_PASSWORD == DEFAULT_PASSWORD:
            self.stdout.write(f"Demo logins, all with the password {DEFAULT_PASSWORD}:")
        else:
            self.stdout.write("Demo logins, all with the password in SPL_DEMO_PASSWORD:")
        for user in demo.USERS:
            self.stdout.write(f"  {user.email:<28} {roles.ROLES[user.role].name}")
