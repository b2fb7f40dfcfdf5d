"""Quality assurance of directory organisations: recording checks, the QA status
they give, change history, and the daily emails about checks running out."""

import datetime
import time
import uuid
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command

from directory import notifications, services, tasks
from directory.models import (
    ChangeRecord,
    Location,
    Organisation,
    QAStatus,
    QualityCheck,
    QualityCheckNotice,
    Service,
    TaxonomyTerm,
)
from spl import roles
from spl.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)
KINDS = list(QualityCheck.Kind)
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _frozen_today(request):
    # The real worker runs timers of its own: it gets the real clock.
    if request.node.get_closest_marker("redis"):
        yield
        return
    with time_machine.travel(
        datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC), tick=False
    ):
        yield


def make_organisation(pcn, name="Armley Advice Centre"):
    return Organisation.objects.create(pcn=pcn, name=name, description=f"{name} helps people")


def check(organisation, by, kind=QualityCheck.Kind.INSURANCE, *, expires, checked=None):
    """Record a check expiring `expires` days from TODAY, done today (or the day
    before it expires), so it is newer than the checks `assure` records."""
    expires_on = TODAY + datetime.timedelta(days=expires)
    return services.record_check(
        organisation=organisation,
        kind=kind,
        evidence="Certificate seen",
        checked_on=checked or min(expires_on - DAY, TODAY),
        expires_on=expires_on,
        by=by,
    )


def assure(organisation, by, *, expires=200, skip=()):
    """Check every kind (but `skip`) 300 days ago, each expiring `expires` days from TODAY."""
    for kind in KINDS:
        if kind not in skip:
            check(organisation, by, kind, expires=expires, checked=TODAY - 300 * DAY)
    organisation.refresh_from_db()
    return organisation


def status(organisation):
    """The status pages, search and the API show: the database expression."""
    return Organisation.objects.with_qa_status(TODAY).get(pk=organisation.pk).qa_status


# QA status


def test_an_organisation_without_checks_is_not_assured(pcn):
    assert status(make_organisation(pcn)) == QAStatus.NOT_ASSURED


def test_an_organisation_with_one_kind_never_checked_is_not_assured(pcn, directory_manager):
    organisation = assure(make_organisation(pcn), directory_manager, skip=[QualityCheck.Kind.DBS])
    assert organisation.assured_until is None
    assert status(organisation) == QAStatus.NOT_ASSURED


def test_an_organisation_is_assured_until_its_earliest_check_expires(pcn, directory_manager):
    organisation = assure(make_organisation(pcn), directory_manager, expires=200)
    check(organisation, directory_manager, QualityCheck.Kind.GOVERNANCE, expires=90)
    organisation.refresh_from_db()
    assert organisation.assured_until == TODAY + 90 * DAY
    assert status(organisation) == QAStatus.ASSURED


@pytest.mark.parametrize(
    ("expires", "expected"),
    [
        (-1, QAStatus.LAPSED),
        (0, QAStatus.EXPIRING),
        (30, QAStatus.EXPIRING),
        (31, QAStatus.ASSURED),
    ],
    ids=["expired yesterday", "expires today", "expires in 30 days", "expires in 31 days"],
)
def test_the_earliest_expiry_sets_the_status_at_the_boundaries(
    pcn, directory_manager, expires, expected
):
    organisation = assure(make_organisation(pcn), directory_manager)
    check(organisation, directory_manager, QualityCheck.Kind.SAFEGUARDING, expires=expires)
    assert status(organisation) == expected


def test_the_newest_check_of_a_kind_counts_even_when_an_older_one_runs_longer(
    pcn, directory_manager
):
    organisation = assure(make_organisation(pcn), directory_manager, expires=300)
    check(
        organisation,
        directory_manager,
        QualityCheck.Kind.INSURANCE,
        expires=10,
        checked=TODAY - 5 * DAY,
    )
    organisation.refresh_from_db()
    assert organisation.assured_until == TODAY + 10 * DAY


def test_an_older_check_recorded_late_does_not_replace_the_newer_one(pcn, directory_manager):
    organisation = assure(make_organisation(pcn), directory_manager, expires=300)
    check(
        organisation,
        directory_manager,
        QualityCheck.Kind.INSURANCE,
        expires=5,
        checked=TODAY - 400 * DAY,
    )
    organisation.refresh_from_db()
    assert organisation.assured_until == TODAY + 300 * DAY


def test_of_two_checks_of_a_kind_on_one_day_the_later_recorded_counts(pcn, directory_manager):
    organisation = assure(make_organisation(pcn), directory_manager, expires=300)
    check(organisation, directory_manager, expires=100, checked=TODAY)
    check(organisation, directory_manager, expires=50, checked=TODAY)
    organisation.refresh_from_db()
    assert organisation.assured_until == TODAY + 50 * DAY


def test_assured_on_and_assurer_come_from_the_newest_check_of_any_kind(pcn, directory_manager):
    colleague = UserFactory(role=roles.DIRECTORY_MANAGER, pcns=[pcn])
    organisation = make_organisation(pcn)
    check(organisation, directory_manager, QualityCheck.Kind.DBS, expires=300, checked=TODAY)
    check(organisation, colleague, QualityCheck.Kind.GOVERNANCE, expires=300, checked=TODAY - DAY)
    organisation.refresh_from_db()
    assert (organisation.assured_on, organisation.assurer) == (TODAY, directory_manager)


def test_a_check_that_changes_the_assurance_marks_the_organisation_and_services_modified(
    pcn, directory_manager
):
    organisation = make_organisation(pcn)
    service = Service.objects.create(organisation=organisation, name="Advice", description="x")
    with time_machine.travel(
        datetime.datetime(2026, 11, 20, 15, 0, tzinfo=datetime.UTC), tick=False
    ):
        check(organisation, directory_manager, expires=300)
    organisation.refresh_from_db()
    service.refresh_from_db()
    later = datetime.datetime(2026, 11, 20, 15, 0, tzinfo=datetime.UTC)
    assert (organisation.last_modified, service.last_modified) == (later, later)


# Recording a check: what is refused


def test_a_check_cannot_expire_on_the_day_it_was_done(pcn, directory_manager):
    with pytest.raises(ValidationError) as error:
        check(make_organisation(pcn), directory_manager, expires=0, checked=TODAY)
    assert error.value.message_dict == {
        "expires_on": ["The expiry date must be after the date of the check"]
    }


def test_a_check_cannot_be_dated_in_the_future(pcn, directory_manager):
    with pytest.raises(ValidationError) as error:
        check(make_organisation(pcn), directory_manager, expires=400, checked=TODAY + DAY)
    assert error.value.message_dict == {
        "checked_on": ["The date of the check cannot be in the future"]
    }


def test_a_check_needs_its_evidence(pcn, directory_manager):
    with pytest.raises(ValidationError) as error:
        services.record_check(
            organisation=make_organisation(pcn),
            kind=QualityCheck.Kind.DBS,
            evidence="  ",
            checked_on=TODAY,
            expires_on=TODAY + 365 * DAY,
            by=directory_manager,
        )
    assert list(error.value.message_dict) == ["evidence"]


def test_a_check_of_an_unknown_kind_is_refused(pcn, directory_manager):
    with pytest.raises(ValidationError) as error:
        check(make_organisation(pcn), directory_manager, kind="fire_drill", expires=100)
    assert list(error.value.message_dict) == ["kind"]


def test_a_refused_check_records_nothing(pcn, directory_manager):
    with pytest.raises(ValidationError):
        check(make_organisation(pcn), directory_manager, expires=0, checked=TODAY)
    assert not QualityCheck.objects.exists()
    assert not ChangeRecord.objects.exists()


# Change history


def test_recording_a_check_writes_its_change_record(pcn, directory_manager):
    recorded = check(make_organisation(pcn), directory_manager, expires=100)
    record = ChangeRecord.objects.get()
    assert (record.object_type, record.object_id, record.action, record.changed_by) == (
        "directory.qualitycheck",
        str(recorded.pk),
        "create",
        directory_manager,
    )
    assert record.changes == {
        "organisation": [None, str(recorded.organisation_id)],
        "kind": [None, "insurance"],
        "evidence": [None, "Certificate seen"],
        "checked_by": [None, directory_manager.pk],
        "checked_on": [None, "2026-11-20"],
        "expires_on": [None, "2027-02-28"],
    }


def test_recording_a_check_writes_an_audit_event_without_a_patient(pcn, directory_manager):
    recorded = check(make_organisation(pcn), directory_manager, expires=100)
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.object_type, event.object_id, event.patient_id) == (
        directory_manager,
        AuditEvent.Action.CREATE,
        "directory.qualitycheck",
        str(recorded.pk),
        "",
    )


def test_saving_a_changed_organisation_records_each_field_before_and_after(pcn, directory_manager):
    services.save_record(
        instance=make_organisation(pcn),
        by=directory_manager,
        name="Armley Advice",
        website="https://armley.example.org/",
    )
    record = ChangeRecord.objects.get()
    assert (record.action, record.changes) == (
        "update",
        {
            "name": ["Armley Advice Centre", "Armley Advice"],
            "website": ["", "https://armley.example.org/"],
        },
    )
    assert Organisation.objects.get().name == "Armley Advice"


def test_saving_a_changed_record_writes_an_audit_update(pcn, directory_manager):
    services.save_record(
        instance=make_organisation(pcn),
        by=directory_manager,
        description="Advice on money and housing",
    )
    assert AuditEvent.objects.get().action == AuditEvent.Action.UPDATE


def test_saving_a_new_service_records_what_it_was_created_with(pcn, directory_manager):
    organisation = make_organisation(pcn)
    service = services.save_service(
        service=Service(organisation=organisation),
        by=directory_manager,
        name="Advice",
        description="Debt advice",
    )
    record = ChangeRecord.objects.get()
    assert (record.object_type, record.object_id, record.action) == (
        "directory.service",
        str(service.pk),
        "create",
    )
    assert record.changes["name"] == [None, "Advice"]
    assert record.changes["organisation"] == [None, str(organisation.pk)]
    assert AuditEvent.objects.get().action == AuditEvent.Action.CREATE


def test_saving_with_nothing_changed_records_nothing(pcn, directory_manager):
    organisation = make_organisation(pcn)
    before = organisation.last_modified
    services.save_record(instance=organisation, by=directory_manager, name=organisation.name)
    organisation.refresh_from_db()
    assert not ChangeRecord.objects.exists()
    assert organisation.last_modified == before


def test_change_history_stores_decimals_as_strings_and_ignores_equal_numbers(
    pcn, directory_manager
):
    location = Location.objects.create(
        organisation=make_organisation(pcn),
        name="Hall",
        address_1="1 Town Street",
        city="Leeds",
        postcode="LS12 3AB",
        latitude=Decimal("53.8"),
        longitude=Decimal("-1.59"),
    )
    services.save_record(
        instance=Location.objects.get(pk=location.pk),
        by=directory_manager,
        latitude=Decimal("53.800"),  # the same number
        longitude=Decimal("-1.6"),
    )
    assert ChangeRecord.objects.get().changes == {"longitude": ["-1.590000", "-1.6"]}


def test_saving_an_invalid_instance_is_refused_with_the_reason(pcn, directory_manager):
    with pytest.raises(ValidationError, match="Give the address that direct referrals go to"):
        services.save_service(
            service=Service(organisation=make_organisation(pcn)),
            by=directory_manager,
            name="Advice",
            description="Debt advice",
            access=Service.Access.DIRECT_REFERRAL,
        )
    assert not Service.objects.exists()


def test_many_to_many_changes_are_recorded_as_ids(pcn, directory_manager):
    service = Service.objects.create(
        organisation=make_organisation(pcn), name="Advice", description="Debt advice"
    )
    finance = TaxonomyTerm.objects.get(code="finance", taxonomy__name__contains="needs")
    services.save_service(service=service, by=directory_manager, taxonomy_terms=[finance])
    assert ChangeRecord.objects.get().changes == {"taxonomy_terms": [[], [str(finance.pk)]]}
    assert list(service.taxonomy_terms.all()) == [finance]


# Emails about checks running out


@pytest.fixture
def expiring(pcn, directory_manager):
    """An assured organisation whose insurance expires in 10 days."""
    organisation = assure(make_organisation(pcn), directory_manager, expires=300)
    check(organisation, directory_manager, QualityCheck.Kind.INSURANCE, expires=10)
    return organisation


def test_an_expiring_check_is_emailed_to_the_pcns_directory_managers(
    expiring, directory_manager, mailoutbox
):
    assert notifications.notify_expiring_checks() == {"expiring": 1, "lapsed": 0, "emails": 1}
    assert [message.to for message in mailoutbox] == [[directory_manager.email]]
    assert mailoutbox[0].subject == "Quality checks to renew: Armley Advice Centre"


def test_the_email_names_the_organisation_the_check_and_its_expiry(expiring, mailoutbox):
    notifications.notify_expiring_checks()
    body = mailoutbox[0].body
    assert "Armley Advice Centre" in body
    assert "Public liability insurance: expires on 30 November 2026" in body


def test_the_email_links_to_the_organisations_page(expiring, mailoutbox):
    notifications.notify_expiring_checks()
    assert f"{settings.SITE_URL}/directory/organisations/{expiring.pk}/" in mailoutbox[0].body


def test_running_the_notices_twice_sends_nothing_the_second_time(expiring, mailoutbox):
    notifications.notify_expiring_checks()
    assert notifications.notify_expiring_checks() == {"expiring": 0, "lapsed": 0, "emails": 0}
    assert len(mailoutbox) == 1


def test_a_check_reported_as_expiring_is_reported_again_once_when_it_lapses(expiring, mailoutbox):
    notifications.notify_expiring_checks()
    later = TODAY + 11 * DAY
    assert notifications.notify_expiring_checks(later) == {"expiring": 0, "lapsed": 1, "emails": 1}
    assert notifications.notify_expiring_checks(later + DAY)["emails"] == 0
    assert "Public liability insurance: expired on 30 November 2026" in mailoutbox[1].body
    assert sorted(QualityCheckNotice.objects.values_list("state", flat=True)) == [
        "expiring",
        "lapsed",
    ]


def test_a_check_that_lapsed_unreported_is_reported_as_lapsed_only(expiring, mailoutbox):
    assert notifications.notify_expiring_checks(TODAY + 40 * DAY) == {
        "expiring": 0,
        "lapsed": 1,
        "emails": 1,
    }


def test_a_renewed_check_is_not_reported(expiring, directory_manager, mailoutbox):
    check(expiring, directory_manager, QualityCheck.Kind.INSURANCE, expires=365, checked=TODAY)
    assert notifications.notify_expiring_checks()["emails"] == 0
    assert mailoutbox == []


def test_checks_valid_for_more_than_30_days_are_not_reported(pcn, directory_manager, mailoutbox):
    assure(make_organisation(pcn), directory_manager, expires=31)
    assert notifications.notify_expiring_checks()["emails"] == 0


def test_one_email_per_organisation_lists_each_of_its_checks(pcn, directory_manager, mailoutbox):
    organisation = assure(make_organisation(pcn), directory_manager, expires=300)
    check(organisation, directory_manager, QualityCheck.Kind.DBS, expires=-3)
    check(organisation, directory_manager, QualityCheck.Kind.GOVERNANCE, expires=20)
    assert notifications.notify_expiring_checks() == {"expiring": 1, "lapsed": 1, "emails": 1}
    body = mailoutbox[0].body
    assert "expired on 17 November 2026" in body
    assert "Governance: expires on 10 December 2026" in body


def test_only_active_directory_managers_of_the_organisations_pcn_are_emailed(
    expiring, directory_manager, link_worker, supervisor, other_pcn, mailoutbox
):
    UserFactory(role=roles.DIRECTORY_MANAGER, pcns=[other_pcn])
    UserFactory(role=roles.DIRECTORY_MANAGER, pcns=[expiring.pcn], is_active=False)
    second = UserFactory(role=roles.DIRECTORY_MANAGER, pcns=[expiring.pcn, other_pcn])
    notifications.notify_expiring_checks()
    assert sorted(mailoutbox[0].to) == sorted([directory_manager.email, second.email])


def test_a_pcn_without_directory_managers_is_reported_once_one_joins(
    other_pcn, directory_manager, mailoutbox
):
    organisation = assure(make_organisation(other_pcn), directory_manager, expires=10)
    assert notifications.notify_expiring_checks()["emails"] == 0
    newcomer = UserFactory(role=roles.DIRECTORY_MANAGER, pcns=[organisation.pcn])
    assert notifications.notify_expiring_checks()["expiring"] == len(KINDS)
    assert [message.to for message in mailoutbox] == [[newcomer.email]]


def test_a_failed_email_is_sent_on_the_next_run(expiring, mailoutbox, monkeypatch):
    def mail_server_down(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(notifications, "send_mail", mail_server_down)
    with pytest.raises(OSError):
        notifications.notify_expiring_checks()
    monkeypatch.undo()
    assert notifications.notify_expiring_checks()["emails"] == 1
    assert len(mailoutbox) == 1


def test_a_check_claimed_by_another_run_is_not_claimed_again(expiring):
    due = QualityCheck.objects.get(organisation=expiring, expires_on=TODAY + 10 * DAY)
    QualityCheckNotice.objects.create(check_record=due, state=QualityCheck.State.EXPIRING)
    assert notifications._claim(due, QualityCheck.State.EXPIRING) is False
    assert QualityCheckNotice.objects.count() == 1


def test_the_task_sends_the_notices(expiring, mailoutbox):
    tasks.notify_expiring_quality_checks.delay()
    assert len(mailoutbox) == 1


def test_the_management_command_sends_the_notices_and_prints_the_counts(expiring, mailoutbox):
    out = StringIO()
    call_command("notify_expiring_checks", stdout=out)
    assert out.getvalue() == "Quality checks reported: 1 expiring, 0 lapsed, in 1 emails.\n"
    assert len(mailoutbox) == 1


def test_the_notices_are_scheduled_every_morning_at_seven():
    entry = settings.CELERY_BEAT_SCHEDULE["notify-expiring-quality-checks"]
    assert entry["task"] == "directory.tasks.notify_expiring_quality_checks"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({7}, {0})


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_notices_from_redis(pcn, directory_manager, mailoutbox):
    today = datetime.date.today()
    organisation = make_organisation(pcn)
    services.record_check(
        organisation=organisation,
        kind=QualityCheck.Kind.INSURANCE,
        evidence="Certificate",
        checked_on=today - 355 * DAY,
        expires_on=today + 10 * DAY,
        by=directory_manager,
    )
    app = Celery("spl-test", set_as_current=False)
    app.conf.update(
        broker_url=settings.REDIS_URL,
        task_default_queue=f"test-{uuid.uuid4()}",  # never shared with a running worker
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        worker_hijack_root_logger=False,
    )
    app.autodiscover_tasks(["directory"], force=True)
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        app.send_task("directory.tasks.notify_expiring_quality_checks")
        deadline = time.monotonic() + 15
        while not mail.outbox and time.monotonic() < deadline:
            time.sleep(0.1)
    assert [message.to for message in mail.outbox] == [[directory_manager.email]]
    assert QualityCheckNotice.objects.get().state == QualityCheck.State.EXPIRING
