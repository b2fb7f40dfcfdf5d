from django.core.management.base import BaseCommand, CommandError

from referrals import synthetic


class Command(BaseCommand):
    help = (
        "Add synthetic PCNs, practices, people and a year of referrals to the demo data "
        "(run seed_demo first), for benchmarks: see referrals/synthetic.py. Only in a "
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
        try:
            summary = synthetic.generate(
                pcns=pcns, referrals=referrals, seed=seed, log=self.stdout.write
            )
        except ValueError as error:
            raise CommandError(error) from error
        self.stdout.write(f"Synthetic data ready: {summary}.")
