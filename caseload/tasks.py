from celery import shared_task

from caseload import connections, reminders
from caseload.providers import send_provider_message  # noqa: F401  registered with the worker


# Retries with backoff: a mail server that is down for a while loses nothing,
# and a retry sends only the digests not yet sent (each is claimed once a day).
@shared_task(autoretry_for=(OSError,), retry_backoff=60, max_retries=8)
def send_daily_reminders():
    return reminders.send_daily_digests()


# Reminds providers who have not answered a referral in 7 days and marks those
# silent for 14 as "no response"; each step happens once, so a rerun is harmless.
@shared_task
def chase_providers():
    return connections.chase_providers()
