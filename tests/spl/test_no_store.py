"""Pages that may hold personal data are never kept by a browser or proxy."""

import pytest

from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def test_a_page_for_a_signed_in_user_is_sent_with_no_store(client_for, link_worker, practice):
    referral = ReferralFactory(patient__registered_practice=practice)
    response = client_for(link_worker).get(referral.get_absolute_url())
    assert "no-store" in response["Cache-Control"]


def test_a_list_for_a_signed_in_user_is_sent_with_no_store(client_for, link_worker):
    assert "no-store" in client_for(link_worker).get("/referrals/")["Cache-Control"]


def test_a_public_form_sent_back_with_errors_is_sent_with_no_store(client, db):
    response = client.post("/refer/", {"given_name": "Ada"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_the_public_form_itself_may_be_cached(client, db):
    assert not client.get("/refer/").has_header("Cache-Control")


def test_the_health_check_keeps_its_own_caching(client, db):
    assert "no-cache" in client.get("/health/")["Cache-Control"]
