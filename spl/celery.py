import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spl.settings")

app = Celery("spl")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _make_embedded_queue_folders():
    # Kombu's filesystem transport expects its folders to exist.
    from django.conf import settings

    if settings.CELERY_BROKER_URL == "filesystem://":
        for key in ("data_folder_in", "data_folder_out", "control_folder"):
            os.makedirs(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key], exist_ok=True)


app.on_after_configure.connect(lambda sender, **kwargs: _make_embedded_queue_folders())
