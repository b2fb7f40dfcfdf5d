"""Referring a person back to their GP, who replies from their own list."""

import pytest
from django.core.exceptions import ValidationError

from caseload import services
from caseload.flags import of as flags_of
from caseload.models import Case
from referrals.models import Urgency
from spl import roles
from tests.factories import (
    MembershipFactory,
    PatientFactory,
    PracticeFactory,
    ReferralFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
LIST = "/caseload/refer-backs/"


@pytest.fixture
def case(practice, link_worker):
    referral = ReferralFactory(
        patient=PatientFactory(registered_practice=practice, family_name="Returned")
    )
    return services.allocate(referral=referral, to=link_worker, by=link_worker)


@pytest.fixture
def refer(case, link_worker, gp):
    return services.refer_back(
        case=case, by=link_worker, to=gp, reason="Chest pain on walking", urgency=Urgency.URGENT
    )


def test_the_gp_sees_it_in_their_list(client_for, refer, gp):
    page = client_for(gp).get(LIST).content.decode()
    assert "Jo Returned" in page
    assert "Chest pain on walking" in page


def test_the_case_is_flagged_until_the_gp_replies(case, refer, gp):
    assert flags_of(Case.objects.filter(pk=case.pk))[case.pk]["awaiting_reply"]
    services.acknowledge_refer_back(refer=refer, by=gp, reply="Seen; ECG booked")
    assert not flags_of(Case.objects.filter(pk=case.pk))[case.pk]["awaiting_reply"]


def test_the_reply_shows_on_the_case(client_for, case, refer, gp, link_worker):
    client_for(gp).post(LIST, {"refer": refer.pk, f"reply-{refer.pk}-reply": "ECG booked"})
    page = client_for(link_worker).get(case.get_absolute_url()).content.decode()
    assert "ECG booked" in page


def test_a_reply_without_words_says_what_to_write(client_for, refer, gp):
    response = client_for(gp).post(LIST, {"refer": refer.pk, f"reply-{refer.pk}-reply": ""})
    assert response.status_code == 400
    assert "Write a reply for the link worker" in response.content.decode()


def test_only_the_clinician_it_went_to_can_reply(refer, pcn, practice):
    other_gp = UserFactory(role=roles.REFERRER)
    MembershipFactory(user=other_gp, pcn=pcn, practice=practice)
    with pytest.raises(ValidationError, match="Only the clinician"):
        services.acknowledge_refer_back(refer=refer, by=other_gp, reply="Not mine")


def test_another_gp_does_not_see_it(client_for, refer, pcn, practice):
    other_gp = UserFactory(role=roles.REFERRER)
    MembershipFactory(user=other_gp, pcn=pcn, practice=practice)
    assert "Jo Returned" not in client_for(other_gp).get(LIST).content.decode()


def test_replying_to_someone_elses_refer_back_is_a_404(client_for, refer, pcn, practice):
    other_gp = UserFactory(role=roles.REFERRER)
    MembershipFactory(user=other_gp, pcn=pcn, practice=practice)
    response = client_for(other_gp).post(LIST, {"refer": refer.pk, f"reply-{refer.pk}-reply": "x"})
    assert response.status_code == 404


def test_the_refer_back_page_offers_the_practices_gps(client_for, case, link_worker, gp, pcn):
    elsewhere = UserFactory(full_name="Dr Far Away", role=roles.REFERRER)
    MembershipFactory(user=elsewhere, pcn=pcn, practice=PracticeFactory(pcn=pcn))
    page = client_for(link_worker).get(f"/caseload/cases/{case.pk}/refer-back/").content.decode()
    assert "Dr Sam Patel" in page
    assert "Dr Far Away" not in page


@pytest.mark.parametrize(
    "role", [roles.DIRECTORY_MANAGER, roles.LINK_WORKER, roles.PRACTICE_MANAGER]
)
def test_only_those_a_case_can_be_referred_back_to_have_the_list(client_for, pcn, role):
    # Link workers and practice managers may refer someone, but a case is
    # referred back only to the PCN's referrers (clinicians_for).
    user = UserFactory(role=role, pcns=[pcn])
    assert client_for(user).get(LIST).status_code == 403
    assert "Referred back to you" not in client_for(user).get("/").content.decode()


def test_the_gps_home_page_offers_the_list(client_for, gp):
    assert "Referred back to you" in client_for(gp).get("/").content.decode()
