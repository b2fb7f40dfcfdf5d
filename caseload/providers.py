"""What a service's provider receives about a referral: a signed link to
answer it (`provider_link`, Django's signing, no account needed) and the emails
that carry it, through an outbox: `queue` writes a ProviderMessage row in the
changing transaction and `send_provider_message` sends it after commit, once.

The emails name the service and the practice, never the person: what the
person agreed to share is behind the link.
"""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from caseload.models import PROVIDER_NO_RESPONSE_DAYS, Connection, ProviderMessage
from spl import outbox

logger = logging.getLogger(__name__)

# How long a provider's link works: long enough to answer and, later, to say
# whether the person came.
PROVIDER_LINK_DAYS = 60
_SALT = "caseload.provider-link"


# Retries with backoff: a mail server that is down for a while loses nothing,
# and `send` never sends the same email twice.
@shared_task(autoretry_for=(OSError,), retry_backoff=60, max_retries=8)
def send_provider_message(message_id):
    return send(message_id)


def provider_link(connection):
    """The provider's link to a referral: the connection's id, signed and
    timed (nothing about the person is in it)."""
    token = signing.TimestampSigner(salt=_SALT).sign_object(connection.pk)
    return settings.SITE_URL + reverse("provider:answer", args=[token])


class LinkExpired(Exception):
    """A genuine link, too old. Carries the connection, so the page can say
    whom to ask."""

    def __init__(self, connection):
        super().__init__("The provider's link has expired")
        self.connection = connection


def connection_for_link(token):
    """The connection a provider's link names. Raises signing.BadSignature for a
    link that was altered or made up, LinkExpired for one too old, and
    Connection.DoesNotExist when its connection is gone."""
    signer = signing.TimestampSigner(salt=_SALT)
    try:
        pk = signer.unsign_object(token, max_age=datetime.timedelta(days=PROVIDER_LINK_DAYS))
    except signing.SignatureExpired:
        raise LinkExpired(_for_link(signer.unsign_object(token))) from None
    return _for_link(pk)


def _for_link(pk):
    if not isinstance(pk, int):
        raise signing.BadSignature("Not a connection id")
    return Connection.objects.select_related(
        "service__organisation",
        "case__referral__patient",
        "case__link_worker",
        "case__practice",
        "created_by",
    ).get(pk=pk)


def send(message_id):
    """Send a queued email to a provider once (spl.outbox); False when it was
    sent before."""
    message = outbox.send_once(
        ProviderMessage.objects.select_related(
            "connection__service", "connection__case__link_worker", "connection__case__practice"
        ),
        message_id,
        _render,
    )
    if message is None:
        return False
    logger.info("Provider message %s (%s) sent", message.pk, message.kind)
    return True


def _render(message):
    """The email: the service, who referred and the link. Never the person's
    name or details: those are behind the link, for the service to see once it
    opens it."""
    connection = message.connection
    context = {
        "reminder": message.kind == ProviderMessage.Kind.REMINDER,
        "service": connection.service,
        "practice": connection.case.practice,
        "link_worker": connection.case.link_worker or connection.created_by,
        "referred_on": connection.referred_at,
        "link": provider_link(connection),
        "expires_days": PROVIDER_LINK_DAYS,
        "no_response_days": PROVIDER_NO_RESPONSE_DAYS,
        "service_name": settings.SERVICE_NAME,
    }
    subject = (
        "Reminder: a referral to {service} is waiting for your answer"
        if context["reminder"]
        else "A referral to {service}"
    ).format(service=connection.service.name)
    return subject, render_to_string("emails/provider_referral.txt", context)


def queue(connection, kind):
    """Write the outbox row for an email of `kind` and send it after commit;
    None when it was queued before. Call inside the changing transaction."""
    message, created = ProviderMessage.objects.get_or_create(
        connection=connection,
        kind=kind,
        defaults={"to_email": connection.service.referral_email},
    )
    if not created:
        return None
    transaction.on_commit(lambda: send_provider_message.delay(message.pk))
    return message
