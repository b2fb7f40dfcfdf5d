"""The public routes: self-referral at /refer/ and agency referral at /refer/agency/."""

import re

import pytest
from django.core import mail

from referrals.models import Notification, Referral
from spl.models import AuditEvent
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db
SELF = "/refer/"
AGENCY = "/refer/agency/"


def self_data(practice, **changes):
    return {
        "given_name": "Jo",
        "family_name": "Bloggs",
        "date_of_birth_day": "12",
        "date_of_birth_month": "4",
        "date_of_birth_year": "1958",
        "postcode": "ls1 4ap",
        "registered_practice": str(practice.pk),
        "phone": "07700 900123",
        "email": "jo.bloggs@example.com",
        "preferred_contact_method": "phone",
        "nhs_number": "",
        "reasons": ["loneliness"],
        "other_reason": "",
        "notes": "Best after 2pm",
        "accessible_information_needs": "",
        "consent_to_contact": "on",
        "website": "",
        **changes,
    }


def agency_data(practice, **changes):
    return {
        "referrer_name": "Pat Jones",
        "referrer_organisation": "High Street Pharmacy",
        "referrer_organisation_type": "pharmacy",
        "referrer_email": "pat.jones@pharmacy.example.com",
        "referrer_phone": "0113 496 0001",
        "nhs_number": "943 476 5919",
        "given_name": "Sam",
        "family_name": "Taylor",
        "date_of_birth_day": "3",
        "date_of_birth_month": "11",
        "date_of_birth_year": "1947",
        "postcode": "LS2 9JT",
        "phone": "",
        "email": "",
        "registered_practice": str(practice.pk),
        "reasons": ["finance", "housing"],
        "other_reason": "",
        "urgency": "urgent",
        "notes": "Struggling with heating bills",
        "consent_to_contact": "on",
        "website": "",
        **changes,
    }


def test_anyone_can_open_the_self_referral_form(client, practice):
    page = client.get(SELF)
    assert page.status_code == 200
    assert "Find practice" in page.content.decode()


def test_anyone_can_open_the_agency_form(client, practice):
    assert client.get(AGENCY).status_code == 200


def test_the_public_form_lists_no_practices_until_asked(client, practice, other_practice):
    page = client.get(SELF).content.decode()
    assert practice.name not in page and other_practice.name not in page


def test_the_self_referral_form_asks_the_browser_to_fill_in_your_own_details(client, practice):
    page = client.get(SELF).content.decode()
    for purpose in ("given-name", "family-name", "bday-day", "bday-year", "postal-code", "tel"):
        assert f'autocomplete="{purpose}"' in page, purpose


def test_a_self_referral_creates_one_referral_and_shows_its_reference(client, practice):
    response = client.post(SELF, self_data(practice), follow=True)
    referral = Referral.objects.get()
    assert (referral.route, referral.referred_by, referral.status) == (
        "self",
        None,
        "awaiting_triage",
    )
    assert referral.patient.registered_practice == practice
    assert referral.patient.postcode == "LS1 4AP"
    assert referral.reference in response.content.decode()
    assert response.redirect_chain == [("/refer/sent/", 302)]


def test_a_self_referral_sends_an_acknowledgement_with_the_reference(
    client, practice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SELF, self_data(practice))
    referral = Referral.objects.get()
    (email,) = mail.outbox
    assert email.to == ["jo.bloggs@example.com"]
    assert referral.reference in email.subject and referral.reference in email.body
    assert email.body.startswith("Dear Jo,")


def test_the_acknowledgement_carries_no_clinical_detail_or_personal_data(
    client, practice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SELF, self_data(practice, reasons=["bereavement"], notes="My wife died"))
    body = mail.outbox[0].body
    for private in ("Bloggs", "1958", "LS1", "07700", "wife", "ereavement", "Riverside"):
        assert private not in body, private


def test_no_email_is_sent_without_an_address(client, practice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SELF, self_data(practice, email=""))
    assert Referral.objects.count() == 1
    assert mail.outbox == []


def test_an_agency_referral_records_the_referrer(client, practice):
    client.post(AGENCY, agency_data(practice))
    referral = Referral.objects.get()
    assert (referral.route, referral.urgency) == ("agency", "urgent")
    assert referral.referrer_organisation == "High Street Pharmacy"
    assert referral.referrer_organisation_type == "pharmacy"
    assert referral.patient.nhs_number == "9434765919"
    assert sorted(referral.reasons.values_list("reason", flat=True)) == ["finance", "housing"]


def test_an_agency_is_acknowledged_by_email_without_the_persons_details(
    client, practice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(AGENCY, agency_data(practice))
    (email,) = mail.outbox
    assert email.to == ["pat.jones@pharmacy.example.com"]
    assert email.body.startswith("Dear Pat,")
    for private in ("Sam", "Taylor", "1947", "943", "heating", "inance", "LS2"):
        assert private not in email.body, private


def test_public_referrals_are_audited_without_an_actor(client, practice):
    client.post(SELF, self_data(practice))
    events = AuditEvent.objects.order_by("id")
    assert [(e.action, e.object_type, e.actor) for e in events] == [
        ("create", "referrals.patient", None),
        ("create", "referrals.referral", None),
    ]
    assert events[0].ip_address == "127.0.0.1"


def test_every_typed_value_comes_back_after_an_error(client, practice):
    data = self_data(
        practice,
        given_name="",
        date_of_birth_day="31",
        date_of_birth_month="2",
        nhs_number="943 476 5918",
        reasons=["loneliness", "other"],
    )
    page = client.post(SELF, data).content.decode()
    assert not Referral.objects.exists()
    for typed in (
        'value="Bloggs"',
        'value="31"',
        'value="2"',
        'value="1958"',
        'value="ls1 4ap"',
        'value="07700 900123"',
        'value="jo.bloggs@example.com"',
        'value="943 476 5918"',
        "Best after 2pm",
    ):
        assert typed in page, typed
    assert 'value="loneliness" checked' in page
    assert 'value="phone" checked' in page
    assert f'value="{practice.pk}" checked' in page
    assert 'name="consent_to_contact" type="checkbox" checked' in page or "checked" in page


def test_each_error_is_next_to_its_field_and_in_the_summary(client, practice):
    data = self_data(
        practice, given_name="", reasons=[], consent_to_contact="", nhs_number="943 476 5918"
    )
    page = client.post(SELF, data).content.decode()
    assert "<title>Error: " in page
    for anchor, message in (
        ("id_given_name", "Enter your first name"),
        ("id_reasons_0", "Select at least one thing you would like help with"),
        ("id_consent_to_contact", "Confirm you agree to a link worker contacting you"),
        ("id_nhs_number", "NHS number"),
    ):
        assert f'href="#{anchor}"' in page, anchor
        assert page.count(message) >= 2, message  # in the summary and by the field


def test_choosing_phone_contact_needs_a_phone_number(client, practice):
    page = client.post(SELF, self_data(practice, phone="")).content.decode()
    assert "Enter a phone number, or choose another way to contact you" in page
    assert not Referral.objects.exists()


def test_a_date_of_birth_in_the_future_is_refused(client, practice):
    page = client.post(SELF, self_data(practice, date_of_birth_year="2099")).content.decode()
    assert "Date of birth must be in the past" in page


def test_an_unknown_practice_is_refused(client, practice):
    page = client.post(SELF, self_data(practice, registered_practice="999999")).content.decode()
    assert "Enter the name, town or postcode of your GP practice" in page
    assert not Referral.objects.exists()


def test_the_agency_form_needs_the_referrers_details(client, practice):
    data = agency_data(practice, referrer_email="not-an-email", referrer_organisation_type="")
    page = client.post(AGENCY, data).content.decode()
    assert "Enter an email address in the correct format" in page
    assert "Select the type of organisation" in page
    assert not Referral.objects.exists()


def test_a_filled_honeypot_keeps_nothing_and_says_thank_you(client, practice):
    response = client.post(SELF, self_data(practice, website="http://spam.example"))
    assert response.status_code == 200
    assert "Request sent" in response.content.decode()
    assert "SPL-" not in response.content.decode()
    assert not Referral.objects.exists()


def test_the_honeypot_is_hidden_from_people(client, practice):
    page = client.get(SELF).content.decode()
    assert '<div class="spl-honeypot" aria-hidden="true">' in page
    honeypot = re.search(r'<input[^>]*name="website"[^>]*>', page)[0]
    attributes = set(re.findall(r'[\w-]+="[^"]*"', honeypot))
    assert {'value=""', 'tabindex="-1"', 'autocomplete="off"'} <= attributes


def test_over_the_rate_limit_a_429_page_keeps_what_was_typed(client, practice, settings):
    settings.PUBLIC_REFERRALS_PER_HOUR = 2
    for _ in range(2):
        assert client.post(SELF, self_data(practice)).status_code == 302
    response = client.post(SELF, self_data(practice, notes="Third time"))
    page = response.content.decode()
    assert response.status_code == 429
    assert "We could not send this yet" in page
    assert "Third time" in page and 'value="Bloggs"' in page
    assert Referral.objects.count() == 2


def test_the_rate_limit_counts_each_client_address_separately(client, practice, settings):
    settings.PUBLIC_REFERRALS_PER_HOUR = 1
    assert client.post(SELF, self_data(practice), REMOTE_ADDR="192.0.2.1").status_code == 302
    assert client.post(SELF, self_data(practice), REMOTE_ADDR="192.0.2.2").status_code == 302
    assert client.post(SELF, self_data(practice), REMOTE_ADDR="192.0.2.1").status_code == 429


def test_behind_a_proxy_the_rate_limit_uses_the_address_it_forwarded(client, practice, settings):
    settings.PUBLIC_REFERRALS_PER_HOUR = 1
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.5"}
    assert (
        client.post(
            SELF, self_data(practice), HTTP_X_FORWARDED_FOR="192.0.2.1", **proxy
        ).status_code
        == 302
    )
    assert (
        client.post(
            SELF, self_data(practice), HTTP_X_FORWARDED_FOR="192.0.2.2", **proxy
        ).status_code
        == 302
    )
    # A forged left-most entry does not escape the limit.
    assert (
        client.post(
            SELF, self_data(practice), HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.1", **proxy
        ).status_code
        == 429
    )


def test_the_rate_limit_page_is_the_same_for_the_agency_form(client, practice, settings):
    settings.PUBLIC_REFERRALS_PER_HOUR = 0
    assert client.post(AGENCY, agency_data(practice)).status_code == 429


def test_public_forms_need_a_csrf_token(practice):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(SELF, self_data(practice))
    assert response.status_code == 403
    assert not Referral.objects.exists()


def test_the_confirmation_page_without_a_referral_goes_back_to_the_form(client, db):
    assert client.get("/refer/sent/")["Location"] == "/refer/"


def test_a_known_nhs_number_joins_the_existing_record_without_changing_it(client, practice):
    known = PatientFactory(
        registered_practice=practice,
        nhs_number="9434765919",
        date_of_birth="1947-11-03",
        phone="0113 000 0000",
    )
    client.post(AGENCY, agency_data(practice, phone="07700 900999"))
    referral = Referral.objects.get()
    known.refresh_from_db()
    assert referral.patient == known
    assert known.phone == "0113 000 0000"
    assert "phone: 07700 900999" in referral.history.get().note


def test_a_public_referral_never_reveals_that_an_nhs_number_is_known(
    client, practice, other_practice
):
    PatientFactory(
        registered_practice=other_practice, nhs_number="9434765919", date_of_birth="1990-01-01"
    )
    response = client.post(AGENCY, agency_data(practice))
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.patient.nhs_number == ""
    assert referral.patient.registered_practice == practice


def test_the_acknowledgement_is_queued_once(client, practice):
    client.post(SELF, self_data(practice))
    assert list(Notification.objects.values_list("kind", "to_email")) == [
        ("received", "jo.bloggs@example.com")
    ]


def test_the_acknowledgement_goes_to_the_address_typed_not_a_matched_records(
    client, practice, django_capture_on_commit_callbacks
):
    PatientFactory(
        registered_practice=practice,
        nhs_number="9434765919",
        date_of_birth="1958-04-12",
        email="old.address@example.com",
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SELF, self_data(practice, nhs_number="9434765919"))
    assert [email.to for email in mail.outbox] == [["jo.bloggs@example.com"]]
