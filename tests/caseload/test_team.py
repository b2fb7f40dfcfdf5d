"""The supervisor's team view: every link worker's open cases, the waiting list,
and reassigning one case or several at once."""

import pytest

from caseload import services
from caseload.models import Case, CaseAssignment
from spl.models import AuditEvent
from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db
TEAM = "/caseload/team/"


@pytest.fixture
def cases(practice, link_worker):
    return [
        services.allocate(
            referral=ReferralFactory(patient__registered_practice=practice),
            to=link_worker,
            by=link_worker,
        )
        for _ in range(3)
    ]


def test_anonymous_people_are_sent_to_log_in(client):
    assert client.get(TEAM)["Location"].startswith("/accounts/login/")


def test_link_workers_cannot_see_the_team_view(client_for, link_worker):
    assert client_for(link_worker).get(TEAM).status_code == 403


def test_the_team_view_counts_each_link_workers_open_cases(
    client_for, supervisor, cases, colleague
):
    page = client_for(supervisor).get(TEAM).content.decode()
    assert "Amira Khan" in page
    assert "Tom Evans" in page
    assert ">3<" in page.replace(" ", "")


def test_the_team_view_leaves_out_another_pcns_link_workers(client_for, supervisor, outsider):
    assert "Grace Obi" not in client_for(supervisor).get(TEAM).content.decode()


def test_reassigning_several_cases_at_once(client_for, supervisor, cases, link_worker, colleague):
    response = client_for(supervisor).post(
        f"{TEAM}?from={link_worker.pk}",
        {"cases": [cases[0].pk, cases[1].pk], "to": str(colleague.pk), "reason": "Leave"},
    )
    assert response.status_code == 302
    assert [Case.objects.get(pk=c.pk).link_worker for c in cases] == [
        colleague,
        colleague,
        link_worker,
    ]
    assert CaseAssignment.objects.filter(to_worker=colleague, by=supervisor).count() == 2


def test_reassigning_to_the_waiting_list(client_for, supervisor, cases, link_worker):
    client_for(supervisor).post(
        f"{TEAM}?from={link_worker.pk}",
        {"cases": [cases[0].pk], "to": "waiting", "reason": "Too many cases"},
    )
    assert Case.objects.get(pk=cases[0].pk).link_worker is None


def test_reassigning_without_a_reason_keeps_the_choice(
    client_for, supervisor, cases, link_worker, colleague
):
    response = client_for(supervisor).post(
        f"{TEAM}?from={link_worker.pk}",
        {"cases": [cases[0].pk], "to": str(colleague.pk), "reason": ""},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Say why the cases are being reassigned" in page
    assert f'value="{cases[0].pk}" checked' in page
    assert Case.objects.get(pk=cases[0].pk).link_worker == link_worker


def test_reassigning_to_who_holds_them_says_so(client_for, supervisor, cases, link_worker):
    response = client_for(supervisor).post(
        f"{TEAM}?from={link_worker.pk}",
        {"cases": [cases[0].pk], "to": str(link_worker.pk), "reason": "No change"},
    )
    assert "Choose someone other than who holds the cases now" in response.content.decode()


def test_a_case_from_another_link_worker_cannot_be_slipped_in(
    client_for, supervisor, cases, link_worker, colleague, practice
):
    theirs = services.allocate(
        referral=ReferralFactory(patient__registered_practice=practice), to=colleague, by=colleague
    )
    response = client_for(supervisor).post(
        f"{TEAM}?from={link_worker.pk}",
        {"cases": [theirs.pk], "to": "waiting", "reason": "Sneaky"},
    )
    assert response.status_code == 400
    assert Case.objects.get(pk=theirs.pk).link_worker == colleague


def test_listing_a_link_workers_cases_is_audited(client_for, supervisor, cases, link_worker):
    client_for(supervisor).get(f"{TEAM}?from={link_worker.pk}")
    assert AuditEvent.objects.filter(action="view", object_type="caseload.case").count() == 3


def test_the_team_view_takes_the_same_queries_for_more_cases(
    client_for, supervisor, cases, link_worker, practice, django_assert_max_num_queries
):
    client = client_for(supervisor)
    url = f"{TEAM}?from={link_worker.pk}"
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for _ in range(5):
        services.allocate(
            referral=ReferralFactory(patient__registered_practice=practice),
            to=link_worker,
            by=link_worker,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
