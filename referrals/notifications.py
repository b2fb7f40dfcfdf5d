"""Emails to referrers about their referrals.

Services write a `Notification` row in the same transaction as the change
(`queue(...)`) and enqueue `referrals.tasks.send_notification`, which sends it
after commit (`send(...)`). Dependencies run services -> tasks -> notifications.

What an email may say depends on where it goes. Addresses outside the NHS
(settings.NHS_EMAIL_DOMAINS) get the reference and status only, addressed by
first name: never clinical detail, the person's full name, date of birth, NHS
number or the link worker's notes. NHS addresses also get who the referral is for
and the link worker's note on the decision, so a GP can act on it.
"""

import logging

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from referrals.models import Notification, Route, Status
from spl import outbox

logger = logging.getLogger(__name__)

# The status changes a referrer hears about, and the kind of email each sends.
KIND_FOR_STATUS = {
    Status.ACCEPTED: Notification.Kind.ACCEPTED,
    Status.DECLINED: Notification.Kind.DECLINED,
    Status.NOT_APPROPRIATE: Notification.Kind.NOT_APPROPRIATE,
    Status.CLOSED: Notification.Kind.CLOSED,
}

SUBJECTS = {
    Notification.Kind.RECEIVED: "We have received your referral {reference}",
    Notification.Kind.ACCEPTED: "Referral {reference}: accepted",
    Notification.Kind.DECLINED: "Referral {reference}: the person declined",
    Notification.Kind.NOT_APPROPRIATE: "Referral {reference}: redirected to other support",
    Notification.Kind.CLOSED: "Referral {reference}: support has ended",
}


def is_nhs_address(email):
    domain = email.rsplit("@", 1)[-1].lower()
    return any(domain == d or domain.endswith(f".{d}") for d in settings.NHS_EMAIL_DOMAINS)


def recipient(referral):
    """(email, first name, whether it is the person referred) or None: the account
    that referred, or the referrer's email as given (for self-referrals, the
    person's own)."""
    if referral.referred_by_id:
        user = referral.referred_by
        return user.email, user.get_short_name(), False
    if referral.referrer_email:
        first_name = referral.referrer_name.split(" ")[0] if referral.referrer_name else ""
        return referral.referrer_email, first_name, referral.route == Route.SELF
    return None


def queue(referral, kind):
    """Write the row for an email of `kind` about `referral` to its referrer.
    Returns it, or None when there is no address or it was queued before. Call
    inside the changing transaction."""
    to = recipient(referral)
    if to is None:
        return None
    notification, created = Notification.objects.get_or_create(
        referral=referral, kind=kind, defaults={"to_email": to[0]}
    )
    return notification if created else None


def send(notification_id):
    """Send a queued email once (spl.outbox); False when it was sent before."""
    notification = outbox.send_once(
        Notification.objects.select_related("referral__patient", "referral__referred_by"),
        notification_id,
        render,
    )
    if notification is None:
        return False
    logger.info("Notification %s (%s) sent", notification.pk, notification.kind)
    return True


def render(notification):
    referral = notification.referral
    to = recipient(referral)
    nhs = is_nhs_address(notification.to_email)
    context = {
        "kind": notification.kind,
        "reference": referral.reference,
        "first_name": to[1] if to else "",
        "to_person": bool(to and to[2]),
        "nhs": nhs,
        "service_name": settings.SERVICE_NAME,
    }
    if nhs:
        context |= {
            "patient": referral.patient,
            "decision_note": _decision_note(referral),
            "link": settings.SITE_URL
            + reverse("referrals:referral_mine_detail", args=[referral.reference])
            if referral.referred_by_id
            else "",
        }
    subject = SUBJECTS[notification.kind].format(reference=referral.reference)
    return subject, render_to_string("emails/referral_notification.txt", context)


def _decision_note(referral):
    change = (
        referral.history.filter(to_status=referral.status)
        .exclude(note="")
        .order_by("-at", "-id")
        .first()
    )
    return change.note if change else ""
