"""Staff whose membership names a practice (GPs, practice managers) see that
practice's patients only, on every route, through scoping itself."""

import pytest

from referrals.models import Patient, Referral
from spl import roles
from spl.models import Membership, Practice
from tests.factories import (
    MembershipFactory,
    PatientFactory,
    PracticeFactory,
    ReferralFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def neighbour_practice(pcn):
    """Another practice in the same PCN."""
    return PracticeFactory(pcn=pcn, name="Canal Side Surgery")


@pytest.fixture
def neighbours_referral(neighbour_practice):
    return ReferralFactory(
        patient__registered_practice=neighbour_practice,
        status="accepted",
        snomed_code="871731000000106",
    )


# Every route that shows or changes one referral, with its method.
REFERRAL_ROUTES = [
    ("get", "/referrals/{}/"),
    ("post", "/referrals/{}/triage/"),
    ("post", "/referrals/{}/coded/"),
    ("get", "/referrals/{}/summary/"),
    ("get", "/referrals/{}/sent/"),
    ("get", "/referrals/mine/{}/"),
    ("post", "/referrals/mine/{}/add-information/"),
    ("post", "/referrals/mine/{}/withdraw/"),
]
PRACTICE_BOUND = ["practice_manager", "gp"]


@pytest.mark.parametrize(("method", "url"), REFERRAL_ROUTES)
@pytest.mark.parametrize("persona", PRACTICE_BOUND)
def test_practice_bound_staff_get_404_for_another_practices_referral(
    request, client_for, neighbours_referral, persona, method, url
):
    client = client_for(request.getfixturevalue(persona))
    response = getattr(client, method)(url.format(neighbours_referral.reference))
    assert response.status_code == 404


@pytest.mark.parametrize("persona", PRACTICE_BOUND)
def test_practice_bound_staff_see_their_own_practices_patients_only(
    request, practice, neighbours_referral, persona
):
    user = request.getfixturevalue(persona)
    own = ReferralFactory(patient__registered_practice=practice)
    assert list(Referral.objects.visible_to(user)) == [own]
    assert list(Patient.objects.visible_to(user)) == [own.patient]


def test_practice_bound_staff_see_their_own_practice_only(practice_manager, practice, pcn):
    PracticeFactory(pcn=pcn)
    assert list(Practice.objects.visible_to(practice_manager)) == [practice]


def test_staff_without_a_practice_see_every_practice_of_their_pcn(
    link_worker, practice, neighbours_referral
):
    own = ReferralFactory(patient__registered_practice=practice)
    assert set(Referral.objects.visible_to(link_worker)) == {own, neighbours_referral}


def test_a_practice_membership_in_one_pcn_leaves_a_whole_pcn_membership_in_another(
    practice, neighbours_referral, other_practice
):
    user = UserFactory(role=roles.PRACTICE_MANAGER)
    MembershipFactory(user=user, pcn=practice.pcn, practice=practice)
    Membership.objects.create(user=user, pcn=other_practice.pcn)
    own = ReferralFactory(patient__registered_practice=practice)
    elsewhere = ReferralFactory(patient__registered_practice=other_practice)
    assert set(Referral.objects.visible_to(user)) == {own, elsewhere}


def test_the_coding_list_leaves_out_another_practice_in_the_pcn(
    client_for, practice_manager, neighbours_referral
):
    page = client_for(practice_manager).get("/referrals/coding/").content.decode()
    assert neighbours_referral.patient.family_name not in page


def test_find_by_nhs_number_does_not_fill_in_another_practices_patient(
    client_for, gp, neighbour_practice
):
    patient = PatientFactory(registered_practice=neighbour_practice)
    response = client_for(gp).post(
        "/referrals/new/", {"find": "1", "find-nhs_number": patient.nhs_number}
    )
    assert patient.family_name not in response.content.decode()


def test_a_referral_belongs_to_the_practice_its_person_was_registered_with(practice):
    referral = ReferralFactory(patient__registered_practice=practice)
    referral.refresh_from_db()
    assert referral.practice == practice


def test_a_referral_stays_with_its_practice_when_the_person_moves(
    practice_manager, practice, neighbour_practice
):
    # Decision 11: who may see a referral follows the practice it was made at.
    referral = ReferralFactory(patient__registered_practice=practice)
    Patient.objects.filter(pk=referral.patient_id).update(registered_practice=neighbour_practice)
    assert list(Referral.objects.visible_to(practice_manager)) == [referral]
    mover = Patient.objects.get(pk=referral.patient_id)
    assert not Patient.objects.visible_to(practice_manager).filter(pk=mover.pk).exists()
