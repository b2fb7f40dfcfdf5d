"""Referrals in the admin site: read-only, for administrators, without personal data."""

import pytest

from tests.factories import PatientFactory, ReferralFactory

pytestmark = pytest.mark.django_db
LIST_URL = "/admin/referrals/referral/"


@pytest.fixture
def referral(practice):
    return ReferralFactory(
        patient=PatientFactory(
            registered_practice=practice, given_name="Ottoline", family_name="Quenby"
        )
    )


def test_administrator_sees_the_referral_list(client_for, administrator, referral):
    response = client_for(administrator).get(LIST_URL)
    assert response.status_code == 200
    assert referral.reference in response.content.decode()
    assert "Riverside Medical Centre" in response.content.decode()


def test_the_list_has_no_add_button(client_for, administrator, referral):
    response = client_for(administrator).get(LIST_URL)
    assert f"{LIST_URL}add/" not in response.content.decode()


def test_administrator_cannot_add_change_or_delete(client_for, administrator, referral):
    client = client_for(administrator)
    assert client.get(f"{LIST_URL}add/").status_code == 403
    assert client.post(f"{LIST_URL}{referral.pk}/change/", {"route": "self"}).status_code == 403
    assert client.post(f"{LIST_URL}{referral.pk}/delete/", {"post": "yes"}).status_code == 403
    referral.refresh_from_db()
    assert referral.route == "clinician"


def test_neither_list_nor_page_shows_who_was_referred(client_for, administrator, referral):
    client = client_for(administrator)
    for url in (LIST_URL, f"{LIST_URL}{referral.pk}/change/"):
        page = client.get(url).content.decode()
        assert referral.reference in page, url
        assert "Quenby" not in page and "Ottoline" not in page, url
        assert referral.patient.nhs_number not in page, url


def test_search_finds_a_reference_however_it_is_cased(client_for, administrator, referral):
    ReferralFactory(patient__registered_practice=referral.patient.registered_practice)
    response = client_for(administrator).get(LIST_URL, {"q": f" {referral.reference.lower()} "})
    assert "1 result" in response.content.decode()


def test_search_by_name_or_nhs_number_finds_nothing(client_for, administrator, referral):
    client = client_for(administrator)
    for term in ("Quenby", referral.patient.nhs_number):
        assert "0 results" in client.get(LIST_URL, {"q": term}).content.decode(), term


def test_a_link_worker_cannot_open_it(client_for, link_worker, referral):
    response = client_for(link_worker).get(LIST_URL)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_list_takes_the_same_queries_for_many_rows(
    client_for, administrator, practice, other_practice, django_assert_max_num_queries
):
    client = client_for(administrator)
    ReferralFactory(patient__registered_practice=practice)
    with django_assert_max_num_queries(7) as few:
        client.get(LIST_URL)
    for n in range(30):
        ReferralFactory(patient__registered_practice=practice if n % 2 else other_practice)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(LIST_URL)
