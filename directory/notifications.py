"""Emails to directory managers about quality checks running out.

The daily task (directory.tasks.notify_expiring_quality_checks) or the
`notify_expiring_checks` command runs `notify_expiring_checks`: it finds what is
due from the checks themselves and claims each check and state once, so it is
safe to run again.
"""

import datetime
import logging
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from directory.models import EXPIRY_WARNING_DAYS, QualityCheck, QualityCheckNotice

logger = logging.getLogger(__name__)

# Who is told about checks running out: the people who can record a new one.
RENEWER_PERMISSION = ("directory", "add_qualitycheck")


def notify_expiring_checks(today=None):
    """Email directory managers about quality checks that expire within
    EXPIRY_WARNING_DAYS or have lapsed, once per check and state.

    Only the newest check of each kind counts: a check already renewed is never
    reported. One email per organisation lists its checks, to the active users
    who can record checks (directory managers) in the organisation's PCN. Each
    check is claimed by creating its QualityCheckNotice (unique per check and
    state), so two runs at once, or one run twice, never tell anyone twice. An
    organisation whose PCN has no directory manager yet is not claimed, so it
    is reported once someone can act on it.

    Returns the number of checks reported in each state and of emails sent.
    """
    today = today or timezone.localdate()
    warn_until = today + datetime.timedelta(days=EXPIRY_WARNING_DAYS)
    due = list(
        QualityCheck.objects.current()
        .filter(expires_on__lte=warn_until)
        .select_related("organisation__pcn")
        .order_by("organisation__name", "organisation", "expires_on", "kind")
    )
    told = set(
        QualityCheckNotice.objects.filter(check_record__in=due).values_list(
            "check_record_id", "state"
        )
    )
    by_organisation = defaultdict(list)
    for check in due:
        state = check.state_on(today)
        if (check.pk, state) not in told:
            by_organisation[check.organisation].append((check, state))
    recipients = _directory_managers({organisation.pcn_id for organisation in by_organisation})

    counts = {QualityCheck.State.EXPIRING: 0, QualityCheck.State.LAPSED: 0, "emails": 0}
    for organisation, checks in by_organisation.items():
        to = recipients.get(organisation.pcn_id)
        if not to:
            logger.warning(
                "No directory manager to tell about quality checks of organisation %s in PCN %s",
                organisation.pk,
                organisation.pcn_id,
            )
            continue
        claimed = [(check, state) for check, state in checks if _claim(check, state)]
        if not claimed:
            continue
        try:
            subject, body = _render_expiry_email(organisation, claimed, today)
            send_mail(subject, body, None, to)
        except Exception:
            # Un-claim, so the next run (or the task's retry) sends them.
            for check, state in claimed:
                QualityCheckNotice.objects.filter(check_record=check, state=state).delete()
            raise
        for _, state in claimed:
            counts[state] += 1
        counts["emails"] += 1
        logger.info(
            "Told %d directory managers about %d quality checks of organisation %s",
            len(to),
            len(claimed),
            organisation.pk,
        )
    return counts


def _claim(check, state):
    try:
        with transaction.atomic():
            QualityCheckNotice.objects.create(check_record=check, state=state)
    except IntegrityError:
        return False  # another run got there first
    return True


def _directory_managers(pcn_ids):
    """{pcn id: [email, ...]} of the active users in each PCN who can record checks."""
    app_label, codename = RENEWER_PERMISSION
    permission = Permission.objects.filter(
        content_type__app_label=app_label, codename=codename
    ).first()
    if permission is None or not pcn_ids:
        return {}
    rows = (
        get_user_model()
        .objects.filter(
            Q(groups__permissions=permission) | Q(user_permissions=permission),
            is_active=True,
            memberships__pcn__in=pcn_ids,
        )
        .values_list("memberships__pcn", "email")
        .distinct()
        .order_by("email")
    )
    emails = defaultdict(list)
    for pcn_id, email in rows:
        if pcn_id in pcn_ids:
            emails[pcn_id].append(email)
    return emails


def _render_expiry_email(organisation, claimed, today):
    context = {
        "organisation": organisation,
        "lapsed": [check for check, state in claimed if state == QualityCheck.State.LAPSED],
        "expiring": [check for check, state in claimed if state == QualityCheck.State.EXPIRING],
        "warning_days": EXPIRY_WARNING_DAYS,
        "link": settings.SITE_URL + organisation.get_absolute_url(),
        "service_name": settings.SERVICE_NAME,
    }
    subject = f"Quality checks to renew: {organisation.name}"
    return subject, render_to_string("emails/quality_check_expiry.txt", context)
