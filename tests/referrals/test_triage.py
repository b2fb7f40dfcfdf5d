import pytest

from referrals.models import Referral, Status
from spl.models import AuditEvent
from tests.factories import PatientFactory, PracticeFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def detail_url(referral):
    return f"/referrals/{referral.reference}/"


def triage_url(referral):
    return f"/referrals/{referral.reference}/triage/"


# The ladder


def test_anonymous_is_sent_to_login_for_a_referral(client, practice):
    referral = ReferralFactory(patient__registered_practice=practice)
    assert client.get(detail_url(referral))["Location"].startswith("/accounts/login/")


def test_outsider_gets_404_for_a_referral_in_another_pcn(client_for, outsider, practice):
    referral = ReferralFactory(patient__registered_practice=practice)
    assert client_for(outsider).get(detail_url(referral)).status_code == 404


def test_gp_in_the_pcn_gets_403_for_the_triage_page(client_for, gp, practice):
    referral = ReferralFactory(patient__registered_practice=practice)
    assert client_for(gp).get(detail_url(referral)).status_code == 403


def test_link_worker_sees_the_referral_and_the_view_is_audited(client_for, link_worker, practice):
    referral = ReferralFactory(patient__registered_practice=practice, patient__given_name="Ada")
    response = client_for(link_worker).get(detail_url(referral))
    assert response.status_code == 200
    assert "Ada" in response.content.decode()
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id, event.patient_id) == (
        "view",
        str(referral.pk),
        str(referral.patient.pk),
    )


def test_commissioner_gets_403_for_the_referral_list(client_for, commissioner):
    assert client_for(commissioner).get("/referrals/").status_code == 403


def test_supervisor_sees_the_referral_list(client_for, supervisor):
    assert client_for(supervisor).get("/referrals/").status_code == 200


# The list


def test_list_shows_referrals_awaiting_triage_in_the_users_pcn_only(
    client_for, link_worker, practice, other_practice
):
    waiting = ReferralFactory(patient__registered_practice=practice)
    accepted = ReferralFactory(patient__registered_practice=practice, status=Status.ACCEPTED)
    elsewhere = ReferralFactory(patient__registered_practice=other_practice)
    page = client_for(link_worker).get("/referrals/").content.decode()
    assert waiting.reference in page
    assert accepted.reference not in page
    assert elsewhere.reference not in page


def test_list_filters_by_status_and_urgency(client_for, link_worker, practice):
    urgent = ReferralFactory(patient__registered_practice=practice, urgency="urgent")
    routine = ReferralFactory(patient__registered_practice=practice)
    page = client_for(link_worker).get("/referrals/?status=&urgency=urgent").content.decode()
    assert urgent.reference in page
    assert routine.reference not in page


def test_list_filters_by_practice(client_for, link_worker, practice, pcn):
    other_in_pcn = PracticeFactory(pcn=pcn)
    mine = ReferralFactory(patient__registered_practice=practice)
    theirs = ReferralFactory(patient__registered_practice=other_in_pcn)
    page = client_for(link_worker).get(f"/referrals/?practice={practice.pk}").content.decode()
    assert mine.reference in page
    assert theirs.reference not in page


def test_a_bad_filter_value_is_ignored_not_an_error(client_for, link_worker, practice):
    referral = ReferralFactory(patient__registered_practice=practice)
    response = client_for(link_worker).get("/referrals/?route=carrier-pigeon&practice=x")
    assert response.status_code == 200
    assert referral.reference in response.content.decode()


def test_list_flags_a_possible_duplicate(client_for, link_worker, practice):
    patient = PatientFactory(registered_practice=practice)
    ReferralFactory(patient=patient)
    ReferralFactory(patient=patient)
    ReferralFactory(patient__registered_practice=practice)
    page = client_for(link_worker).get("/referrals/").content.decode()
    assert page.count("Possible duplicate") == 2


def test_list_flags_a_similar_person_without_nhs_number(client_for, link_worker, practice):
    for _ in range(2):
        ReferralFactory(
            patient__registered_practice=practice,
            patient__nhs_number="",
            patient__family_name="Smith",
            patient__postcode="LS1 4AP",
        )
    page = client_for(link_worker).get("/referrals/").content.decode()
    assert page.count("Possible duplicate") == 2


def test_list_query_count_does_not_grow_with_rows(
    client_for, link_worker, practice, django_assert_max_num_queries
):
    for _ in range(15):
        ReferralFactory(patient__registered_practice=practice)
    client = client_for(link_worker)
    # session and user, permissions, memberships, practices for the filter, the
    # count, the page's ids, its rows with their flags, their reasons, the audit
    with django_assert_max_num_queries(10):
        response = client.get("/referrals/")
    assert response.content.decode().count('scope="row"') == 15


def test_list_is_paginated(client_for, link_worker, practice):
    for _ in range(27):
        ReferralFactory(patient__registered_practice=practice)
    client = client_for(link_worker)
    assert client.get("/referrals/").content.decode().count('scope="row"') == 25
    assert client.get("/referrals/?page=2").content.decode().count('scope="row"') == 2


# Decisions


def test_accepting_through_the_page_records_the_code_and_history(client_for, link_worker, practice):
    referral = ReferralFactory(patient__registered_practice=practice)
    response = client_for(link_worker).post(triage_url(referral), {"decision": "accept"})
    assert response["Location"] == detail_url(referral)
    referral.refresh_from_db()
    assert (referral.status, referral.snomed_code) == (Status.ACCEPTED, "871731000000106")
    assert referral.history.get().by == link_worker


def test_not_appropriate_without_a_note_is_sent_back_with_the_error(
    client_for, link_worker, practice
):
    referral = ReferralFactory(patient__registered_practice=practice)
    response = client_for(link_worker).post(triage_url(referral), {"decision": "not_appropriate"})
    assert response.status_code == 400
    assert 'href="#id_note"' in response.content.decode()
    assert Referral.objects.get(pk=referral.pk).status == Status.AWAITING_TRIAGE


def test_merging_through_the_page(client_for, link_worker, practice):
    patient = PatientFactory(registered_practice=practice)
    first, second = ReferralFactory(patient=patient), ReferralFactory(patient=patient)
    client_for(link_worker).post(
        triage_url(second), {"decision": "merge", "merge_into": str(first.pk)}
    )
    second.refresh_from_db()
    assert (second.status, second.merged_into) == (Status.MERGED, first)


def test_a_referral_already_triaged_cannot_be_decided_again(client_for, link_worker, practice):
    referral = ReferralFactory(patient__registered_practice=practice, status=Status.DECLINED)
    response = client_for(link_worker).post(triage_url(referral), {"decision": "accept"})
    assert response.status_code == 400
    assert "already been triaged" in response.content.decode()


def test_gp_cannot_triage(client_for, gp, practice):
    referral = ReferralFactory(patient__registered_practice=practice)
    assert client_for(gp).post(triage_url(referral), {"decision": "accept"}).status_code == 403


def test_outsider_cannot_triage(client_for, outsider, practice):
    referral = ReferralFactory(patient__registered_practice=practice)
    assert (
        client_for(outsider).post(triage_url(referral), {"decision": "accept"}).status_code == 404
    )


def test_triage_is_post_only(client_for, link_worker, practice):
    referral = ReferralFactory(patient__registered_practice=practice)
    assert client_for(link_worker).get(triage_url(referral)).status_code == 405


def test_urgent_referrals_come_first_then_the_longest_waiting(practice):
    import datetime

    from django.utils import timezone

    now = timezone.now()
    old = ReferralFactory(
        patient__registered_practice=practice, received_at=now - datetime.timedelta(days=9)
    )
    new_urgent = ReferralFactory(patient__registered_practice=practice, urgency="urgent")
    newer = ReferralFactory(patient__registered_practice=practice)
    assert list(Referral.objects.in_triage_order()) == [new_urgent, old, newer]
