"""Reports: a PDF and the same figures as CSV for one scope and period, made
once by a task (outcomes.tasks) and kept as a ReportRun.

- A practice's **monthly report** (for its practice managers).
- A PCN's **quarterly report** (for its commissioners), and a commissioner's
  quarterly report **across their PCNs**.

They carry aggregates only, with small counts suppressed (outcomes.suppression);
no person, and no member of staff, is named. `schedule` makes the runs that
are due (each PCN and commissioner for the last whole quarter, each practice
for the last whole month), so a run missed while the scheduler was down is
made the next time it runs; `generate` claims a run, so a task delivered twice
makes one report.
"""

import csv
import datetime
import io
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from caseload.models import Case, Timepoint
from directory.models import Service
from outcomes import figures, periods, suppression
from outcomes.models import ReportRun
from referrals.models import Ethnicity, Referral
from spl import roles
from spl.models import PCN, Practice, User
from spl.pdf import render_pdf

logger = logging.getLogger(__name__)
Kind = ReportRun.Kind


def scope_of(*, practice=None, pcn=None, commissioner=None):
    if practice is not None:
        return {"scope": f"practice:{practice.pk}", "practice": practice}
    if pcn is not None:
        return {"scope": f"pcn:{pcn.pk}", "pcn": pcn}
    return {"scope": f"commissioner:{commissioner.pk}", "commissioner": commissioner}


def period_for(kind, day):
    """The last whole month or NHS quarter before `day`."""
    if kind == Kind.MONTHLY:
        last_month = day.replace(day=1) - datetime.timedelta(days=1)
        return periods.month(last_month.year, last_month.month)
    return periods.quarter_of(periods.quarter_of(day).start - datetime.timedelta(days=1))


def ensure(*, kind, period, by=None, scheduled=False, **scope):
    """The run for this kind, scope and period: made now if there is none."""
    values = scope_of(**scope)
    try:
        with transaction.atomic():
            run, _ = ReportRun.objects.get_or_create(
                kind=kind,
                scope=values["scope"],
                period_start=period.start,
                defaults={
                    **{k: v for k, v in values.items() if k != "scope"},
                    "period_end": period.end,
                    "requested_by": by,
                    "scheduled": scheduled,
                },
            )
    except IntegrityError:  # made at the same moment by another request
        run = ReportRun.objects.get(kind=kind, scope=values["scope"], period_start=period.start)
    return run


def schedule(today=None):
    """Make every run due by `today` that does not exist yet; return the ids of
    runs still waiting to be made (new ones, and any left pending)."""
    today = today or timezone.localdate()
    month, quarter = period_for(Kind.MONTHLY, today), period_for(Kind.QUARTERLY, today)
    for practice in Practice.objects.all():
        ensure(kind=Kind.MONTHLY, period=month, practice=practice, scheduled=True)
    for pcn in PCN.objects.all():
        ensure(kind=Kind.QUARTERLY, period=quarter, pcn=pcn, scheduled=True)
    for user in commissioners():
        ensure(kind=Kind.COMMISSIONER, period=quarter, commissioner=user, scheduled=True)
    return list(
        ReportRun.objects.filter(status=ReportRun.State.PENDING).values_list("pk", flat=True)
    )


def commissioners():
    return User.objects.filter(
        is_active=True, groups__name=roles.ROLES[roles.COMMISSIONER].name
    ).distinct()


# A run still "running" this long after it started lost its worker (a
# crash after the claim): asking for it again makes it.
STALE_AFTER = datetime.timedelta(minutes=30)


def generate(run_id):
    """Make the run's PDF and CSV once. Returns False when another task has it
    or it is made already."""
    now = timezone.now()
    claimed = (
        ReportRun.objects.filter(pk=run_id)
        .filter(
            Q(status__in=[ReportRun.State.PENDING, ReportRun.State.FAILED])
            | Q(status=ReportRun.State.RUNNING, started_at__lte=now - STALE_AFTER)
        )
        .update(status=ReportRun.State.RUNNING, started_at=now, error="")
    )
    if not claimed:
        return False
    run = ReportRun.objects.select_related("practice", "pcn", "commissioner").get(pk=run_id)
    ReportRun.objects.filter(pk=run_id).update(attempts=run.attempts + 1)
    content = build(run)
    pdf = render_pdf("outcomes/report_pdf.html", content)
    ReportRun.objects.filter(pk=run_id).update(
        status=ReportRun.State.READY,
        pdf=pdf,
        csv=to_csv(content),
        finished_at=timezone.now(),
    )
    logger.info("Report %s ready (%s bytes)", run_id, len(pdf))
    return True


def failed(run_id, error):
    """The last try failed: say so on the run, with the reason (never on a run
    another try has made since)."""
    ReportRun.objects.filter(pk=run_id, status=ReportRun.State.RUNNING).update(
        status=ReportRun.State.FAILED, error=str(error)[:2000], finished_at=timezone.now()
    )


def retry_later(run_id):
    ReportRun.objects.filter(pk=run_id, status=ReportRun.State.RUNNING).update(
        status=ReportRun.State.PENDING
    )


def ask_again(run):
    """A failed run asked for again goes back to waiting; True when it needs a
    task (it is waiting)."""
    ReportRun.objects.filter(pk=run.pk, status=ReportRun.State.FAILED).update(
        status=ReportRun.State.PENDING
    )
    run.refresh_from_db(fields=["status"])
    return run.status == ReportRun.State.PENDING


def scoped(run):
    """The referrals, cases, practices and services a run covers."""
    if run.practice_id:
        where = {"practice": run.practice_id}
        practices = Practice.objects.filter(pk=run.practice_id)
        services = Service.objects.filter(organisation__pcn=run.practice.pcn_id)
    else:
        pcns = (
            [run.pcn_id]
            if run.pcn_id
            else list(run.commissioner.memberships.values_list("pcn_id", flat=True))
        )
        where = {"practice__pcn__in": pcns}
        practices = Practice.objects.filter(pcn__in=pcns)
        services = Service.objects.filter(organisation__pcn__in=pcns)
    return (
        Referral.objects.filter(**where),
        Case.objects.filter(**where),
        list(practices.order_by("name")),
        services.active(),
    )


def scope_label(run):
    if run.practice_id:
        return run.practice.name
    if run.pcn_id:
        return run.pcn.name
    pcns = PCN.objects.filter(memberships__user=run.commissioner).order_by("name")
    return ", ".join(pcn.name for pcn in pcns)


def build(run):
    """The report: its title, scope, period and sections, from the dashboard's
    figures for the run's scope and period."""
    _, cases, practices, services = scoped(run)
    period = periods.Period(run.period_start, run.period_end, _label(run))
    found = figures.dashboard(practices=practices, services=services, period=period)
    start, end = period.bounds
    ended = cases.filter(closed_at__gte=start, closed_at__lt=end)
    closed = {
        "closed": ended.count(),
        "no_discharge": ended.exclude(measures__timepoint=Timepoint.DISCHARGE).count(),
    }
    return {
        "run": run,
        "title": run.get_kind_display(),
        "scope": scope_label(run),
        "period": period,
        "sections": sections(found, closed),
        "made_at": timezone.now(),
    }


# The rows of the ethnicity table that say it is not known.
NOT_KNOWN_ETHNICITY = (Ethnicity.NOT_STATED.label, "Not recorded")


def sections(found, closed):
    """(title, [(heading, [(label, value)])]) from the dashboard's `found`
    figures and the `closed` cases' counts, small counts suppressed: a table
    that adds up to a figure shown elsewhere hides a second count with a small
    one, and a figure worked out from a hidden count is hidden too."""
    decisions = {label: count for label, count, _ in found["decisions"].rows}
    received = decisions["Referrals received"]
    waiting = dict(found["waiting"].rows)
    contacted = waiting["People contacted"]
    swemwbs = dict(found["swemwbs"].rows)
    providers = dict(found["providers"].rows)
    answers = found["providers"].counts
    paired = swemwbs["People"]
    s = suppression
    ethnicities = s.counts(found["ethnicities"].rows)
    not_known = [count for label, count in ethnicities if label in NOT_KNOWN_ETHNICITY]
    return [
        ("Summary", [("", [
            ("Referrals received", s.count(received)),
            ("The person agreed to support", s.count(decisions["The person agreed to support"])),
            ("Agreed, share of referrals (%)",
             s.share(decisions["The person agreed to support"], received)),
            ("People contacted", s.count(contacted)),
        ])]),
        ("Activity: needs and concerns", [
            ("Referrals by month", s.counts([(m, c[-1][1]) for m, c in found["by_month"].rows])),
            ("Reasons for referral", s.counts(found["by_reason"].rows, total_shown=False)),
            ("Referring organisation", s.counts(found["by_organisation"].rows)),
        ]),
        ("Waiting times", [("", [
            ("People contacted", s.count(contacted)),
            ("Median days from referral to first contact",
             s.HIDDEN if s.is_small(contacted) else waiting["Median days"]),
            ("90th percentile, days",
             s.HIDDEN if s.is_small(contacted) else waiting["90th percentile, days"]),
        ])]),
        ("Reach and equity: demographics", [
            ("Age", s.counts(found["ages"].rows)),
            ("Sex", s.counts(found["sexes"].rows)),
            ("Ethnicity", ethnicities),
        ]),
        ("Support offered", [
            ("Connections by need", s.counts(found["connections_by_need"].rows)),
            # Each connection has one organisation, so the organisations add
            # up to the connections by need when there are ten or fewer.
            ("Connections by organisation", s.counts(found["connections_by_organisation"].rows)),
            ("Needs in plans with no connection made", s.counts(found["unmet"].rows)),
            ("Cases closed, by reason", s.counts(found["closures"].rows)),
        ]),
        ("Wellbeing outcomes", [("SWEMWBS, people with a baseline and a discharge measure", [
            ("People", s.count(paired)),
            *[(label, s.HIDDEN if s.is_small(paired) else swemwbs[label])
              for label in ("Mean score at baseline", "Mean score at discharge", "Mean change")],
            ("Improved by 3 points or more", s.count(swemwbs["Improved by 3 points or more"])),
            ("Share meaningfully improved (%)",
             s.share(swemwbs["Improved by 3 points or more"], paired)),
        ])]),
        ("VCSE impact and capacity", [("", [
            ("Referred to services", s.count(providers["Referred"])),
            ("Accepted by the provider, %", s.share(answers["accepted"], answers["answered"])),
            ("Attended, of those who went or did not, %",
             s.share(answers["attended"], answers["went_or_not"])),
            # Services, not people: nobody can be told apart by these.
            ("Services at or over capacity now", providers["Services at or over capacity now"]),
            ("Services with lapsed quality checks now",
             providers["Services with lapsed quality checks now"]),
        ])]),
        ("Data quality", [("", [
            ("Cases closed in the period", s.count(closed["closed"])),
            ("Closed without a discharge wellbeing measure", s.count(closed["no_discharge"])),
            # The ethnicity table's own rows, hidden where one of them is.
            ("People referred with ethnicity not stated",
             s.HIDDEN if s.HIDDEN in not_known else sum(not_known)),
        ])]),
        ("IIF PC-01: people referred as a share of the list", [("", iif_rows(found["iif"].rows))]),
    ]  # fmt: skip


def iif_rows(rows):
    """Each practice's people referred, of its list, and the share: hidden with
    the same secondary suppression as a table, since the practices add up to
    the people referred, which the reach tables show."""
    shown = suppression.counts([(name, people) for name, people, _, _ in rows])
    return [
        (
            name,
            suppression.HIDDEN
            if people == suppression.HIDDEN
            else f"{people} of {size} ({share}%)",
        )
        for (name, people), (_, _, size, share) in zip(shown, rows, strict=True)
    ]


def _label(run):
    if run.kind == Kind.MONTHLY:
        return periods.month(run.period_start.year, run.period_start.month).label
    return periods.quarter_of(run.period_start).label


def to_csv(content):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "table", "figure", "value"])
    for section, tables in content["sections"]:
        for table, rows in tables:
            for label, value in rows:
                writer.writerow([section, table, label, "" if value is None else value])
    return out.getvalue()


def readers(run):
    """Who is told a scheduled report is ready: the practice's managers, the
    PCN's commissioners, or the commissioner."""
    if run.commissioner_id:
        return User.objects.filter(pk=run.commissioner_id, is_active=True)
    if run.practice_id:
        return User.objects.filter(
            is_active=True,
            memberships__practice=run.practice_id,
            groups__name=roles.ROLES[roles.PRACTICE_MANAGER].name,
        ).distinct()
    return commissioners().filter(memberships__pcn=run.pcn_id)


def tell_readers(run_id):
    """Email the readers of a scheduled report that is ready a link to it,
    never the report, once: the run is claimed first, and un-claimed if the
    mail server fails so that the task's retry tells them."""
    claimed = ReportRun.objects.filter(
        pk=run_id, status=ReportRun.State.READY, scheduled=True, readers_told_at__isnull=True
    ).update(readers_told_at=timezone.now())
    if not claimed:
        return False
    run = ReportRun.objects.select_related("practice", "pcn").get(pk=run_id)
    link = settings.SITE_URL + reverse("outcomes:report", args=[run.pk])
    try:
        for user in readers(run):
            body = render_to_string(
                "emails/report_ready.txt",
                {"user": user, "run": run, "link": link, "service_name": settings.SERVICE_NAME},
            )
            send_mail(f"Your {run.get_kind_display().lower()} is ready", body, None, [user.email])
    except Exception:
        ReportRun.objects.filter(pk=run_id).update(readers_told_at=None)
        raise
    return True
