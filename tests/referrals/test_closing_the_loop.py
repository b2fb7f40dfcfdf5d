"""Feedback to referrers: /referrals/mine/, emails on triage decisions, and the
practice coding list with its printable summary."""

import pytest
from django.core import mail

from referrals import services
from referrals.models import Notification, Snomed, Status
from spl import roles
from spl.models import AuditEvent
from tests.factories import MembershipFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db
MINE = "/referrals/mine/"
CODING = "/referrals/coding/"


def referral_by(user, practice, **fields):
    return ReferralFactory(referred_by=user, patient__registered_practice=practice, **fields)


def decided(practice, status=Status.ACCEPTED, **fields):
    code = {
        Status.ACCEPTED: Snomed.REFERRAL_TO_SOCIAL_PRESCRIBING,
        Status.DECLINED: Snomed.SOCIAL_PRESCRIBING_DECLINED,
    }[status]
    return ReferralFactory(
        patient__registered_practice=practice,
        status=status,
        snomed_code=code,
        coded_on="2026-11-02",
        **fields,
    )


# /referrals/mine/


def test_anonymous_is_sent_to_login_for_your_referrals(client, db):
    assert client.get(MINE)["Location"].startswith("/accounts/login/")


def test_commissioner_gets_403_for_your_referrals(client_for, commissioner):
    assert client_for(commissioner).get(MINE).status_code == 403


def test_gp_sees_their_own_referrals_with_status(client_for, gp, practice):
    mine = referral_by(gp, practice, status=Status.DECLINED, patient__given_name="Ada")
    page = client_for(gp).get(MINE).content.decode()
    assert mine.reference in page and "Ada" in page
    assert "Person declined" in page


def test_gp_does_not_see_a_colleagues_referrals(client_for, gp, practice):
    colleague = UserFactory(role=roles.REFERRER)
    MembershipFactory(user=colleague, pcn=practice.pcn, practice=practice)
    theirs = referral_by(colleague, practice)
    assert theirs.reference not in client_for(gp).get(MINE).content.decode()


def test_your_referrals_leave_out_a_pcn_you_have_left(client_for, gp, practice, other_practice):
    # Referred while a member of the other PCN: no longer visible once they left.
    old = referral_by(gp, other_practice)
    assert old.reference not in client_for(gp).get(MINE).content.decode()


def test_your_referrals_take_the_same_queries_for_many_rows(
    client_for, gp, practice, django_assert_max_num_queries
):
    client = client_for(gp)
    referral_by(gp, practice)
    with django_assert_max_num_queries(12) as few:
        client.get(MINE)
    for _ in range(20):
        referral_by(gp, practice)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(MINE).status_code == 200


# Emails on triage decisions


def test_the_referring_gp_is_emailed_when_a_referral_is_accepted(
    gp, link_worker, practice, django_capture_on_commit_callbacks
):
    referral = referral_by(gp, practice)
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_referral(referral=referral, by=link_worker)
    (email,) = mail.outbox
    assert email.to == [gp.email]
    assert email.subject == f"Referral {referral.reference}: accepted"


@pytest.mark.parametrize(
    ("decide", "subject"),
    [
        (lambda r, by: services.record_declined(referral=r, by=by), "the person declined"),
        (
            lambda r, by: services.mark_not_appropriate(referral=r, by=by, reason="To the GP"),
            "redirected to other support",
        ),
    ],
)
def test_the_referrer_is_emailed_when_a_referral_is_declined_or_redirected(
    gp, link_worker, practice, django_capture_on_commit_callbacks, decide, subject
):
    referral = referral_by(gp, practice)
    with django_capture_on_commit_callbacks(execute=True):
        decide(referral, link_worker)
    assert mail.outbox[0].subject == f"Referral {referral.reference}: {subject}"


def test_no_email_when_a_referral_is_merged(
    gp, link_worker, practice, django_capture_on_commit_callbacks
):
    first = referral_by(gp, practice)
    second = ReferralFactory(patient=first.patient, referred_by=gp)
    with django_capture_on_commit_callbacks(execute=True):
        services.merge_referral(referral=second, into=first, by=link_worker)
    assert mail.outbox == []


def test_an_email_outside_the_nhs_carries_the_reference_and_status_only(
    link_worker, practice, django_capture_on_commit_callbacks
):
    referral = ReferralFactory(
        patient__registered_practice=practice,
        patient__given_name="Ada",
        patient__family_name="Lovelace",
        patient__nhs_number="9434765919",
        route="agency",
        referrer_name="Pat Jones",
        referrer_email="pat@pharmacy.example.com",
        notes="History of depression",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_not_appropriate(
            referral=referral, by=link_worker, reason="Needs the community mental health team"
        )
    body = mail.outbox[0].body
    assert referral.reference in body and "Dear Pat," in body
    for private in (
        "Ada",
        "Lovelace",
        "943",
        "1958",
        "depression",
        "mental health",
        "Amira",
        "Riverside",
        "LS1",
    ):
        assert private not in body, private


def test_an_email_to_an_nhs_address_names_the_person_and_gives_the_note(
    practice, link_worker, django_capture_on_commit_callbacks
):
    gp = UserFactory(email="sam.patel@nhs.net", full_name="Dr Sam Patel", role=roles.REFERRER)
    MembershipFactory(user=gp, pcn=practice.pcn, practice=practice)
    referral = referral_by(
        gp,
        practice,
        patient__given_name="Ada",
        patient__family_name="Lovelace",
        patient__nhs_number="9434765919",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_not_appropriate(referral=referral, by=link_worker, reason="Sent to CMHT")
    body = mail.outbox[0].body
    assert "Ada Lovelace" in body and "943 476 5919" in body
    assert "Sent to CMHT" in body
    assert f"http://127.0.0.1:8000/referrals/mine/{referral.reference}/" in body


def test_a_self_referrer_is_emailed_in_their_own_words(
    practice, link_worker, django_capture_on_commit_callbacks
):
    referral = ReferralFactory(
        route="self",
        patient__registered_practice=practice,
        referrer_name="Ada Lovelace",
        referrer_email="ada@example.com",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_referral(referral=referral, by=link_worker)
    body = mail.outbox[0].body
    assert mail.outbox[0].to == ["ada@example.com"]
    assert "Dear Ada," in body and "work with you" in body


def test_an_email_is_sent_once_however_often_its_task_runs(
    gp, link_worker, practice, django_capture_on_commit_callbacks
):
    from referrals.tasks import send_notification

    referral = referral_by(gp, practice)
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_referral(referral=referral, by=link_worker)
    notification = Notification.objects.get()
    assert send_notification(notification.pk) is False
    assert len(mail.outbox) == 1
    assert notification.sent_at is not None


def test_a_failed_email_is_kept_to_retry(gp, link_worker, practice, settings):
    from referrals import notifications

    referral = referral_by(gp, practice)
    services.accept_referral(referral=referral, by=link_worker)  # queued, not sent yet
    notification = Notification.objects.get()
    settings.EMAIL_BACKEND = "tests.referrals.test_closing_the_loop.BrokenEmailBackend"
    with pytest.raises(OSError):
        notifications.send(notification.pk)
    notification.refresh_from_db()
    assert notification.sent_at is None


class BrokenEmailBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_no_email_without_an_address(link_worker, practice, django_capture_on_commit_callbacks):
    referral = ReferralFactory(route="self", patient__registered_practice=practice)
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_referral(referral=referral, by=link_worker)
    assert mail.outbox == []
    assert not Notification.objects.exists()


# The practice coding list


def test_anonymous_is_sent_to_login_for_the_coding_list(client, db):
    assert client.get(CODING)["Location"].startswith("/accounts/login/")


def test_gp_gets_403_for_the_coding_list(client_for, gp):
    assert client_for(gp).get(CODING).status_code == 403


def test_practice_manager_sees_decisions_to_code_for_their_practice(
    client_for, practice_manager, practice
):
    accepted = decided(practice, patient__nhs_number="9434765919")
    declined = decided(practice, status=Status.DECLINED)
    waiting = ReferralFactory(patient__registered_practice=practice)
    page = client_for(practice_manager).get(CODING).content.decode()
    assert accepted.patient.full_name in page and "943 476 5919" in page
    assert "871731000000106" in page and "871711000000103" in page
    assert declined.patient.full_name in page
    assert waiting.patient.full_name not in page
    assert "2 Nov 2026" in page


def test_the_coding_list_leaves_out_other_practices_in_the_pcn(
    client_for, practice_manager, practice
):
    from tests.factories import PracticeFactory

    neighbour = PracticeFactory(pcn=practice.pcn)
    theirs = decided(neighbour)
    assert theirs.patient.full_name not in client_for(practice_manager).get(CODING).content.decode()


def test_the_coding_list_leaves_out_other_pcns(client_for, practice_manager, other_practice):
    theirs = decided(other_practice)
    assert theirs.patient.full_name not in client_for(practice_manager).get(CODING).content.decode()


def test_marking_as_coded_records_who_and_when_and_is_audited(
    client_for, practice_manager, practice
):
    referral = decided(practice)
    response = client_for(practice_manager).post(f"/referrals/{referral.reference}/coded/")
    assert response["Location"] == CODING
    referral.refresh_from_db()
    assert referral.coded_in_gp_record_by == practice_manager
    assert referral.coded_in_gp_record_at is not None
    event = AuditEvent.objects.get(action="update")
    assert (event.object_id, event.actor) == (str(referral.pk), practice_manager)


def test_a_coded_referral_leaves_the_list_of_those_still_to_code(
    client_for, practice_manager, practice
):
    referral = decided(practice)
    client = client_for(practice_manager)
    client.post(f"/referrals/{referral.reference}/coded/")
    assert referral.patient.full_name not in client.get(CODING).content.decode()
    assert referral.patient.full_name in client.get(CODING, {"show": "coded"}).content.decode()


def test_marking_twice_keeps_the_first_time(client_for, practice_manager, practice):
    referral = decided(practice)
    client = client_for(practice_manager)
    client.post(f"/referrals/{referral.reference}/coded/")
    first = type(referral).objects.get(pk=referral.pk).coded_in_gp_record_at
    response = client.post(f"/referrals/{referral.reference}/coded/", follow=True)
    assert "already marked as coded" in response.content.decode()
    assert type(referral).objects.get(pk=referral.pk).coded_in_gp_record_at == first


def test_a_referral_without_a_code_cannot_be_marked(client_for, practice_manager, practice):
    referral = ReferralFactory(patient__registered_practice=practice)
    client_for(practice_manager).post(f"/referrals/{referral.reference}/coded/")
    referral.refresh_from_db()
    assert referral.coded_in_gp_record_at is None


def test_marking_is_a_post(client_for, practice_manager, practice):
    referral = decided(practice)
    response = client_for(practice_manager).get(f"/referrals/{referral.reference}/coded/")
    assert response.status_code == 405


def test_outsider_gets_404_marking_another_pcns_referral(client_for, practice):
    from tests.factories import PracticeFactory

    elsewhere = PracticeFactory()
    manager = UserFactory(role=roles.PRACTICE_MANAGER)
    MembershipFactory(user=manager, pcn=elsewhere.pcn, practice=elsewhere)
    referral = decided(practice)
    assert client_for(manager).post(f"/referrals/{referral.reference}/coded/").status_code == 404


def test_manager_of_another_practice_in_the_pcn_gets_404_marking(client_for, practice):
    from tests.factories import PracticeFactory

    neighbour = PracticeFactory(pcn=practice.pcn)
    manager = UserFactory(role=roles.PRACTICE_MANAGER)
    MembershipFactory(user=manager, pcn=practice.pcn, practice=neighbour)
    referral = decided(practice)
    assert client_for(manager).post(f"/referrals/{referral.reference}/coded/").status_code == 404


def test_gp_gets_403_marking_as_coded(client_for, gp, practice):
    referral = decided(practice)
    assert client_for(gp).post(f"/referrals/{referral.reference}/coded/").status_code == 403


def test_the_coding_list_takes_the_same_queries_for_many_rows(
    client_for, practice_manager, practice, django_assert_max_num_queries
):
    client = client_for(practice_manager)
    decided(practice)
    with django_assert_max_num_queries(12) as few:
        client.get(CODING)
    for _ in range(20):
        decided(
            practice,
            coded_in_gp_record_by=practice_manager,
            coded_in_gp_record_at="2026-11-03T10:00:00Z",
        )
        decided(practice)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(CODING, {"show": "all"})


# The printable summary


def test_practice_manager_prints_a_summary_and_the_view_is_audited(
    client_for, practice_manager, practice
):
    referral = decided(practice, patient__nhs_number="9434765919")
    page = client_for(practice_manager).get(f"/referrals/{referral.reference}/summary/")
    content = page.content.decode()
    assert page.status_code == 200
    assert "871731000000106 Referral to social prescribing service" in content
    assert "943 476 5919" in content
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id) == ("view", str(referral.pk))


def test_outsider_gets_404_for_a_summary(client_for, outsider, practice):
    referral = decided(practice)
    assert client_for(outsider).get(f"/referrals/{referral.reference}/summary/").status_code == 404


def test_gp_gets_403_for_a_summary(client_for, gp, practice):
    referral = decided(practice)
    assert client_for(gp).get(f"/referrals/{referral.reference}/summary/").status_code == 403


def test_anonymous_is_sent_to_login_for_a_summary(client, practice):
    referral = decided(practice)
    response = client.get(f"/referrals/{referral.reference}/summary/")
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_email_from_redis(gp, link_worker, practice, settings):
    from celery.contrib.testing.worker import start_worker

    from tests.spl.test_tasks import celery_app, wait_until

    referral = referral_by(gp, practice)
    services.accept_referral(referral=referral, by=link_worker)  # queued; eager task sent it
    notification = Notification.objects.get()
    Notification.objects.filter(pk=notification.pk).update(sent_at=None)
    mail.outbox.clear()
    app = celery_app(settings.REDIS_URL)
    app.autodiscover_tasks(["referrals"], force=True)
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        app.send_task("referrals.tasks.send_notification", [notification.pk])
        assert wait_until(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].subject == f"Referral {referral.reference}: accepted"
    assert Notification.objects.get().sent_at is not None
