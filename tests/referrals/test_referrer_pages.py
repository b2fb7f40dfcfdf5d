"""What a referrer sees of the referrals they made: a confirmation after sending,
a warning before referring someone already referred, their list with search,
and a read-only page for each referral, where they can add information or
withdraw it while it awaits triage."""

import pytest

from referrals import services
from referrals.models import Referral, Status
from spl.models import AuditEvent
from tests.factories import PatientFactory, ReferralFactory
from tests.referrals.test_referral_create import URL, valid_data

pytestmark = pytest.mark.django_db


def mine(referral):
    return f"/referrals/mine/{referral.reference}/"


@pytest.fixture
def made_by_gp(gp, practice):
    return ReferralFactory(
        patient__registered_practice=practice,
        patient__given_name="Ada",
        patient__family_name="Lovelace",
        referred_by=gp,
        notes="Prefers calls after 10am",
    )


# Finding someone already referred (point 8)


def test_finding_a_person_with_an_open_referral_warns_with_its_status_and_date(
    client_for, gp, practice, made_by_gp
):
    response = client_for(gp).post(
        URL, {"find": "1", "find-nhs_number": made_by_gp.patient.nhs_number}
    )
    page = response.content.decode()
    assert "already has an open referral" in page
    assert "awaiting triage" in page
    assert made_by_gp.received_at.strftime("%-d %B %Y") in page


def test_finding_a_person_whose_referrals_are_closed_gives_no_warning(client_for, gp, practice):
    patient = PatientFactory(registered_practice=practice)
    ReferralFactory(patient=patient, status=Status.DECLINED, snomed_code="871711000000103")
    page = client_for(gp).post(URL, {"find": "1", "find-nhs_number": patient.nhs_number})
    assert "already has an open referral" not in page.content.decode()


# After sending (point 9)


def test_after_sending_the_gp_sees_a_confirmation_with_the_reference_and_a_link(
    client_for, gp, practice
):
    response = client_for(gp).post(URL, valid_data(practice), follow=True)
    referral = Referral.objects.get()
    page = response.content.decode()
    assert "Referral sent" in page
    assert referral.reference in page
    assert f'href="{mine(referral)}"' in page
    assert response.redirect_chain[-1][0] == f"/referrals/{referral.reference}/sent/"


def test_the_confirmation_is_only_for_the_person_who_sent_it(client_for, link_worker, made_by_gp):
    response = client_for(link_worker).get(f"/referrals/{made_by_gp.reference}/sent/")
    assert response.status_code == 404


# The list (point 10)


def test_each_row_of_your_referrals_opens_the_referral(client_for, gp, made_by_gp):
    page = client_for(gp).get("/referrals/mine/").content.decode()
    assert f'href="{mine(made_by_gp)}"' in page


def test_your_referrals_are_found_by_name_with_a_post(client_for, gp, practice, made_by_gp):
    ReferralFactory(
        patient__registered_practice=practice, referred_by=gp, patient__family_name="Hopper"
    )
    page = client_for(gp).post("/referrals/mine/", {"q": "lovelace"}).content.decode()
    assert "Ada Lovelace" in page
    assert "Hopper" not in page


def test_your_referrals_are_found_by_reference_typed_loosely(client_for, gp, made_by_gp):
    loosely = made_by_gp.reference.lower().replace("-", " ")
    page = client_for(gp).post("/referrals/mine/", {"q": loosely}).content.decode()
    assert made_by_gp.reference in page


def test_a_search_that_finds_nothing_says_so(client_for, gp, made_by_gp):
    page = client_for(gp).post("/referrals/mine/", {"q": "Nobody"}).content.decode()
    assert "No referrals match" in page


def test_the_search_form_keeps_names_out_of_urls(client_for, gp, made_by_gp):
    page = client_for(gp).get("/referrals/mine/").content.decode()
    assert 'method="post"' in page
    assert 'method="get"' not in page


# The read-only page (point 10)


def test_the_referrer_sees_status_reasons_and_notes_and_the_view_is_audited(
    client_for, gp, made_by_gp
):
    page = client_for(gp).get(mine(made_by_gp)).content.decode()
    assert "Ada Lovelace" in page
    assert "Awaiting triage" in page
    assert "Prefers calls after 10am" in page
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id) == ("view", str(made_by_gp.pk))


def test_the_referrer_sees_the_decision_and_its_reason(client_for, gp, made_by_gp, link_worker):
    services.mark_not_appropriate(
        referral=made_by_gp, by=link_worker, reason="Needs the community mental health team"
    )
    page = client_for(gp).get(mine(made_by_gp)).content.decode()
    assert "Not appropriate, redirected" in page
    assert "Needs the community mental health team" in page
    assert "Withdraw" not in page


def test_someone_elses_referral_is_404_on_the_referrer_page(
    client_for, practice_manager, made_by_gp
):
    assert client_for(practice_manager).get(mine(made_by_gp)).status_code == 404


def test_the_referrer_page_is_not_cached(client_for, gp, made_by_gp):
    assert "no-store" in client_for(gp).get(mine(made_by_gp))["Cache-Control"]


def test_the_referrer_adds_information_while_it_awaits_triage(client_for, gp, made_by_gp):
    response = client_for(gp).post(
        mine(made_by_gp) + "add-information/", {"information": "Now also caring for her mother"}
    )
    assert response.status_code == 302
    made_by_gp.refresh_from_db()
    assert "Prefers calls after 10am" in made_by_gp.notes
    assert "Now also caring for her mother" in made_by_gp.notes
    assert made_by_gp.history.last().note == "More information added by the referrer"


def test_empty_information_is_sent_back_with_a_message(client_for, gp, made_by_gp):
    response = client_for(gp).post(mine(made_by_gp) + "add-information/", {"information": " "})
    assert response.status_code == 400
    assert "Enter the information to add" in response.content.decode()


def test_information_cannot_be_added_once_triaged(client_for, gp, made_by_gp, link_worker):
    services.accept_referral(referral=made_by_gp, by=link_worker)
    client_for(gp).post(mine(made_by_gp) + "add-information/", {"information": "More"})
    made_by_gp.refresh_from_db()
    assert "More" not in made_by_gp.notes


def test_the_referrer_withdraws_a_referral_with_a_reason(client_for, gp, made_by_gp):
    response = client_for(gp).post(mine(made_by_gp) + "withdraw/", {"reason": "Sent in error"})
    assert response.status_code == 302
    made_by_gp.refresh_from_db()
    assert made_by_gp.status == Status.WITHDRAWN
    assert made_by_gp.history.last().note == "Sent in error"


def test_withdrawing_needs_a_reason(client_for, gp, made_by_gp):
    response = client_for(gp).post(mine(made_by_gp) + "withdraw/", {"reason": ""})
    assert response.status_code == 400
    assert "Say why you are withdrawing the referral" in response.content.decode()
    made_by_gp.refresh_from_db()
    assert made_by_gp.status == Status.AWAITING_TRIAGE


def test_a_triaged_referral_cannot_be_withdrawn(client_for, gp, made_by_gp, link_worker):
    services.accept_referral(referral=made_by_gp, by=link_worker)
    client_for(gp).post(mine(made_by_gp) + "withdraw/", {"reason": "Changed my mind"})
    made_by_gp.refresh_from_db()
    assert made_by_gp.status == Status.ACCEPTED


def test_the_referrer_page_query_count_is_fixed(
    client_for, gp, made_by_gp, django_assert_max_num_queries
):
    client = client_for(gp)
    with django_assert_max_num_queries(9):
        assert client.get(mine(made_by_gp)).status_code == 200


def test_an_error_is_said_once_in_the_page_title(client_for, gp, made_by_gp):
    response = client_for(gp).post(mine(made_by_gp) + "withdraw/", {"reason": ""})
    assert f"<title>Error: Referral {made_by_gp.reference} –" in response.content.decode()
