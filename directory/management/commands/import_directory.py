from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from directory.importing import import_file
from spl.models import PCN


class Command(BaseCommand):
    help = (
        "Import organisations and services into a PCN's directory from a CSV file or an "
        "Open Referral UK (HSDS-UK 3.0) JSON file. All or nothing: any rejected row or "
        "item and nothing is saved. Safe to run again: unchanged records are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .csv file or an ORUK .json file")
        parser.add_argument("--pcn", required=True, help="The PCN's ODS code, e.g. U12345")
        parser.add_argument(
            "--user", help="Email of the directory manager to record the changes as"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; save nothing"
        )

    def handle(self, *args, **options):
        pcn = PCN.objects.filter(ods_code=options["pcn"].strip().upper()).first()
        if pcn is None:
            raise CommandError(f"No PCN has the ODS code {options['pcn']}.")
        by = None
        if options["user"]:
            by = get_user_model().objects.filter(email__iexact=options["user"].strip()).first()
            if by is None:
                raise CommandError(f"No user has the email address {options['user']}.")
        try:
            with open(options["file"], "rb") as upload:
                report = import_file(upload, pcn=pcn, by=by, dry_run=options["dry_run"])
        except OSError as error:
            raise CommandError(f"Cannot read {options['file']}: {error.strerror}.") from error

        counts = report.counts()
        self.stdout.write(
            f"{report.format.upper()} file: {counts['created']} created, "
            f"{counts['updated']} updated, {counts['unchanged']} unchanged, "
            f"{counts['deleted']} deleted, {counts['rejected']} rejected, "
            f"{counts['warnings']} warnings."
        )
        if options["verbosity"] > 1:
            for action in ("created", "updated", "deleted"):
                for line in getattr(report, action):
                    self.stdout.write(f"{line.label}: {action} {line.kind} {line.id} {line.name}")
        for error in report.errors:
            self.stdout.write(f"Error: {error}")
        for rejection in report.rejected:
            self.stdout.write(f"{rejection.label}: rejected")
            for reason in rejection.reasons:
                self.stdout.write(f"  - {reason}")
        for warning in report.warnings:
            self.stdout.write(f"{warning.label}: warning: {warning.message}")
        if not report.ok:
            raise CommandError("Nothing was imported: fix the file and run this again.")
        if report.dry_run:
            self.stdout.write("Dry run: nothing was saved.")
        else:
            self.stdout.write(self.style.SUCCESS("Imported."))
