"""The outcomes dashboard and reports: aggregates only, for the user's scope."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from directory.models import Service
from outcomes import figures, reports, tasks
from outcomes.forms import DashboardForm, ReportRequestForm
from outcomes.models import ReportRun
from referrals.models import Route
from spl import audit
from spl.models import PCN, Membership, Practice


@permission_required("outcomes.view_dashboard", raise_exception=True)
def dashboard(request):
    """Practice managers see their practice; supervisors their PCN, by practice
    if they choose. Figures are aggregates: no person is named."""
    practices = Practice.objects.visible_to(request.user).order_by("name")
    form = DashboardForm(request.GET or None, practices=practices)
    period = form.chosen_period()
    chosen = form.chosen_practice()
    if chosen is not None:
        practices = practices.filter(pk=chosen.pk)
    return render(
        request,
        "outcomes/dashboard.html",
        {
            "form": form,
            "period": period,
            "practice": chosen,
            "figures": figures.dashboard(
                practices=list(practices),
                services=Service.objects.visible_to(request.user).active(),
                period=period,
            ),
            "iif_lower": figures.IIF_LOWER,
            "iif_upper": figures.IIF_UPPER,
            "routes": Route.choices,
        },
        status=400 if form.errors else 200,
    )


def _visible_runs(user):
    """A practice's monthly reports to those who see the practice, a PCN's
    quarterly reports to its whole-PCN members, a commissioner's own."""
    whole_pcns = Membership.objects.filter(user=user, practice__isnull=True).values("pcn")
    return ReportRun.objects.filter(
        Q(kind=ReportRun.Kind.MONTHLY, practice__in=Practice.objects.visible_to(user))
        | Q(kind=ReportRun.Kind.QUARTERLY, pcn__in=whole_pcns)
        | Q(kind=ReportRun.Kind.COMMISSIONER, commissioner=user)
    ).defer("pdf", "csv")


def _reports_for(user):
    """The reports the user may ask for: (value, (kind, scope, label))."""
    found = []
    whole = PCN.objects.visible_to(user).filter(
        memberships__user=user, memberships__practice__isnull=True
    )
    for practice in Practice.objects.visible_to(user).order_by("name"):
        label = f"Monthly report for {practice.name}"
        found.append((f"practice-{practice.pk}", ("monthly", {"practice": practice}, label)))
    for pcn in whole.order_by("name"):
        label = f"Quarterly report for {pcn.name}"
        found.append((f"pcn-{pcn.pk}", ("quarterly", {"pcn": pcn}, label)))
    if reports.commissioners().filter(pk=user.pk).exists():
        label = "Quarterly report across all your PCNs"
        found.append(("commissioner", ("commissioner", {"commissioner": user}, label)))
    return found


@permission_required("outcomes.view_reports", raise_exception=True)
def report_list(request):
    """The user's reports and their status; ask for one of a past period."""
    form = ReportRequestForm(request.POST or None, reports=_reports_for(request.user))
    if request.method == "POST" and form.is_valid():
        kind, scope, period = form.chosen()
        run = reports.ensure(kind=kind, period=period, by=request.user, **scope)
        if reports.ask_again(run):
            tasks.generate_report.delay(run.pk)
            run.refresh_from_db(fields=["status"])
        messages.success(
            request, "Here is your report" if run.is_ready else "Your report is being made"
        )
        return redirect("outcomes:report", pk=run.pk)
    runs = _visible_runs(request.user).select_related("practice", "pcn")[:100]
    return render(
        request,
        "outcomes/reports.html",
        {"form": form, "runs": runs},
        status=400 if form.errors else 200,
    )


@permission_required("outcomes.view_reports", raise_exception=True)
def report(request, pk):
    """One report's status; the page refreshes itself (no JavaScript needed)
    until the report is ready or has failed."""
    run = get_object_or_404(_visible_runs(request.user).select_related("practice", "pcn"), pk=pk)
    response = render(
        request, "outcomes/report.html", {"run": run, "scope": reports.scope_label(run)}
    )
    if not run.is_done:
        # The HTTP Refresh header: browsers reload without JavaScript.
        response["Refresh"] = "5"
    return response


@permission_required("outcomes.view_reports", raise_exception=True)
def report_download(request, pk, format):
    """The report as PDF or CSV: every download is in the audit trail."""
    if format not in ("pdf", "csv"):
        raise Http404("Reports are PDF or CSV")
    run = get_object_or_404(_visible_runs(request.user).defer(None), pk=pk)
    if run.status != ReportRun.State.READY:
        raise Http404("The report is not ready")
    audit.record(request.user, audit.EXPORT, run)
    name = f"{run.kind}-report-{run.period_start:%Y-%m}"
    if format == "pdf":
        response = HttpResponse(bytes(run.pdf), content_type="application/pdf")
    else:
        response = HttpResponse(run.csv, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{format}"'
    return response
