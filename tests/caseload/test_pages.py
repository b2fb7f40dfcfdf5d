"""The caseload's pages: who may see them, what they show, what they audit."""

import datetime

import pytest
from django import db
from django.contrib.auth.models import Permission
from django.utils import timezone

from caseload import connections, measures, services
from caseload.instruments import INSTRUMENTS
from caseload.models import (
    Case,
    CaseStatus,
    CloseReason,
    Contact,
    ContactMode,
    ContactOutcome,
    SafeguardingCategory,
)
from referrals.models import Status
from spl import roles
from spl.models import AuditEvent
from tests.directory.factories import ServiceFactory
from tests.factories import ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db
SWEMWBS_ITEMS = [item.key for item in INSTRUMENTS["swemwbs"].items]


@pytest.fixture
def referral(practice):
    return ReferralFactory(patient__registered_practice=practice, patient__given_name="Jo")


@pytest.fixture
def case(referral, link_worker):
    return services.allocate(referral=referral, to=link_worker, by=link_worker)


@pytest.fixture
def waiting(practice, supervisor):
    referral = ReferralFactory(patient__registered_practice=practice)
    return services.allocate(referral=referral, to=None, by=supervisor)


def urls(case):
    return {
        "caseload": ("get", "/caseload/"),
        "waiting": ("get", "/caseload/waiting/"),
        "case": ("get", f"/caseload/cases/{case.pk}/"),
        "contact": ("post", f"/caseload/cases/{case.pk}/contacts/"),
        "decision": ("post", f"/caseload/cases/{case.pk}/decision/"),
        "take": ("post", f"/caseload/cases/{case.pk}/take/"),
        "allocate": ("get", f"/caseload/allocate/{case.referral.reference}/"),
        # The case's less frequent actions, each on its own page.
        "hold": ("get", f"/caseload/cases/{case.pk}/hold/"),
        "close": ("get", f"/caseload/cases/{case.pk}/close/"),
        "concern": ("get", f"/caseload/cases/{case.pk}/safeguarding/"),
        "refer_back": ("get", f"/caseload/cases/{case.pk}/refer-back/"),
        "mdt": ("get", f"/caseload/cases/{case.pk}/mdt/"),
    }


ACTIONS = ["hold", "close", "concern", "refer_back", "mdt"]


@pytest.mark.parametrize(
    "name", ["caseload", "waiting", "case", "contact", "decision", "take", "allocate", *ACTIONS]
)
def test_anonymous_people_are_sent_to_log_in(client, case, name):
    method, url = urls(case)[name]
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("name", ["case", "contact", "decision", "take", "allocate", *ACTIONS])
def test_another_pcns_link_worker_gets_404(client_for, case, outsider, name):
    method, url = urls(case)[name]
    assert getattr(client_for(outsider), method)(url).status_code == 404


@pytest.mark.parametrize(
    "name", ["caseload", "waiting", "case", "contact", "decision", "take", "allocate", *ACTIONS]
)
def test_staff_without_the_caseload_get_403(client_for, case, pcn, name):
    directory_manager = UserFactory(role=roles.DIRECTORY_MANAGER, pcns=[pcn])
    method, url = urls(case)[name]
    assert getattr(client_for(directory_manager), method)(url).status_code == 403


@pytest.mark.parametrize("name", ["caseload", "waiting", "case", *ACTIONS])
def test_the_link_worker_sees_the_caseload_pages(client_for, case, link_worker, name):
    _, url = urls(case)[name]
    response = client_for(link_worker).get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_the_caseload_lists_the_link_workers_open_cases(client_for, case, link_worker, colleague):
    services.allocate(
        referral=ReferralFactory(patient__registered_practice=case.practice),
        to=colleague,
        by=colleague,
    )
    page = client_for(link_worker).get("/caseload/").content.decode()
    assert case.patient.full_name in page
    assert "1 open case" in page


def test_the_caseload_shows_the_waiting_list_count(client_for, case, waiting, link_worker):
    assert "1 person waiting" in client_for(link_worker).get("/caseload/").content.decode()


def test_the_caseload_takes_the_same_queries_for_many_cases(
    client_for, case, link_worker, django_assert_max_num_queries
):
    client = client_for(link_worker)
    with django_assert_max_num_queries(20) as one:
        client.get("/caseload/")
    for _ in range(10):
        referral = ReferralFactory(patient__registered_practice=case.practice)
        more = services.allocate(referral=referral, to=link_worker, by=link_worker)
        services.record_contact(
            case=more, by=link_worker, mode=ContactMode.PHONE, outcome=ContactOutcome.SPOKE
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get("/caseload/").status_code == 200


def test_the_waiting_list_takes_the_same_queries_for_many_cases(
    client_for, waiting, practice, supervisor, link_worker, django_assert_max_num_queries
):
    client = client_for(link_worker)
    with django_assert_max_num_queries(20) as one:
        client.get("/caseload/waiting/")
    for _ in range(10):
        referral = ReferralFactory(patient__registered_practice=practice)
        services.allocate(referral=referral, to=None, by=supervisor)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get("/caseload/waiting/").content.decode()
    assert page.count('scope="row"') == 11


def test_the_caseload_audits_each_case_it_shows(client_for, case, link_worker):
    client_for(link_worker).get("/caseload/")
    assert AuditEvent.objects.filter(
        action="view", object_type="caseload.case", object_id=str(case.pk)
    ).exists()


def test_the_case_page_audits_the_view_with_the_person(client_for, case, link_worker):
    client_for(link_worker).get(f"/caseload/cases/{case.pk}/")
    event = AuditEvent.objects.filter(action="view", object_type="caseload.case").last()
    assert event.patient_id == str(case.patient.pk)


def test_a_contact_is_recorded_from_the_case_page(client_for, case, link_worker):
    response = client_for(link_worker).post(
        f"/caseload/cases/{case.pk}/contacts/",
        {
            "date_day": "30",
            "date_month": "11",
            "date_year": "2025",
            "time": "10:15",
            "mode": ContactMode.PHONE,
            "outcome": ContactOutcome.UNABLE_TO_CONTACT,
            "notes": "Left a voicemail",
        },
    )
    assert response.status_code == 302
    contact = Contact.objects.get(case=case)
    assert (contact.outcome, contact.notes, contact.at.hour) == (
        ContactOutcome.UNABLE_TO_CONTACT,
        "Left a voicemail",
        10,
    )


def test_a_contact_with_errors_keeps_what_was_typed(client_for, case, link_worker):
    response = client_for(link_worker).post(
        f"/caseload/cases/{case.pk}/contacts/",
        {"date_day": "30", "date_month": "11", "date_year": "2025", "time": "25:99",
         "notes": "Left a voicemail"},
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter the time as hours and minutes" in page
    assert "Select how you contacted the person" in page
    assert "Left a voicemail" in page
    assert "<title>Error: Case: " in page  # said once
    assert not Contact.objects.exists()


@pytest.mark.parametrize("name", ACTIONS)
def test_an_action_page_is_a_view_of_the_case(client_for, case, link_worker, name):
    _, url = urls(case)[name]
    client_for(link_worker).get(url)
    event = AuditEvent.objects.get(action="view", object_type="caseload.case")
    assert (event.object_id, event.patient_id) == (str(case.pk), str(case.patient.pk))


@pytest.mark.parametrize("name", ACTIONS)
def test_a_closed_case_has_no_action_pages(client_for, case, link_worker, name):
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.CLOSED, closed_at=timezone.now(), close_reason=CloseReason.OTHER
    )
    method, url = urls(case)[name]
    assert getattr(client_for(link_worker), method)(url).status_code == 404


def test_an_action_page_links_back_to_the_case(client_for, case, link_worker):
    page = client_for(link_worker).get(urls(case)["hold"][1]).content.decode()
    assert f'href="/caseload/cases/{case.pk}/"' in page


def test_an_error_on_an_action_page_says_so_in_the_title(client_for, case, link_worker):
    # What a browser sends for the form left empty (with its CSRF token).
    response = client_for(link_worker).post(
        f"/caseload/cases/{case.pk}/hold/", {"hold-reason": "", "hold-resume_on_day": ""}
    )
    assert response.status_code == 400
    assert "<title>Error: Put support on hold: " in response.content.decode()


def test_taking_a_case_from_the_waiting_list(client_for, waiting, link_worker):
    response = client_for(link_worker).post(f"/caseload/cases/{waiting.pk}/take/")
    waiting.refresh_from_db()
    assert response.status_code == 302
    assert waiting.link_worker == link_worker


def test_the_person_agreeing_from_the_case_page(client_for, case, link_worker):
    client_for(link_worker).post(f"/caseload/cases/{case.pk}/decision/", {"decision": "agreed"})
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE


def test_unable_to_contact_is_offered_after_three_attempts(client_for, case, link_worker):
    client = client_for(link_worker)
    for _ in range(3):
        assert (
            "Close: unable to contact" not in client.get(case.get_absolute_url()).content.decode()
        )
        services.record_contact(
            case=case, by=link_worker, mode=ContactMode.PHONE,
            outcome=ContactOutcome.UNABLE_TO_CONTACT,
        )  # fmt: skip
    assert "Close: unable to contact" in client.get(case.get_absolute_url()).content.decode()


def test_allocating_from_the_referral_page(client_for, referral, link_worker, colleague):
    client = client_for(link_worker)
    page = client.get(referral.get_absolute_url()).content.decode()
    assert f"/caseload/allocate/{referral.reference}/" in page
    response = client.post(f"/caseload/allocate/{referral.reference}/", {"to": str(colleague.pk)})
    assert response.status_code == 302
    assert Case.objects.get(referral=referral).link_worker == colleague


def test_allocating_without_a_choice_says_what_to_do(client_for, referral, link_worker):
    response = client_for(link_worker).post(f"/caseload/allocate/{referral.reference}/", {})
    assert response.status_code == 400
    assert "Select a link worker or the waiting list" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.AWAITING_TRIAGE


def test_allocating_to_the_waiting_list(client_for, referral, link_worker):
    client_for(link_worker).post(f"/caseload/allocate/{referral.reference}/", {"to": "waiting"})
    assert Case.objects.get(referral=referral).link_worker is None


def test_the_allocate_page_offers_only_the_pcns_link_workers(
    client_for, referral, link_worker, outsider
):
    page = client_for(link_worker).get(f"/caseload/allocate/{referral.reference}/").content
    assert link_worker.full_name.encode() in page
    assert outsider.full_name.encode() not in page


def test_an_allocated_referral_links_to_its_case(client_for, case, link_worker):
    page = client_for(link_worker).get(case.referral.get_absolute_url()).content.decode()
    assert f"/caseload/cases/{case.pk}/" in page


def test_the_case_page_takes_the_same_queries_with_more_on_it(
    client_for, case, link_worker, gp, django_assert_max_num_queries
):
    def add(number):
        services.record_contact(
            case=case, by=link_worker, mode=ContactMode.PHONE, outcome=ContactOutcome.SPOKE
        )
        services.raise_concern(
            case=case, by=link_worker, category=SafeguardingCategory.OTHER,
            what_happened=f"Concern {number}",
        )  # fmt: skip
        services.refer_back(case=case, by=link_worker, to=gp, reason="Check", urgency="routine")
        services.flag_for_mdt(
            case=case, by=link_worker, reason="x",
            meeting_on=timezone.localdate() + datetime.timedelta(days=7),
        )  # fmt: skip
        connection = connections.connect(
            case=case, service=ServiceFactory(organisation__pcn=case.practice.pcn),
            by=link_worker, kind="signposted", need="loneliness", why="Near home",
        )  # fmt: skip
        connections.move(connection=connection, to="attended", by=link_worker)
        measures.record(
            case=case, by=link_worker, instrument="swemwbs", timepoint="review",
            taken_on=timezone.localdate(), answers=dict.fromkeys(SWEMWBS_ITEMS, 3),
        )  # fmt: skip

    client = client_for(link_worker)
    url = case.get_absolute_url()
    add(0)
    with django_assert_max_num_queries(25) as few:
        client.get(url)
    for number in range(1, 4):
        add(number)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_case_page_names_who_did_each_thing(
    client_for, case, link_worker, colleague, supervisor, gp
):
    services.record_contact(
        case=case, by=link_worker, mode=ContactMode.PHONE, outcome=ContactOutcome.SPOKE
    )
    services.reassign(case=case, to=colleague, by=supervisor, reason="Leave")
    services.refer_back(case=case, by=colleague, to=gp, reason="Check", urgency="routine")
    services.raise_concern(
        case=case, by=colleague, category=SafeguardingCategory.OTHER, what_happened="Fell",
    )  # fmt: skip
    page = " ".join(client_for(colleague).get(case.get_absolute_url()).content.decode().split())
    assert "by Amira Khan" in page  # the contact's author
    assert "Held by Tom Evans" in page  # the assignment's new holder
    assert ", Helen Jones" in page  # who reassigned it, on the timeline
    assert "Dr Sam Patel," in page  # the clinician referred back to
    assert "by Tom Evans" in page  # who raised the concern


@pytest.mark.postgres
def test_the_case_page_seen_again_runs_prepared_statements(client_for, case, link_worker):
    client = client_for(link_worker)
    client.get(case.get_absolute_url())
    assert "Jo" in client.get(case.get_absolute_url()).content.decode()
    with db.connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] >= 10


@pytest.mark.parametrize("url", ["/caseload/waiting/", "/caseload/mdt/", "/caseload/gp-summaries/"])
def test_the_other_lists_take_the_same_queries_for_more_rows(
    client_for, practice, link_worker, supervisor, url, django_assert_max_num_queries
):
    def add():
        referral = ReferralFactory(patient__registered_practice=practice)
        waiting = services.allocate(referral=referral, to=None, by=supervisor)
        services.flag_for_mdt(
            case=waiting, by=supervisor, reason="x",
            meeting_on=timezone.localdate() + datetime.timedelta(days=7),
        )  # fmt: skip
        referral = ReferralFactory(patient__registered_practice=practice)
        held = services.allocate(referral=referral, to=link_worker, by=link_worker)
        services.person_agreed(case=held, by=link_worker)
        services.close(case=held, by=link_worker, reason=CloseReason.GOALS_MET, summary="Done")

    client = client_for(link_worker)
    # The practice's list of closing summaries is for those who code referrals.
    link_worker.user_permissions.add(Permission.objects.get(codename="code_referral"))
    add()
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for _ in range(4):
        add()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def _referred_again(case, link_worker):
    services.person_declined(case=case, by=link_worker)
    again = ReferralFactory(patient=case.referral.patient)
    return services.allocate(referral=again, to=link_worker, by=link_worker)


def test_a_new_cases_page_links_the_persons_earlier_case(client_for, case, link_worker):
    second = _referred_again(case, link_worker)
    page = client_for(link_worker).get(f"/caseload/cases/{second.pk}/").content.decode()
    assert "Earlier cases" in page
    assert f'href="/caseload/cases/{case.pk}/"' in page


def test_a_case_page_looks_for_earlier_cases_only_when_there_are_some(
    client_for, case, link_worker, django_assert_max_num_queries
):
    client = client_for(link_worker)
    with django_assert_max_num_queries(50) as alone:
        page = client.get(f"/caseload/cases/{case.pk}/").content.decode()
    assert "Earlier cases" not in page
    second = _referred_again(case, link_worker)
    with django_assert_max_num_queries(50) as again:
        client.get(f"/caseload/cases/{second.pk}/")
    assert len(again.captured_queries) == len(alone.captured_queries) + 1
