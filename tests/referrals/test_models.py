import pytest
from django.db import IntegrityError, transaction

from referrals.models import Patient, Referral
from tests.factories import PatientFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def test_patients_are_visible_only_inside_their_practices_pcn(link_worker, outsider, practice):
    patient = PatientFactory(registered_practice=practice)
    assert list(Patient.objects.visible_to(link_worker)) == [patient]
    assert not Patient.objects.visible_to(outsider).exists()


def test_referrals_are_visible_only_inside_the_patients_pcn(link_worker, outsider, practice):
    referral = ReferralFactory(patient__registered_practice=practice)
    assert list(Referral.objects.visible_to(link_worker)) == [referral]
    assert not Referral.objects.visible_to(outsider).exists()


def test_two_patients_cannot_share_an_nhs_number(practice):
    PatientFactory(nhs_number="9990000018", registered_practice=practice)
    with pytest.raises(IntegrityError), transaction.atomic():
        PatientFactory(nhs_number="9990000018", registered_practice=practice)


def test_many_patients_may_have_no_nhs_number(practice):
    PatientFactory(nhs_number="", registered_practice=practice)
    PatientFactory(nhs_number="", registered_practice=practice)
    assert Patient.objects.filter(nhs_number="").count() == 2


def test_a_referral_without_consent_to_contact_is_refused_by_the_database(practice):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferralFactory(patient__registered_practice=practice, consent_to_contact=False)


def test_a_merged_referral_must_name_the_referral_it_was_merged_into(practice):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferralFactory(patient__registered_practice=practice, status="merged")


def test_references_are_short_and_unambiguous(practice):
    reference = ReferralFactory(patient__registered_practice=practice).reference
    assert len(reference) == 13
    assert reference.startswith("SPL-") and reference[8] == "-"
    assert not set(reference[4:].replace("-", "")) & set("01IO")


def test_nhs_number_is_shown_3_3_4(practice):
    assert PatientFactory(nhs_number="9434765919").nhs_number_display == "943 476 5919"
