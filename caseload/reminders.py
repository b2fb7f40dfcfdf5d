"""The link workers' daily digest: what on their caseload needs them.

The daily task (caseload.tasks.send_daily_reminders) or the
`send_caseload_reminders` command runs `send_daily_digests`: it works out, from
the cases and what is recorded on them, what is due on each link worker's
caseload (caseload.flags.DUE: the list the caseload's Today shows), and emails
each link worker with anything due one digest: counts and a link, never a
name. Each digest is claimed by creating its ReminderDigest (unique per user and
day), so two runs at once, or one run twice, never send twice.
"""

import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from caseload import flags
from caseload.models import Case, ReminderDigest
from spl.models import User

logger = logging.getLogger(__name__)


def due(today=None):
    """{link worker id: the counts of caseload.flags.DUE} for each active link
    worker with anything due."""
    held = Case.objects.open().filter(link_worker__isnull=False, link_worker__is_active=True)
    by_worker = defaultdict(dict)
    for pk, row in flags.of(held, today).items():
        by_worker[row["link_worker_id"]][pk] = row
    found = {}
    for worker, rows in sorted(by_worker.items()):
        counts = flags.due_in(rows)
        if any(counts.values()):
            found[worker] = counts
    return found


def send_daily_digests(today=None):
    """Send today's digests not yet sent. Returns how many were sent."""
    today = today or timezone.localdate()
    counts = due(today)
    sent = 0
    failed = None
    for user in User.objects.filter(pk__in=counts).order_by("pk"):
        if not _claim(user, today):
            continue
        try:
            subject, body = _render(user, counts[user.pk])
            send_mail(subject, body, None, [user.email])
        except Exception as error:
            # Un-claim, so the next run (or the task's retry) sends it; the
            # others still get theirs.
            ReminderDigest.objects.filter(user=user, day=today).delete()
            logger.warning("Could not send the caseload digest to user %s", user.pk)
            failed = error
            continue
        sent += 1
        logger.info("Sent the caseload digest for %s to user %s", today, user.pk)
    if failed is not None:
        raise failed
    return sent


def _claim(user, day):
    try:
        with transaction.atomic():
            ReminderDigest.objects.create(user=user, day=day)
    except IntegrityError:
        return False  # another run got there first
    return True


def _render(user, counts):
    context = {
        "first_name": user.get_short_name(),
        "counts": counts,
        "link": settings.SITE_URL + reverse("caseload:caseload"),
        "service_name": settings.SERVICE_NAME,
    }
    subject = "Your caseload today"
    return subject, render_to_string("emails/caseload_digest.txt", context)
