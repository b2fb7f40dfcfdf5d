import time
import uuid
from datetime import timedelta

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from spl import services


def make_session(*, expires_in):
    store = SessionStore()
    store["note"] = "x"
    store.create()
    Session.objects.filter(pk=store.session_key).update(expire_date=timezone.now() + expires_in)
    return store.session_key


def wait_until(condition, seconds=15):
    # A real worker runs in another thread: poll for its effect, with a limit.
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def celery_app(broker_url, **transport_options):
    app = Celery("spl-test", set_as_current=False)
    app.conf.update(
        broker_url=broker_url,
        broker_transport_options=transport_options,
        task_default_queue=f"test-{uuid.uuid4()}",  # never shared with a running worker
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        worker_hijack_root_logger=False,
    )
    app.autodiscover_tasks(["spl"], force=True)
    return app


@pytest.mark.django_db
def test_clearing_sessions_deletes_expired_ones_and_keeps_live_ones():
    expired = make_session(expires_in=timedelta(minutes=-1))
    live = make_session(expires_in=timedelta(hours=1))
    services.clear_expired_sessions()
    assert list(Session.objects.values_list("pk", flat=True)) == [live]
    assert expired != live


def test_session_clearing_is_scheduled_every_night():
    entry = settings.CELERY_BEAT_SCHEDULE["clear-expired-sessions"]
    assert entry["task"] == "spl.tasks.clear_expired_sessions"
    assert entry["schedule"].hour == {3}
    assert entry["schedule"].minute == {15}


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_task_from_redis():
    make_session(expires_in=timedelta(minutes=-1))
    app = celery_app(settings.REDIS_URL)
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        app.send_task("spl.tasks.clear_expired_sessions")
        assert wait_until(lambda: not Session.objects.exists())


@pytest.mark.django_db(transaction=True)
def test_embedded_queue_keeps_a_task_until_a_worker_takes_it(tmp_path):
    make_session(expires_in=timedelta(minutes=-1))
    queue = tmp_path / "queue"
    queue.mkdir()
    app = celery_app(
        "filesystem://",
        data_folder_in=str(queue),
        data_folder_out=str(queue),
        control_folder=str(tmp_path),
        store_processed=False,
    )
    app.send_task("spl.tasks.clear_expired_sessions")
    assert len(list(queue.iterdir())) == 1  # waiting, not dropped
    assert Session.objects.exists()

    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        assert wait_until(lambda: not Session.objects.exists())
    assert list(queue.iterdir()) == []
