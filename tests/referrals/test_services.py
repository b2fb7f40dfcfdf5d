import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from referrals import services
from referrals.models import Patient, Referral, ReferralStatusChange, Status
from spl.models import AuditEvent
from tests.factories import PatientFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def new_patient(practice, **fields):
    return Patient(
        **{
            "given_name": "Jo",
            "family_name": "Bloggs",
            "date_of_birth": datetime.date(1958, 4, 12),
            "postcode": "LS1 4AP",
            "registered_practice": practice,
            **fields,
        }
    )


def refer(practice, by=None, **patient_fields):
    return services.create_referral(
        patient=new_patient(practice, **patient_fields),
        route="clinician",
        reasons=["loneliness", "finance"],
        by=by,
        consent_to_contact=True,
    )


def test_a_new_referral_awaits_triage_with_its_reasons(practice, gp):
    referral = refer(practice, by=gp, nhs_number="9434765919")
    assert referral.status == Status.AWAITING_TRIAGE
    assert sorted(referral.reasons.values_list("reason", flat=True)) == ["finance", "loneliness"]
    assert referral.referred_by == gp


def test_a_new_referrals_reasons_carry_its_practice_and_time_of_receipt(practice, gp):
    referral = refer(practice, by=gp)
    assert {(reason.practice, reason.received_at) for reason in referral.reasons.all()} == {
        (practice, referral.received_at)
    }


def test_a_new_referral_writes_its_first_history_row(practice, gp):
    referral = refer(practice, by=gp)
    change = referral.history.get()
    assert (change.from_status, change.to_status, change.by) == ("", "awaiting_triage", gp)


def test_a_new_referral_is_audited_with_the_patient(practice, gp):
    referral = refer(practice, by=gp)
    events = AuditEvent.objects.order_by("id")
    assert [(e.action, e.object_type) for e in events] == [
        ("create", "referrals.patient"),
        ("create", "referrals.referral"),
    ]
    assert {e.patient_id for e in events} == {str(referral.patient.pk)}


def test_a_referral_without_consent_is_refused_and_nothing_is_saved(practice, gp):
    with pytest.raises(ValidationError, match="agreed to be contacted"):
        services.create_referral(
            patient=new_patient(practice),
            route="clinician",
            reasons=["housing"],
            by=gp,
            consent_to_contact=False,
        )
    assert not Patient.objects.exists()


def test_a_referral_without_a_reason_is_refused(practice, gp):
    with pytest.raises(ValidationError, match="at least one reason"):
        services.create_referral(
            patient=new_patient(practice),
            route="clinician",
            reasons=[],
            by=gp,
            consent_to_contact=True,
        )


def test_an_invalid_nhs_number_is_refused(practice, gp):
    with pytest.raises(ValidationError):
        refer(practice, by=gp, nhs_number="9434765918")
    assert not Referral.objects.exists()


def test_a_second_open_referral_for_the_same_nhs_number_is_a_duplicate(practice, gp):
    first = refer(practice, by=gp, nhs_number="9434765919")
    second = services.create_referral(
        patient=first.patient,
        route="clinician",
        reasons=["housing"],
        by=gp,
        consent_to_contact=True,
    )
    assert list(Referral.objects.possible_duplicates_of(second)) == [first]


def test_without_nhs_numbers_same_name_birth_date_and_postcode_is_a_possible_duplicate(practice):
    first = refer(practice, nhs_number="")
    second = refer(practice, nhs_number="", family_name="BLOGGS")
    assert list(Referral.objects.possible_duplicates_of(second)) == [first]


def test_a_different_birth_date_is_not_a_duplicate(practice):
    refer(practice, nhs_number="")
    second = refer(practice, nhs_number="", date_of_birth=datetime.date(1960, 1, 1))
    assert not Referral.objects.possible_duplicates_of(second).exists()


def test_a_closed_referral_is_not_a_duplicate(practice):
    first = refer(practice, nhs_number="")
    Referral.objects.filter(pk=first.pk).update(status=Status.CLOSED)
    assert not Referral.objects.possible_duplicates_of(refer(practice, nhs_number="")).exists()


@time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC))
def test_accepting_records_the_referral_to_social_prescribing_code(practice, link_worker):
    referral = services.accept_referral(
        referral=ReferralFactory(patient__registered_practice=practice), by=link_worker
    )
    assert referral.status == Status.ACCEPTED
    assert referral.snomed_code == "871731000000106"
    assert referral.coded_on == datetime.date(2026, 11, 20)


def test_declining_records_the_social_prescribing_declined_code(practice, link_worker):
    referral = services.record_declined(
        referral=ReferralFactory(patient__registered_practice=practice), by=link_worker
    )
    assert (referral.status, referral.snomed_code) == (Status.DECLINED, "871711000000103")


def test_not_appropriate_needs_a_reason_and_records_no_code(practice, link_worker):
    referral = ReferralFactory(patient__registered_practice=practice)
    with pytest.raises(ValidationError, match="Say why"):
        services.mark_not_appropriate(referral=referral, by=link_worker, reason="  ")
    referral = services.mark_not_appropriate(
        referral=referral, by=link_worker, reason="Needs the community mental health team"
    )
    assert (referral.status, referral.snomed_code) == (Status.NOT_APPROPRIATE, "")
    assert referral.history.last().note == "Needs the community mental health team"


def test_each_triage_decision_writes_a_history_row_with_the_actor(practice, link_worker):
    referral = ReferralFactory(patient__registered_practice=practice)
    services.accept_referral(referral=referral, by=link_worker)
    change = ReferralStatusChange.objects.get(referral=referral)
    assert (change.from_status, change.to_status, change.by) == (
        "awaiting_triage",
        "accepted",
        link_worker,
    )


def test_a_referral_cannot_be_triaged_twice(practice, link_worker, colleague):
    referral = ReferralFactory(patient__registered_practice=practice)
    stale_copy = Referral.objects.get(pk=referral.pk)
    services.accept_referral(referral=referral, by=link_worker)
    with pytest.raises(ValidationError, match="already been triaged"):
        services.record_declined(referral=stale_copy, by=colleague)
    assert Referral.objects.get(pk=referral.pk).status == Status.ACCEPTED


def test_the_referral_code_is_recorded_once_per_episode(practice, link_worker):
    patient = PatientFactory(registered_practice=practice)
    services.accept_referral(referral=ReferralFactory(patient=patient), by=link_worker)
    with pytest.raises(ValidationError, match="already has an accepted referral"):
        services.accept_referral(referral=ReferralFactory(patient=patient), by=link_worker)


def test_merging_links_the_duplicate_to_the_open_referral(practice, link_worker):
    patient = PatientFactory(registered_practice=practice)
    first, second = ReferralFactory(patient=patient), ReferralFactory(patient=patient)
    merged = services.merge_referral(referral=second, into=first, by=link_worker)
    assert (merged.status, merged.merged_into) == (Status.MERGED, first)
    assert merged.history.last().note == f"Merged into {first.reference}"


def test_a_referral_cannot_be_merged_into_another_pcns_referral(
    practice, other_practice, link_worker
):
    mine = ReferralFactory(patient__registered_practice=practice)
    theirs = ReferralFactory(patient__registered_practice=other_practice)
    with pytest.raises(ValidationError, match="another open referral in your PCN"):
        services.merge_referral(referral=mine, into=theirs, by=link_worker)


def test_an_outside_referral_for_a_known_nhs_number_joins_the_record_unchanged(practice):
    known = PatientFactory(registered_practice=practice, nhs_number="9434765919", phone="0113 1")
    sent = new_patient(
        practice, nhs_number="9434765919", date_of_birth=known.date_of_birth, phone="0113 2"
    )
    patient, note = services.patient_for_outside_referral(sent)
    known.refresh_from_db()
    assert patient == known
    assert known.phone == "0113 1"
    assert "phone: 0113 2" in note


def test_an_outside_referral_matching_the_record_needs_no_note(practice):
    known = PatientFactory(registered_practice=practice, nhs_number="9434765919")
    sent = new_patient(
        practice,
        nhs_number="9434765919",
        date_of_birth=known.date_of_birth,
        postcode=known.postcode,
    )
    assert services.patient_for_outside_referral(sent) == (known, "")


def test_an_outside_referral_with_a_known_nhs_number_but_other_birth_date_drops_it(practice):
    PatientFactory(
        registered_practice=practice,
        nhs_number="9434765919",
        date_of_birth=datetime.date(1990, 1, 1),
    )
    sent = new_patient(practice, nhs_number="9434765919")
    patient, note = services.patient_for_outside_referral(sent)
    assert patient.pk is None
    assert patient.nhs_number == ""
    assert "not stored" in note


def test_an_intake_note_is_kept_on_the_first_history_row(practice):
    referral = services.create_referral(
        patient=new_patient(practice),
        route="self",
        reasons=["housing"],
        consent_to_contact=True,
        intake_note="Check the phone number",
    )
    assert referral.history.get().note == "Referral received. Check the phone number"


@pytest.mark.parametrize(
    ("second_changes", "duplicate"),
    [
        ({}, True),  # same last name, birth date and postcode, no NHS numbers
        ({"family_name": "BLOGGS"}, True),
        ({"postcode": "LS2 7UE"}, False),
        ({"date_of_birth": datetime.date(1960, 1, 1)}, False),
        ({"nhs_number": "9434765919"}, False),  # a number says who the person is
    ],
    ids=["same", "name-in-capitals", "other-postcode", "other-birth-date", "has-nhs-number"],
)
def test_the_list_flag_and_the_referral_page_apply_one_rule(practice, second_changes, duplicate):
    refer(practice, nhs_number="")
    second = refer(practice, **{"nhs_number": "", **second_changes})
    flagged = Referral.objects.with_duplicate_flag().get(pk=second.pk).possible_duplicate
    listed = Referral.objects.possible_duplicates_of(second).exists()
    assert (flagged, listed) == (duplicate, duplicate)
