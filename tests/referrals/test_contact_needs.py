"""The Accessible Information Standard: how a person asked to be contacted and
what they need to communicate are in front of staff (issue 9, points 12-13)."""

import pytest

from referrals.models import Patient, Referral
from tests.factories import ReferralFactory
from tests.referrals.test_public_referrals import SELF, self_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def texted(practice):
    return ReferralFactory(
        patient__registered_practice=practice,
        patient__phone="07700 900123",
        patient__preferred_contact_method="text",
        patient__accessible_information_needs="Large print, please",
        patient__interpreter_needed=True,
        patient__language="Polish",
        status="accepted",
        snomed_code="871731000000106",
    )


def test_the_referral_page_shows_how_to_contact_and_communication_needs(
    client_for, link_worker, texted
):
    page = client_for(link_worker).get(texted.get_absolute_url()).content.decode()
    assert "Text message" in page
    assert "Large print, please" in page
    assert "Interpreter needed: Polish" in page


def test_the_printable_summary_shows_them_too(client_for, practice_manager, texted):
    page = client_for(practice_manager).get(f"/referrals/{texted.reference}/summary/")
    html = page.content.decode()
    assert "Text message" in html
    assert "Large print, please" in html


def test_choosing_a_letter_asks_for_an_address(client, practice):
    response = client.post(SELF, self_data(practice, preferred_contact_method="letter"))
    page = response.content.decode()
    assert "Enter the first line of your address" in page
    assert "Enter your town or city" in page
    assert Referral.objects.count() == 0


def test_a_letter_with_an_address_is_sent_and_the_address_kept(client, practice):
    data = self_data(
        practice,
        preferred_contact_method="letter",
        address_line_1="4 Canal Street",
        town="Leeds",
    )
    assert client.post(SELF, data).status_code == 302
    patient = Patient.objects.get()
    assert (patient.address_line_1, patient.town) == ("4 Canal Street", "Leeds")


def test_the_address_is_revealed_under_the_letter_choice(client, db):
    page = client.get(SELF).content.decode()
    letter = page.index('value="letter"')
    conditional = page.index('id="conditional-id_preferred_contact_method_3"')
    address = page.index('name="address_line_1"')
    assert letter < conditional < address


def test_how_to_contact_you_is_asked_before_the_phone_number(client, db):
    page = client.get(SELF).content.decode()
    assert page.index('name="preferred_contact_method"') < page.index('name="phone"')


def test_the_contact_time_follows_the_method_without_a_gap(client_for, link_worker, practice):
    referral = ReferralFactory(
        patient__registered_practice=practice,
        patient__preferred_contact_method="phone",
        patient__preferred_contact_times="Mornings",
    )
    page = client_for(link_worker).get(referral.get_absolute_url()).content.decode()
    assert "<strong>Phone call</strong>, Mornings" in page
