"""Invariants that hold when two people act at the same moment, proved with two
real transactions on PostgreSQL (SQLite serialises writers, so it cannot race)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection

from referrals import services
from referrals.models import Referral, Status
from tests.factories import PatientFactory, ReferralFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_database_refuses_a_second_accepted_referral_for_a_person(practice):
    patient = PatientFactory(registered_practice=practice)
    ReferralFactory(patient=patient, status=Status.ACCEPTED)
    with pytest.raises(IntegrityError):
        ReferralFactory(patient=patient, status=Status.ACCEPTED)


@pytest.mark.postgres
def test_two_link_workers_accepting_two_referrals_for_one_person_at_once_accept_one(
    practice, link_worker, colleague, monkeypatch
):
    patient = PatientFactory(registered_practice=practice)
    first, second = ReferralFactory(patient=patient), ReferralFactory(patient=patient)
    # Both workers pass the check in Python before either writes.
    both_checked = threading.Barrier(2, timeout=10)
    triage = services._triage

    def triage_after_both_checked(*args, **kwargs):
        both_checked.wait()
        return triage(*args, **kwargs)

    monkeypatch.setattr(services, "_triage", triage_after_both_checked)
    outcomes = {}

    def accept(referral, by):
        try:
            services.accept_referral(referral=referral, by=by)
            outcomes[referral.pk] = "accepted"
        except ValidationError as error:
            outcomes[referral.pk] = error.messages[0]
        finally:
            connection.close()

    threads = [
        threading.Thread(target=accept, args=(first, link_worker)),
        threading.Thread(target=accept, args=(second, colleague)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert sorted(outcomes.values()) == [
        "This person already has an accepted referral. Merge this one into it instead.",
        "accepted",
    ]
    assert Referral.objects.filter(patient=patient, status=Status.ACCEPTED).count() == 1
