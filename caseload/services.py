"""Everything that changes a case, with its history and audit trail.

Views call these with values and the acting user; each runs in one
transaction. What the person decides about support is recorded on their
referral through referrals.services, so the SNOMED codes, the referrer's
notification and the referral's history stay where they are (decision 12).
"""

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from caseload import connections
from caseload.models import (
    ATTEMPTS_BEFORE_CLOSING,
    Case,
    CaseAssignment,
    CaseStatus,
    CaseStatusChange,
    CloseReason,
    Contact,
    ContactOutcome,
    MdtFlag,
    ReferBack,
    SafeguardingConcern,
    ShareWithGp,
)
from referrals import services as referrals
from referrals.models import Referral, Status
from spl import audit

logger = logging.getLogger(__name__)

ALREADY_ALLOCATED = "This referral already has a case. Refresh the page to see it."


@transaction.atomic
def allocate(*, referral, to, by, reason=""):
    """Open the case for `referral`, held by link worker `to`, or on the PCN's
    waiting list when `to` is None. The referral must be awaiting triage."""
    if Referral.objects.filter(patient=referral.patient, status=Status.ACCEPTED).exists():
        raise ValidationError(
            "This person already has an accepted referral and a case. Merge this referral "
            "into it instead.",
            code="episode_open",
        )
    if to is not None and not _can_see(to, Referral, referral):
        raise ValidationError(f"{to.full_name} cannot see this person's records", code="scope")
    referrals.allocate_referral(
        referral=referral,
        by=by,
        note=f"Allocated to {to.full_name}" if to else "Put on the waiting list",
    )
    try:
        with transaction.atomic():
            case = Case.objects.create(
                referral=referral, practice_id=referral.practice_id, link_worker=to
            )
    except IntegrityError as error:  # one case per referral
        raise ValidationError(ALREADY_ALLOCATED, code="already_allocated") from error
    _record_status(case, from_status="", by=by, note="Case opened")
    _record_assignment(case, from_worker=None, by=by, reason=reason)
    audit.record(by, audit.CREATE, case, patient=referral.patient)
    logger.info("Case %s opened for referral %s by user %s", case.pk, referral.pk, by.pk)
    return case


def open_for_accepted(*, referral, by):
    """A referral accepted on the triage page, the person having already agreed:
    its case opens active, held by whoever accepted it. Nothing happens when
    the case exists (the person agreed on their case)."""
    if Case.objects.filter(referral=referral).exists():
        return None
    case = Case.objects.create(
        referral=referral,
        practice_id=referral.practice_id,
        link_worker=by,
        status=CaseStatus.ACTIVE,
    )
    _record_status(case, from_status="", by=by, note="Case opened: the person agreed at triage")
    _record_assignment(case, from_worker=None, by=by)
    audit.record(by, audit.CREATE, case, patient=referral.patient)
    return case


@transaction.atomic
def take(*, case, by):
    """A link worker takes a case from the waiting list."""
    updated = Case.objects.filter(pk=case.pk, link_worker__isnull=True, status__in=_open()).update(
        link_worker=by
    )
    if not updated:
        raise ValidationError(
            "Another link worker has taken this case. It is no longer on the waiting list.",
            code="taken",
        )
    case.refresh_from_db()
    _record_assignment(case, from_worker=None, by=by, reason="Taken from the waiting list")
    audit.record(by, audit.UPDATE, case, patient=case.referral.patient)
    return case


@transaction.atomic
def reassign(*, case, to, by, reason):
    """Give an open case to another link worker, or back to the waiting list."""
    if not reason.strip():
        raise ValidationError("Say why the case is being reassigned", code="no_reason")
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_open:
        raise ValidationError("This case is closed", code="closed")
    if case.link_worker_id == (to.pk if to else None):
        raise ValidationError("The case is already there", code="unchanged")
    if to is not None and not _can_see(to, Case, case):
        raise ValidationError(f"{to.full_name} cannot see this person's records", code="scope")
    from_worker = case.link_worker
    case.link_worker = to
    case.save(update_fields=["link_worker"])
    _record_assignment(case, from_worker=from_worker, by=by, reason=reason.strip())
    audit.record(by, audit.UPDATE, case, patient=case.referral.patient)
    return case


@transaction.atomic
def record_contact(*, case, by, mode, outcome, at=None, duration_minutes=None, notes=""):
    """A contact, or an attempt at one, with the person."""
    case = _locked(case)
    at = at or timezone.now()
    if at > timezone.now():
        raise ValidationError("The contact's date and time must be in the past", code="future")
    contact = Contact(
        case=case,
        at=at,
        mode=mode,
        outcome=outcome,
        duration_minutes=duration_minutes,
        notes=notes.strip(),
        by=by,
    )
    contact.full_clean()
    contact.save()
    audit.record(by, audit.CREATE, contact, patient=case.referral.patient)
    return contact


@transaction.atomic
def person_agreed(*, case, by, note="", share_with_gp=""):
    """At a first conversation the person agreed to support: their referral is
    accepted (and coded) and the case becomes active. `share_with_gp` is what
    they agreed their GP is told at closure (ShareWithGp; blank: not asked)."""
    case = _locked_open(case)
    if case.status != CaseStatus.CONTACTING:
        raise ValidationError("The person has already agreed to support", code="agreed")
    if share_with_gp not in ("", *ShareWithGp.values):
        raise ValidationError("Choose what the GP is told", code="share")
    referrals.accept_referral(referral=case.referral, by=by, note=note)
    case.share_with_gp = share_with_gp
    case.save(update_fields=["share_with_gp"])
    return _set_status(case, CaseStatus.ACTIVE, by=by, note="The person agreed to support")


@transaction.atomic
def person_declined(*, case, by, note=""):
    """The person does not want support: their referral records the decline (and
    its code) and the case closes."""
    case = _locked_open(case)
    if case.status != CaseStatus.CONTACTING:
        raise ValidationError(
            "The person has already agreed to support. Close the case instead.", code="agreed"
        )
    referrals.record_declined(referral=case.referral, by=by, note=note)
    return _close(case, CloseReason.DECLINED, by=by, summary=note)


@transaction.atomic
def put_on_hold(*, case, by, reason, resume_on):
    """Pause an active case (the person is in hospital, say) until `resume_on`."""
    if not reason.strip():
        raise ValidationError("Say why support is on hold", code="no_reason")
    if resume_on <= timezone.localdate():
        raise ValidationError("The date to resume must be in the future", code="past")
    case = _locked_open(case)
    if case.status != CaseStatus.ACTIVE:
        raise ValidationError("Only an active case can be put on hold", code="not_active")
    case.hold_reason, case.resume_on = reason.strip(), resume_on
    case.save(update_fields=["hold_reason", "resume_on"])
    note = f"{reason.strip()}. Resume on {resume_on:%-d %B %Y}"
    return _set_status(case, CaseStatus.ON_HOLD, by=by, note=note)


@transaction.atomic
def resume(*, case, by):
    case = _locked_open(case)
    if case.status != CaseStatus.ON_HOLD:
        raise ValidationError("This case is not on hold", code="not_on_hold")
    case.hold_reason, case.resume_on = "", None
    case.status = CaseStatus.ACTIVE
    case.save(update_fields=["hold_reason", "resume_on", "status"])
    _record_status(case, from_status=CaseStatus.ON_HOLD, by=by, note="Support resumed")
    audit.record(by, audit.UPDATE, case, patient=case.referral.patient)
    return case


# Reasons to close a case from its page; declining and being unable to reach the
# person have their own steps, which record them on the referral too.
CLOSING_REASONS = [
    reason
    for reason in CloseReason
    if reason not in (CloseReason.DECLINED, CloseReason.UNABLE_TO_CONTACT)
]


@transaction.atomic
def close(*, case, by, reason, summary, final=None, no_discharge_measure=""):
    """End support: the case closes with its reason and summary, and so does the
    referral, whose referrer is told (the status only, outside the NHS). Its
    connections still open take their final states from `final` ({connection
    id: ConnectionStatus}), or end. `no_discharge_measure` says why no
    discharge wellbeing measure was taken, when none was."""
    if reason not in CLOSING_REASONS:
        raise ValidationError("Choose why the case is closing", code="reason")
    if not summary.strip():
        raise ValidationError("Write a closing summary", code="no_summary")
    case = _locked_open(case)
    label = CloseReason(reason).label
    referrals.close_referral(referral=case.referral, by=by, note=f"Case closed: {label}")
    case.no_discharge_measure = no_discharge_measure.strip()
    return _close(case, reason, by=by, summary=summary.strip(), final=final)


@transaction.atomic
def raise_concern(
    *, case, by, category, what_happened, action_taken="", escalated_to="", follow_up_on=None
):
    """Record a safeguarding concern: it flags the case until it is closed."""
    case = _locked(case)
    concern = SafeguardingConcern(
        case=case,
        category=category,
        what_happened=what_happened.strip(),
        action_taken=action_taken.strip(),
        escalated_to=escalated_to,
        follow_up_on=follow_up_on,
        raised_by=by,
    )
    concern.full_clean()
    concern.save()
    audit.record(by, audit.CREATE, concern, patient=case.referral.patient)
    logger.info("Safeguarding concern %s raised on case %s by user %s", concern.pk, case.pk, by.pk)
    return concern


@transaction.atomic
def close_concern(*, concern, by, outcome):
    if not outcome.strip():
        raise ValidationError("Say what the outcome was", code="no_outcome")
    updated = SafeguardingConcern.objects.filter(pk=concern.pk, closed_at__isnull=True).update(
        closed_at=timezone.now(), closed_by=by, outcome=outcome.strip()
    )
    if not updated:
        raise ValidationError("This concern is already closed", code="closed")
    concern.refresh_from_db()
    audit.record(by, audit.UPDATE, concern, patient=concern.case.referral.patient)
    return concern


@transaction.atomic
def flag_for_mdt(*, case, by, reason, meeting_on):
    """Put an open case on the agenda of a multidisciplinary team meeting."""
    case = _locked(case)
    if meeting_on < timezone.localdate():
        raise ValidationError("The meeting date must be today or later", code="past")
    flag = MdtFlag(case=case, reason=reason.strip(), meeting_on=meeting_on, flagged_by=by)
    flag.full_clean()
    flag.save()
    audit.record(by, audit.UPDATE, case, patient=case.referral.patient)
    return flag


@transaction.atomic
def record_mdt_discussion(*, flag, by, outcome):
    if not outcome.strip():
        raise ValidationError("Say what the meeting decided", code="no_outcome")
    updated = MdtFlag.objects.filter(pk=flag.pk, discussed_at__isnull=True).update(
        discussed_at=timezone.now(), outcome=outcome.strip()
    )
    if not updated:
        raise ValidationError("This discussion is already recorded", code="discussed")
    flag.refresh_from_db()
    audit.record(by, audit.UPDATE, flag.case, patient=flag.case.referral.patient)
    return flag


@transaction.atomic
def refer_back(*, case, by, to, reason, urgency):
    """Refer the person back to a clinician of their PCN, who replies from their list."""
    case = _locked(case)
    if not _can_see(to, Case, case):
        raise ValidationError(f"{to.full_name} cannot see this person's records", code="scope")
    refer = ReferBack(case=case, to=to, reason=reason.strip(), urgency=urgency, sent_by=by)
    refer.full_clean()
    refer.save()
    audit.record(by, audit.UPDATE, case, patient=case.referral.patient)
    return refer


@transaction.atomic
def acknowledge_refer_back(*, refer, by, reply):
    """The clinician it went to replies; the case shows the reply."""
    if refer.to_id != by.pk:
        raise ValidationError("Only the clinician it was sent to can reply", code="not_yours")
    if not reply.strip():
        raise ValidationError("Write a reply for the link worker", code="no_reply")
    updated = ReferBack.objects.filter(pk=refer.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now(), reply=reply.strip()
    )
    if not updated:
        raise ValidationError("You have already replied", code="replied")
    refer.refresh_from_db()
    audit.record(by, audit.UPDATE, refer.case, patient=refer.case.referral.patient)
    return refer


def unsuccessful_attempts(case):
    return case.contacts.exclude(outcome=ContactOutcome.SPOKE).count()


@transaction.atomic
def close_unable_to_contact(*, case, by):
    """After ATTEMPTS_BEFORE_CLOSING attempts without reaching the person, and
    before they agreed to support: the case closes, and so does the referral,
    without a code."""
    case = _locked_open(case)
    if case.status != CaseStatus.CONTACTING:
        raise ValidationError(
            "The person agreed to support. Close the case with another reason.", code="agreed"
        )
    attempts = unsuccessful_attempts(case)
    if attempts < ATTEMPTS_BEFORE_CLOSING:
        raise ValidationError(
            f"Record {ATTEMPTS_BEFORE_CLOSING} attempts to contact the person before "
            f"closing the case as unable to contact ({attempts} so far)",
            code="too_few_attempts",
        )
    note = f"Unable to contact after {attempts} attempts"
    referrals.close_referral(referral=case.referral, by=by, note=note)
    return _close(case, CloseReason.UNABLE_TO_CONTACT, by=by, summary=note)


def _locked(case):
    """The case, locked until the transaction ends, if it is still open."""
    case = Case.objects.select_for_update().select_related("referral__patient").get(pk=case.pk)
    if not case.is_open:
        raise ValidationError("This case is closed", code="closed")
    return case


def _can_see(user, model, record):
    return model.objects.visible_to(user).filter(pk=record.pk).exists()


def _open():
    return (CaseStatus.CONTACTING, CaseStatus.ACTIVE, CaseStatus.ON_HOLD)


def _locked_open(case):
    case = Case.objects.select_for_update().select_related("referral__patient").get(pk=case.pk)
    if not case.is_open:
        raise ValidationError("This case is closed", code="closed")
    if case.referral.status not in (Status.ALLOCATED, Status.ACCEPTED):
        raise ValidationError("This case's referral is no longer open", code="referral_closed")
    return case


def _set_status(case, to_status, *, by, note=""):
    from_status = case.status
    case.status = to_status
    case.save(update_fields=["status"])
    _record_status(case, from_status=from_status, by=by, note=note)
    audit.record(by, audit.UPDATE, case, patient=case.referral.patient)
    return case


def _close(case, reason, *, by, summary="", final=None):
    connections.end_open_connections(case=case, by=by, final=final or {})
    from_status = case.status
    case.status = CaseStatus.CLOSED
    case.closed_at = timezone.now()
    case.close_reason = reason
    case.closing_summary = summary
    case.save(
        update_fields=[
            "status",
            "closed_at",
            "close_reason",
            "closing_summary",
            "no_discharge_measure",
        ]
    )
    _record_status(case, from_status=from_status, by=by, note=CloseReason(reason).label)
    audit.record(by, audit.UPDATE, case, patient=case.referral.patient)
    logger.info("Case %s closed (%s) by user %s", case.pk, reason, by.pk)
    return case


def _record_status(case, *, from_status, by, note=""):
    CaseStatusChange.objects.create(
        case=case, from_status=from_status, to_status=case.status, by=by, note=note
    )


def _record_assignment(case, *, from_worker, by, reason=""):
    CaseAssignment.objects.create(
        case=case, from_worker=from_worker, to_worker=case.link_worker, by=by, reason=reason
    )
