"""Connections to VCSE services: signposting and referring by the directory's
rule, the provider's signed link, the 7- and 14-day chasing, and closure."""

import datetime
import io
import re

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from caseload import connections, providers, reminders, services
from caseload.flags import of as flags_of
from caseload.models import (
    Case,
    CaseStatus,
    CloseReason,
    Connection,
    ConnectionKind,
    ConnectionStatus,
    ProviderMessage,
)
from directory.models import Service, TaxonomyTerm
from spl import roles
from spl.models import AuditEvent
from tests.directory.factories import (
    OrganisationFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
)
from tests.factories import ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def case(practice, link_worker):
    referral = ReferralFactory(
        patient__registered_practice=practice,
        patient__given_name="Jo",
        patient__family_name="Bloggs",
        patient__phone="07700 900123",
    )
    case = services.allocate(referral=referral, to=link_worker, by=link_worker)
    return services.person_agreed(case=case, by=link_worker)


def make_service(pcn, **fields):
    organisation = OrganisationFactory(
        pcn=pcn, assured_until=NOW.date() + datetime.timedelta(days=200)
    )
    fields = {
        "access": Service.Access.DIRECT_REFERRAL,
        "referral_email": "referrals@walks.example.org",
        "name": "Chapeltown walking group",
    } | fields
    made = ServiceFactory(organisation=organisation, **fields)
    return Service.objects.with_qa_status().get(pk=made.pk)


@pytest.fixture
def service(pcn):
    return make_service(pcn)


def refer(case, service, by, **values):
    values = {
        "kind": ConnectionKind.REFERRED,
        "need": "loneliness",
        "why": "Wants to get out more",
        "share_contact_details": True,
        "message": "Jo would like a call in the mornings.",
    } | values
    return connections.connect(case=case, service=service, by=by, **values)


@pytest.fixture
def referred(case, service, link_worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return refer(case, service, link_worker)


def link_of(email):
    return re.search(r"http://\S+/provider/\S+/", email.body).group(0)


def path_of(link):
    return link.split("127.0.0.1:8000", 1)[-1]


# Connecting by the directory's rule


def test_signposting_records_a_suggested_connection(case, link_worker, pcn):
    service = make_service(pcn, access=Service.Access.SIGNPOSTING, referral_email="")
    connection = connections.connect(
        case=case,
        service=service,
        by=link_worker,
        kind=ConnectionKind.SIGNPOSTED,
        need="loneliness",
        why="Gave her the leaflet",
    )
    assert connection.status == ConnectionStatus.SUGGESTED
    assert [change.to_status for change in connection.history.all()] == ["suggested"]
    assert not ProviderMessage.objects.exists()


def test_a_signposting_only_service_cannot_be_referred_to(case, link_worker, pcn):
    service = make_service(pcn, access=Service.Access.SIGNPOSTING, referral_email="")
    with pytest.raises(ValidationError, match="Signpost the person instead"):
        refer(case, service, link_worker)


def test_a_service_whose_assurance_lapsed_cannot_be_referred_to(case, link_worker, pcn):
    service = make_service(pcn)
    service.organisation.assured_until = NOW.date() - datetime.timedelta(days=1)
    service.organisation.save()
    service = Service.objects.with_qa_status().get(pk=service.pk)
    with pytest.raises(ValidationError, match="quality assurance has lapsed"):
        refer(case, service, link_worker)


def test_a_full_service_needs_a_reason_to_refer(case, link_worker, pcn):
    service = make_service(pcn, accepting_referrals=False)
    with pytest.raises(ValidationError, match="Say why you are referring anyway"):
        refer(case, service, link_worker)


def test_a_full_service_can_be_referred_to_with_a_reason(case, link_worker, pcn):
    service = make_service(pcn, accepting_referrals=False)
    connection = refer(case, service, link_worker, capacity_reason="Sam agreed on the phone")
    assert connection.status == ConnectionStatus.REFERRED
    assert connection.capacity_reason == "Sam agreed on the phone"


def test_the_connect_page_asks_for_the_reason_next_to_its_field(client_for, case, link_worker, pcn):
    service = make_service(pcn, accepting_referrals=False)
    response = client_for(link_worker).post(
        f"/caseload/cases/{case.pk}/connect/{service.pk}/",
        {"kind": "referred", "need": "loneliness", "why": "Walks help her"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Say why you are referring although the service is not accepting referrals" in page
    assert "Walks help her" in page  # nothing typed is lost
    assert not Connection.objects.exists()


def test_a_connection_is_recorded_from_the_connect_page(client_for, case, link_worker, service):
    response = client_for(link_worker).post(
        f"/caseload/cases/{case.pk}/connect/{service.pk}/",
        {"kind": "signposted", "need": "loneliness", "why": "Gave the leaflet"},
    )
    assert response.status_code == 302
    connection = Connection.objects.get()
    assert (connection.kind, connection.status) == ("signposted", "suggested")
    assert AuditEvent.objects.filter(
        action="create", object_type="caseload.connection", patient_id=str(case.patient.pk)
    ).exists()


def test_the_search_is_for_the_persons_age(client_for, case, link_worker, service, pcn):
    make_service(pcn, name="Toddler group", minimum_age=0, maximum_age=5)
    page = client_for(link_worker).get(f"/caseload/cases/{case.pk}/connect/").content.decode()
    assert "Chapeltown walking group" in page
    assert "Toddler group" not in page


def test_the_search_takes_the_same_queries_for_one_service_or_many(
    client_for, case, link_worker, pcn, django_assert_max_num_queries, django_assert_num_queries
):
    case.referral.reasons.create(reason="loneliness")
    loneliness = TaxonomyTerm.objects.get(code="loneliness")

    def add_service(name):
        made = make_service(pcn, name=name)
        made.taxonomy_terms.add(loneliness)
        ServiceAtLocationFactory(service=made)

    client = client_for(link_worker)
    url = f"/caseload/cases/{case.pk}/connect/"
    add_service("Walk 0")
    with django_assert_max_num_queries(20) as one:
        assert len(client.get(url).context["page"].object_list) == 1
    for number in range(1, 16):
        add_service(f"Walk {number}")
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(client.get(url).context["page"].object_list) == 16


# The referral email


def test_a_referral_emails_the_service_once_after_commit(referred):
    assert [message.to for message in mail.outbox] == [["referrals@walks.example.org"]]
    assert ProviderMessage.objects.get().sent_at is not None


def test_the_email_names_no_one(referred, case):
    body = mail.outbox[0].body
    assert case.patient.given_name not in body
    assert case.patient.family_name not in body
    assert "/provider/" in body


def test_sending_a_message_twice_sends_it_once(referred):
    message = ProviderMessage.objects.get()
    assert providers.send(message.pk) is False
    assert len(mail.outbox) == 1


# The provider's link


def test_the_provider_sees_what_the_person_agreed_to_share(client, referred, case):
    response = client.get(path_of(link_of(mail.outbox[0])))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Jo Bloggs" in page
    assert "07700 900123" in page
    assert "Jo would like a call in the mornings." in page
    assert case.patient.nhs_number_display not in page
    assert case.patient.date_of_birth.strftime("%-d %B %Y") not in page
    assert "no-store" in response["Cache-Control"]


def test_without_consent_the_provider_sees_no_name(
    client, case, service, link_worker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        refer(case, service, link_worker, share_contact_details=False)
    page = client.get(path_of(link_of(mail.outbox[0]))).content.decode()
    assert "Bloggs" not in page
    assert "07700 900123" not in page


def test_every_view_of_the_providers_page_is_audited(client, referred, case):
    client.get(path_of(link_of(mail.outbox[0])))
    assert AuditEvent.objects.filter(
        action="view", actor=None, object_type="caseload.connection", object_id=str(referred.pk)
    ).exists()


def test_the_provider_accepts(client, referred):
    response = client.post(
        path_of(link_of(mail.outbox[0])), {"step": "answer", "answer-answer": "accept"}
    )
    assert response.status_code == 302
    referred.refresh_from_db()
    assert referred.status == ConnectionStatus.ACCEPTED
    change = referred.history.last()
    assert (change.to_status, change.by, change.who) == ("accepted", None, "The provider")


def test_declining_needs_a_reason(client, referred):
    response = client.post(
        path_of(link_of(mail.outbox[0])), {"step": "answer", "answer-answer": "decline"}
    )
    assert response.status_code == 400
    assert "Say why you cannot take this referral" in response.content.decode()
    referred.refresh_from_db()
    assert referred.status == ConnectionStatus.REFERRED


def test_the_provider_declines_with_a_reason(client, referred):
    client.post(
        path_of(link_of(mail.outbox[0])),
        {"step": "answer", "answer-answer": "decline", "answer-reason": "Group is full"},
    )
    referred.refresh_from_db()
    assert (referred.status, referred.provider_reason) == ("declined", "Group is full")


def test_an_answer_given_twice_changes_nothing(client, referred):
    link = path_of(link_of(mail.outbox[0]))
    client.post(link, {"step": "answer", "answer-answer": "accept"})
    response = client.post(
        link,
        {"step": "answer", "answer-answer": "decline", "answer-reason": "Changed our mind"},
        follow=True,
    )
    assert "already been answered" in response.content.decode()
    referred.refresh_from_db()
    assert referred.status == ConnectionStatus.ACCEPTED
    assert referred.history.count() == 2


def test_the_provider_later_says_the_person_came(client, referred):
    link = path_of(link_of(mail.outbox[0]))
    client.post(link, {"step": "answer", "answer-answer": "accept"})
    client.post(link, {"step": "attendance", "attendance-attended": "yes"})
    referred.refresh_from_db()
    assert referred.status == ConnectionStatus.ATTENDED


@pytest.mark.parametrize("data", [{"step": "other", "answer-answer": "accept"}, {}])
def test_a_post_that_is_no_answer_shows_the_page_again(client, referred, data):
    link = path_of(link_of(mail.outbox[0]))
    response = client.post(link, data)
    assert (response.status_code, response["Location"]) == (302, link)
    assert "Can you take this referral?" in client.get(link).content.decode()
    referred.refresh_from_db()
    assert referred.status == ConnectionStatus.REFERRED


def test_an_expired_link_answers_nothing(client, referred):
    link = path_of(link_of(mail.outbox[0]))
    later = NOW + datetime.timedelta(days=providers.PROVIDER_LINK_DAYS, seconds=1)
    with time_machine.travel(later, tick=False):
        response = client.post(link, {"step": "answer", "answer-answer": "accept"})
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    referred.refresh_from_db()
    assert referred.status == ConnectionStatus.REFERRED


@pytest.mark.parametrize("tamper", ["swap_id", "bad_signature", "made_up"])
def test_a_tampered_link_answers_nothing(client, referred, tamper):
    link = path_of(link_of(mail.outbox[0]))
    token = link.split("/")[2]
    value, stamp, signature = token.split(":")
    bad = {
        "swap_id": f"{value[:-1]}{'A' if value[-1] != 'A' else 'B'}:{stamp}:{signature}",
        "bad_signature": f"{value}:{stamp}:{signature[:-2]}xx",
        "made_up": "1:1:1",
    }[tamper]
    response = client.post(f"/provider/{bad}/", {"step": "answer", "answer-answer": "accept"})
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    referred.refresh_from_db()
    assert referred.status == ConnectionStatus.REFERRED


# Chasing the provider


def chase(days):
    with time_machine.travel(NOW + datetime.timedelta(days=days), tick=False):
        return connections.chase_providers()


def test_no_reminder_before_seven_days(referred):
    assert chase(6) == (0, 0)


def test_one_reminder_after_seven_days_however_often_it_runs(
    referred, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert chase(7) == (1, 0)
        assert chase(8) == (0, 0)
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject.startswith("Reminder:")


def test_no_reminder_once_the_provider_answered(referred):
    connections.provider_answer(connection=referred, accepted=True)
    assert chase(7) == (0, 0)


def test_no_response_after_fourteen_days(referred):
    assert chase(14) == (1, 1)
    referred.refresh_from_db()
    assert referred.status == ConnectionStatus.NO_RESPONSE
    assert referred.history.last().who == "SPL"
    assert chase(15) == (0, 0)


def test_no_response_flags_the_case_and_counts_in_the_digest(referred, case, link_worker):
    chase(14)
    with time_machine.travel(NOW + datetime.timedelta(days=14), tick=False):
        assert flags_of(Case.objects.filter(pk=case.pk))[case.pk]["provider_no_response"]
        assert reminders.due()[link_worker.pk]["no_response"] == 1


def test_a_late_answer_is_still_taken(referred):
    chase(14)
    assert connections.provider_answer(connection=referred, accepted=True)
    referred.refresh_from_db()
    assert referred.status == ConnectionStatus.ACCEPTED


# The link worker's hand, and closure


def test_the_link_worker_records_attendance(referred, link_worker):
    connections.provider_answer(connection=referred, accepted=True)
    connections.move(connection=referred, to=ConnectionStatus.ATTENDED, by=link_worker)
    referred.refresh_from_db()
    assert referred.history.last().by == link_worker


def test_a_move_the_status_does_not_allow_is_refused(referred, link_worker):
    with pytest.raises(ValidationError, match="cannot become attended"):
        connections.move(connection=referred, to=ConnectionStatus.ATTENDED, by=link_worker)


def test_closing_gives_each_open_connection_its_final_state(referred, case, link_worker, pcn):
    signposted = connections.connect(
        case=case,
        service=make_service(pcn, name="Debt advice"),
        by=link_worker,
        kind=ConnectionKind.SIGNPOSTED,
        need="finance",
        why="Rent arrears",
    )
    connections.provider_answer(connection=referred, accepted=True)
    services.close(
        case=case,
        by=link_worker,
        reason=CloseReason.GOALS_MET,
        summary="Walking weekly",
        final={referred.pk: ConnectionStatus.ATTENDED},
    )
    referred.refresh_from_db()
    signposted.refresh_from_db()
    assert (referred.status, signposted.status) == ("attended", "ended")


def queries_to_close_with(connections_open, practice, link_worker, pcn):
    referral = ReferralFactory(patient__registered_practice=practice)
    case = services.allocate(referral=referral, to=link_worker, by=link_worker)
    case = services.person_agreed(case=case, by=link_worker)
    for number in range(connections_open):
        connections.connect(
            case=case,
            service=make_service(pcn, name=f"Group {number}"),
            by=link_worker,
            kind=ConnectionKind.SIGNPOSTED,
            need="loneliness",
            why="Likes company",
        )
    with CaptureQueriesContext(db) as queries:
        services.close(case=case, by=link_worker, reason=CloseReason.GOALS_MET, summary="Done")
    assert not case.connections.filter(status=ConnectionStatus.SUGGESTED).exists()
    return len(queries)


def test_closing_takes_three_queries_for_each_open_connection(practice, link_worker, pcn):
    # Its new status, its history row and its audit event: the lock and the
    # person are read once for the case.
    one = queries_to_close_with(1, practice, link_worker, pcn)
    five = queries_to_close_with(5, practice, link_worker, pcn)
    assert five - one == 4 * 3


def test_the_close_form_asks_how_each_open_connection_ended(
    client_for, referred, case, link_worker
):
    response = client_for(link_worker).post(
        f"/caseload/cases/{case.pk}/close/",
        {
            "close-reason": "goals_met",
            "close-summary": "Walking weekly",
            "close-no_discharge_measure": "Declined to answer",
            f"close-connection-{referred.pk}": "declined",
        },
    )
    assert response.status_code == 302
    referred.refresh_from_db()
    assert referred.status == ConnectionStatus.DECLINED


def test_a_connection_on_a_closed_case_cannot_be_moved(referred, case, link_worker):
    services.close(case=case, by=link_worker, reason=CloseReason.GOALS_MET, summary="Done")
    referred.refresh_from_db()
    with pytest.raises(ValidationError, match="closed"):
        connections.move(connection=referred, to=ConnectionStatus.ENDED, by=link_worker)


def close_as_before(case):
    """Close the case as closing once could: leaving its connections where
    they were, even waiting on the provider."""
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.CLOSED, closed_at=NOW, close_reason=CloseReason.GOALS_MET
    )


def test_the_link_worker_cannot_mark_no_response_by_hand(referred, link_worker):
    with pytest.raises(ValidationError, match="SPL marks"):
        connections.move(connection=referred, to=ConnectionStatus.NO_RESPONSE, by=link_worker)


def test_the_move_form_offers_what_the_link_worker_may_record(
    client_for, referred, case, link_worker
):
    response = client_for(link_worker).get(case.get_absolute_url())
    [(_, form)] = response.context["connection_rows"]
    assert [value for value, _ in form.fields["to"].choices] == ["accepted", "declined", "ended"]


def test_closing_offers_only_how_a_referral_waiting_for_an_answer_could_end(
    client_for, referred, case, link_worker
):
    form = client_for(link_worker).get(f"/caseload/cases/{case.pk}/close/").context["form"]
    choices = form.fields[f"connection-{referred.pk}"].choices
    assert [value for value, _ in choices] == ["declined", "ended"]


def test_closing_offers_only_how_an_accepted_referral_could_end(
    client_for, referred, case, link_worker
):
    connections.provider_answer(connection=referred, accepted=True)
    form = client_for(link_worker).get(f"/caseload/cases/{case.pk}/close/").context["form"]
    choices = form.fields[f"connection-{referred.pk}"].choices
    assert [value for value, _ in choices] == ["attended", "did_not_attend", "ended"]


def test_the_close_form_refuses_a_state_that_is_not_an_ending(
    client_for, referred, case, link_worker
):
    response = client_for(link_worker).post(
        f"/caseload/cases/{case.pk}/close/",
        {
            "close-reason": "goals_met",
            "close-summary": "Walking weekly",
            "close-no_discharge_measure": "Declined to answer",
            f"close-connection-{referred.pk}": "accepted",
        },
    )
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).is_open
    referred.refresh_from_db()
    assert referred.status == ConnectionStatus.REFERRED


def test_a_case_cannot_close_leaving_a_connection_waiting(referred, case, link_worker):
    with pytest.raises(ValidationError, match="cannot be left accepted by the provider"):
        services.close(
            case=case,
            by=link_worker,
            reason=CloseReason.GOALS_MET,
            summary="Done",
            final={referred.pk: ConnectionStatus.ACCEPTED},
        )
    assert Case.objects.get(pk=case.pk).is_open
    referred.refresh_from_db()
    assert referred.status == ConnectionStatus.REFERRED


def test_a_providers_answer_after_closure_changes_nothing(client, referred, case, link_worker):
    services.close(case=case, by=link_worker, reason=CloseReason.GOALS_MET, summary="Done")
    response = client.post(
        path_of(link_of(mail.outbox[0])), {"step": "answer", "answer-answer": "accept"}
    )
    assert response.status_code == 302
    referred.refresh_from_db()
    assert referred.status == ConnectionStatus.ENDED
    assert referred.history.count() == 2


def test_the_providers_page_says_the_persons_support_has_ended(client, referred, case, link_worker):
    services.close(case=case, by=link_worker, reason=CloseReason.GOALS_MET, summary="Done")
    page = client.get(path_of(link_of(mail.outbox[0]))).content.decode()
    assert "The person's support has ended" in page
    assert "Can you take this referral?" not in page


def test_a_provider_cannot_move_a_connection_a_closed_case_left_waiting(client, referred, case):
    connections.provider_answer(connection=referred, accepted=True)
    close_as_before(case)
    link = path_of(link_of(mail.outbox[0]))
    page = client.get(link).content.decode()
    assert "Did the person come?" not in page
    response = client.post(link, {"step": "attendance", "attendance-attended": "yes"}, follow=True)
    assert "your answer was not recorded" in response.content.decode()
    assert connections.provider_attendance(connection=referred, attended=True) is False
    referred.refresh_from_db()
    assert referred.status == ConnectionStatus.ACCEPTED


def test_providers_are_not_chased_about_a_closed_case(referred, case):
    close_as_before(case)
    assert chase(14) == (0, 0)
    referred.refresh_from_db()
    assert referred.status == ConnectionStatus.REFERRED


def test_the_case_page_shows_the_connection_and_its_history(
    client_for, referred, case, link_worker
):
    page = client_for(link_worker).get(case.get_absolute_url()).content.decode()
    assert "Chapeltown walking group" in page
    assert "Referred for loneliness and isolation" in page


# Who may connect


def connect_urls(case, service, connection):
    return [
        ("get", f"/caseload/cases/{case.pk}/connect/"),
        ("get", f"/caseload/cases/{case.pk}/connect/{service.pk}/"),
        ("post", f"/caseload/cases/{case.pk}/connections/{connection.pk}/"),
    ]


@pytest.mark.parametrize("index", [0, 1, 2])
def test_anonymous_people_are_sent_to_log_in(client, case, service, referred, index):
    method, url = connect_urls(case, service, referred)[index]
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("index", [0, 1, 2])
def test_another_pcns_link_worker_gets_404(client_for, case, service, referred, outsider, index):
    method, url = connect_urls(case, service, referred)[index]
    assert getattr(client_for(outsider), method)(url).status_code == 404


@pytest.mark.parametrize("index", [0, 1, 2])
def test_staff_without_the_caseload_get_403(client_for, case, service, referred, pcn, index):
    directory_manager = UserFactory(role=roles.DIRECTORY_MANAGER, pcns=[pcn])
    method, url = connect_urls(case, service, referred)[index]
    assert getattr(client_for(directory_manager), method)(url).status_code == 403


@pytest.mark.parametrize("index", [0, 1])
def test_the_link_worker_may_connect(client_for, case, service, referred, link_worker, index):
    _, url = connect_urls(case, service, referred)[index]
    assert client_for(link_worker).get(url).status_code == 200


def test_the_schedule_chases_providers_every_morning(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["chase-providers"]
    assert entry["task"] == "caseload.tasks.chase_providers"


def test_the_command_chases_as_the_task_does(referred):
    out = io.StringIO()
    with time_machine.travel(NOW + datetime.timedelta(days=14), tick=False):
        call_command("chase_providers", stdout=out)
    assert out.getvalue().strip() == "Reminders queued: 1. Marked no response: 1."


def test_the_search_starts_with_the_persons_need(client_for, case, link_worker, pcn):
    case.referral.reasons.create(reason="loneliness")
    make_service(pcn, name="Friendship café").taxonomy_terms.add(
        TaxonomyTerm.objects.get(code="loneliness")
    )
    make_service(pcn, name="Debt advice").taxonomy_terms.add(
        TaxonomyTerm.objects.get(code="finance")
    )
    page = client_for(link_worker).get(f"/caseload/cases/{case.pk}/connect/").content.decode()
    assert "Friendship café" in page
    assert "Debt advice" not in page


def test_a_connection_carries_its_case_practice(referred, case):
    referred.refresh_from_db()
    assert referred.practice_id == case.practice_id
