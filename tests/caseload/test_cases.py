"""A case from allocation to closure: services, constraints and history."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from caseload import services
from caseload.models import (
    Case,
    CaseAssignment,
    CaseStatus,
    CloseReason,
    ContactMode,
    ContactOutcome,
)
from referrals import services as referral_services
from referrals.models import Notification, Snomed, Status
from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(practice):
    return ReferralFactory(patient__registered_practice=practice)


@pytest.fixture
def case(referral, link_worker):
    return services.allocate(referral=referral, to=link_worker, by=link_worker)


def attempt(case, by, outcome=ContactOutcome.UNABLE_TO_CONTACT):
    return services.record_contact(case=case, by=by, mode=ContactMode.PHONE, outcome=outcome)


def test_allocating_opens_a_contacting_case_held_by_the_link_worker(referral, link_worker):
    case = services.allocate(referral=referral, to=link_worker, by=link_worker)
    referral.refresh_from_db()
    assert (case.status, case.link_worker, case.practice) == (
        CaseStatus.CONTACTING,
        link_worker,
        referral.practice,
    )
    assert referral.status == Status.ALLOCATED
    assert referral.snomed_code == ""


def test_allocating_to_the_waiting_list_leaves_the_case_unheld(referral, supervisor):
    case = services.allocate(referral=referral, to=None, by=supervisor)
    assert case.link_worker is None
    assert list(Case.objects.visible_to(supervisor).waiting()) == [case]


def test_a_referral_is_allocated_once(case, referral, colleague):
    with pytest.raises(ValidationError, match="already been triaged"):
        services.allocate(referral=referral, to=colleague, by=colleague)
    assert Case.objects.count() == 1


def test_the_database_holds_one_case_per_referral(case):
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(referral=case.referral, practice=case.practice)


def test_the_database_refuses_a_closed_case_without_a_reason(case):
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_at=timezone.now())


def test_taking_from_the_waiting_list_is_recorded(referral, supervisor, link_worker):
    case = services.allocate(referral=referral, to=None, by=supervisor)
    services.take(case=case, by=link_worker)
    case.refresh_from_db()
    assert case.link_worker == link_worker
    last = case.assignments.last()
    assert (last.from_worker, last.to_worker, last.by) == (None, link_worker, link_worker)


def test_a_case_is_taken_once(referral, supervisor, link_worker, colleague):
    case = services.allocate(referral=referral, to=None, by=supervisor)
    services.take(case=case, by=link_worker)
    with pytest.raises(ValidationError, match="Another link worker has taken"):
        services.take(case=case, by=colleague)


def test_reassigning_keeps_who_from_whom_and_why(case, link_worker, colleague, supervisor):
    services.reassign(case=case, to=colleague, by=supervisor, reason="Amira is on leave")
    row = CaseAssignment.objects.filter(case=case).last()
    assert (row.from_worker, row.to_worker, row.by, row.reason) == (
        link_worker,
        colleague,
        supervisor,
        "Amira is on leave",
    )


def test_reassigning_needs_a_reason(case, colleague, supervisor):
    with pytest.raises(ValidationError, match="Say why"):
        services.reassign(case=case, to=colleague, by=supervisor, reason=" ")


def test_the_person_agreeing_accepts_and_codes_the_referral(case, link_worker):
    services.person_agreed(case=case, by=link_worker)
    case.refresh_from_db()
    case.referral.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE
    assert case.referral.status == Status.ACCEPTED
    assert case.referral.snomed_code == Snomed.REFERRAL_TO_SOCIAL_PRESCRIBING


def test_the_person_agrees_once_per_episode(case, link_worker):
    services.person_agreed(case=case, by=link_worker)
    with pytest.raises(ValidationError, match="already agreed"):
        services.person_agreed(case=case, by=link_worker)


def test_the_person_declining_codes_the_decline_and_closes_the_case(case, link_worker):
    services.person_declined(case=case, by=link_worker, note="Has support from family")
    case.refresh_from_db()
    case.referral.refresh_from_db()
    assert (case.status, case.close_reason) == (CaseStatus.CLOSED, CloseReason.DECLINED)
    assert case.referral.snomed_code == Snomed.SOCIAL_PRESCRIBING_DECLINED


def test_unable_to_contact_needs_three_unsuccessful_attempts(case, link_worker):
    attempt(case, link_worker)
    attempt(case, link_worker)
    attempt(case, link_worker, outcome=ContactOutcome.SPOKE)
    with pytest.raises(ValidationError, match="2 so far"):
        services.close_unable_to_contact(case=case, by=link_worker)


def test_unable_to_contact_closes_case_and_referral_without_a_code(case, link_worker):
    for _ in range(3):
        attempt(case, link_worker)
    services.close_unable_to_contact(case=case, by=link_worker)
    case.refresh_from_db()
    case.referral.refresh_from_db()
    assert (case.status, case.close_reason) == (CaseStatus.CLOSED, CloseReason.UNABLE_TO_CONTACT)
    assert (case.referral.status, case.referral.snomed_code) == (Status.CLOSED, "")


def test_closing_the_referral_tells_a_referrer_who_gave_an_email(practice, link_worker):
    referral = ReferralFactory(
        patient__registered_practice=practice, route="agency", referrer_email="pat@example.org"
    )
    case = services.allocate(referral=referral, to=link_worker, by=link_worker)
    for _ in range(3):
        attempt(case, link_worker)
    services.close_unable_to_contact(case=case, by=link_worker)
    assert Notification.objects.filter(referral=referral, kind=Notification.Kind.CLOSED).exists()


def test_a_contact_cannot_be_in_the_future(case, link_worker):
    with pytest.raises(ValidationError, match="in the past"):
        services.record_contact(
            case=case,
            by=link_worker,
            mode=ContactMode.PHONE,
            outcome=ContactOutcome.SPOKE,
            at=timezone.now() + datetime.timedelta(hours=1),
        )


def test_accepting_on_the_triage_page_opens_an_active_case(referral, link_worker):
    referral_services.accept_referral(referral=referral, by=link_worker)
    case = Case.objects.get(referral=referral)
    assert (case.status, case.link_worker) == (CaseStatus.ACTIVE, link_worker)


def test_a_status_change_is_kept_in_the_history(case, link_worker):
    services.person_agreed(case=case, by=link_worker)
    assert [(c.from_status, c.to_status) for c in case.history.all()] == [
        ("", CaseStatus.CONTACTING),
        (CaseStatus.CONTACTING, CaseStatus.ACTIVE),
    ]


def test_a_person_referred_again_gets_a_new_case(case, link_worker, practice):
    services.person_declined(case=case, by=link_worker)
    again = ReferralFactory(patient=case.referral.patient)
    second = services.allocate(referral=again, to=link_worker, by=link_worker)
    assert second.pk != case.pk
    assert set(Case.objects.filter(referral__patient=case.referral.patient)) == {case, second}


def test_a_contact_carries_its_case_practice(case, link_worker):
    contact = attempt(case, link_worker)
    contact.refresh_from_db()
    assert contact.practice_id == case.practice_id


def test_a_case_carries_its_referral_time_of_receipt(case, referral):
    case.refresh_from_db()
    assert case.received_at == referral.received_at


def test_a_case_has_no_first_contact_until_one_is_recorded(case):
    case.refresh_from_db()
    assert case.first_contact_at is None


def test_the_first_contact_is_the_earliest_recorded(case, link_worker):
    now = timezone.now()
    for days_ago in (3, 5, 1):  # the second, recorded later, was earlier
        services.record_contact(
            case=case,
            by=link_worker,
            mode=ContactMode.PHONE,
            outcome=ContactOutcome.SPOKE,
            at=now - datetime.timedelta(days=days_ago),
        )
    case.refresh_from_db()
    assert case.first_contact_at == now - datetime.timedelta(days=5)


def test_a_case_carries_its_latest_contact_and_the_attempts(case, link_worker):
    now = timezone.now()
    for days_ago, outcome in (
        (3, ContactOutcome.UNABLE_TO_CONTACT),
        (1, ContactOutcome.UNABLE_TO_CONTACT),
        (2, ContactOutcome.DID_NOT_ATTEND),  # recorded late, about an earlier day
    ):
        services.record_contact(
            case=case,
            by=link_worker,
            mode=ContactMode.PHONE,
            outcome=outcome,
            at=now - datetime.timedelta(days=days_ago),
        )
    case.refresh_from_db()
    assert case.last_contact_at == now - datetime.timedelta(days=1)
    assert case.unreached_contacts == 3
    assert not case.spoken_with


def test_a_case_carries_that_the_person_was_reached(case, link_worker):
    for outcome in (ContactOutcome.UNABLE_TO_CONTACT, ContactOutcome.SPOKE):
        services.record_contact(case=case, by=link_worker, mode=ContactMode.PHONE, outcome=outcome)
    case.refresh_from_db()
    assert (case.unreached_contacts, case.spoken_with) == (1, True)
