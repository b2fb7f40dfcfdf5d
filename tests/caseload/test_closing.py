"""Closing a case: why, a summary, and the referral closed with its referrer told."""

import pytest
from django.core.exceptions import ValidationError

from caseload import services
from caseload.models import Case, CaseStatus, CloseReason
from referrals.models import Notification, Snomed, Status
from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(practice, link_worker):
    referral = ReferralFactory(
        patient__registered_practice=practice, route="agency", referrer_email="pat@example.org"
    )
    case = services.allocate(referral=referral, to=link_worker, by=link_worker)
    return services.person_agreed(case=case, by=link_worker)


def test_closing_records_why_and_the_summary(case, link_worker):
    services.close(
        case=case, by=link_worker, reason=CloseReason.GOALS_MET, summary="Joined a walking group"
    )
    case = Case.objects.get(pk=case.pk)
    assert (case.status, case.close_reason, case.closing_summary) == (
        CaseStatus.CLOSED,
        CloseReason.GOALS_MET,
        "Joined a walking group",
    )
    assert case.closed_at is not None


def test_closing_closes_the_referral_and_keeps_its_code(case, link_worker):
    services.close(case=case, by=link_worker, reason=CloseReason.MOVED_AWAY, summary="Moved")
    case.referral.refresh_from_db()
    assert case.referral.status == Status.CLOSED
    assert case.referral.snomed_code == Snomed.REFERRAL_TO_SOCIAL_PRESCRIBING


def test_closing_tells_the_referrer(case, link_worker):
    services.close(case=case, by=link_worker, reason=CloseReason.GOALS_MET, summary="Done")
    assert Notification.objects.filter(
        referral=case.referral, kind=Notification.Kind.CLOSED
    ).exists()


def test_closing_needs_a_summary(case, link_worker):
    with pytest.raises(ValidationError, match="closing summary"):
        services.close(case=case, by=link_worker, reason=CloseReason.GOALS_MET, summary=" ")


def test_declining_is_not_a_reason_to_close_from_the_form(case, link_worker):
    with pytest.raises(ValidationError, match="Choose why"):
        services.close(case=case, by=link_worker, reason=CloseReason.DECLINED, summary="x")


def test_a_closed_case_cannot_be_closed_again(case, link_worker):
    services.close(case=case, by=link_worker, reason=CloseReason.GOALS_MET, summary="Done")
    with pytest.raises(ValidationError, match="closed"):
        services.close(case=case, by=link_worker, reason=CloseReason.OTHER, summary="Again")


def test_the_close_form_keeps_the_summary_after_an_error(client_for, case, link_worker):
    response = client_for(link_worker).post(
        f"/caseload/cases/{case.pk}/close/", {"close-summary": "Joined a walking group"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Select why support is ending" in page
    assert "Joined a walking group" in page
    assert Case.objects.get(pk=case.pk).is_open


def test_a_closed_case_shows_why_and_its_summary(client_for, case, link_worker):
    client = client_for(link_worker)
    client.post(
        f"/caseload/cases/{case.pk}/close/",
        {
            "close-reason": CloseReason.GOALS_MET,
            "close-summary": "Joined a walking group",
            "close-no_discharge_measure": "Moved away before the last meeting",
        },
    )
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Goals met" in page
    assert "Joined a walking group" in page
    assert "Record a contact" not in page
