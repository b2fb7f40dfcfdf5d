"""Cases that must not get stuck, records that go only where they can be seen,
and input that must not break a page (a review of the caseload, 30 Nov 2026)."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from caseload import reminders, services
from caseload.forms import clinicians_for
from caseload.models import Case, ContactMode, ContactOutcome
from referrals import services as referral_services
from referrals.models import Status
from spl import roles
from tests.factories import (
    MembershipFactory,
    PCNFactory,
    PracticeFactory,
    ReferralFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(practice, link_worker):
    referral = ReferralFactory(patient__registered_practice=practice)
    return services.allocate(referral=referral, to=link_worker, by=link_worker)


def test_an_allocated_referral_cannot_be_triaged_from_a_stale_page(client_for, case, colleague):
    response = client_for(colleague).post(
        f"/referrals/{case.referral.reference}/triage/", {"decision": "declined"}
    )
    assert response.status_code == 400
    case.referral.refresh_from_db()
    assert case.referral.status == Status.ALLOCATED


def test_a_person_with_an_accepted_referral_is_not_allocated_again(case, link_worker):
    services.person_agreed(case=case, by=link_worker)
    again = ReferralFactory(patient=case.referral.patient)
    with pytest.raises(ValidationError, match="Merge this referral"):
        services.allocate(referral=again, to=link_worker, by=link_worker)


def test_a_case_is_not_reassigned_to_someone_who_cannot_see_it(case, supervisor):
    elsewhere = UserFactory(full_name="Far Away", role=roles.LINK_WORKER, pcns=[PCNFactory()])
    with pytest.raises(ValidationError, match="cannot see"):
        services.reassign(case=case, to=elsewhere, by=supervisor, reason="Cover")


def test_a_gp_bound_to_another_practice_is_not_offered(case, pcn):
    other = UserFactory(full_name="Dr Other Practice", role=roles.REFERRER)
    MembershipFactory(user=other, pcn=pcn, practice=PracticeFactory(pcn=pcn))
    MembershipFactory(user=other, pcn=PCNFactory())  # and a whole-PCN membership elsewhere
    assert other not in clinicians_for(case)


def test_no_contact_is_added_to_a_closed_case(case, link_worker):
    services.person_declined(case=case, by=link_worker)
    with pytest.raises(ValidationError, match="closed"):
        services.record_contact(
            case=case, by=link_worker, mode=ContactMode.PHONE, outcome=ContactOutcome.SPOKE
        )


def test_a_plan_form_name_that_is_not_a_number_is_ignored(client_for, case, link_worker):
    services.person_agreed(case=case, by=link_worker)
    response = client_for(link_worker).post(f"/caseload/cases/{case.pk}/plan/", {"form": "goal-x"})
    assert response.status_code == 400


def test_taking_a_case_names_no_one_in_the_message(client_for, practice, supervisor, link_worker):
    referral = ReferralFactory(patient__registered_practice=practice, patient__family_name="Zed")
    waiting = services.allocate(referral=referral, to=None, by=supervisor)
    response = client_for(link_worker).post(f"/caseload/cases/{waiting.pk}/take/", follow=True)
    assert "Case taken" in response.content.decode()
    assert "Zed" not in response.cookies.get("messages", "").__str__()


def test_one_refused_address_does_not_stop_the_others_digests(
    practice, link_worker, colleague, monkeypatch
):
    for worker in (link_worker, colleague):
        referral = ReferralFactory(patient__registered_practice=practice)
        unreached = services.allocate(referral=referral, to=worker, by=worker)
        for _ in range(3):
            services.record_contact(
                case=unreached, by=worker, mode=ContactMode.PHONE,
                outcome=ContactOutcome.UNABLE_TO_CONTACT,
            )  # fmt: skip
    real = reminders.send_mail

    def refuse_amira(subject, body, sender, to):
        if to == [link_worker.email]:
            raise OSError("recipient refused")
        return real(subject, body, sender, to)

    monkeypatch.setattr(reminders, "send_mail", refuse_amira)
    with pytest.raises(OSError):
        reminders.send_daily_digests()
    assert [message.to for message in mail.outbox] == [[colleague.email]]


def test_accepting_on_the_triage_page_still_opens_the_case(practice, link_worker):
    referral = ReferralFactory(patient__registered_practice=practice)
    referral_services.accept_referral(referral=referral, by=link_worker)
    assert Case.objects.filter(referral=referral).exists()
