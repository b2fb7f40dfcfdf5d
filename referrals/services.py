"""Writes to referrals: intake and triage. Every status change writes a history
row and an audit event in the same transaction."""

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from referrals import notifications, signals, tasks
from referrals.models import (
    OPEN_STATUSES,
    UNDECIDED_STATUSES,
    Notification,
    Patient,
    Referral,
    ReferralReason,
    ReferralStatusChange,
    Route,
    Snomed,
    Status,
)
from spl import audit

logger = logging.getLogger(__name__)


# Details compared when someone outside the PCN refers a person we know.
_COMPARED_FIELDS = (
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "phone",
    "email",
    "registered_practice",
)


def patient_for_outside_referral(patient):
    """The Patient to refer, given the details an agency, the public or another system sent.

    They cannot see our records, so what they send never changes one. An NHS number
    we hold, with the same date of birth, is that person: the referral joins their
    record, and any details that differ (including the practice) are returned in the note for the
    link worker to check. An NHS number we hold with another date of birth is
    probably mistyped: the person is recorded without it, and the note says so.
    Returns (patient, note); the patient may be unsaved.
    """
    if not patient.nhs_number:
        return patient, ""
    known = Patient.objects.filter(nhs_number=patient.nhs_number).first()
    if known is None:
        return patient, ""
    if known.date_of_birth != patient.date_of_birth:
        patient.nhs_number = ""
        return patient, (
            "The NHS number sent belongs to a record with another date of birth, "
            "so it was not stored. Check it with the person."
        )
    differences = [
        f"{Patient._meta.get_field(name).verbose_name}: {getattr(patient, name)}"
        for name in _COMPARED_FIELDS
        if getattr(patient, name) and getattr(patient, name) != getattr(known, name)
    ]
    if not differences:
        return known, ""
    return known, "Details sent that differ from the record: " + "; ".join(differences)


@transaction.atomic
def create_referral(*, patient, route, reasons, by=None, intake_note="", **details):
    """Record a new referral for `patient` (saved or not) awaiting triage.

    `reasons` are Reason values; `details` are Referral fields (urgency, notes,
    consent_to_contact, referrer_...). `intake_note` goes on the first history
    row. Raises ValidationError without consent.
    """
    if not details.get("consent_to_contact"):
        raise ValidationError(
            "Confirm the person has agreed to be contacted by a link worker",
            code="no_consent",
        )
    if not reasons:
        raise ValidationError("Choose at least one reason for the referral", code="no_reason")
    patient.full_clean()
    is_new_patient = patient.pk is None
    patient.save()
    referral = Referral.objects.create(
        patient=patient,
        route=route,
        referred_by=by if by is not None and by.is_authenticated else None,
        **details,
    )
    ReferralReason.objects.bulk_create(
        ReferralReason(
            referral=referral,
            reason=reason,
            practice_id=referral.practice_id,
            received_at=referral.received_at,
        )
        for reason in dict.fromkeys(reasons)
    )
    note = "Referral received" + (f". {intake_note}" if intake_note else "")
    _record_change(referral, from_status="", by=by, note=note)
    if is_new_patient:
        audit.record(by, audit.CREATE, patient, patient=patient)
    audit.record(by, audit.CREATE, referral, patient=patient)
    if route in (Route.AGENCY, Route.SELF):
        # Clinicians see the reference on screen and systems in the response;
        # people without an account are told by email, when they gave one.
        _tell_referrer(referral, Notification.Kind.RECEIVED)
    logger.info("Referral %s received by route %s", referral.pk, route)
    return referral


EPISODE_OPEN = "This person already has an accepted referral. Merge this one into it instead."


@transaction.atomic
def accept_referral(*, referral, by, note=""):
    """The person has agreed to support: code the referral for the GP record.

    One accepted referral per person is a constraint in the database; checking
    first gives the usual answer a message, and the constraint decides a race
    between two link workers accepting at the same moment.
    """
    if Referral.objects.filter(patient=referral.patient, status=Status.ACCEPTED).exists():
        raise ValidationError(EPISODE_OPEN, code="episode_open")
    try:
        with transaction.atomic():
            referral = _triage(
                referral,
                Status.ACCEPTED,
                by=by,
                note=note,
                code=Snomed.REFERRAL_TO_SOCIAL_PRESCRIBING,
                from_statuses=UNDECIDED_STATUSES,
            )
    except IntegrityError as error:
        raise ValidationError(EPISODE_OPEN, code="episode_open") from error
    signals.referral_accepted.send(sender=Referral, referral=referral, by=by)
    return referral


@transaction.atomic
def record_declined(*, referral, by, note=""):
    return _triage(
        referral,
        Status.DECLINED,
        by=by,
        note=note,
        code=Snomed.SOCIAL_PRESCRIBING_DECLINED,
        from_statuses=UNDECIDED_STATUSES,
    )


@transaction.atomic
def allocate_referral(*, referral, by, note=""):
    """The referral goes to a link worker (or the PCN's waiting list) to contact
    the person, who has not yet said whether they want support."""
    return _triage(referral, Status.ALLOCATED, by=by, note=note)


@transaction.atomic
def close_referral(*, referral, by, note):
    """Support has ended, or never began (the person could not be contacted):
    the referral is closed and its referrer told."""
    return _triage(
        referral,
        Status.CLOSED,
        by=by,
        note=note,
        code=referral.snomed_code,
        from_statuses=(Status.ALLOCATED, Status.ACCEPTED),
    )


@transaction.atomic
def mark_not_appropriate(*, referral, by, reason):
    if not reason.strip():
        raise ValidationError("Say why the referral is not appropriate, and where it went instead")
    return _triage(referral, Status.NOT_APPROPRIATE, by=by, note=reason.strip())


@transaction.atomic
def merge_referral(*, referral, into, by):
    """A second referral for someone already referred: fold it into the first."""
    same_pcn = (
        into.patient.registered_practice.pcn_id == referral.patient.registered_practice.pcn_id
    )
    if into.pk == referral.pk or not same_pcn or into.status not in OPEN_STATUSES:
        raise ValidationError("Choose another open referral in your PCN to merge this one into")
    merged = _triage(
        referral, Status.MERGED, by=by, note=f"Merged into {into.reference}", merged_into=into
    )
    _record_change(
        into, from_status=into.status, by=by, note=f"{referral.reference} merged into this referral"
    )
    return merged


@transaction.atomic
def withdraw_referral(*, referral, by, reason):
    """The referrer takes back a referral that no link worker has triaged yet."""
    if not reason.strip():
        raise ValidationError("Say why you are withdrawing the referral")
    return _triage(referral, Status.WITHDRAWN, by=by, note=reason.strip())


@transaction.atomic
def add_information(*, referral, by, text):
    """The referrer adds to a referral awaiting triage. It goes on the notes, where
    link workers read the referral, signed and dated; the history says it came."""
    referral = Referral.objects.select_for_update().select_related("patient").get(pk=referral.pk)
    if referral.status != Status.AWAITING_TRIAGE:
        raise ValidationError(
            "A link worker has already triaged this referral. "
            "Contact your PCN's link workers to tell them more.",
            code="already_triaged",
        )
    today = date_format(timezone.localdate(), "j F Y")
    signed = f"Added by {by.full_name}, {today}:\n{text.strip()}"
    referral.notes = f"{referral.notes}\n\n{signed}" if referral.notes else signed
    referral.save(update_fields=["notes"])
    _record_change(
        referral,
        from_status=referral.status,
        by=by,
        note="More information added by the referrer",
    )
    audit.record(by, audit.UPDATE, referral, patient=referral.patient)
    return referral


@transaction.atomic
def mark_coded_in_gp_record(*, referral, by):
    """Practice staff have added the referral's SNOMED code to the GP record
    (the PRSB "message back to GP"). Marking twice keeps the first time."""
    if not referral.snomed_code:
        raise ValidationError("This referral has no code to add to the GP record")
    updated = Referral.objects.filter(pk=referral.pk, coded_in_gp_record_at__isnull=True).update(
        coded_in_gp_record_at=timezone.now(), coded_in_gp_record_by=by
    )
    if not updated:
        raise ValidationError("This referral is already marked as coded", code="already_coded")
    referral.refresh_from_db()
    audit.record(by, audit.UPDATE, referral, patient=referral.patient)
    logger.info("Referral %s marked as coded in the GP record by user %s", referral.pk, by.pk)
    return referral


def _triage(
    referral,
    to_status,
    *,
    by,
    note="",
    code="",
    merged_into=None,
    from_statuses=(Status.AWAITING_TRIAGE,),
):
    # Claim the decision with a conditional update: of two link workers triaging
    # at once, the row count tells who won. Status and merge target change in one
    # statement, as the database's check constraint requires. A code already
    # given (on closing an accepted referral) keeps its date.
    from_status = referral.status
    updated = Referral.objects.filter(
        pk=referral.pk, status=from_status, status__in=from_statuses
    ).update(
        status=to_status,
        snomed_code=code,
        coded_on=(referral.coded_on or timezone.localdate()) if code else None,
        merged_into=merged_into,
    )
    if not updated:
        raise ValidationError(
            "This referral has already been triaged. Refresh the page to see its status.",
            code="already_triaged",
        )
    referral.refresh_from_db()
    _record_change(referral, from_status=from_status, by=by, note=note)
    audit.record(by, audit.UPDATE, referral, patient=referral.patient)
    if to_status in notifications.KIND_FOR_STATUS:
        _tell_referrer(referral, notifications.KIND_FOR_STATUS[to_status])
    logger.info("Referral %s triaged as %s by user %s", referral.pk, to_status, by.pk)
    return referral


def _tell_referrer(referral, kind):
    """Queue an email to the referrer, sent by the worker once this commits."""
    notification = notifications.queue(referral, kind)
    if notification is not None:
        transaction.on_commit(lambda: tasks.send_notification.delay(notification.pk))


def _record_change(referral, *, from_status, by, note=""):
    ReferralStatusChange.objects.create(
        referral=referral,
        from_status=from_status,
        to_status=referral.status,
        by=by if by is not None and by.is_authenticated else None,
        note=note,
    )
