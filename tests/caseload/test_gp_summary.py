"""The message back to the GP at closure, as much as the person agreed to share."""

import pytest

from caseload import plans, services
from caseload.models import CloseReason, ShareWithGp
from tests.factories import PatientFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def closed_case(practice, link_worker, share):
    referral = ReferralFactory(
        patient=PatientFactory(registered_practice=practice, family_name="Closing")
    )
    case = services.allocate(referral=referral, to=link_worker, by=link_worker)
    services.person_agreed(case=case, by=link_worker, share_with_gp=share)
    plans.save_details(
        case=case, by=link_worker, what_matters="Company on Sundays", strengths="",
        needs=[], review_on=None,
    )  # fmt: skip
    plans.add_goal(case=case, by=link_worker, description="Join the lunch club")
    plans.agree(case=case, by=link_worker)
    return services.close(
        case=case, by=link_worker, reason=CloseReason.GOALS_MET, summary="Goes every week now"
    )


def test_the_full_summary_says_what_mattered_and_the_outcome(client_for, practice, link_worker):
    case = closed_case(practice, link_worker, ShareWithGp.FULL)
    page = client_for(link_worker).get(f"/caseload/cases/{case.pk}/gp-summary/").content.decode()
    assert "Company on Sundays" in page
    assert "Join the lunch club" in page
    assert "Goes every week now" in page
    assert "871731000000106" in page


def test_codes_only_leaves_out_the_story(client_for, practice, link_worker, practice_manager):
    case = closed_case(practice, link_worker, ShareWithGp.CODES)
    page = client_for(practice_manager).get(f"/caseload/cases/{case.pk}/gp-summary/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "871731000000106" in text
    assert "Company on Sundays" not in text
    assert "Goes every week now" not in text


def test_not_asked_means_codes_only(client_for, practice, link_worker):
    case = closed_case(practice, link_worker, "")
    page = client_for(link_worker).get(f"/caseload/cases/{case.pk}/gp-summary/").content.decode()
    assert "Goes every week now" not in page


def test_the_practice_lists_its_closing_summaries(
    client_for, practice, link_worker, practice_manager
):
    case = closed_case(practice, link_worker, ShareWithGp.FULL)
    page = client_for(practice_manager).get("/caseload/gp-summaries/").content.decode()
    assert f"/caseload/cases/{case.pk}/gp-summary/" in page


def test_there_is_no_summary_before_the_case_closes(client_for, practice, link_worker):
    referral = ReferralFactory(patient__registered_practice=practice)
    case = services.allocate(referral=referral, to=link_worker, by=link_worker)
    assert client_for(link_worker).get(f"/caseload/cases/{case.pk}/gp-summary/").status_code == 404


def test_the_agreeing_step_records_the_choice(client_for, practice, link_worker):
    referral = ReferralFactory(patient__registered_practice=practice)
    case = services.allocate(referral=referral, to=link_worker, by=link_worker)
    client_for(link_worker).post(
        f"/caseload/cases/{case.pk}/decision/", {"decision": "agreed", "share_with_gp": "codes"}
    )
    case.refresh_from_db()
    assert case.share_with_gp == ShareWithGp.CODES


def test_not_asked_says_so(client_for, practice, link_worker):
    case = closed_case(practice, link_worker, "")
    page = client_for(link_worker).get(f"/caseload/cases/{case.pk}/gp-summary/").content.decode()
    assert "was not asked" in page
    assert "asked that their GP is told only" not in page
