from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand

from spl import demo, roles

DEFAULT_PASSWORD = "spl-demo-password"  # noqa: S105 - documented demo password


class Command(BaseCommand):
    help = "Load demo data for every app. Safe to run again: it changes nothing."

    def handle(self, *args, **options):
        created = demo.seed(password=settings.SPL_DEMO_PASSWORD)
        self.stdout.write(f"Demo data ready ({len(created)} users created now).")
        # Each app may add its own demo data in <app>/demo.py, in INSTALLED_APPS
        # order, which is also the order the apps depend on each other.
        for config in apps.get_app_configs():
            if config.name == "spl" or not find_spec(f"{config.name}.demo"):
                continue
            self.stdout.write(
                f"{config.verbose_name}: " + import_module(f"{config.name}.demo").seed()
            )
        if settings.SPL_DEMO_PASSWORD == DEFAULT_PASSWORD:
            self.stdout.write(f"Demo logins, all with the password {DEFAULT_PASSWORD}:")
        else:
            self.stdout.write("Demo logins, all with the password in SPL_DEMO_PASSWORD:")
        for user in demo.USERS:
            self.stdout.write(f"  {user.email:<28} {roles.ROLES[user.role].name}")
