from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from referrals import synthetic


class Command(BaseCommand):
    help = (
        "Add synthetic PCNs, practices, people and a year of referrals to the demo data "
        "(run seed_demo first), then what later apps make of them (their caseloads), for "
        "benchmarks: see referrals/synthetic.py and caseload/synthetic.py. Only in a "
        "database of its own: the rows look like real work."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--pcns",
            type=int,
            required=True,
            help="PCNs in all, the demo's two included (England has about 1,250)",
        )
        parser.add_argument(
            "--referrals",
            type=int,
            required=True,
            help="Referrals received over the last year (England: about 1,000,000)",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            help="The same seed on the same database gives the same data (default 1)",
        )

    def handle(self, *args, pcns, referrals, seed, **options):
        now = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
        try:
            summary = synthetic.generate(
                pcns=pcns, referrals=referrals, seed=seed, now=now, log=self.stdout.write
            )
        except ValueError as error:
            raise CommandError(error) from error
        self.stdout.write(f"Synthetic data ready: {summary}.")
        # Each other app with a <app>/synthetic.py adds its rows, in INSTALLED_APPS order.
        later = [
            config for config in apps.get_app_configs() if config.name not in ("spl", "referrals")
        ]
        for config in later:
            if find_spec(f"{config.name}.synthetic"):
                made = import_module(f"{config.name}.synthetic").generate(
                    seed=seed, now=now, log=self.stdout.write
                )
                self.stdout.write(f"{config.verbose_name}: {made}.")
