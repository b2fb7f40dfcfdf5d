from django.core.management.base import BaseCommand, CommandError

from outcomes import periods, reports
from outcomes.models import ReportRun
from spl.models import PCN, Practice, User


class Command(BaseCommand):
    help = (
        "Make one report now, as the schedule would: KIND is monthly (--scope practice:<ODS "
        "code>, --period 2026-10), quarterly (--scope pcn:<ODS code>, --period 2026-Q3 for "
        "the NHS year 2026/27) or commissioner (--scope <email>, --period 2026-Q3). Safe to "
        "run again: a report already made is kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=ReportRun.Kind.values)
        parser.add_argument("--scope", required=True)
        parser.add_argument("--period", required=True)

    def handle(self, *args, kind, scope, period, **options):
        chosen = self._period(kind, period)
        run = reports.ensure(kind=kind, period=chosen, **self._scope(kind, scope))
        made = reports.generate(run.pk)
        run.refresh_from_db()
        self.stdout.write(
            f"Report {run.pk} ({run}): {run.get_status_display().lower()}"
            + ("" if made else " (made before)")
        )

    def _period(self, kind, text):
        try:
            if kind == ReportRun.Kind.MONTHLY:
                year, month = map(int, text.split("-"))
                return periods.month(year, month)
            year, quarter = text.upper().split("-Q")
            return periods.quarter(int(year), int(quarter))
        except ValueError as error:
            raise CommandError(f"Not a period for a {kind} report: {text}") from error

    def _scope(self, kind, text):
        try:
            if kind == ReportRun.Kind.MONTHLY:
                return {"practice": Practice.objects.get(ods_code=text.removeprefix("practice:"))}
            if kind == ReportRun.Kind.QUARTERLY:
                return {"pcn": PCN.objects.get(ods_code=text.removeprefix("pcn:"))}
            return {"commissioner": User.objects.get(email=text)}
        except (Practice.DoesNotExist, PCN.DoesNotExist, User.DoesNotExist) as error:
            raise CommandError(f"No such scope: {text}") from error
