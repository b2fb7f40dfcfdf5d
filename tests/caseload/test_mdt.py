"""Flagging cases for the multidisciplinary team meeting, and its agenda."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from caseload import services
from caseload.models import MdtFlag
from spl.models import AuditEvent
from tests.factories import PatientFactory, ReferralFactory

pytestmark = pytest.mark.django_db
NEXT_WEEK = timezone.localdate() + datetime.timedelta(days=7)


@pytest.fixture
def case(practice, link_worker):
    referral = ReferralFactory(
        patient=PatientFactory(registered_practice=practice, family_name="Flagged")
    )
    return services.allocate(referral=referral, to=link_worker, by=link_worker)


def test_a_flagged_case_is_on_the_agenda_with_why(client_for, case, link_worker):
    services.flag_for_mdt(
        case=case, by=link_worker, reason="Housing and mood", meeting_on=NEXT_WEEK
    )
    page = client_for(link_worker).get("/caseload/mdt/").content.decode()
    assert "Jo Flagged" in page
    assert "Housing and mood" in page
    assert NEXT_WEEK.strftime("%-d %B %Y") in page


def test_a_discussed_case_leaves_the_agenda(client_for, case, link_worker):
    flag = services.flag_for_mdt(case=case, by=link_worker, reason="Housing", meeting_on=NEXT_WEEK)
    services.record_mdt_discussion(flag=flag, by=link_worker, outcome="GP to review medication")
    assert "Jo Flagged" not in client_for(link_worker).get("/caseload/mdt/").content.decode()


def test_another_pcns_cases_are_not_on_the_agenda(client_for, case, link_worker, outsider):
    services.flag_for_mdt(case=case, by=link_worker, reason="Housing", meeting_on=NEXT_WEEK)
    assert "Jo Flagged" not in client_for(outsider).get("/caseload/mdt/").content.decode()


def test_the_agenda_is_audited(client_for, case, link_worker):
    flag = services.flag_for_mdt(case=case, by=link_worker, reason="x", meeting_on=NEXT_WEEK)
    client_for(link_worker).get("/caseload/mdt/")
    assert AuditEvent.objects.filter(object_type="caseload.mdtflag", object_id=str(flag.pk))


def test_a_meeting_in_the_past_is_refused(case, link_worker):
    with pytest.raises(ValidationError, match="today or later"):
        services.flag_for_mdt(
            case=case, by=link_worker, reason="x", meeting_on=datetime.date(2020, 1, 1)
        )


def test_flagging_from_the_case_page_keeps_the_reason_after_an_error(client_for, case, link_worker):
    response = client_for(link_worker).post(
        f"/caseload/cases/{case.pk}/mdt/", {"mdt-reason": "Housing and mood"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter the date of the meeting" in page
    assert "Housing and mood" in page
    assert not MdtFlag.objects.exists()


def test_recording_a_discussion_needs_what_was_decided(case, link_worker):
    flag = services.flag_for_mdt(case=case, by=link_worker, reason="x", meeting_on=NEXT_WEEK)
    with pytest.raises(ValidationError, match="decided"):
        services.record_mdt_discussion(flag=flag, by=link_worker, outcome="")


def test_an_empty_outcome_is_shown_next_to_its_field(client_for, case, link_worker):
    flag = services.flag_for_mdt(case=case, by=link_worker, reason="x", meeting_on=NEXT_WEEK)
    response = client_for(link_worker).post(
        f"/caseload/cases/{case.pk}/mdt/{flag.pk}/", {f"mdt-{flag.pk}-outcome": ""}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "nhsuk-error-summary" in page
    assert f'href="#id_mdt-{flag.pk}-outcome"' in page
    flag.refresh_from_db()
    assert flag.discussed_at is None
