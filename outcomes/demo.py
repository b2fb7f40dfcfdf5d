"""Demo reports, after the demo caseloads: the Riverside PCN's quarterly report
for the last whole NHS quarter (the commissioner reads it) and its practice
manager's monthly report for the last whole month, both ready. Safe to run
again: a report made is kept."""

from django.utils import timezone

from outcomes import reports
from outcomes.models import ReportRun
from spl.models import PCN, User

DEMO_PCN = "U00001"


def seed():
    pcn = PCN.objects.filter(ods_code=DEMO_PCN).first()
    manager = User.objects.filter(email="manager@example.org").first()
    if pcn is None or manager is None:
        return "no demo PCN"
    today = timezone.localdate()
    runs = [
        reports.ensure(
            kind=ReportRun.Kind.QUARTERLY,
            period=reports.period_for(ReportRun.Kind.QUARTERLY, today),
            pcn=pcn,
        ),
        reports.ensure(
            kind=ReportRun.Kind.MONTHLY,
            period=reports.period_for(ReportRun.Kind.MONTHLY, today),
            practice=manager.memberships.get().practice,
        ),
    ]
    made = sum(1 for run in runs if reports.generate(run.pk))
    return f"{made} reports made ({len(runs)} ready)"
