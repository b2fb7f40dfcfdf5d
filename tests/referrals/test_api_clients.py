"""API tokens: bearer authentication on the FHIR API, and issuing and revoking them
in the admin site."""

import re

import pytest
import time_machine
from django.utils import timezone

from referrals.models import ApiClient, Referral, hash_token
from tests.factories import UserFactory
from tests.referrals.test_fhir import URL, get, new_sender, post, service_request

pytestmark = pytest.mark.django_db
ADMIN_URL = "/admin/referrals/apiclient/"


@pytest.fixture
def sender(db):
    return new_sender()


def test_a_request_without_a_token_is_401(client, practice):
    response = client.post(URL, service_request(practice), content_type="application/fhir+json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response["Content-Type"] == "application/fhir+json"
    assert response.json()["issue"][0]["code"] == "login"


def test_a_request_with_an_unknown_token_is_401(client, sender, practice):
    sender.token = "spl_not-a-token-anyone-was-given"
    assert post(client, service_request(practice), sender).status_code == 401
    assert not Referral.objects.exists()


def test_a_request_with_another_scheme_is_401(client, sender, practice):
    response = client.post(
        URL,
        service_request(practice),
        content_type="application/fhir+json",
        HTTP_AUTHORIZATION=f"Basic {sender.token}",
    )
    assert response.status_code == 401


def test_a_revoked_token_is_401(client, sender, practice):
    ApiClient.objects.filter(pk=sender.pk).update(revoked_at=timezone.now())
    assert post(client, service_request(practice), sender).status_code == 401


def test_reading_without_a_token_is_401_not_a_login_redirect(client):
    response = client.get(f"{URL}/SPL-AAAA-BBBB")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_revoked_token_cannot_read_what_it_sent(client, sender, practice):
    post(client, service_request(practice), sender)
    ApiClient.objects.filter(pk=sender.pk).update(revoked_at=timezone.now())
    assert get(client, Referral.objects.get().reference, sender).status_code == 401


def test_using_a_token_records_when(client, sender, practice):
    with time_machine.travel("2026-03-02 10:15 +00:00", tick=False):
        post(client, service_request(practice), sender)
    sender.refresh_from_db()
    assert sender.last_used_at.isoformat() == "2026-03-02T10:15:00+00:00"


def test_a_token_is_stored_only_as_its_digest(sender):
    row = ApiClient.objects.values().get(pk=sender.pk)
    assert row["token_hash"] == hash_token(sender.token)
    assert sender.token not in str(row)
    assert row["token_prefix"] == sender.token[:12]


def test_administrator_adds_a_client_and_sees_its_token_once(client_for, administrator):
    client = client_for(administrator)
    response = client.post(
        f"{ADMIN_URL}add/",
        {
            "organisation_name": "Park Row Pharmacy",
            "organisation_type": "pharmacy",
            "contact_email": "referrals@parkrow.example.org",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Copy this token now: it will not be shown again." in page
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies.get("messages")
    token = re.search(r'<code id="token"[^>]*>(spl_[\w-]+)</code>', page)[1]
    added = ApiClient.objects.get()
    assert (added.token_hash, added.issued_by) == (hash_token(token), administrator)
    assert token not in client.get(f"{ADMIN_URL}{added.pk}/change/").content.decode()
    assert token not in client.get(ADMIN_URL).content.decode()


def test_a_token_issued_in_the_admin_works(client_for, administrator, client, practice):
    page = (
        client_for(administrator)
        .post(
            f"{ADMIN_URL}add/",
            {
                "organisation_name": "GP system",
                "organisation_type": "gp_practice",
                "contact_email": "it@example.org",
            },
            follow=True,
        )
        .content.decode()
    )
    token = re.search(r"(spl_[\w-]{40,})", page)[1]
    client.logout()
    response = client.post(
        URL,
        service_request(practice),
        content_type="application/fhir+json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 201


def test_administrator_revokes_the_selected_tokens(client_for, administrator, sender):
    with time_machine.travel("2026-01-01 09:00 +00:00", tick=False):
        earlier = ApiClient.objects.create(
            organisation_name="Old system",
            organisation_type="other",
            contact_email="old@example.org",
            token_hash="1" * 64,
            revoked_at=timezone.now(),
        )
    client_for(administrator).post(
        ADMIN_URL,
        {"action": "revoke", "_selected_action": [sender.pk, earlier.pk]},
    )
    sender.refresh_from_db()
    earlier.refresh_from_db()
    assert sender.revoked_at is not None
    assert earlier.revoked_at.isoformat() == "2026-01-01T09:00:00+00:00"


def test_nobody_can_delete_a_client_in_the_admin(client_for, sender):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    response = client_for(superuser).post(f"{ADMIN_URL}{sender.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert ApiClient.objects.filter(pk=sender.pk).exists()


def test_the_token_digest_cannot_be_changed_in_the_admin(client_for, administrator, sender):
    client_for(administrator).post(
        f"{ADMIN_URL}{sender.pk}/change/",
        {
            "organisation_name": "Renamed",
            "organisation_type": "pharmacy",
            "contact_email": "new@example.org",
            "token_hash": "0" * 64,
            "revoked_at": "",
        },
    )
    sender.refresh_from_db()
    assert sender.organisation_name == "Renamed"
    assert sender.token_hash == hash_token(sender.token)


def test_administrators_manage_clients_and_link_workers_do_not(administrator, link_worker):
    perms = ("referrals.add_apiclient", "referrals.view_apiclient", "referrals.change_apiclient")
    assert administrator.has_perms(perms)
    assert not administrator.has_perm("referrals.delete_apiclient")
    assert not link_worker.has_perm("referrals.view_apiclient")
