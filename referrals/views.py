import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from referrals import services
from referrals.forms import (
    AddInformationForm,
    AgencyReferralForm,
    ClinicianReferralForm,
    CodingFilterForm,
    FindMyReferralForm,
    FindPatientForm,
    SelfReferralForm,
    TriageFilterForm,
    TriageForm,
    WithdrawReferralForm,
)
from referrals.models import Patient, Referral, Route, Status
from referrals.validators import normalise_nhs_number
from spl import audit, ratelimit
from spl.access import get_visible_object_or_404
from spl.models import Practice

logger = logging.getLogger(__name__)


@permission_required("referrals.add_referral", raise_exception=True)
def referral_create(request):
    """A clinician's referral on one page. "Find" looks the NHS number up among the
    PCN's patients and fills in what is known; both are POSTs, so NHS numbers
    never appear in URLs or access logs."""
    finder = FindPatientForm(request.POST if "find" in request.POST else None, prefix="find")
    if finder.is_bound:
        return _render(request, finder=finder, form=_prefilled_form(request.user, finder))

    patient = _known_patient(request.user, request.POST.get("nhs_number", ""))
    form = ClinicianReferralForm(
        request.POST or None,
        instance=patient,
        user=request.user,
        initial=_own_practice(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.create_referral(
                patient=form.save(commit=False),
                route=Route.CLINICIAN,
                reasons=form.cleaned_data["reasons"],
                by=request.user,
                urgency=form.cleaned_data["urgency"],
                other_reason=form.cleaned_data["other_reason"],
                notes=form.cleaned_data["notes"],
                consent_to_contact=form.cleaned_data["consent_to_contact"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("referrals:referral_sent", referral.reference)
    return _render(request, finder=FindPatientForm(prefix="find"), form=form)


def _render(request, *, finder, form):
    open_referrals = (
        Referral.objects.visible_to(request.user).open().filter(patient=form.instance)
        if form.instance.pk
        else []
    )
    return render(
        request,
        "referrals/referral_create.html",
        {"finder": finder, "form": form, "open_referrals": open_referrals},
    )


def _prefilled_form(user, finder):
    if not finder.is_valid():
        return ClinicianReferralForm(user=user, initial=_own_practice(user))
    patient = _known_patient(user, finder.cleaned_data["nhs_number"])
    if patient:
        audit.record(user, audit.VIEW, patient, patient=patient)
        return ClinicianReferralForm(instance=patient, user=user)
    return ClinicianReferralForm(
        user=user, initial={**_own_practice(user), "nhs_number": finder.cleaned_data["nhs_number"]}
    )


def _known_patient(user, nhs_number):
    number = normalise_nhs_number(nhs_number)
    return Patient.objects.visible_to(user).with_nhs_number(number).first() if number else None


def _own_practice(user):
    """Pre-select the practice of a user who works for exactly one."""
    practices = _own_practice_ids(user)
    return {"registered_practice": practices[0]} if len(practices) == 1 else {}


def _own_practice_ids(user):
    """The practices a user's memberships name (staff who work for one practice)."""
    return [m.practice_id for m in user.memberships.all() if m.practice_id]


@permission_required("referrals.view_referral", raise_exception=True)
def referral_list(request):
    """The PCN's referrals, by default those awaiting triage, urgent first."""
    filters = TriageFilterForm(request.GET or None, user=request.user)
    referrals = filters.filter(Referral.objects.visible_to(request.user).in_triage_order())
    page = Paginator(referrals, 25).get_page(request.GET.get("page"))
    page.object_list = Referral.objects.visible_to(request.user).for_triage_list(page.object_list)
    audit.record_list(request.user, page)
    return render(request, "referrals/referral_list.html", {"filters": filters, "page": page})


@permission_required("referrals.add_referral", raise_exception=True)
def referral_mine(request):
    """The referrals this user made, with what has happened to each. Searching is
    a POST, so a person's name never reaches a URL or an access log."""
    mine = Referral.objects.visible_to(request.user).filter(referred_by=request.user)
    referrals = mine.in_referrer_order()
    search = FindMyReferralForm(request.POST or None)
    searched = search.is_valid()
    if searched:
        referrals = search.filter(referrals)
    page = Paginator(referrals, 25).get_page(1 if searched else request.GET.get("page"))
    page.object_list = mine.for_referrer_list(page.object_list)
    audit.record_list(request.user, page)
    return render(
        request,
        "referrals/referral_mine.html",
        {"page": page, "search": search, "searched": searched},
    )


def referral_sent(request, reference):
    """The confirmation a referrer sees after sending, with the way to the referral."""
    referral = _my_referral(request, reference)
    audit.record(request.user, audit.VIEW, referral, patient=referral.patient)
    return render(request, "referrals/referral_sent.html", {"referral": referral})


def referral_mine_detail(request, reference):
    """A referral as its referrer sees it: read-only, with the decision and its
    reason, and while it awaits triage a way to add to it or withdraw it."""
    referral = _my_referral(request, reference)
    audit.record(request.user, audit.VIEW, referral, patient=referral.patient)
    return _render_mine(request, referral)


@require_POST
def referral_add_information(request, reference):
    referral = _my_referral(request, reference)
    form = AddInformationForm(request.POST)
    if form.is_valid():
        try:
            services.add_information(
                referral=referral, by=request.user, text=form.cleaned_data["information"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Information added to referral {referral.reference}")
            return redirect("referrals:referral_mine_detail", referral.reference)
    return _render_mine(request, referral, information=form, status=400)


@require_POST
def referral_withdraw(request, reference):
    referral = _my_referral(request, reference)
    form = WithdrawReferralForm(request.POST)
    if form.is_valid():
        try:
            services.withdraw_referral(
                referral=referral, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Referral {referral.reference} withdrawn")
            return redirect("referrals:referral_mine_detail", referral.reference)
    return _render_mine(request, referral, withdraw=form, status=400)


def _my_referral(request, reference):
    return get_visible_object_or_404(
        Referral.objects.filter(referred_by=request.user)
        .select_related("patient__registered_practice")
        .prefetch_related("reasons", "history__by"),
        request.user,
        perm="referrals.add_referral",
        reference=reference,
    )


def _decision(referral):
    """The history row of the triage decision, once there is one."""
    if referral.status == Status.AWAITING_TRIAGE:
        return None
    decided = [c for c in referral.history.all() if c.to_status == referral.status]
    return decided[-1] if decided else None


def _render_mine(request, referral, *, information=None, withdraw=None, status=200):
    return render(
        request,
        "referrals/referral_mine_detail.html",
        {
            "referral": referral,
            "patient": referral.patient,
            "decision": _decision(referral),
            "information": information or AddInformationForm(),
            "withdraw": withdraw or WithdrawReferralForm(),
            "form": information or withdraw,  # for the error summary
        },
        status=status,
    )


@permission_required("referrals.code_referral", raise_exception=True)
def coding_list(request):
    """Decisions to add to the GP record, for the practices the user sees."""
    filters = CodingFilterForm(
        request.GET or None, practices=Practice.objects.visible_to(request.user).order_by("name")
    )
    referrals = filters.filter(Referral.objects.visible_to(request.user).for_coding_list())
    page = Paginator(referrals, 50).get_page(request.GET.get("page"))
    audit.record_list(request.user, page)
    return render(request, "referrals/coding_list.html", {"filters": filters, "page": page})


@require_POST
def referral_mark_coded(request, reference):
    referral = _referral_for(request, reference, perm="referrals.code_referral")
    try:
        services.mark_coded_in_gp_record(referral=referral, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"Referral {referral.reference} marked as coded")
    return redirect("referrals:coding_list")


def referral_summary(request, reference):
    """A one-page summary to print or file in the GP record."""
    referral = _referral_for(
        request, reference, perm=("referrals.view_referral", "referrals.code_referral")
    )
    audit.record(request.user, audit.VIEW, referral, patient=referral.patient)
    return render(
        request,
        "referrals/referral_summary.html",
        {"referral": referral, "patient": referral.patient},
    )


def referral_detail(request, reference):
    referral = _referral_for(request, reference, perm="referrals.view_referral")
    duplicates = Referral.objects.visible_to(request.user).possible_duplicates_of(referral)
    form = TriageForm(duplicates=duplicates)
    audit.record(request.user, audit.VIEW, referral, patient=referral.patient)
    return _render_detail(request, referral, duplicates, form)


@require_POST
def referral_triage(request, reference):
    referral = _referral_for(request, reference, perm="referrals.change_referral")
    duplicates = Referral.objects.visible_to(request.user).possible_duplicates_of(referral)
    form = TriageForm(request.POST, duplicates=duplicates)
    if referral.status != Status.AWAITING_TRIAGE:
        # Allocated meanwhile (the case records what the person decides), or
        # triaged by someone else.
        form.add_error(
            None,
            "This referral has already been triaged or allocated to a link worker. "
            "Refresh the page to see its status.",
        )
    elif form.is_valid():
        try:
            referral = _decide(referral, form.cleaned_data, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, f"Referral {referral.reference}: {referral.get_status_display().lower()}"
            )
            return redirect(referral)
    return _render_detail(request, referral, duplicates, form, status=400)


def _decide(referral, data, *, by):
    decision, note = data["decision"], data["note"]
    if decision == "accept":
        return services.accept_referral(referral=referral, by=by, note=note)
    if decision == "declined":
        return services.record_declined(referral=referral, by=by, note=note)
    if decision == "not_appropriate":
        return services.mark_not_appropriate(referral=referral, by=by, reason=note)
    return services.merge_referral(referral=referral, into=data["merge_into"], by=by)


def _referral_for(request, reference, *, perm=None):
    return get_visible_object_or_404(
        Referral.objects.select_related(
            "patient__registered_practice", "referred_by", "merged_into", "coded_in_gp_record_by"
        ).prefetch_related(
            "reasons", "history__by", "merged_referrals__reasons", "merged_referrals__referred_by"
        ),
        request.user,
        perm=perm,
        reference=reference,
    )


def _render_detail(request, referral, duplicates, form, status=200):
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "patient": referral.patient,
            "duplicates": duplicates,
            "form": form,
            "can_triage": request.user.has_perm("referrals.change_referral")
            and referral.status == Status.AWAITING_TRIAGE,
        },
        status=status,
    )


# Public routes: no account. Each submission either creates exactly one referral
# and shows its reference, or shows the form again with everything typed in.


@login_not_required
def self_referral_create(request):
    return _public_referral(
        request, SelfReferralForm, Route.SELF, "referrals/self_referral_create.html"
    )


@login_not_required
def agency_referral_create(request):
    return _public_referral(
        request, AgencyReferralForm, Route.AGENCY, "referrals/agency_referral_create.html"
    )


def _public_referral(request, form_class, route, template):
    finding = request.method == "POST" and "find_practice" in request.POST
    form = form_class(request.POST or None, finding=finding)
    if finding:
        # "Find practice": show the practices that match, with everything typed.
        return render(request, template, {"form": form})
    if request.method == "POST" and form.is_spam():
        # A bot filled the hidden field: thank it and keep nothing.
        logger.info("Public %s referral discarded: the hidden field was filled", route)
        return render(request, "referrals/public_referral_sent.html", {"sent": None})
    if request.method == "POST" and form.is_valid():
        if ratelimit.exceeded(
            request, "public-referral", limit=settings.PUBLIC_REFERRALS_PER_HOUR, period=3600
        ):
            logger.warning("Public %s referral refused: rate limit reached", route)
            return render(request, template, {"form": form, "rate_limited": True}, status=429)
        patient, note = services.patient_for_outside_referral(form.save(commit=False))
        try:
            referral = services.create_referral(
                patient=patient,
                route=route,
                reasons=form.cleaned_data["reasons"],
                intake_note=note,
                **form.referral_details(),
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            request.session["public_referral"] = {
                "reference": referral.reference,
                "route": route,
                "emailed": referral.notifications.exists(),
            }
            return redirect("public:referral_sent")
    return render(request, template, {"form": form})


@login_not_required
def public_referral_sent(request):
    sent = request.session.get("public_referral")
    if not sent:
        return redirect("public:self_referral_create")
    return render(request, "referrals/public_referral_sent.html", {"sent": sent})
