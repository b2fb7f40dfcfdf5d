"""The link worker's caseload: their open cases, the PCN's waiting list, a case's
page, and allocating a referral. Lists check a permission with the decorator,
records through get_visible_object_or_404 (decision 5); everything shown is
audited."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Exists, F, Min, OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from caseload import connections, flags, instruments, measures, plans, providers, services
from caseload.forms import (
    WAITING_LIST,
    ActionForm,
    AllocateForm,
    CaseloadFilterForm,
    CloseConcernForm,
    CloseForm,
    ConcernForm,
    ConnectForm,
    ConnectionMoveForm,
    ContactForm,
    DecisionForm,
    FindCaseForm,
    GoalForm,
    GoalUpdateForm,
    HoldForm,
    MdtFlagForm,
    MdtOutcomeForm,
    MeasureForm,
    PlanDetailsForm,
    ProviderAnswerForm,
    ProviderAttendanceForm,
    ReassignForm,
    ReferBackForm,
    ReplyForm,
    link_workers_of,
)
from caseload.models import (
    ATTEMPTS_BEFORE_CLOSING,
    OPEN_CONNECTION_STATUSES,
    Case,
    CaseStatus,
    Connection,
    Contact,
    ContactOutcome,
    Goal,
    MdtFlag,
    PlanAction,
    ReferBack,
    SafeguardingConcern,
    Timepoint,
)
from directory.forms import ServiceSearchForm
from directory.models import Service
from referrals.models import Referral, Status
from spl import audit
from spl.access import get_visible_object_or_404
from spl.forms import refuse
from spl.models import Membership, User
from spl.pdf import render_pdf
from spl.prepared import plan_once

PAGE_SIZE = 25


@permission_required("caseload.view_case", raise_exception=True)
def caseload(request):
    """The user's open cases, those waiting longest first: filtered by status, flag
    and practice (GET), or searched by name or NHS number (POST); with what is
    due today and the year so far."""
    visible = Case.objects.visible_to(request.user)
    mine = visible.held_by(request.user)
    # The flags of every case held, in one query: Today counts them, the rows
    # show them, and the filter picks cases by them.
    found = flags.of(mine)
    filters = CaseloadFilterForm(request.GET or None, user=request.user)
    search = FindCaseForm(request.POST if request.method == "POST" else None)
    searched = search.is_bound and search.is_valid()
    chosen = filters.chosen(found)
    if searched:
        matching = set(search.filter(mine).values_list("pk", flat=True))
        chosen = [pk for pk in chosen if pk in matching]
    page = Paginator(chosen, PAGE_SIZE).get_page(1 if searched else request.GET.get("page"))
    shown = mine.filter(pk__in=page.object_list).for_list().order_by("opened_at", "pk")
    page.object_list = _with_flags(shown, found)
    audit.record_list(request.user, page)
    today = flags.due_in(found)
    return render(
        request,
        "caseload/caseload.html",
        {
            "page": page,
            "filters": filters,
            "search": search,
            "searched": searched,
            "today": today,
            "anything_due": any(today.values()),
            "year": _year_so_far(request.user),
            "waiting": visible.waiting().count(),
        },
    )


def _year_so_far(user):
    """People supported and contacts made by `user` this NHS year (April to March)."""
    today = timezone.localdate()
    start = datetime.date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    since = timezone.make_aware(datetime.datetime.combine(start, datetime.time()))
    return {
        "start": start,
        **Contact.objects.filter(by=user, at__gte=since).aggregate(
            # Counted by case (never empty), which the (by, at) index covers.
            contacts=Count("case"),
            # People as their cases: one read of the contacts, no joins. A
            # person supported twice in a year (two cases) counts twice.
            people=Count("case", distinct=True, filter=Q(outcome=ContactOutcome.SPOKE)),
        ),
    }


@permission_required("caseload.view_case", raise_exception=True)
def waiting_list(request):
    """The PCN's cases nobody holds yet, longest wait first."""
    visible = Case.objects.visible_to(request.user)
    page = Paginator(visible.waiting().for_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    page.object_list = _with_flags(rows, flags.of(visible.filter(pk__in=[r.pk for r in rows])))
    audit.record_list(request.user, page)
    return render(request, "caseload/waiting_list.html", {"page": page})


@permission_required("caseload.supervise_case", raise_exception=True)
def team(request):
    """Every link worker's open cases and the waiting list, for a supervisor, who
    reassigns one case or several at once: those of the link worker (or the
    waiting list) chosen with `?from=`."""
    visible = Case.objects.visible_to(request.user)
    pcns = Membership.objects.filter(user=request.user).values("pcn_id")
    workers = list(link_workers_of(pcns))
    counts = {
        row["link_worker"]: row
        for row in visible.open()
        .filter(link_worker__isnull=False)
        .values("link_worker")
        .annotate(
            open=Count("pk"),
            contacting=Count("pk", filter=Q(status=CaseStatus.CONTACTING)),
            on_hold=Count("pk", filter=Q(status=CaseStatus.ON_HOLD)),
            # The safeguarding flag of caseload.flags: a concern open.
            concerns=Count(
                "pk",
                filter=Exists(
                    SafeguardingConcern.objects.filter(case=OuterRef("pk"), closed_at__isnull=True)
                ),
            ),
        )
    }
    rows = [(worker, counts.get(worker.pk, {})) for worker in workers]
    waiting = visible.waiting().aggregate(count=Count("pk"), oldest=Min("referral__received_at"))
    source = request.GET.get("from", "")
    holder = next((worker for worker in workers if str(worker.pk) == source), None)
    form = None
    if holder is not None or source == WAITING_LIST:
        held = visible.held_by(holder) if holder else visible.waiting()
        cases = list(held.select_related("referral__patient").order_by("opened_at", "pk"))
        data = request.POST if request.method == "POST" else None
        form = ReassignForm(data, cases=cases, link_workers=workers)
        if form.is_bound and form.is_valid():
            chosen, to = form.chosen_cases(), form.chosen()
            try:
                with transaction.atomic():
                    for case in chosen:
                        services.reassign(
                            case=case, to=to, by=request.user, reason=form.cleaned_data["reason"]
                        )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                where = to.full_name if to else "the waiting list"
                count = len(chosen)
                messages.success(
                    request, f"{count} case{'s' if count != 1 else ''} reassigned to {where}"
                )
                return redirect(f"{request.path}?from={source}")
        audit.record_list(request.user, cases)
    return render(
        request,
        "caseload/team.html",
        {
            "rows": rows,
            "waiting": waiting,
            "holder": holder,
            "source": source,
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )


@require_POST
def take(request, pk):
    case = _case(request, pk, perm="caseload.change_case")
    try:
        services.take(case=case, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("caseload:waiting_list")
    # No name in the message: messages may travel in a cookie.
    messages.success(request, "Case taken: it is now on your caseload")
    return redirect(case)


@plan_once
def case_detail(request, pk):
    case = _case(request, pk, perm="caseload.view_case")
    return _render_case(request, case, ContactForm())


@require_POST
def record_contact(request, pk):
    case = _case(request, pk, perm="caseload.change_case")
    form = ContactForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.record_contact(
                case=case,
                by=request.user,
                at=data["at"],
                mode=data["mode"],
                outcome=data["outcome"],
                duration_minutes=data["duration_minutes"],
                notes=data["notes"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Contact recorded")
            return redirect(case)
    return _render_case(request, case, form, status=400)


@require_POST
def decide(request, pk):
    """The person agreed to support, declined it, or could not be contacted."""
    case = _case(request, pk, perm="caseload.change_case")
    actions = {
        "agreed": (services.person_agreed, "The person agreed to support"),
        "declined": (services.person_declined, "The person declined support. Case closed"),
        "unable_to_contact": (
            services.close_unable_to_contact,
            "Case closed: unable to contact",
        ),
    }
    action, done = actions.get(request.POST.get("decision"), (None, ""))
    if action is None:
        messages.error(request, "Choose what the person decided")
        return redirect(case)
    values = (
        {"share_with_gp": request.POST.get("share_with_gp", "")}
        if action is services.person_agreed
        else {}
    )
    try:
        action(case=case, by=request.user, **values)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, done)
    return redirect(case)


def hold(request, pk):
    case = _open_case(request, pk, perm="caseload.change_case")
    return _action_page(
        request,
        case,
        HoldForm(request.POST or None, prefix="hold"),
        lambda data: services.put_on_hold(case=case, by=request.user, **data),
        done="Support is on hold",
        heading="Put support on hold",
        button="Put on hold",
    )


def close(request, pk):
    case = _open_case(request, pk, perm="caseload.change_case")
    form = _close_form(case, request.POST or None)
    return _action_page(
        request,
        case,
        form,
        lambda data: services.close(
            case=case,
            by=request.user,
            reason=data["reason"],
            summary=data["summary"],
            final=form.final(),
            no_discharge_measure=data.get("no_discharge_measure", ""),
        ),
        done="Case closed",
        heading="Close the case",
        button="Close the case",
        warning=True,
    )


def raise_concern(request, pk):
    case = _open_case(request, pk, perm="caseload.add_safeguardingconcern")
    return _action_page(
        request,
        case,
        ConcernForm(request.POST or None, prefix="concern"),
        lambda data: services.raise_concern(case=case, by=request.user, **data),
        done="Safeguarding concern recorded",
        heading="Record a safeguarding concern",
        button="Record the concern",
        warning=True,
    )


@require_POST
def close_concern(request, pk, concern_pk):
    case = _case(request, pk, perm="caseload.change_safeguardingconcern")
    concern = get_object_or_404(SafeguardingConcern, pk=concern_pk, case=case)
    form = CloseConcernForm(request.POST, prefix=f"concern-{concern.pk}")
    if form.is_valid():
        try:
            services.close_concern(concern=concern, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, "Safeguarding concern closed")
        return redirect(case)
    return _render_case(
        request, case, ContactForm(), close_concern_forms={concern.pk: form}, status=400
    )


def flag_for_mdt(request, pk):
    case = _open_case(request, pk, perm="caseload.change_case")
    return _action_page(
        request,
        case,
        MdtFlagForm(request.POST or None, prefix="mdt"),
        lambda data: services.flag_for_mdt(case=case, by=request.user, **data),
        done="Flagged for the MDT meeting",
        heading="Flag for an MDT meeting",
        button="Flag for the meeting",
    )


@require_POST
def record_mdt_discussion(request, pk, flag_pk):
    case = _case(request, pk, perm="caseload.change_case")
    flag = get_object_or_404(MdtFlag, pk=flag_pk, case=case)
    form = MdtOutcomeForm(request.POST, prefix=f"mdt-{flag.pk}")
    if form.is_valid():
        try:
            services.record_mdt_discussion(flag=flag, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("outcome", error)
        else:
            messages.success(request, "MDT discussion recorded")
            return redirect(case)
    return _render_case(request, case, ContactForm(), mdt_outcome_forms={flag.pk: form}, status=400)


@permission_required("caseload.view_case", raise_exception=True)
def mdt(request):
    """Cases flagged for multidisciplinary team meetings, by meeting date and
    practice: the agenda, printable."""
    flags = (
        MdtFlag.objects.filter(
            discussed_at__isnull=True,
            case__in=Case.objects.visible_to(request.user).open(),
        )
        .select_related("case__referral__patient", "case__practice", "case__link_worker")
        .order_by("meeting_on", "case__practice__name", "pk")
    )
    flags = list(flags)
    audit.record_list(request.user, flags)
    return render(request, "caseload/mdt.html", {"flags": flags})


def refer_back(request, pk):
    case = _open_case(request, pk, perm="caseload.change_case")
    return _action_page(
        request,
        case,
        ReferBackForm(request.POST or None, case=case, prefix="refer"),
        lambda data: services.refer_back(case=case, by=request.user, **data),
        done=lambda data: f"Referred back to {data['to'].full_name}",
        heading="Refer back to the GP or another clinician",
        button="Refer back",
    )


def _action_page(request, case, form, act, *, done, heading, button, warning=False):
    """One of the case's less frequent actions on its own page: GET shows
    `form`; a valid POST calls `act(cleaned_data)` (a service, which may
    refuse) and goes back to the case with the message `done` (or
    `done(cleaned_data)`). An invalid form or a refusal shows the page again
    with what was typed."""
    if request.method == "POST" and form.is_valid():
        try:
            act(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, done(form.cleaned_data) if callable(done) else done)
            return redirect(case)
    # The page names the person: a view of the case.
    audit.record(request.user, audit.VIEW, case, patient=case.patient)
    return render(
        request,
        "caseload/case_action.html",
        {
            "case": case,
            "patient": case.patient,
            "form": form,
            "heading": heading,
            "button": button,
            "warning": warning,
        },
        status=400 if form.errors else 200,
    )


@permission_required("caseload.reply_referback", raise_exception=True)
def refer_backs(request):
    """People link workers have referred back to the user, awaiting a reply first."""
    mine = ReferBack.objects.filter(
        to=request.user, case__in=Case.objects.visible_to(request.user)
    ).select_related("case__referral__patient", "sent_by")
    rows = list(mine.order_by(F("acknowledged_at").desc(nulls_first=True), "-sent_at")[:100])
    replying = None
    if request.method == "POST":
        refer = next((row for row in rows if str(row.pk) == request.POST.get("refer")), None)
        if refer is None:
            raise Http404
        replying = (refer.pk, ReplyForm(request.POST, prefix=f"reply-{refer.pk}"))
        form = replying[1]
        if form.is_valid():
            try:
                services.acknowledge_refer_back(
                    refer=refer, by=request.user, reply=form.cleaned_data["reply"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Reply sent to the link worker")
                return redirect("caseload:refer_backs")
    audit.record_list(request.user, rows)
    forms_ = dict([replying]) if replying else {}
    return render(
        request,
        "caseload/refer_backs.html",
        {
            "rows": [
                (row, forms_.get(row.pk) or ReplyForm(prefix=f"reply-{row.pk}")) for row in rows
            ],
            "form": replying[1] if replying and replying[1].errors else None,
        },
        status=400 if replying and replying[1].errors else 200,
    )


@require_POST
def resume(request, pk):
    case = _case(request, pk, perm="caseload.change_case")
    try:
        services.resume(case=case, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, "Support resumed")
    return redirect(case)


def allocate(request, reference):
    """Give a referral awaiting triage to a link worker, or the waiting list."""
    referral = get_visible_object_or_404(
        Referral.objects.select_related("patient", "practice__pcn"),
        request.user,
        perm="caseload.add_case",
        reference=reference,
    )
    if referral.status != Status.AWAITING_TRIAGE:
        case = Case.objects.visible_to(request.user).filter(referral=referral).first()
        if case is not None:
            return redirect(case)
        messages.error(request, "Only a referral awaiting triage can be allocated")
        return redirect(referral)
    data = request.POST if request.method == "POST" else None
    form = AllocateForm(data, link_workers=link_workers_of([referral.practice.pcn_id]))
    if form.is_bound and form.is_valid():
        to = form.chosen()
        try:
            case = services.allocate(
                referral=referral, to=to, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            where = f"to {to.full_name}" if to else "to the waiting list"
            messages.success(request, f"Referral {referral.reference} allocated {where}")
            return redirect(case if to == request.user else referral)
    audit.record(request.user, audit.VIEW, referral, patient=referral.patient)
    return render(
        request,
        "caseload/allocate.html",
        {"referral": referral, "patient": referral.patient, "form": form},
        status=400 if form.errors else 200,
    )


def _with_flags(cases, found):
    """`cases` (a page's rows) with their flags of `found` (caseload.flags.of)
    as attributes, as the row template reads them."""
    rows = list(cases)
    for case in rows:
        for name in flags.FLAGS:
            setattr(case, name, found[case.pk][name])
    return rows


def _open_case(request, pk, *, perm):
    """A case to act on: once it is closed nothing more happens on it, so its
    action pages are not found."""
    case = _case(request, pk, perm=perm)
    if not case.is_open:
        raise Http404("The case is closed")
    return case


def _case(request, pk, *, perm):
    # Whether the person has other cases the user sees, so that most case
    # pages (people referred once) need not look for them: 1 to 2 ms.
    others = (
        Case.objects.visible_to(request.user)
        .filter(referral__patient=OuterRef("referral__patient"))
        .exclude(pk=OuterRef("pk"))
    )
    # What the case page shows of the person, their practice and link worker,
    # and the PCN's wellbeing settings. Each table more cost PostgreSQL more to
    # plan than to run: with the referrer too, 3.3 ms to plan, 0.5 to run.
    return get_visible_object_or_404(
        Case.objects.select_related(
            "referral__patient__registered_practice",
            "link_worker",
            "practice__pcn",
        ).annotate(has_others=Exists(others)),
        request.user,
        perm=perm,
        pk=pk,
    )


def _render_case(
    request,
    case,
    contact_form,
    *,
    close_concern_forms=None,
    mdt_outcome_forms=None,
    move_forms=None,
    status=200,
):
    # Every showing of the case is a view of it, after an error too.
    audit.record(request.user, audit.VIEW, case, patient=case.patient)
    contacts = list(case.contacts.all())
    concerns = []
    if request.user.has_perm("caseload.view_safeguardingconcern"):
        concerns = list(case.concerns.all())
        # Each concern shown is a view of it: the care team's, audited.
        audit.record_list(request.user, concerns)
    close_concern_forms = close_concern_forms or {}
    concern_rows = [
        (
            concern,
            close_concern_forms.get(concern.pk) or CloseConcernForm(prefix=f"concern-{concern.pk}"),
        )
        for concern in concerns
    ]
    attempts = case.unreached_contacts
    move_forms = move_forms or {}
    connection_rows = [
        (
            connection,
            move_forms.get(connection.pk)
            or ConnectionMoveForm(connection=connection, prefix=f"connection-{connection.pk}"),
        )
        for connection in case.connections.select_related("service__organisation")
        .prefetch_related("history")
        .order_by("-created_at", "-pk")
    ]
    history = list(case.history.all())
    taken = list(case.measures.all())
    assignments = list(case.assignments.all())
    refer_backs = list(case.refer_backs.all())
    mdt_flags = list(case.mdt_flags.all())
    plans = list(case.plans.filter(number__isnull=False))
    _attach_users(
        (contacts, ["by"]),
        (concerns, ["raised_by", "closed_by"]),
        ([change for row, _ in connection_rows for change in row.history.all()], ["by"]),
        (history, ["by"]),
        (taken, ["recorded_by"]),
        (assignments, ["from_worker", "to_worker", "by"]),
        (refer_backs, ["to", "sent_by"]),
        (mdt_flags, ["flagged_by"]),
        (plans, ["agreed_by"]),
    )
    return render(
        request,
        "caseload/case_detail.html",
        {
            "case": case,
            "referral": case.referral,
            "patient": case.patient,
            "contacts": contacts,
            "attempts": attempts,
            "can_close_unable": case.is_contacting and attempts >= ATTEMPTS_BEFORE_CLOSING,
            "timeline": _timeline(
                history=history,
                assignments=assignments,
                contacts=contacts,
                plans=plans,
                connections=[connection for connection, _ in connection_rows],
                concerns=concerns,
                refer_backs=refer_backs,
                mdt_flags=mdt_flags,
                measures=taken,
            ),
            "earlier_cases": Case.objects.visible_to(request.user)
            .filter(referral__patient=case.patient)
            .exclude(pk=case.pk)
            .select_related("referral")
            .order_by("-opened_at")
            if case.has_others
            else [],
            "has_errors": status == 400,
            "decision_form": DecisionForm(),
            "form": contact_form,
            "refer_backs": refer_backs,
            "mdt_rows": [
                (
                    flag,
                    (mdt_outcome_forms or {}).get(flag.pk)
                    or MdtOutcomeForm(prefix=f"mdt-{flag.pk}"),
                )
                for flag in mdt_flags
            ],
            "bad_mdt_outcome": next(
                (form for form in (mdt_outcome_forms or {}).values() if form.errors), None
            ),
            "concern_rows": concern_rows,
            "can_see_concerns": request.user.has_perm("caseload.view_safeguardingconcern"),
            "can_raise_concern": request.user.has_perm("caseload.add_safeguardingconcern")
            and case.is_open,
            "bad_close_concern": next(
                (form for form in close_concern_forms.values() if form.errors), None
            ),
            "can_change": request.user.has_perm("caseload.change_case") and case.is_open,
            "connection_rows": connection_rows,
            "measures": taken,
            "progress": measures.progress(taken),
            "instruments": measures.available(case),
            "swemwbs": instruments.SWEMWBS,
            "bad_move": next((form for form in move_forms.values() if form.errors), None),
        },
        status=status,
    )


def _attach_users(*groups):
    """The people each list names (who recorded a contact, who held the case),
    read in one query: a join of the users' table in each of nine lists took
    longer, to build and to run, than the lists themselves (a case's contacts
    2.1 ms with their authors, 1.1 without)."""
    ids = {
        getattr(row, f"{field}_id") for rows, fields in groups for row in rows for field in fields
    }
    users = User.objects.in_bulk(ids - {None})
    for rows, fields in groups:
        for row in rows:
            for field in fields:
                setattr(row, field, users.get(getattr(row, f"{field}_id")))


def _timeline(
    *,
    history,
    assignments,
    contacts,
    plans,
    connections,
    concerns,
    refer_backs,
    mdt_flags,
    measures,
):
    """Everything that happened on the case, newest first, as (when, what, who,
    note): from the records the page already shows (a safeguarding concern
    only for those who may see it)."""
    events = [
        (change.at, change.get_to_status_display(), change.by, change.note) for change in history
    ]
    events += [
        (
            assignment.at,
            f"Held by {assignment.to_worker.full_name}"
            if assignment.to_worker
            else "Put on the waiting list",
            assignment.by,
            assignment.reason,
        )
        for assignment in assignments
    ]
    events += [
        (
            contact.at,
            f"{contact.get_outcome_display()}: {contact.get_mode_display().lower()}",
            contact.by,
            contact.notes,
        )
        for contact in contacts
    ]
    events += [
        (plan.agreed_at, f"Plan version {plan.number} agreed", plan.agreed_by, "") for plan in plans
    ]
    for connection in connections:
        for change in connection.history.all():
            what = f"{connection.service.name}: {change.get_to_status_display().lower()}"
            events.append((change.at, what, change.who, change.note))
    for concern in concerns:
        events.append((concern.raised_at, "Safeguarding concern raised", concern.raised_by, ""))
        if concern.closed_at:
            events.append((concern.closed_at, "Safeguarding concern closed", concern.closed_by, ""))
    for refer in refer_backs:
        events.append((refer.sent_at, f"Referred back to {refer.to.full_name}", refer.sent_by, ""))
        if refer.acknowledged_at:
            events.append(
                (refer.acknowledged_at, f"{refer.to.full_name} replied", refer.to, refer.reply)
            )
    for flag in mdt_flags:
        events.append(
            (flag.flagged_at, "Flagged for the MDT meeting", flag.flagged_by, flag.reason)
        )
        if flag.discussed_at:
            events.append((flag.discussed_at, "Discussed at the MDT meeting", None, flag.outcome))
    for measure in measures:
        at = timezone.make_aware(datetime.datetime.combine(measure.taken_on, datetime.time(12)))
        what = f"{measure.get_instrument_display()} {measure.get_timepoint_display().lower()}"
        score = f"Score {measure.score}" if measure.score is not None else ""
        events.append((at, what, measure.recorded_by, score))
    events.sort(key=lambda event: event[0], reverse=True)
    return [
        {
            "at": at,
            "what": what,
            "who": who if isinstance(who, str) else getattr(who, "full_name", ""),
            "note": note,
        }
        for at, what, who, note in events
    ]


def _close_form(case, data=None):
    """The close form: where each open connection ended, and why no discharge
    measure was taken when none is recorded."""
    return CloseForm(
        data,
        reasons=services.CLOSING_REASONS,
        open_connections=case.connections.filter(
            status__in=OPEN_CONNECTION_STATUSES
        ).select_related("service"),
        needs_discharge_reason=not case.measures.filter(timepoint=Timepoint.DISCHARGE).exists(),
        prefix="close",
    )


def connect(request, pk):
    """Find a service for the person: the directory's search, for their age,
    each result with its QA status and capacity, and a way to connect them."""
    case = _open_case(request, pk, perm="caseload.change_case")
    data = request.GET.copy() if request.GET else None
    if data is None:
        # At first, services for the person's age and their first need.
        needs = _needs(case)
        data = {"age": _age(case.patient)}
        if needs:
            data["need"] = needs[0]
    form = ServiceSearchForm(data)
    found = form.filter(Service.objects.visible_to(request.user).for_search())
    page = Paginator(found, 20).get_page(request.GET.get("page"))
    audit.record(request.user, audit.VIEW, case, patient=case.patient)
    return render(
        request,
        "caseload/connect.html",
        {"case": case, "patient": case.patient, "form": form, "page": page},
    )


def connect_service(request, pk, service_pk):
    """Connect the person to one service: signposted or referred."""
    case = _open_case(request, pk, perm="caseload.change_case")
    service = get_object_or_404(
        Service.objects.visible_to(request.user).with_qa_status().select_related("organisation"),
        pk=service_pk,
    )
    form = ConnectForm(request.POST or None, service=service, needs=_needs(case))
    if request.method == "POST" and form.is_valid():
        try:
            connection = connections.connect(
                case=case, service=service, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if connection.is_referral:
                messages.success(
                    request, "Referral sent: the service has been emailed a link to answer it"
                )
            else:
                messages.success(request, "Connection recorded")
            return redirect(f"{case.get_absolute_url()}#connections")
    audit.record(request.user, audit.VIEW, case, patient=case.patient)
    return render(
        request,
        "caseload/connect_service.html",
        {"case": case, "patient": case.patient, "service": service, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
def move_connection(request, pk, connection_pk):
    """The link worker records where a connection has got to."""
    case = _case(request, pk, perm="caseload.change_case")
    connection = get_object_or_404(
        Connection.objects.select_related("case"), pk=connection_pk, case=case
    )
    form = ConnectionMoveForm(
        request.POST, connection=connection, prefix=f"connection-{connection.pk}"
    )
    if form.is_valid():
        try:
            connections.move(connection=connection, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Connection updated")
            return redirect(f"{case.get_absolute_url()}#connections")
    return _render_case(request, case, ContactForm(), move_forms={connection.pk: form}, status=400)


def record_measure(request, pk, instrument):
    """Record a wellbeing measure taken with the person: every item of the
    instrument, in its own words."""
    case = _case(request, pk, perm="caseload.change_case")
    definition = next(
        (found for found in measures.available(case) if found.code == instrument), None
    )
    if definition is None or not case.is_open:
        raise Http404("No such measure for this case")
    form = MeasureForm(request.POST or None, instrument=definition)
    if request.method == "POST" and form.is_valid():
        try:
            measures.record(
                case=case,
                by=request.user,
                instrument=definition.code,
                timepoint=form.cleaned_data["timepoint"],
                taken_on=form.cleaned_data["taken_on"],
                answers=form.answers(),
            )
        except ValidationError as error:
            # A second baseline or discharge is the timepoint to change: say so
            # beside it. (A list of errors has no single code.)
            duplicate = getattr(error, "code", None) == "duplicate"
            form.add_error("timepoint" if duplicate else None, error)
        else:
            messages.success(request, f"{definition.name}: recorded")
            return redirect(f"{case.get_absolute_url()}#wellbeing")
    audit.record(request.user, audit.VIEW, case, patient=case.patient)
    return render(
        request,
        "caseload/measure_form.html",
        {
            "case": case,
            "patient": case.patient,
            "instrument": definition,
            "form": form,
            "heading": definition.name,
            "button": "Save the measure",
        },
        status=400 if form.errors else 200,
    )


def _needs(case):
    """The person's needs: their agreed plan's, or else their referral's reasons."""
    latest = plans.latest(case)
    if latest and latest.needs:
        return latest.needs
    return [row.reason for row in case.referral.reasons.all()]


def _age(patient):
    today = timezone.localdate()
    born = patient.date_of_birth
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def plan(request, pk):
    """The person's support plan: the draft, worked on with them, or the latest
    agreed version. Each form on the page posts here with its name in `form`."""
    case = _case(request, pk, perm="caseload.view_case")
    forms_ = _plan_forms(case)
    status = 200
    if request.method == "POST":
        if not request.user.has_perm("caseload.change_case"):
            raise PermissionDenied
        name = request.POST.get("form", "")
        try:
            done, forms_ = _plan_post(request, case, name, forms_)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            done = False
        if done:
            return redirect("caseload:plan", pk=case.pk)
        status = 400
    return _render_plan(request, case, forms_, status=status)


def plan_version(request, pk, number):
    case = _case(request, pk, perm="caseload.view_case")
    version = get_object_or_404(case.plans.filter(number__isnull=False), number=number)
    previous = case.plans.filter(number=number - 1).first()
    audit.record(request.user, audit.VIEW, version, patient=case.patient)
    return render(
        request,
        "caseload/plan_version.html",
        {
            "case": case,
            "patient": case.patient,
            "plan": version,
            "previous": previous,
            "changes": plans.changes(previous, version) if previous else [],
        },
    )


def _plan_forms(case, data=None, bound=""):
    """The plan page's forms, the one named `bound` bound to `data`."""
    draft = case.plans.filter(number__isnull=True).first()

    def make(name, form_class, **kwargs):
        return form_class(data if bound == name else None, **kwargs)

    initial = {}
    if draft is not None:
        initial = {
            "what_matters": draft.what_matters,
            "strengths": draft.strengths,
            "needs": draft.needs,
            "review_on": draft.review_on,
        }
    return {
        "details": make("details", PlanDetailsForm, initial=initial),
        "goal": make("goal", GoalForm, prefix="goal"),
        "action": make("action", ActionForm, prefix="action"),
        "goals": {
            goal.pk: make(
                f"goal-{goal.pk}",
                GoalUpdateForm,
                prefix=f"goal-{goal.pk}",
                initial={"status": goal.status, "progress": goal.progress},
            )
            for goal in (draft.goals.all() if draft else ())
        },
    }


# Why a plan cannot be agreed yet, shown next to the field that needs filling
# in: (the plan page's form, its field) by the refusal's code (caseload.plans).
AGREE_REFUSALS = {
    "no_what_matters": ("details", "what_matters"),
    "no_goal": ("goal", "description"),
}


def _plan_post(request, case, name, forms_):
    """Do what the form `name` asks; (done, the forms to show again)."""
    by, data = request.user, request.POST
    if name == "draft":
        plans.draft(case=case, by=by)
        return True, forms_
    if name == "agree":
        try:
            version = plans.agree(case=case, by=by)
        except ValidationError as error:
            if error.code not in AGREE_REFUSALS:
                raise
            form, field = AGREE_REFUSALS[error.code]
            refuse(forms_[form], field, error.messages[0])
            return False, forms_
        messages.success(request, f"Plan version {version.number} agreed")
        return True, forms_
    forms_ = _plan_forms(case, data, bound=name)
    if name == "details" and forms_["details"].is_valid():
        plans.save_details(case=case, by=by, **forms_["details"].cleaned_data)
        messages.success(request, "Plan saved")
        return True, forms_
    if name == "goal" and forms_["goal"].is_valid():
        plans.add_goal(case=case, by=by, **forms_["goal"].cleaned_data)
        return True, forms_
    if name == "action" and forms_["action"].is_valid():
        plans.add_action(case=case, by=by, **forms_["action"].cleaned_data)
        return True, forms_
    if name.rsplit("-", 1)[-1] != name and not name.rsplit("-", 1)[-1].isdigit():
        return False, forms_
    if name.startswith("goal-"):
        goal = get_object_or_404(Goal, pk=name.removeprefix("goal-"), plan__case=case)
        form = forms_["goals"].get(goal.pk)
        if form is not None and form.is_valid():
            plans.update_goal(goal=goal, by=by, **form.cleaned_data)
            return True, forms_
    if name.startswith(("done-action-", "undone-action-")):
        action = get_object_or_404(PlanAction, pk=name.rsplit("-", 1)[-1], plan__case=case)
        plans.set_action_done(action=action, by=by, done=name.startswith("done-"))
        return True, forms_
    if name.startswith(("remove-goal-", "remove-action-")):
        model = Goal if name.startswith("remove-goal-") else PlanAction
        item = get_object_or_404(model, pk=name.rsplit("-", 1)[-1], plan__case=case)
        plans.remove(item=item, by=by)
        return True, forms_
    return False, forms_


def _render_plan(request, case, forms_, *, status=200):
    audit.record(request.user, audit.VIEW, case, patient=case.patient)
    draft = case.plans.filter(number__isnull=True).prefetch_related("goals", "actions").first()
    bound = next(
        (form for form in [forms_["details"], forms_["goal"], forms_["action"],
                           *forms_["goals"].values()] if form.errors),
        None,
    )  # fmt: skip
    return render(
        request,
        "caseload/plan.html",
        {
            "case": case,
            "patient": case.patient,
            "draft": draft,
            "goal_forms": [(goal, forms_["goals"].get(goal.pk)) for goal in draft.goals.all()]
            if draft
            else [],
            "latest": plans.latest(case),
            "versions": case.plans.filter(number__isnull=False).select_related("agreed_by"),
            "forms": forms_,
            "form": bound,
            "can_change": request.user.has_perm("caseload.change_case") and case.is_open,
        },
        status=status,
    )


def plan_pdf(request, pk, number):
    """The person's copy of an agreed plan, as a PDF. Its file name names no one."""
    case = _case(request, pk, perm="caseload.view_case")
    version = get_object_or_404(
        case.plans.filter(number__isnull=False).select_related("agreed_by"), number=number
    )
    pdf = render_pdf(
        "caseload/plan_pdf.html",
        {"plan": version, "patient": case.patient, "link_worker": case.link_worker},
    )
    audit.record(request.user, audit.VIEW, version, patient=case.patient)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="support-plan-{number}.pdf"'
    return response


def gp_summary(request, pk):
    """The message back to the GP: a one-page closing summary for the GP record,
    printable, as much as the person agreed to share."""
    case = _case(request, pk, perm=("caseload.view_case", "referrals.code_referral"))
    if case.is_open:
        raise Http404("The summary is written when the case closes")
    audit.record(request.user, audit.VIEW, case, patient=case.patient)
    full = case.gp_gets_full_summary
    return render(
        request,
        "caseload/gp_summary.html",
        {
            "case": case,
            "referral": case.referral,
            "patient": case.patient,
            "full": full,
            "plan": plans.latest(case) if full else None,
            "contacts": case.contacts.filter(outcome=ContactOutcome.SPOKE).count()
            if full
            else None,
            "connections": case.connections.select_related("service__organisation").order_by(
                "created_at", "pk"
            )
            if full
            else [],
        },
    )


@permission_required("referrals.code_referral", raise_exception=True)
def gp_summaries(request):
    """Closed cases of the practice, newest first, each with its summary for the
    GP record: the practice's list beside its coding list."""
    cases = (
        Case.objects.visible_to(request.user)
        .filter(status=CaseStatus.CLOSED)
        .select_related("referral__patient", "practice")
        .order_by("-closed_at", "-pk")
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record_list(request.user, page)
    return render(request, "caseload/gp_summaries.html", {"page": page})


# The provider's link: no account. The signed link is the only key, so the page
# shows no more than the person agreed to share, and is never cached.


@login_not_required
@never_cache
def provider_answer(request, token):
    """A service's provider answers a referral: accept or decline it, and later
    say whether the person came. Each answer is taken once."""
    try:
        connection = providers.connection_for_link(token)
    except providers.LinkExpired as expired:
        return render(
            request,
            "caseload/provider_expired.html",
            {
                "connection": expired.connection,
                "link_worker": _referrer(expired.connection),
                "days": providers.PROVIDER_LINK_DAYS,
            },
            status=410,
        )
    except (signing.BadSignature, Connection.DoesNotExist):
        return render(request, "caseload/provider_bad_link.html", status=404)
    answer_form = ProviderAnswerForm(prefix="answer")
    attendance_form = ProviderAttendanceForm(prefix="attendance")
    status = 200
    if request.method == "POST":
        step = request.POST.get("step")
        if not connection.case.is_open:
            # connections refuse it too; this tells the provider why.
            messages.info(request, "The person's support has ended: your answer was not recorded")
            return redirect("provider:answer", token=token)
        if step not in ("answer", "attendance"):
            # Not a form this page shows: show the page as it is now.
            return redirect("provider:answer", token=token)
        if step == "answer":
            answer_form = ProviderAnswerForm(request.POST, prefix="answer")
            if answer_form.is_valid():
                data = answer_form.cleaned_data
                done = connections.provider_answer(
                    connection=connection,
                    accepted=data["answer"] == "accept",
                    reason=data["reason"],
                )
                return _answered(request, token, done)
        else:
            attendance_form = ProviderAttendanceForm(request.POST, prefix="attendance")
            if attendance_form.is_valid():
                done = connections.provider_attendance(
                    connection=connection,
                    attended=attendance_form.cleaned_data["attended"] == "yes",
                )
                return _answered(request, token, done)
        status = 400
    audit.record(None, audit.VIEW, connection, patient=connection.patient)
    return render(
        request,
        "caseload/provider.html",
        {
            "connection": connection,
            "service": connection.service,
            "patient": connection.patient if connection.share_contact_details else None,
            "link_worker": _referrer(connection),
            "answer_form": answer_form,
            "attendance_form": attendance_form,
            "form": answer_form if answer_form.errors else attendance_form,
        },
        status=status,
    )


def _answered(request, token, done):
    if done:
        messages.success(request, "Thank you: your answer has been sent to the link worker")
    else:
        messages.info(request, "This referral had already been answered: nothing was changed")
    return redirect("provider:answer", token=token)


def _referrer(connection):
    return connection.case.link_worker or connection.created_by
