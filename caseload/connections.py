"""Connecting a person to VCSE services, and the provider's answers.

A link worker signposts the person to a service (gives them its details) or
refers them (the service is sent a referral). The directory's one rule,
`Service.direct_referral_barrier()`, decides whether a referral is possible; a
service that says it is full may still be referred to with a reason.

A referral emails the service's referral address a link signed with Django's
signing (caseload.providers), which expires after PROVIDER_LINK_DAYS. Through it
the provider, who has no account, sees only what the person agreed to share,
accepts or declines with a reason, and later says whether the person attended.
Each answer is taken once: a second answer to the same question changes
nothing, and nor does any answer once the person's case has closed (closing
leaves each connection in one of CONNECTION_ENDINGS). A provider who has not
answered is reminded once after PROVIDER_REMINDER_DAYS; after
PROVIDER_NO_RESPONSE_DAYS the connection is "no response", which flags the
case (`chase_providers`, run daily).

The link and the emails are caseload.providers'. Dependencies run one way:
tasks -> connections -> providers.
"""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from caseload import providers
from caseload.models import (
    CONNECTION_ENDINGS,
    CONNECTION_MOVES,
    OPEN_CASE_STATUSES,
    OPEN_CONNECTION_STATUSES,
    PROVIDER_NO_RESPONSE_DAYS,
    PROVIDER_REMINDER_DAYS,
    SYSTEM_ONLY_STATUSES,
    Connection,
    ConnectionKind,
    ConnectionStatus,
    ConnectionStatusChange,
    ProviderMessage,
)
from spl import audit

logger = logging.getLogger(__name__)


@transaction.atomic
def connect(
    *,
    case,
    service,
    by,
    kind,
    need,
    why,
    capacity_reason="",
    share_contact_details=False,
    message="",
):
    """Record a connection from an open case to `service`. A referral is
    emailed to the service after commit."""
    if not case.is_open:
        raise ValidationError("This case is closed", code="closed")
    if not why.strip():
        raise ValidationError("Say why this service", code="no_reason")
    now = timezone.now()
    if kind == ConnectionKind.REFERRED:
        barrier = service.direct_referral_barrier(count_capacity=False)
        if barrier:
            raise ValidationError(
                f"You cannot refer to {service.name}: {barrier} Signpost the person instead.",
                code="barrier",
            )
        if service.direct_referral_barrier() and not capacity_reason.strip():
            raise ValidationError(
                f"{service.name} is not accepting new referrals now. "
                "Say why you are referring anyway",
                code="full",
            )
    else:
        capacity_reason, share_contact_details, message = "", False, ""
    connection = Connection(
        case=case,
        service=service,
        kind=kind,
        need=need,
        why=why.strip(),
        capacity_reason=capacity_reason.strip(),
        share_contact_details=share_contact_details,
        message=message.strip(),
        status=ConnectionStatus.REFERRED
        if kind == ConnectionKind.REFERRED
        else ConnectionStatus.SUGGESTED,
        created_by=by,
        created_at=now,
        referred_at=now if kind == ConnectionKind.REFERRED else None,
    )
    connection.full_clean()
    connection.save()
    _record(connection, from_status="", by=by, note=connection.why)
    if connection.is_referral:
        providers.queue(connection, ProviderMessage.Kind.REFERRAL)
    audit.record(by, audit.CREATE, connection, patient=case.patient)
    logger.info(
        "Connection %s (%s) made for case %s by user %s", connection.pk, kind, case.pk, by.pk
    )
    return connection


@transaction.atomic
def move(*, connection, to, by, note=""):
    """The link worker records where a connection has got to (the provider
    said so on the phone, the person went, it has ended)."""
    if not connection.case.is_open:
        raise ValidationError("This case is closed", code="closed")
    if to in SYSTEM_ONLY_STATUSES:
        raise ValidationError(
            f"SPL marks a referral {ConnectionStatus(to).label.lower()} after "
            f"{PROVIDER_NO_RESPONSE_DAYS} days without an answer",
            code="not_allowed",
        )
    return _move(connection, to, by=by, note=note.strip())


@transaction.atomic
def provider_answer(*, connection, accepted, reason=""):
    """The provider accepts or declines the referral through their link. An
    answer already given stands: returns False and changes nothing."""
    if not accepted and not reason.strip():
        raise ValidationError("Say why you cannot take this referral", code="no_reason")
    to = ConnectionStatus.ACCEPTED if accepted else ConnectionStatus.DECLINED
    changed = _move(
        connection,
        to,
        by=None,
        note=reason.strip(),
        only_from=(ConnectionStatus.REFERRED, ConnectionStatus.NO_RESPONSE),
        provider_reason=reason.strip(),
    )
    return changed is not None


@transaction.atomic
def provider_attendance(*, connection, attended):
    """The provider says whether the person came, once they had accepted."""
    to = ConnectionStatus.ATTENDED if attended else ConnectionStatus.DID_NOT_ATTEND
    changed = _move(connection, to, by=None, only_from=(ConnectionStatus.ACCEPTED,))
    return changed is not None


def end_open_connections(*, case, by, final):
    """At closure: move each connection still open to its final state, given
    as {connection id: status} and one of CONNECTION_ENDINGS; those not given
    end. Call in the closing transaction."""
    still_open = case.connections.filter(status__in=OPEN_CONNECTION_STATUSES)
    # Locked in one query. Each connection's case is `case` (the related
    # manager says so), whose person the closing has already read.
    for connection in still_open.select_for_update(of=("self",)):
        to = final.get(connection.pk) or ConnectionStatus.ENDED
        if to not in CONNECTION_ENDINGS:
            raise ValidationError(
                f"A connection cannot be left {ConnectionStatus(to).label.lower()} "
                "when the case closes",
                code="not_an_ending",
            )
        _move_locked(connection, to, by=by, note="The case closed")


def chase_providers(now=None):
    """Remind each provider who has not answered a referral after
    PROVIDER_REMINDER_DAYS, once, and mark those unanswered after
    PROVIDER_NO_RESPONSE_DAYS as "no response". Safe to run twice. Returns
    (reminders queued, connections marked)."""
    now = now or timezone.now()
    waiting = Connection.objects.filter(
        status=ConnectionStatus.REFERRED, case__status__in=OPEN_CASE_STATUSES
    )
    reminded = 0
    remind_before = now - datetime.timedelta(days=PROVIDER_REMINDER_DAYS)
    for connection in waiting.filter(referred_at__lte=remind_before).exclude(
        messages__kind=ProviderMessage.Kind.REMINDER
    ):
        with transaction.atomic():
            if providers.queue(connection, ProviderMessage.Kind.REMINDER):
                reminded += 1
    marked = 0
    give_up_before = now - datetime.timedelta(days=PROVIDER_NO_RESPONSE_DAYS)
    for connection in waiting.filter(referred_at__lte=give_up_before):
        with transaction.atomic():
            note = f"No answer after {PROVIDER_NO_RESPONSE_DAYS} days"
            if _move(
                connection,
                ConnectionStatus.NO_RESPONSE,
                by=None,
                note=note,
                only_from=(ConnectionStatus.REFERRED,),
            ):
                marked += 1
    if reminded or marked:
        logger.info("Providers chased: %s reminders, %s marked no response", reminded, marked)
    return reminded, marked


def _move(connection, to, **how):
    """Lock the connection and move it (`_move_locked`)."""
    # Only the connection's row is locked: the closing holds the case's lock,
    # then locks its connections.
    locked = (
        Connection.objects.select_for_update(of=("self",))
        .select_related("case__referral__patient")
        .get(pk=connection.pk)
    )
    return _move_locked(locked, to, **how)


def _move_locked(connection, to, *, by, note="", only_from=None, provider_reason=None):
    """Move the locked connection to `to` if it may go there from where it is
    now (and, with `only_from`, only from those). Returns it, or None when it
    had already moved on: an answer given twice changes nothing. On a closed
    case, nothing from the provider or SPL (`by` None) changes anything
    either."""
    if by is None and not connection.case.is_open:
        return None
    if to not in CONNECTION_MOVES[connection.status] or (
        only_from and connection.status not in only_from
    ):
        if by is None:
            return None
        raise ValidationError(
            f"This connection is {connection.get_status_display().lower()}: "
            f"it cannot become {ConnectionStatus(to).label.lower()}",
            code="not_allowed",
        )
    from_status = connection.status
    connection.status = to
    fields = ["status"]
    if provider_reason is not None:
        connection.provider_reason = provider_reason
        connection.answered_at = timezone.now()
        fields += ["provider_reason", "answered_at"]
    connection.save(update_fields=fields)
    _record(connection, from_status=from_status, by=by, note=note)
    audit.record(by, audit.UPDATE, connection, patient=connection.patient)
    return connection


def _record(connection, *, from_status, by, note=""):
    ConnectionStatusChange.objects.create(
        connection=connection,
        from_status=from_status,
        to_status=connection.status,
        by=by,
        by_provider=by is None and connection.status not in SYSTEM_ONLY_STATUSES,
        note=note,
    )
