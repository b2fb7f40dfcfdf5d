from celery import shared_task

from referrals import notifications


# Retries with backoff: a mail server that is down for a while loses nothing,
# and notifications.send never sends the same email twice.
@shared_task(autoretry_for=(OSError,), retry_backoff=60, max_retries=8)
def send_notification(notification_id):
    return notifications.send(notification_id)
