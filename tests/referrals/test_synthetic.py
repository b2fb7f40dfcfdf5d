"""The synthetic data for benchmarks (referrals/synthetic.py), at small sizes."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, F, Max, Q

from referrals import synthetic
from referrals.models import (
    Patient,
    Referral,
    ReferralReason,
    ReferralStatusChange,
    Route,
    Snomed,
    Status,
)
from referrals.validators import is_valid_nhs_number
from spl import demo
from spl.models import PCN, Practice, User

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 11, 21, tzinfo=datetime.UTC)
PCNS, REFERRALS = 6, 1500


@pytest.fixture
def demo_users(db):
    demo.seed(password="a-demo-password-for-the-tests")


@pytest.fixture
def generated(demo_users):
    return synthetic.generate(pcns=PCNS, referrals=REFERRALS, seed=7, now=NOW)


def snapshot():
    """Everything generated, by natural keys (ids and token digests may differ)."""
    return {
        "practices": list(
            Practice.objects.order_by("ods_code").values_list(
                "ods_code", "name", "pcn__ods_code", "list_size"
            )
        ),
        "users": list(User.objects.order_by("email").values_list("email", "full_name")),
        "referrals": list(
            Referral.objects.order_by("reference").values_list(
                "reference",
                "patient__nhs_number",
                "patient__given_name",
                "patient__family_name",
                "patient__date_of_birth",
                "patient__postcode",
                "patient__registered_practice__ods_code",
                "route",
                "urgency",
                "status",
                "snomed_code",
                "coded_on",
                "coded_in_gp_record_at",
                "merged_into__reference",
                "referred_by__email",
                "received_at",
                "notes",
                "referrer_organisation",
            )
        ),
        "reasons": sorted(ReferralReason.objects.values_list("referral__reference", "reason")),
        "history": sorted(
            ReferralStatusChange.objects.values_list(
                "referral__reference", "at", "from_status", "to_status", "by__email", "note"
            )
        ),
    }


def generate_and_forget(seed):
    with transaction.atomic():
        synthetic.generate(pcns=PCNS, referrals=REFERRALS, seed=seed, now=NOW)
        data = snapshot()
        transaction.set_rollback(True)
    return data


def test_the_counts_asked_for_are_made(generated):
    assert Referral.objects.count() == REFERRALS
    assert PCN.objects.count() == PCNS
    assert generated.referrals == REFERRALS
    assert generated.patients == Patient.objects.count()
    assert generated.history == ReferralStatusChange.objects.count()
    assert generated.reasons == ReferralReason.objects.count()
    sizes = (
        Practice.objects.filter(pcn__ods_code__startswith="U5")
        .values("pcn")
        .annotate(n=Count("id"))
    )
    assert {row["n"] for row in sizes} <= set(range(3, 10))


def test_the_same_seed_gives_the_same_data(demo_users):
    first = generate_and_forget(seed=7)
    assert generate_and_forget(seed=7) == first
    assert generate_and_forget(seed=8)["referrals"] != first["referrals"]


def test_the_database_constraints_hold(generated):
    connection.check_constraints()  # the deferred foreign keys, checked now


def test_codes_match_the_status(generated):
    codes = set(Referral.objects.values_list("status", "snomed_code").distinct())
    assert codes == {
        (Status.AWAITING_TRIAGE, ""),
        (Status.ACCEPTED, Snomed.REFERRAL_TO_SOCIAL_PRESCRIBING),
        (Status.CLOSED, Snomed.REFERRAL_TO_SOCIAL_PRESCRIBING),
        (Status.DECLINED, Snomed.SOCIAL_PRESCRIBING_DECLINED),
        (Status.NOT_APPROPRIATE, ""),
        (Status.MERGED, ""),
        (Status.WITHDRAWN, ""),
    }
    assert not Referral.objects.exclude(snomed_code="").filter(coded_on=None).exists()
    assert not Referral.objects.filter(snomed_code="", coded_in_gp_record_at__isnull=False)


def test_nobody_has_two_accepted_referrals(generated):
    accepted = Patient.objects.annotate(
        n=Count("referrals", filter=Q(referrals__status=Status.ACCEPTED))
    )
    assert accepted.filter(n=1).exists()
    assert not accepted.filter(n__gt=1).exists()


def test_a_merged_referral_names_an_earlier_one_for_the_same_person(generated):
    merged = Referral.objects.filter(status=Status.MERGED).select_related(
        "patient", "merged_into__patient"
    )
    assert merged
    for referral in merged:
        target = referral.merged_into
        assert target.received_at <= referral.received_at
        assert target.status not in (Status.MERGED, Status.WITHDRAWN)
        same = target.patient_id == referral.patient_id
        alike = (target.patient.family_name, target.patient.date_of_birth) == (
            referral.patient.family_name, referral.patient.date_of_birth
        )  # fmt: skip
        assert same or (alike and not referral.patient.nhs_number), referral


def test_every_referral_has_reasons_consent_and_a_history_ending_at_its_status(generated):
    assert not Referral.objects.filter(reasons=None).exists()
    assert not Referral.objects.filter(consent_to_contact=False).exists()
    received = ReferralStatusChange.objects.filter(from_status="", to_status="awaiting_triage")
    assert received.count() == REFERRALS
    last = {}
    for reference, to_status in ReferralStatusChange.objects.order_by("at", "id").values_list(
        "referral__reference", "to_status"
    ):
        last[reference] = to_status
    assert last == dict(Referral.objects.values_list("reference", "status"))


def test_reasons_carry_their_referrals_practice_and_time_of_receipt(generated):
    assert ReferralReason.objects.exists()
    assert not ReferralReason.objects.exclude(
        practice=F("referral__practice"), received_at=F("referral__received_at")
    ).exists()


def test_a_few_per_cent_await_triage_and_they_are_recent(generated):
    awaiting = Referral.objects.filter(status=Status.AWAITING_TRIAGE)
    assert 0.005 * REFERRALS < awaiting.count() < 0.05 * REFERRALS
    oldest = NOW - awaiting.order_by("received_at").first().received_at
    assert oldest < datetime.timedelta(days=61)
    assert Referral.objects.aggregate(Max("received_at"))["received_at__max"] < NOW


def test_nhs_numbers_are_valid_unused_999_numbers_and_a_few_people_have_none(generated):
    numbers = list(Patient.objects.exclude(nhs_number="").values_list("nhs_number", flat=True))
    assert all(number.startswith("999") and is_valid_nhs_number(number) for number in numbers)
    assert len(set(numbers)) == len(numbers)
    without = Patient.objects.filter(nhs_number="").count() / Patient.objects.count()
    assert 0.02 < without < 0.09


def test_some_people_are_referred_more_than_once(generated):
    assert Patient.objects.annotate(n=Count("referrals")).filter(n__gt=1).exists()


def test_some_people_without_an_nhs_number_look_alike(generated):
    alike = (
        Patient.objects.filter(nhs_number="")
        .values("family_name", "date_of_birth", "postcode")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert alike.exists()


def test_the_demo_users_pcn_is_the_large_one(generated):
    by_pcn = dict(
        Referral.objects.values_list("patient__registered_practice__pcn__ods_code")
        .annotate(n=Count("id"))
        .values_list("patient__registered_practice__pcn__ods_code", "n")
    )
    assert max(by_pcn, key=by_pcn.get) == "U00001"


def test_the_demo_gp_referred_from_their_practice(generated):
    gp = User.objects.get(email="gp@example.org")
    theirs = Referral.objects.filter(referred_by=gp)
    assert theirs.exists()
    assert set(theirs.values_list("route", flat=True)) == {Route.CLINICIAN}
    assert set(theirs.values_list("patient__registered_practice__ods_code", flat=True)) == {
        "Y00011"
    }
    assert theirs.visible_to(gp).count() == theirs.count()


def test_the_demo_link_worker_triaged_and_the_manager_coded(generated):
    assert ReferralStatusChange.objects.filter(
        by__email="linkworker@example.org", from_status=Status.AWAITING_TRIAGE
    ).exists()
    coded = Referral.objects.filter(coded_in_gp_record_by__email="manager@example.org")
    assert coded.exists()
    assert (
        Referral.objects.exclude(snomed_code="")
        .filter(coded_in_gp_record_at=None, patient__registered_practice__ods_code="Y00011")
        .exists()
    )  # some still to code


def test_synthetic_staff_cannot_log_in(generated, client):
    staff = User.objects.filter(email__endswith="@synthetic.example.org")
    assert staff.count() == generated.users
    assert not any(user.has_usable_password() for user in staff)


def test_a_second_run_is_refused(generated):
    with pytest.raises(ValueError, match="already holds synthetic data"):
        synthetic.generate(pcns=PCNS, referrals=10, now=NOW)


def test_the_demo_data_is_needed(db):
    with pytest.raises(ValueError, match="seed_demo"):
        synthetic.generate(pcns=PCNS, referrals=10, now=NOW)


def test_the_command_adds_to_the_demo_data(demo_users):
    out = io.StringIO()
    call_command("generate_synthetic", "--pcns", "3", "--referrals", "200", stdout=out)
    assert "Synthetic data ready: 200 referrals" in out.getvalue()
    assert Referral.objects.count() == 200
    assert PCN.objects.count() == 3


def test_the_command_says_what_is_missing(db):
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("generate_synthetic", "--pcns", "3", "--referrals", "200")
