import os

from celery import Celery

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
