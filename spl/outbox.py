"""Emails written as outbox rows in the transaction that causes them and sent
after commit by a task, once (referrals.notifications, caseload.providers).

A row has `to_email` and `sent_at`. `send_once` claims the row with a
conditional update, so of two workers given the same id only one sends; a
failure un-claims it, so the task's retry sends it then.
"""

from django.core.mail import send_mail
from django.utils import timezone


def send_once(rows, pk, render):
    """Send the unsent row `pk` of `rows` (a queryset: its select_related is
    what `render` reads) as `render(row)`'s (subject, body). Returns the row,
    or None when it was sent (or claimed) before."""
    if not rows.filter(pk=pk, sent_at__isnull=True).update(sent_at=timezone.now()):
        return None
    row = rows.get(pk=pk)
    try:
        subject, body = render(row)
        send_mail(subject, body, None, [row.to_email])
    except Exception:
        rows.filter(pk=pk).update(sent_at=None)
        raise
    return row
