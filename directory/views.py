"""The directory pages: finding a service (every member of staff) and keeping the
directory (directory managers, for the organisations of their PCNs)."""

from copy import copy

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import capfirst

from directory import history, importing, services
from directory.forms import (
    ContactForm,
    ImportForm,
    LocationForm,
    OrganisationForm,
    QualityCheckForm,
    ScheduleForm,
    ServiceForm,
    ServiceSearchForm,
)
from directory.importing import csv_file, jobs
from directory.models import (
    ChangeRecord,
    Contact,
    DirectoryImport,
    Location,
    Organisation,
    QAStatus,
    QualityCheck,
    Schedule,
    Service,
)
from spl.access import get_managed_object_or_404, get_visible_object_or_404
from spl.models import PCN


@permission_required("directory.view_service", raise_exception=True)
def service_search(request):
    """Find a service for someone: text, need, activity, age, QA and capacity."""
    form = ServiceSearchForm(request.GET or None)
    found = form.filter(Service.objects.visible_to(request.user).for_search())
    page = Paginator(found, 20).get_page(request.GET.get("page"))
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
            "missing_kinds": _missing_kinds(checks),
            "contact_emails": {contact.email for contact in service.contacts.all()},
            "today": timezone.localdate(),
            "can_manage": _can_manage(request.user, "directory.change_service", service),
        },
    )


def _current_checks(organisation):
    """The checks that count: the newest of each kind."""
    return list(organisation.quality_checks.current().select_related("checked_by").order_by("kind"))


def _missing_kinds(checks):
    """The kinds of check never done, as (value, label): why it is not assured."""
    done = {check.kind for check in checks}
    return [(kind, label) for kind, label in QualityCheck.Kind.choices if kind not in done]


def organisation_detail(request, pk):
    organisation = get_visible_object_or_404(
        Organisation.objects.with_qa_status()
        .select_related("pcn", "assurer")
        .prefetch_related("quality_checks__checked_by", "services", "locations__services"),
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
            "missing_kinds": _missing_kinds(current),
            "older_checks": [
                check for check in organisation.quality_checks.all() if check not in current
            ],
            "today": timezone.localdate(),
            "can_manage": _can_manage(request.user, "directory.change_organisation", organisation),
        },
    )


# Keeping the directory: directory managers, for the organisations of their PCNs.
#
# A form to change a record gets a copy of it (`instance=copy(record)`): a form
# that fails leaves its typed values on its instance, and the page's title and
# back link should still name the record as it is.


def _can_manage(user, perm, obj):
    return user.has_perm(perm) and type(obj).objects.managed_by(user).filter(pk=obj.pk).exists()


@permission_required("directory.change_organisation", raise_exception=True)
def manage(request):
    """The organisations a directory manager looks after, those needing attention first."""
    status = request.GET.get("qa", "")
    organisations = (
        Organisation.objects.managed_by(request.user)
        .with_qa_status()
        .annotate(
            active_services=Count("services", filter=Q(services__status=Service.Status.ACTIVE))
        )
        .order_by(F("assured_until").asc(nulls_first=True), "name")
    )
    if status in QAStatus.values:
        organisations = organisations.filter(qa_status=status)
    page = Paginator(organisations, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "directory/manage.html",
        {"page": page, "status": status, "statuses": QAStatus.choices},
    )


def _save(form, save, **arguments):
    """Call a service with a valid form's values. What the service refuses (a
    record changed or taken meanwhile) goes on the form, next to its field where
    it has one, so the page comes back with everything typed; the caller checks
    `form.is_valid()` again, which is then False."""
    try:
        return save(**arguments, **form.cleaned_data)
    except ValidationError as error:
        for field, errors in getattr(error, "message_dict", {None: error.messages}).items():
            form.add_error(field if field in form.fields else None, errors)
        return None


@permission_required("directory.add_organisation", raise_exception=True)
def organisation_create(request):
    if not PCN.objects.visible_to(request.user).exists():
        raise PermissionDenied(
            "You are not a member of a PCN yet, so there is no directory to add to."
        )
    form = OrganisationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        organisation = _save(form, services.save_record, instance=Organisation(), by=request.user)
    if request.method == "POST" and form.is_valid():
        messages.success(request, f"{organisation.name} has been added to the directory")
        return redirect(organisation)
    return render(request, "directory/organisation_form.html", {"form": form})


def organisation_edit(request, pk):
    organisation = get_managed_object_or_404(
        Organisation.objects.all(), request.user, perm="directory.change_organisation", pk=pk
    )
    form = OrganisationForm(request.POST or None, instance=copy(organisation), user=request.user)
    if request.method == "POST" and form.is_valid():
        organisation = _save(form, services.save_record, instance=organisation, by=request.user)
    if request.method == "POST" and form.is_valid():
        messages.success(request, f"{organisation.name} has been updated")
        return redirect(organisation)
    return render(
        request,
        "directory/organisation_form.html",
        {"form": form, "organisation": organisation},
    )


def service_create(request, pk):
    organisation = get_managed_object_or_404(
        Organisation.objects.all(), request.user, perm="directory.add_service", pk=pk
    )
    form = ServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service = _save(
            form, services.save_service, service=Service(organisation=organisation), by=request.user
        )
    if request.method == "POST" and form.is_valid():
        messages.success(request, f"{service.name} has been added to the directory")
        return redirect(service)
    return render(
        request,
        "directory/service_form.html",
        {"form": form, "organisation": organisation},
    )


def service_edit(request, pk):
    service = get_managed_object_or_404(
        Service.objects.select_related("organisation").prefetch_related("taxonomy_terms"),
        request.user,
        perm="directory.change_service",
        pk=pk,
    )
    form = ServiceForm(request.POST or None, instance=copy(service))
    if request.method == "POST" and form.is_valid():
        service = _save(form, services.save_service, service=service, by=request.user)
    if request.method == "POST" and form.is_valid():
        messages.success(request, f"{service.name} has been updated")
        return redirect(service)
    return render(
        request,
        "directory/service_form.html",
        {"form": form, "service": service, "organisation": service.organisation},
    )


# A service's contacts and opening times: small records, each with its own form.
PARTS = {
    "contacts": (Contact, ContactForm, "contact"),
    "times": (Schedule, ScheduleForm, "opening times"),
}


def _part(part):
    if part not in PARTS:
        raise Http404
    return PARTS[part]


def service_part_edit(request, pk, part, part_pk=None):
    """Add (`part_pk` None) or change a contact or the opening times of a service."""
    model, form_class, noun = _part(part)
    service = get_managed_object_or_404(
        Service.objects.select_related("organisation"),
        request.user,
        perm="directory.change_service",
        pk=pk,
    )
    record = (
        get_object_or_404(model.objects.filter(service=service), pk=part_pk)
        if part_pk
        else model(service=service)
    )
    form = form_class(request.POST or None, instance=copy(record))
    if request.method == "POST" and form.is_valid():
        _save(form, services.save_record, instance=record, by=request.user)
    if request.method == "POST" and form.is_valid():
        messages.success(request, f"{capfirst(noun)} {'updated' if part_pk else 'added'}")
        return redirect(service)
    return render(
        request,
        "directory/service_part_form.html",
        {"form": form, "service": service, "noun": noun, "adding": part_pk is None},
    )


def service_part_remove(request, pk, part, part_pk):
    """Remove a contact or opening times, after asking."""
    model, _, noun = _part(part)
    service = get_managed_object_or_404(
        Service.objects.select_related("organisation"),
        request.user,
        perm="directory.change_service",
        pk=pk,
    )
    record = get_object_or_404(model.objects.filter(service=service), pk=part_pk)
    if request.method == "POST":
        services.delete_record(instance=record, by=request.user)
        messages.success(request, f"{capfirst(noun)} removed")
        return redirect(service)
    return render(
        request,
        "directory/service_part_remove.html",
        {"service": service, "noun": noun, "what": getattr(record, "summary", str(record))},
    )


def location_create(request, pk):
    organisation = get_managed_object_or_404(
        Organisation.objects.all(), request.user, perm="directory.add_location", pk=pk
    )
    form = LocationForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        place = Location(organisation=organisation)
        location = _save(form, services.save_record, instance=place, by=request.user)
    if request.method == "POST" and form.is_valid():
        messages.success(request, f"{location.name} has been added")
        return redirect(organisation)
    return render(
        request,
        "directory/location_form.html",
        {"form": form, "organisation": organisation},
    )


def location_edit(request, pk):
    location = get_managed_object_or_404(
        Location.objects.select_related("organisation"),
        request.user,
        perm="directory.change_location",
        pk=pk,
    )
    organisation = location.organisation
    form = LocationForm(request.POST or None, instance=copy(location), organisation=organisation)
    if request.method == "POST" and form.is_valid():
        location = _save(form, services.save_record, instance=location, by=request.user)
    if request.method == "POST" and form.is_valid():
        messages.success(request, f"{location.name} has been updated")
        return redirect(organisation)
    return render(
        request,
        "directory/location_form.html",
        {"form": form, "location": location, "organisation": organisation},
    )


def check_create(request, pk):
    organisation = get_managed_object_or_404(
        Organisation.objects.all(), request.user, perm="directory.add_qualitycheck", pk=pk
    )
    form = QualityCheckForm(request.POST or None, initial={"kind": request.GET.get("kind")})
    if request.method == "POST" and form.is_valid():
        try:
            check = services.record_check(
                organisation=organisation, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{check.get_kind_display()} check recorded")
            return redirect(organisation)
    return render(
        request, "directory/check_form.html", {"form": form, "organisation": organisation}
    )


def organisation_history(request, pk):
    """Who changed what, and when: the organisation, its services, places and checks."""
    organisation = get_managed_object_or_404(
        Organisation.objects.all(), request.user, perm="directory.change_organisation", pk=pk
    )
    changes = ChangeRecord.objects.filter(organisation=organisation).select_related("changed_by")
    page = Paginator(changes, 30).get_page(request.GET.get("page"))
    rows = history.describe(page)
    return render(
        request,
        "directory/organisation_history.html",
        {"organisation": organisation, "page": page, "rows": rows},
    )


# How many of each list an import report shows; the counts are always whole.
REPORT_LINES = 200


@permission_required(["directory.add_organisation", "directory.add_service"], raise_exception=True)
def directory_import(request):
    """Upload a CSV or ORUK file to import: the worker imports it, all or nothing."""
    form = ImportForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        max_bytes=importing.MAX_BYTES,
    )
    if request.method == "POST" and form.is_valid():
        job = services.queue_import(
            upload=form.cleaned_data["file"],
            pcn=form.chosen_pcn(),
            by=request.user,
            dry_run=form.cleaned_data["check_only"],
        )
        return redirect(job)
    recent = DirectoryImport.objects.visible_to(request.user).select_related("created_by")[:5]
    return render(
        request,
        "directory/import.html",
        {"form": form, "columns": csv_file.COLUMNS, "recent": recent},
    )


def import_detail(request, pk):
    """An import's progress, then its report: created, updated, rejected and why."""
    job = get_visible_object_or_404(
        DirectoryImport.objects.select_related("created_by", "pcn").defer("content"),
        request.user,
        perm="directory.add_service",
        pk=pk,
    )
    report = job.report
    if job.stalled:
        report = {"errors": [jobs.STOPPED], "ok": False}
    return render(
        request,
        "directory/import_detail.html",
        {
            "job": job,
            "report": report,
            "lines": REPORT_LINES,
            "minus_lines": -REPORT_LINES,
        },
    )


@permission_required("directory.add_service", raise_exception=True)
def import_template(request):
    """The CSV columns with an example row, to fill in."""
    response = HttpResponse(csv_file.csv_template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="directory-import-template.csv"'
    return response
