"""The outcomes dashboard: aggregates only, for the user's practice or PCN."""

from django.contrib.auth.decorators import permission_required
from django.shortcuts import render

from caseload.models import Case
from directory.models import Service
from outcomes import figures
from outcomes.forms import DashboardForm
from referrals.models import Referral, Route
from spl.models import Practice


@permission_required("outcomes.view_dashboard", raise_exception=True)
def dashboard(request):
    """Practice managers see their practice; supervisors their PCN, by practice
    if they choose. Figures are aggregates: no person is named."""
    practices = Practice.objects.visible_to(request.user).order_by("name")
    form = DashboardForm(request.GET or None, practices=practices)
    period = form.chosen_period()
    referrals = Referral.objects.visible_to(request.user)
    cases = Case.objects.visible_to(request.user)
    chosen = form.chosen_practice()
    if chosen is not None:
        referrals, cases = referrals.filter(practice=chosen), cases.filter(practice=chosen)
        practices = practices.filter(pk=chosen.pk)
    return render(
        request,
        "outcomes/dashboard.html",
        {
            "form": form,
            "period": period,
            "practice": chosen,
            "figures": figures.dashboard(
                referrals=referrals,
                cases=cases,
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
