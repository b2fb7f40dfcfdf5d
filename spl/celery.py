import os

from celery import Celery
from celery.signals import beat_init, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spl.settings")

app = Celery("spl")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def make_embedded_queue_folders(sender, **kwargs):
    # Kombu's filesystem transport and beat's schedule file expect their folders.
    # (A module-level function: Celery's signals keep only weak references.)
    from django.conf import settings

    if settings.CELERY_BROKER_URL == "filesystem://":
        for key in ("data_folder_in", "data_folder_out", "control_folder"):
            os.makedirs(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key], exist_ok=True)
    os.makedirs(os.path.dirname(settings.CELERY_BEAT_SCHEDULE_FILENAME), exist_ok=True)


@worker_init.connect
@beat_init.connect
def refuse_to_start_without_secret_key(sender=None, **kwargs):
    # Tasks send password reset links and other signed data. Celery logs and
    # ignores exceptions from signal receivers; SystemExit stops the process.
    from django.core.exceptions import ImproperlyConfigured

    # Django settings are configured only when the worker starts, not on import.
    from spl.startup import require_secret_key

    try:
        require_secret_key()
    except ImproperlyConfigured as error:
        raise SystemExit(str(error)) from None
