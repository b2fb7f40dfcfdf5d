import pytest

from referrals.models import Patient, Referral
from spl.models import AuditEvent
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db
URL = "/referrals/new/"


def valid_data(practice, **changes):
    return {
        "nhs_number": "",
        "given_name": "Jo",
        "family_name": "Bloggs",
        "date_of_birth_day": "12",
        "date_of_birth_month": "4",
        "date_of_birth_year": "1958",
        "postcode": "ls1 4ap",
        "phone": "",
        "email": "",
        "registered_practice": str(practice.pk),
        "reasons": ["loneliness", "finance"],
        "other_reason": "",
        "urgency": "routine",
        "notes": "",
        "consent_to_contact": "on",
        **changes,
    }


def test_anonymous_is_sent_to_login(client, db):
    assert client.get(URL)["Location"].startswith("/accounts/login/")


def test_commissioner_cannot_refer(client_for, commissioner):
    assert client_for(commissioner).get(URL).status_code == 403


def test_gp_sees_the_form_with_their_practice_chosen(client_for, gp, practice):
    page = client_for(gp).get(URL).content.decode()
    assert f'<option value="{practice.pk}" selected>' in page


def test_the_practice_list_holds_only_the_users_pcn(client_for, gp, practice, other_practice):
    page = client_for(gp).get(URL).content.decode()
    assert other_practice.name not in page


def test_gp_sends_a_referral_and_is_told_its_reference(client_for, gp, practice):
    response = client_for(gp).post(URL, valid_data(practice), follow=True)
    referral = Referral.objects.get()
    assert referral.referred_by == gp
    assert referral.patient.postcode == "LS1 4AP"
    page = response.content.decode()
    assert "Referral sent" in page
    assert referral.reference in page


def test_every_typed_value_comes_back_after_an_error(client_for, gp, practice):
    data = valid_data(
        practice,
        given_name="",
        nhs_number="943 476 5918",
        phone="0113 496 0000",
        notes="Prefers mornings",
        date_of_birth_day="31",
        date_of_birth_month="2",
    )
    page = client_for(gp).post(URL, data).content.decode()
    assert not Referral.objects.exists()
    for typed in (
        'value="943 476 5918"',
        'value="Bloggs"',
        'value="0113 496 0000"',
        "Prefers mornings",
        'value="31"',
        'value="2"',
        'value="ls1 4ap"',
    ):
        assert typed in page, typed
    assert 'value="finance" checked' in page


def test_each_error_is_next_to_its_field_and_in_the_summary(client_for, gp, practice):
    data = valid_data(practice, given_name="", reasons=[], consent_to_contact="")
    page = client_for(gp).post(URL, data).content.decode()
    assert 'href="#id_given_name"' in page
    assert 'href="#id_reasons_0"' in page
    assert 'href="#id_consent_to_contact"' in page
    assert "Enter the person&#x27;s first name" in page
    assert "Select at least one reason for the referral" in page
    assert "Confirm the person has agreed to be contacted" in page


def test_an_invalid_nhs_number_is_explained(client_for, gp, practice):
    page = client_for(gp).post(URL, valid_data(practice, nhs_number="9434765918")).content.decode()
    assert "not a valid NHS number" in page


def test_a_date_of_birth_in_the_future_is_refused(client_for, gp, practice):
    page = (
        client_for(gp).post(URL, valid_data(practice, date_of_birth_year="2099")).content.decode()
    )
    assert "Date of birth must be in the past" in page


def test_an_impossible_postcode_is_refused(client_for, gp, practice):
    page = client_for(gp).post(URL, valid_data(practice, postcode="LS1")).content.decode()
    assert "Enter a real postcode" in page


def test_other_needs_its_reason(client_for, gp, practice):
    page = client_for(gp).post(URL, valid_data(practice, reasons=["other"])).content.decode()
    assert "Say what the other reason is" in page


def test_finding_a_known_patient_fills_in_their_details_and_is_audited(client_for, gp, practice):
    patient = PatientFactory(
        nhs_number="9434765919", given_name="Ada", registered_practice=practice
    )
    page = (
        client_for(gp).post(URL, {"find": "1", "find-nhs_number": "943 476 5919"}).content.decode()
    )
    assert 'value="Ada"' in page
    assert "We found Ada" in page
    event = AuditEvent.objects.get()
    assert (event.action, event.patient_id) == ("view", str(patient.pk))


def test_finding_a_patient_of_another_pcn_reveals_nothing(client_for, gp, other_practice):
    PatientFactory(nhs_number="9434765919", given_name="Ada", registered_practice=other_practice)
    page = client_for(gp).post(URL, {"find": "1", "find-nhs_number": "9434765919"}).content.decode()
    assert "Ada" not in page
    assert 'value="9434765919"' in page


def test_referring_a_known_patient_reuses_their_record(client_for, gp, practice):
    patient = PatientFactory(nhs_number="9434765919", registered_practice=practice)
    client_for(gp).post(URL, valid_data(practice, nhs_number="9434765919", family_name="New"))
    assert Patient.objects.get() == patient
    assert Referral.objects.get().patient == patient


def test_an_nhs_number_registered_in_another_pcn_is_refused_with_a_reason(
    client_for, gp, practice, other_practice
):
    PatientFactory(nhs_number="9434765919", registered_practice=other_practice)
    page = client_for(gp).post(URL, valid_data(practice, nhs_number="9434765919")).content.decode()
    assert "registered with a practice whose records you cannot see" in page
    assert Referral.objects.count() == 0


def test_the_find_form_posts_so_nhs_numbers_stay_out_of_urls(client_for, gp):
    page = client_for(gp).get(URL).content.decode()
    assert 'method="get"' not in page.lower()


def test_an_nhs_number_typed_with_spaces_is_stored_as_ten_digits(client_for, gp, practice):
    client_for(gp).post(URL, valid_data(practice, nhs_number="943 476 5919"))
    assert Referral.objects.get().patient.nhs_number == "9434765919"
