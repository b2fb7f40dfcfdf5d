"""The daily digest: counts and a link, once a day, never a name."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import call_command

from caseload import measures, reminders, services, tasks
from caseload.models import ContactMode, ContactOutcome, ReminderDigest
from tests.factories import PatientFactory, ReferralFactory

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 11, 30, 7, 30, tzinfo=datetime.UTC)


@pytest.fixture
def overdue(practice, link_worker, colleague):
    """Amira: one case never contacted for 20 days, one not reached 3 times.
    Tom: one case contacted yesterday (nothing due)."""
    with time_machine.travel(NOW - datetime.timedelta(days=20), tick=False):
        silent, unreached, fine = (
            services.allocate(
                referral=ReferralFactory(
                    patient=PatientFactory(registered_practice=practice, family_name=name)
                ),
                to=worker,
                by=worker,
            )
            for name, worker in (
                ("Silentperson", link_worker),
                ("Unreachedperson", link_worker),
                ("Fineperson", colleague),
            )
        )
    for days in (3, 2, 1):
        services.record_contact(
            case=unreached, by=link_worker, mode=ContactMode.PHONE,
            outcome=ContactOutcome.UNABLE_TO_CONTACT, at=NOW - datetime.timedelta(days=days),
        )  # fmt: skip
    services.record_contact(
        case=fine, by=colleague, mode=ContactMode.PHONE, outcome=ContactOutcome.SPOKE,
        at=NOW - datetime.timedelta(days=1),
    )  # fmt: skip
    measures.record(
        case=fine, by=colleague, instrument="ons4", timepoint="baseline",
        taken_on=(NOW - datetime.timedelta(days=1)).date(),
        answers={"satisfaction": 5, "worthwhile": 5, "happiness": 5, "anxiety": 5},
    )  # fmt: skip
    return silent, unreached, fine


def send():
    with time_machine.travel(NOW, tick=False):
        return reminders.send_daily_digests()


def test_each_link_worker_with_something_due_gets_one_digest(overdue, link_worker):
    assert send() == 1
    assert [message.to for message in mail.outbox] == [[link_worker.email]]


def test_the_digest_counts_what_is_due_and_links_to_the_caseload(overdue):
    send()
    body = mail.outbox[0].body
    assert "- 1 not reached after 3 attempts" in body
    assert "- 1 with no contact for 14 days" in body
    assert f"{settings.SITE_URL}/caseload/" in body


def test_the_digest_names_no_one(overdue):
    send()
    message = mail.outbox[0]
    for name in ("Silentperson", "Unreachedperson", "Fineperson", "Jo"):
        assert name not in message.subject + message.body


def test_running_twice_sends_once(overdue):
    send()
    assert send() == 0
    assert len(mail.outbox) == 1
    assert ReminderDigest.objects.count() == 1


def test_a_failed_send_is_sent_by_the_next_run(overdue, monkeypatch):
    def fail(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(reminders, "send_mail", fail)
    with pytest.raises(OSError):
        send()
    monkeypatch.undo()
    assert send() == 1


def test_the_command_runs_the_same_service(overdue):
    with time_machine.travel(NOW, tick=False):
        call_command("send_caseload_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(mail.outbox) == 1


def test_the_task_runs_the_same_service(overdue):
    with time_machine.travel(NOW, tick=False):
        assert tasks.send_daily_reminders.apply().get() == 1


def test_the_digest_is_scheduled_on_weekday_mornings():
    entry = settings.CELERY_BEAT_SCHEDULE["send-caseload-reminders"]
    assert entry["task"] == "caseload.tasks.send_daily_reminders"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({7}, {30})
    assert entry["schedule"].day_of_week == {1, 2, 3, 4, 5}
