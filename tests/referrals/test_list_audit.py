"""Every list of personal data is audited: one view event per row shown."""

import pytest

from spl.models import AuditEvent
from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def events_for(user):
    return set(
        AuditEvent.objects.filter(actor=user, action="view").values_list("object_id", "patient_id")
    )


def test_the_triage_list_records_a_view_of_each_referral_shown(client_for, link_worker, practice):
    shown = ReferralFactory.create_batch(3, patient__registered_practice=practice)
    client_for(link_worker).get("/referrals/")
    assert events_for(link_worker) == {(str(r.pk), str(r.patient_id)) for r in shown}


def test_your_referrals_records_a_view_of_each_referral_shown(client_for, gp, practice):
    shown = ReferralFactory.create_batch(2, patient__registered_practice=practice, referred_by=gp)
    client_for(gp).get("/referrals/mine/")
    assert events_for(gp) == {(str(r.pk), str(r.patient_id)) for r in shown}


def test_the_coding_list_records_a_view_of_each_referral_shown(
    client_for, practice_manager, practice
):
    shown = ReferralFactory(
        patient__registered_practice=practice, status="accepted", snomed_code="871731000000106"
    )
    client_for(practice_manager).get("/referrals/coding/")
    assert events_for(practice_manager) == {(str(shown.pk), str(shown.patient_id))}


def test_only_the_rows_on_the_page_are_recorded(client_for, link_worker, practice):
    ReferralFactory.create_batch(27, patient__registered_practice=practice)
    client_for(link_worker).get("/referrals/?page=2")
    assert len(events_for(link_worker)) == 2
