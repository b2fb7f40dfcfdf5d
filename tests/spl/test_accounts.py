import re

import pytest
from django.core import mail

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_labels_the_fields_email_address_and_password(client):
    page = client.get("/accounts/login/").content.decode()
    assert re.search(r'<label[^>]*for="id_username"[^>]*>\s*Email address', page)
    assert re.search(r'<label[^>]*for="id_password"[^>]*>\s*Password', page)


def test_login_page_title_follows_the_nhs_pattern(client):
    page = client.get("/accounts/login/").content.decode()
    assert "<title>Log in – Social prescribing – NHS</title>" in page


def test_user_logs_in_with_email_address_and_lands_on_home(client, link_worker):
    response = client.post(
        "/accounts/login/", {"username": link_worker.email, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/"
    assert response.context["user"] == link_worker


def test_email_address_is_not_case_sensitive_at_login(client, link_worker):
    response = client.post(
        "/accounts/login/", {"username": link_worker.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 302


def test_wrong_password_shows_the_error_summary_and_keeps_the_email(client, link_worker):
    response = client.post(
        "/accounts/login/", {"username": link_worker.email, "password": "wrong-password"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Log in – Social prescribing – NHS</title>" in page
    assert "nhsuk-error-summary" in page
    assert "Enter a correct email address and password" in page
    assert f'value="{link_worker.email}"' in page


def test_empty_login_form_says_what_is_missing_next_to_each_field(client, db):
    page = client.post("/accounts/login/", {"username": "", "password": ""}).content.decode()
    assert 'href="#id_username"' in page
    assert 'href="#id_password"' in page
    assert page.count("nhsuk-error-message") == 2


def test_deactivated_user_cannot_log_in(client, link_worker):
    link_worker.is_active = False
    link_worker.save()
    response = client.post(
        "/accounts/login/", {"username": link_worker.email, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_pages_need_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_log_out_is_a_post_that_ends_the_session(client_for, link_worker):
    client = client_for(link_worker)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_header_offers_log_out_as_a_form(client_for, link_worker):
    page = client_for(link_worker).get("/").content.decode()
    assert re.search(r'<form[^>]*action="/accounts/logout/"[^>]*method="post"', page)


def test_password_reset_emails_a_link_that_lets_the_user_choose_a_new_password(client, link_worker):
    client.post("/accounts/password-reset/", {"email": link_worker.email})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [link_worker.email]
    link = re.search(r"https?://\S+/accounts/reset/\S+/", mail.outbox[0].body).group(0)

    form_page = client.get(link, follow=True)
    new_password = "a-brand-new-passphrase-2026"
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert response["Location"] == "/accounts/reset/done/"
    link_worker.refresh_from_db()
    assert link_worker.check_password(new_password)


def test_password_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client, db):
    response = client.post("/accounts/password-reset/", {"email": "nobody@example.org"})
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert mail.outbox == []


def test_password_reset_email_contains_no_other_personal_data(client, link_worker):
    client.post("/accounts/password-reset/", {"email": link_worker.email})
    assert link_worker.full_name not in mail.outbox[0].body


def test_password_change_needs_the_old_password(client_for, link_worker):
    response = client_for(link_worker).post(
        "/accounts/password-change/",
        {
            "old_password": "not-my-password",
            "new_password1": "a-brand-new-passphrase-2026",
            "new_password2": "a-brand-new-passphrase-2026",
        },
    )
    assert response.status_code == 200
    assert 'href="#id_old_password"' in response.content.decode()
    link_worker.refresh_from_db()
    assert link_worker.check_password(PASSWORD)


def test_password_change_saves_the_new_password(client_for, link_worker):
    response = client_for(link_worker).post(
        "/accounts/password-change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-brand-new-passphrase-2026",
            "new_password2": "a-brand-new-passphrase-2026",
        },
    )
    assert response["Location"] == "/accounts/password-change/done/"
    link_worker.refresh_from_db()
    assert link_worker.check_password("a-brand-new-passphrase-2026")


def test_too_short_a_new_password_is_refused_with_a_reason(client_for, link_worker):
    response = client_for(link_worker).post(
        "/accounts/password-change/",
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert "at least 12 characters" in response.content.decode()
