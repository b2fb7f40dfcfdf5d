"""Demo patients and referrals for `manage.py seed_demo`.

Deterministic (a seeded random generator), so seeding twice changes nothing:
each referral is looked up by its reference before it is created. NHS numbers
come from the 999 range, which passes the check but is never issued.
"""

import datetime
import itertools
import random

from django.db import transaction
from django.utils import timezone

from referrals import services
from referrals.models import (
    Notification,
    OrganisationType,
    Patient,
    Reason,
    Referral,
    ReferralStatusChange,
    Route,
    Status,
    Urgency,
)
from referrals.validators import nhs_number_check_digit
from spl.models import Practice, User

COUNT = 300
GIVEN = [
    "Ada",
    "Ben",
    "Chloe",
    "Dev",
    "Eileen",
    "Farid",
    "Grace",
    "Harry",
    "Imran",
    "Joan",
    "Kofi",
    "Lily",
    "Maria",
    "Nasir",
    "Olive",
    "Pat",
    "Rosa",
    "Stan",
    "Tariq",
    "Vera",
]
FAMILY = [
    "Ahmed",
    "Brown",
    "Clarke",
    "Davies",
    "Evans",
    "Fraser",
    "Green",
    "Hussain",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Mensah",
    "Novak",
    "Owen",
    "Patel",
    "Quinn",
    "Roberts",
    "Smith",
    "Taylor",
    "Walker",
    "Wright",
]
POSTCODES = ["LS1 4AP", "LS6 2QE", "LS11 5DB", "LS9 7TF", "LS12 3JU", "LS8 1AB", "LS7 4PP"]
AGENCIES = [("Boots Riverside", OrganisationType.PHARMACY),
            ("St James's discharge team", OrganisationType.HOSPITAL_DISCHARGE),
            ("Citizens Advice Leeds", OrganisationType.VCSE),
            ("Leeds Federated Housing", OrganisationType.HOUSING),
            ("West Yorkshire Fire", OrganisationType.FIRE)]  # fmt: skip
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def _nhs_numbers():
    for prefix in itertools.count(999_100_000):
        check = nhs_number_check_digit(str(prefix))
        if check is not None:
            yield f"{prefix}{check}"


@transaction.atomic
def seed(**options):
    rng = random.Random(20261121)  # noqa: S311 - repeatable demo data, not security
    practices = list(Practice.objects.filter(ods_code__startswith="Y").order_by("ods_code"))
    gp = User.objects.get(email="gp@example.org")
    gp_practice = gp.memberships.get().practice_id
    link_worker = User.objects.get(email="linkworker@example.org")
    outsider = User.objects.get(email="outsider@example.org")
    manager = User.objects.get(email="manager@example.org")
    manager_practice = manager.memberships.get().practice_id
    numbers = _nhs_numbers()
    now = timezone.now()
    created = 0
    created_ids = []
    for _ in range(COUNT):
        code = "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(8))
        reference = f"SPL-{code[:4]}-{code[4:]}"
        practice = rng.choice(practices)
        route = rng.choices(list(Route), weights=[60, 20, 15, 5])[0]
        nhs_number = next(numbers) if route != Route.SELF or rng.random() < 0.5 else ""
        received = now - datetime.timedelta(days=rng.randint(0, 180), minutes=rng.randint(0, 600))
        # Older referrals have been triaged; the last fortnight's mostly await it.
        recent = received > now - datetime.timedelta(days=14)
        status = rng.choices(
            [Status.AWAITING_TRIAGE, Status.ACCEPTED, Status.DECLINED, Status.NOT_APPROPRIATE],
            weights=[80, 14, 4, 2] if recent else [0, 70, 18, 12],
        )[0]
        reasons = rng.sample(list(Reason.values[:-1]), k=rng.choice([1, 1, 2, 3]))
        agency, organisation_type = rng.choice(AGENCIES)
        urgency = Urgency.URGENT if rng.random() < 0.1 else Urgency.ROUTINE
        # Every random draw happens before the existence check, so a second run
        # walks the same sequence and finds every referral already there.
        patient = Patient(
            nhs_number=nhs_number,
            given_name=rng.choice(GIVEN),
            family_name=rng.choice(FAMILY),
            date_of_birth=datetime.date(
                rng.randint(1930, 2006), rng.randint(1, 12), rng.randint(1, 28)
            ),
            postcode=rng.choice(POSTCODES),
            phone=f"0113 496 {rng.randint(0, 9999):04d}",
            registered_practice=practice,
            **_contact_needs(int(code, 36)),
        )
        if Referral.objects.filter(reference=reference).exists():
            continue
        referral = services.create_referral(
            patient=patient,
            route=route,
            reasons=reasons,
            # The demo GP refers their own practice's patients (the only ones they see).
            by=gp if route == Route.CLINICIAN and practice.pk == gp_practice else None,
            urgency=urgency,
            consent_to_contact=True,
            received_at=received,
            referrer_name="" if route in (Route.CLINICIAN, Route.SELF) else "Demo referrer",
            referrer_email=f"referrals@{agency.split()[0].lower()}.example.com"
            if route == Route.AGENCY
            else "",
            referrer_organisation=agency if route == Route.AGENCY else "",
            referrer_organisation_type=organisation_type if route == Route.AGENCY else "",
        )
        Referral.objects.filter(pk=referral.pk).update(reference=reference)
        referral.reference = reference
        triager = link_worker if practice.pcn.ods_code == "U00001" else outsider
        if status == Status.ACCEPTED:
            services.accept_referral(referral=referral, by=triager)
        elif status == Status.DECLINED:
            services.record_declined(referral=referral, by=triager)
        elif status == Status.NOT_APPROPRIATE:
            services.mark_not_appropriate(
                referral=referral, by=triager, reason="Needs the community mental health team"
            )
        _backdate(referral, received)
        coded_by = manager if practice.pk == manager_practice else None
        _code_in_gp_record(referral, received, by=coded_by)
        created_ids.append(referral.pk)
        created += 1
    # The emails these decisions queued are history: mark them sent, so the
    # worker started by `make run` does not send hundreds of them.
    Notification.objects.filter(referral__in=created_ids).update(sent_at=now)
    return f"{created} demo referrals created ({COUNT} in all)"


# How some people ask to be contacted and what they need (the Accessible
# Information Standard). Chosen from the reference, not the random sequence,
# so that seeding an older demo database again finds the same referrals.
CONTACT_NEEDS = [
    {"preferred_contact_method": "phone", "preferred_contact_times": "Mornings"},
    {"preferred_contact_method": "text"},
    {"preferred_contact_method": "text", "accessible_information_needs": "Deaf: text only"},
    {"preferred_contact_method": "email"},
    {"preferred_contact_method": "phone", "interpreter_needed": True, "language": "Polish"},
    {"preferred_contact_method": "letter", "accessible_information_needs": "Large print",
     "address_line_1": "12 Canal Street", "town": "Leeds"},
]  # fmt: skip


def _contact_needs(number):
    return CONTACT_NEEDS[number % 9] if number % 9 < len(CONTACT_NEEDS) else {}


def _backdate(referral, received):
    """Date the history (and any code) as if triaged two days after receipt."""
    decided = received + datetime.timedelta(days=2)
    ReferralStatusChange.objects.filter(referral=referral, from_status="").update(at=received)
    ReferralStatusChange.objects.filter(referral=referral).exclude(from_status="").update(
        at=decided
    )
    Referral.objects.filter(pk=referral.pk).exclude(snomed_code="").update(coded_on=decided.date())


def _code_in_gp_record(referral, received, *, by):
    """Decisions more than three weeks old are in the GP record; newer ones wait
    on the practice coding list."""
    if received < timezone.now() - datetime.timedelta(days=23):
        Referral.objects.filter(pk=referral.pk).exclude(snomed_code="").update(
            coded_in_gp_record_at=received + datetime.timedelta(days=5),
            coded_in_gp_record_by=by,
        )
