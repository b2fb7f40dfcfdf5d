from celery import shared_task

from directory import notifications
from directory.importing import jobs


# Retries with backoff: a mail server that is down for a while loses nothing,
# and a retry sends only what was not sent (each check is claimed once per state).
@shared_task(autoretry_for=(OSError,), retry_backoff=60, max_retries=8)
def notify_expiring_quality_checks():
    return notifications.notify_expiring_checks()


# No retries: an import is all or nothing, and one that stopped is reported so the
# manager can try again (directory.importing.jobs). The largest file allowed takes
# about a minute; one still running after 20 is stopped (with a prefork worker).
@shared_task(soft_time_limit=20 * 60, time_limit=25 * 60)
def run_import(import_id):
    return jobs.run(import_id)
