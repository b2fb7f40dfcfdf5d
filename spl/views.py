import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from spl import health as health_checks
from spl import services
from spl.access import get_visible_object_or_404
from spl.forms import PracticeForm
from spl.home import tasks_for
from spl.models import Membership, Practice
from spl.roles import ROLES

logger = logging.getLogger(__name__)


def home(request):
    user = request.user
    memberships = Membership.objects.filter(user=user).select_related("pcn", "practice")
    group_names = {group.name for group in user.groups.all()}
    return render(
        request,
        "spl/home.html",
        {
            "memberships": memberships,
            "roles": [role for role in ROLES.values() if role.name in group_names],
            "tasks": tasks_for(user),
        },
    )


@login_not_required
@require_GET
@never_cache
def health(request):
    database = "ok" if health_checks.database_ok() else "unreachable"
    broker = health_checks.broker_status()
    healthy = database == "ok"
    if not healthy:
        logger.error("Health check failed: database unreachable")
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )


@login_not_required
def accessibility(request):
    return render(request, "spl/accessibility.html")


@permission_required("spl.view_practice", raise_exception=True)
def practice_list(request):
    practices = Practice.objects.visible_to(request.user).for_list()
    page = Paginator(practices, 25).get_page(request.GET.get("page"))
    return render(request, "spl/practice_list.html", {"page": page})


def practice_detail(request, pk):
    practice = get_visible_object_or_404(
        Practice.objects.select_related("pcn").prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("user").order_by("user__full_name"),
            )
        ),
        request.user,
        perm="spl.view_practice",
        pk=pk,
    )
    return render(
        request,
        "spl/practice_detail.html",
        {"practice": practice, "can_edit": request.user.has_perm("spl.change_practice")},
    )


def practice_edit(request, pk):
    practice = get_visible_object_or_404(
        Practice.objects.select_related("pcn"), request.user, pk=pk, perm="spl.change_practice"
    )
    form = PracticeForm(request.POST or None, instance=practice)
    if request.method == "POST" and form.is_valid():
        services.set_list_size(
            practice=practice, list_size=form.cleaned_data["list_size"], by=request.user
        )
        messages.success(request, f"{practice.name}'s list size has been updated")
        return redirect(practice)
    return render(request, "spl/practice_edit.html", {"practice": practice, "form": form})
