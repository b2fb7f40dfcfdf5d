"""Merging a duplicate keeps everything its referrer said (issue 9, point 11)."""

import pytest

from referrals import services
from referrals.models import Referral, Status
from tests.factories import PatientFactory, ReferralFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def merged(practice, link_worker):
    patient = PatientFactory(registered_practice=practice)
    first = ReferralFactory(patient=patient, notes="Lives alone")
    first.reasons.create(reason="loneliness")
    second = ReferralFactory(patient=patient, notes="Prefers calls after 10am")
    second.reasons.create(reason="finance")
    services.merge_referral(referral=second, into=first, by=link_worker)
    second.refresh_from_db()
    return first, second


def test_the_surviving_referral_shows_the_merged_notes_and_reasons(client_for, link_worker, merged):
    first, second = merged
    page = client_for(link_worker).get(first.get_absolute_url()).content.decode()
    assert "Lives alone" in page
    assert "Prefers calls after 10am" in page
    assert "Finance, debt and benefits" in page
    assert second.reference in page


def test_the_surviving_referrals_history_records_the_merge(merged):
    first, second = merged
    assert first.history.last().note == f"{second.reference} merged into this referral"


def test_a_merged_referral_is_no_longer_flagged_as_a_duplicate(client_for, link_worker, merged):
    _first, second = merged
    page = client_for(link_worker).get(second.get_absolute_url()).content.decode()
    assert "Possible duplicate" not in page


def test_a_merged_referral_is_not_flagged_in_the_list(merged):
    first, second = merged
    flags = dict(Referral.objects.with_duplicate_flag().values_list("pk", "possible_duplicate"))
    assert flags[second.pk] is False
    assert flags[first.pk] is False


def test_the_surviving_referral_page_query_count_does_not_grow_with_merges(
    client_for, link_worker, practice, django_assert_max_num_queries
):
    patient = PatientFactory(registered_practice=practice)
    first = ReferralFactory(patient=patient)
    for _ in range(5):
        other = ReferralFactory(patient=patient, notes="More")
        other.reasons.create(reason="housing")
        services.merge_referral(referral=other, into=first, by=link_worker)
    client = client_for(link_worker)
    with django_assert_max_num_queries(16):
        assert client.get(first.get_absolute_url()).status_code == 200
    assert Referral.objects.filter(status=Status.MERGED).count() == 5
