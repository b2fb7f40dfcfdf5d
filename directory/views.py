from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from directory import services
from directory.forms import ServiceSearchForm
from directory.models import Organisation, Service
from spl.access import get_visible_object_or_404


@permission_required("directory.view_service", raise_exception=True)
def service_search(request):
    """Find a service for someone: text, need, activity, age, QA and capacity."""
    form = ServiceSearchForm(request.GET or None)
    services = form.filter(Service.objects.visible_to(request.user).for_search())
    page = Paginator(services, 20).get_page(request.GET.get("page"))
    return render(request, "directory/service_search.html", {"form": form, "page": page})


def service_detail(request, pk):
    service = get_visible_object_or_404(
        Service.objects.for_service_page(), request.user, perm="directory.view_service", pk=pk
    )
    checks = _current_checks(service.organisation)
    return render(
        request,
        "directory/service_detail.html",
        {
            "service": service,
            "organisation": service.organisation,
            "checks": checks,
            "contact_emails": {contact.email for contact in service.contacts.all()},
            "today": timezone.localdate(),
            "can_manage": request.user.has_perm("directory.change_service")
            and Service.objects.managed_by(request.user).filter(pk=service.pk).exists(),
        },
    )


def _current_checks(organisation):
    """The checks that count: the newest of each kind (directory.services decides)."""
    return list(
        services.current_checks()
        .filter(organisation=organisation)
        .select_related("checked_by")
        .order_by("kind")
    )


def organisation_detail(request, pk):
    organisation = get_visible_object_or_404(
        Organisation.objects.with_qa_status()
        .select_related("pcn", "assurer")
        .prefetch_related("quality_checks__checked_by", "services"),
        request.user,
        perm="directory.view_organisation",
        pk=pk,
    )
    current = _current_checks(organisation)
    return render(
        request,
        "directory/organisation_detail.html",
        {
            "organisation": organisation,
            "checks": current,
            "older_checks": [
                check for check in organisation.quality_checks.all() if check not in current
            ],
            "today": timezone.localdate(),
        },
    )
