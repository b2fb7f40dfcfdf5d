from celery import shared_task

from caseload import reminders


# Retries with backoff: a mail server that is down for a while loses nothing,
# and a retry sends only the digests not yet sent (each is claimed once a day).
@shared_task(autoretry_for=(OSError,), retry_backoff=60, max_retries=8)
def send_daily_reminders():
    return reminders.send_daily_digests()
