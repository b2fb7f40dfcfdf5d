"""Synthetic referrals at the scale of an ICB or of England, for benchmarks.

    generate(pcns=1250, referrals=1_000_000, seed=1)

`manage.py generate_synthetic` calls it after `seed_demo`. It adds PCNs,
practices, link workers and GPs to the demo's, then a year of people and
referrals, with their reasons and status history, as the services would have
written them: an accepted referral carries SNOMED 871731000000106 and is the
person's only accepted one, a declined one 871711000000103, a merged one names
the referral it was merged into, and decisions more than a few weeks old are
coded in the GP record.

The demo's Riverside PCN (U00001) is the large one, about 2 % of all referrals,
so that the demo users see a busy PCN: gp@example.org made a quarter of the
clinician referrals of Riverside Medical Centre, manager@example.org codes
them, and linkworker@example.org triages most of Riverside's.

What it draws, from one seeded generator, so the same seed on the same
database gives the same rows (dates count back from midnight UTC today, or
from `now`):
- practices of 1,200 to 45,000 patients (about 9,500 on average), 3 to 9 to
  a PCN; referrals shared out by list size;
- received over the last 365 days, fewer at weekends, mostly in office hours;
  routes: clinicians 58 %, agencies 20 %, self 17 %, FHIR 5 %;
- one to three reasons; 8 % urgent;
- triage about six days after receipt on average, so that a few per cent
  still await it; then accepted (two thirds), declined, not appropriate or
  withdrawn; an accepted referral closes after 6 to 28 weeks of support;
- one referral in seven is for someone referred before: when their earlier
  referral is still open, the new one is merged into it;
- 5 % of people have no NHS number; when one of them is referred again they
  become a second person with the same last name, date of birth and postcode:
  a possible duplicate, as in life. Everyone else has an NHS number in the
  999 range, which passes the modulus 11 check but is never issued.

Rows are written in bulk with ids assigned here: COPY on PostgreSQL (a million
referrals take minutes), executemany elsewhere (SQLite, for the tests). Run it
on a database nobody else is writing to. No audit events or notification
emails are made: nobody viewed or was told anything.

Later apps (caseload, outcomes) add their own rows after these, reading the
referrals back from the database.
"""

import bisect
import datetime
import itertools
import json
import math
import random
import time
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from referrals.models import (
    ApiClient,
    Ethnicity,
    OrganisationType,
    Patient,
    Reason,
    Referral,
    ReferralReason,
    ReferralStatusChange,
    Route,
    Sex,
    Snomed,
    Status,
)
from referrals.validators import nhs_number_check_digit
from spl import roles
from spl.models import PCN, Membership, Practice, User

LARGE_PCN = "U00001"  # the demo's Riverside PCN
LARGE_PCN_SIZE = 25  # times the referrals of an average PCN: ~2 % of all with 1,250 PCNs
DEMO_PCNS = ("U00001", "U00002")
DEMO_GP = "gp@example.org"
DEMO_GP_SHARE = 0.25  # of their practice's clinician referrals: ~1,000 a year at 1M
DEMO_MANAGER = "manager@example.org"
DEMO_TRIAGERS = {
    "U00001": [("linkworker@example.org", 60), ("linkworker2@example.org", 40)],
    "U00002": [("outsider@example.org", 100)],
}
FIRST_PCN = 50001  # synthetic PCNs are U50001 up, clear of the demo's and the tests'
PRACTICE_LETTER = "X"  # synthetic practices are X00001 up
EMAIL_DOMAIN = "synthetic.example.org"
UNUSABLE_PASSWORD = "!synthetic"  # noqa: S105 - the "!" prefix: nobody can log in with it
GPS_PER_PRACTICE = 3
LINK_WORKERS_PER_PCN = 2
CHUNK = 20_000  # referrals written per transaction
YEAR = 365
NHS_NUMBER_PREFIXES = range(999_000_000, 1_000_000_000)  # about 909,000 valid numbers

ROUTES = [(Route.CLINICIAN, 58), (Route.AGENCY, 20), (Route.SELF, 17), (Route.FHIR, 5)]
# Agencies and the public know a person's NHS number less often than a practice.
WITHOUT_NHS_NUMBER = {Route.CLINICIAN: 0.01, Route.AGENCY: 0.06, Route.SELF: 0.17, Route.FHIR: 0.0}
REPEAT = 0.14  # referrals for someone referred before
REASONS = [
    (Reason.MENTAL_WELLBEING, 25),
    (Reason.LONELINESS, 22),
    (Reason.FINANCE, 12),
    (Reason.LONG_TERM_CONDITION, 10),
    (Reason.PHYSICAL_ACTIVITY, 8),
    (Reason.HOUSING, 7),
    (Reason.WEIGHT, 5),
    (Reason.CARER, 4),
    (Reason.BEREAVEMENT, 4),
    (Reason.EMPLOYMENT, 3),
    (Reason.OTHER, 2),
]
OTHER_REASONS = [
    "Digital skills",
    "Getting back to driving",
    "Pet care while in hospital",
    "Learning English",
    "Legal advice",
]
TRIAGE_DAYS = 6  # mean days from receipt to the decision
OUTCOMES = [
    (Status.ACCEPTED, 66),
    (Status.DECLINED, 18),
    (Status.NOT_APPROPRIATE, 11),
    (Status.WITHDRAWN, 5),
]
REASON_COUNTS = [(1, 55), (2, 30), (3, 15)]
NOT_APPROPRIATE = [
    "Needs the community mental health team",
    "Referred to the falls prevention service",
    "Needs a social care assessment: passed to adult social care",
    "Needs specialist debt advice: referred to Citizens Advice",
    "Already supported by the carers' centre",
]
WITHDRAWN = ["The person has moved away", "Referred in error", "The person asked us to withdraw it"]
NOTES = [
    "Lives alone since losing their partner last year and rarely goes out.",
    "Struggling with the cost of living; behind on the energy bill.",
    "Wants to be more active after a cardiac rehabilitation course.",
    "Caring for a parent with dementia and feeling overwhelmed.",
    "Low mood; would like to meet people with similar interests.",
    "Recently diagnosed with type 2 diabetes; keen on a walking group.",
    "Housing disrepair (damp) is affecting their breathing.",
    "Lost their job in the spring and wants help to find volunteering.",
    "Frequent attender; needs are mostly social rather than medical.",
    "Prefers a phone call in the afternoon. Hard of hearing.",
]
GIVEN = [
    "Ada",
    "Aisha",
    "Alan",
    "Amir",
    "Anne",
    "Arjun",
    "Barbara",
    "Beatrice",
    "Brian",
    "Carl",
    "Carol",
    "Chen",
    "Chloe",
    "Colin",
    "Daniel",
    "Deborah",
    "Dev",
    "Doreen",
    "Edward",
    "Eileen",
    "Elif",
    "Emeka",
    "Farah",
    "Farid",
    "Fiona",
    "Frank",
    "Gareth",
    "Gloria",
    "Grace",
    "Hamza",
    "Harry",
    "Hazel",
    "Ian",
    "Imran",
    "Irene",
    "Jack",
    "Jan",
    "Jean",
    "Joan",
    "Joseph",
    "Kai",
    "Kofi",
    "Laila",
    "Leon",
    "Lily",
    "Linda",
    "Malcolm",
    "Margaret",
    "Maria",
    "Mei",
    "Mohammed",
    "Nasir",
    "Niamh",
    "Noor",
    "Olive",
    "Oskar",
    "Patricia",
    "Paul",
    "Priya",
    "Rafael",
    "Rashid",
    "Rosa",
    "Ruth",
    "Sandra",
    "Sean",
    "Shirley",
    "Sofia",
    "Stan",
    "Susan",
    "Tariq",
    "Teresa",
    "Thomas",
    "Tomasz",
    "Usha",
    "Vera",
    "Wendy",
    "Wojciech",
    "Yusuf",
    "Zainab",
    "Zofia",
]
FAMILY = [
    "Abbott",
    "Adeyemi",
    "Ahmed",
    "Ali",
    "Allen",
    "Atkinson",
    "Bailey",
    "Baker",
    "Begum",
    "Bennett",
    "Brown",
    "Campbell",
    "Chowdhury",
    "Clarke",
    "Collins",
    "Cooper",
    "Davies",
    "Dawson",
    "Dixon",
    "Edwards",
    "Evans",
    "Fletcher",
    "Fraser",
    "Gallagher",
    "Green",
    "Hall",
    "Harris",
    "Hughes",
    "Hussain",
    "Iqbal",
    "Jackson",
    "James",
    "Jones",
    "Kaur",
    "Kelly",
    "Khan",
    "King",
    "Kowalski",
    "Lewis",
    "Lloyd",
    "Mahmood",
    "Marsh",
    "Martin",
    "Mensah",
    "Mitchell",
    "Moore",
    "Morris",
    "Murphy",
    "Nowak",
    "Nwosu",
    "O'Brien",
    "Okafor",
    "Owen",
    "Palmer",
    "Parker",
    "Patel",
    "Phillips",
    "Quinn",
    "Rahman",
    "Reid",
    "Richards",
    "Roberts",
    "Robinson",
    "Rossi",
    "Shah",
    "Sharma",
    "Singh",
    "Smith",
    "Stewart",
    "Sutton",
    "Taylor",
    "Thomas",
    "Thompson",
    "Turner",
    "Walker",
    "Ward",
    "Watson",
    "White",
    "Williams",
    "Wilson",
    "Wood",
    "Wright",
    "Yildiz",
    "Young",
    "Zielinski",
]
PLACE_STARTS = [
    "Ash",
    "Beck",
    "Birch",
    "Bram",
    "Brook",
    "Clay",
    "Cold",
    "Crag",
    "Elm",
    "Fair",
    "Fern",
    "Glen",
    "Hart",
    "Hazel",
    "High",
    "Holm",
    "Kirk",
    "Lang",
    "Lark",
    "Long",
    "Marsh",
    "Mill",
    "Moor",
    "Nether",
    "Oak",
    "Pen",
    "Red",
    "Rook",
    "Rush",
    "Sand",
    "Shaw",
    "Stan",
    "Stone",
    "Thorn",
    "Wal",
    "Well",
    "West",
    "Whit",
    "Wil",
    "Wold",
]
PLACE_ENDS = [
    "bury",
    "by",
    "combe",
    "dale",
    "den",
    "field",
    "ford",
    "gate",
    "ham",
    "hurst",
    "ley",
    "mere",
    "minster",
    "stead",
    "thorpe",
    "ton",
    "wick",
    "worth",
]
PRACTICE_KINDS = [
    "Medical Centre",
    "Surgery",
    "Health Centre",
    "Family Practice",
    "Medical Practice",
    "Group Practice",
]
STREETS = [
    "Church",
    "Station",
    "Park",
    "Mill",
    "Victoria",
    "Market",
    "Chapel",
    "Queen's",
    "King's",
    "Bridge",
    "Meadow",
    "Orchard",
]
STREET_KINDS = ["Road", "Street", "Lane", "Avenue", "Close", "Grove"]
# Postcode areas (real formats, invented places); inward codes use the Royal Mail letters.
POSTCODE_AREAS = [
    "B",
    "BD",
    "BL",
    "BN",
    "BS",
    "CB",
    "CH",
    "CM",
    "CV",
    "DE",
    "DH",
    "DN",
    "E",
    "EX",
    "GL",
    "HD",
    "HU",
    "HX",
    "IP",
    "L",
    "LE",
    "LN",
    "LS",
    "M",
    "ME",
    "MK",
    "N",
    "NE",
    "NG",
    "NR",
    "OL",
    "OX",
    "PE",
    "PL",
    "PO",
    "PR",
    "RG",
    "S",
    "SE",
    "SK",
    "SO",
    "ST",
    "SW",
    "TN",
    "TS",
    "WA",
    "WF",
    "WV",
    "YO",
]
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
ETHNICITIES = [
    (Ethnicity.WHITE_BRITISH, 740),
    (Ethnicity.WHITE_IRISH, 10),
    (Ethnicity.WHITE_OTHER, 60),
    (Ethnicity.MIXED_WHITE_BLACK_CARIBBEAN, 10),
    (Ethnicity.MIXED_WHITE_BLACK_AFRICAN, 5),
    (Ethnicity.MIXED_WHITE_ASIAN, 7),
    (Ethnicity.MIXED_OTHER, 5),
    (Ethnicity.ASIAN_INDIAN, 25),
    (Ethnicity.ASIAN_PAKISTANI, 20),
    (Ethnicity.ASIAN_BANGLADESHI, 8),
    (Ethnicity.ASIAN_OTHER, 15),
    (Ethnicity.BLACK_CARIBBEAN, 10),
    (Ethnicity.BLACK_AFRICAN, 20),
    (Ethnicity.BLACK_OTHER, 5),
    (Ethnicity.CHINESE, 7),
    (Ethnicity.OTHER, 13),
    (Ethnicity.NOT_STATED, 40),
]
SEXES = [(Sex.FEMALE, 600), (Sex.MALE, 390), (Sex.INDETERMINATE, 3), (Sex.NOT_KNOWN, 7)]
CONTACT_METHODS = [("phone", 55), ("text", 20), ("email", 10), ("letter", 5), ("", 10)]
LANGUAGES = [
    "Polish",
    "Urdu",
    "Punjabi",
    "Arabic",
    "Bengali",
    "Romanian",
    "Portuguese",
    "Somali",
    "Gujarati",
    "Lithuanian",
]
ACCESSIBLE = [
    "Large print",
    "Easy read",
    "British Sign Language interpreter",
    "Deaf: text only",
    "Braille",
]
AGENCIES = [
    ((OrganisationType.PHARMACY, "{town} Community Pharmacy"), 18),
    ((OrganisationType.HOSPITAL_DISCHARGE, "{town} General Hospital discharge team"), 16),
    ((OrganisationType.SOCIAL_CARE, "{town} Adult Social Care"), 14),
    ((OrganisationType.VCSE, "{town} Citizens Advice"), 14),
    ((OrganisationType.HOUSING, "{town} Housing Association"), 10),
    ((OrganisationType.ALLIED_HEALTH, "{town} Community Physiotherapy"), 8),
    ((OrganisationType.JOB_CENTRE, "Jobcentre Plus {town}"), 6),
    ((OrganisationType.POLICE, "{town} Neighbourhood Policing Team"), 5),
    ((OrganisationType.FIRE, "{town} Fire and Rescue Station"), 5),
    ((OrganisationType.OTHER, "{town} Library"), 4),
]
FHIR_SENDER = "Synthetic hospital discharge system"
FHIR_IDENTIFIER_SYSTEM = "https://discharge.synthetic.example.org/Id/referral"
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

PATIENT_COLUMNS = [
    "id",
    "nhs_number",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "gender",
    "ethnicity",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "phone",
    "email",
    "preferred_contact_method",
    "preferred_contact_times",
    "interpreter_needed",
    "language",
    "accessible_information_needs",
    "registered_practice_id",
    "created_at",
    "updated_at",
]
REFERRAL_COLUMNS = [
    "id",
    "reference",
    "patient_id",
    "route",
    "urgency",
    "other_reason",
    "notes",
    "consent_to_contact",
    "referred_by_id",
    "referrer_name",
    "referrer_organisation",
    "referrer_organisation_type",
    "referrer_email",
    "referrer_phone",
    "status",
    "snomed_code",
    "coded_on",
    "coded_in_gp_record_at",
    "coded_in_gp_record_by_id",
    "merged_into_id",
    "received_at",
    "api_client_id",
    "external_identifier_system",
    "external_identifier_value",
    "practice_id",
]
REASON_COLUMNS = ["id", "referral_id", "reason", "practice_id", "received_at"]
HISTORY_COLUMNS = ["id", "referral_id", "from_status", "to_status", "by_id", "at", "note"]


class _Weighted:
    """Values drawn in proportion to their weights: `(value, weight)` pairs."""

    def __init__(self, pairs):
        self.values, weights = zip(*pairs, strict=True)
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1]

    def pick(self, rng):
        # What rng.choices(values, cum_weights=...) does, without its overhead.
        return self.values[bisect.bisect(self.cumulative, rng.random() * self.total)]


(ROUTES, OUTCOMES, REASON_COUNTS, REASONS, ETHNICITIES, SEXES, CONTACT_METHODS, AGENCIES) = (
    _Weighted(pairs)
    for pairs in (
        ROUTES,
        OUTCOMES,
        REASON_COUNTS,
        REASONS,
        ETHNICITIES,
        SEXES,
        CONTACT_METHODS,
        AGENCIES,
    )
)


@dataclass
class Summary:
    pcns: int = 0
    practices: int = 0
    users: int = 0
    patients: int = 0
    referrals: int = 0
    reasons: int = 0
    history: int = 0
    seconds: float = 0.0

    def __str__(self):
        return (
            f"{self.referrals:,} referrals for {self.patients:,} people in {self.pcns:,} new "
            f"PCNs and {self.practices:,} new practices ({self.users:,} new users; "
            f"{self.reasons:,} reasons, {self.history:,} history rows) in {self.seconds:.0f} s"
        )


def generate(*, pcns, referrals, seed=1, now=None, log=None):
    """Add PCNs (to make `pcns` in all, the demo's two included) and `referrals`
    referrals, on top of `seed_demo`'s data; return a Summary.

    Raises ValueError when the demo data is missing or the database already
    holds synthetic data.
    """
    started = time.monotonic()
    log = log or (lambda message: None)
    now = now or timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    rng = random.Random(seed)  # noqa: S311 - repeatable benchmark data, not security
    _check_database(pcns)
    summary = Summary()
    with transaction.atomic():
        world = _World.build(rng, pcns=pcns, now=now, summary=summary)
    log(f"{summary.pcns:,} PCNs, {summary.practices:,} practices, {summary.users:,} users")
    writer = Writer()
    year = _Year(rng, world, writer, now=now, summary=summary)
    for start in range(0, referrals, CHUNK):
        year.add(min(CHUNK, referrals - start), first=start, total=referrals)
        with transaction.atomic():
            writer.flush()
        if (start // CHUNK) % 10 == 9:
            log(f"{start + CHUNK:,} referrals ({time.monotonic() - started:.0f} s)")
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(
            no_style(), [Patient, Referral, ReferralReason, ReferralStatusChange]
        ):
            cursor.execute(sql)
        if connection.vendor == "postgresql":
            # Fresh statistics, as autovacuum would soon give: plans then match the data.
            cursor.execute(
                "ANALYZE referrals_patient, referrals_referral, referrals_referralreason, "
                "referrals_referralstatuschange, spl_practice, spl_pcn, spl_user, spl_membership"
            )
    summary.seconds = time.monotonic() - started
    return summary


def _check_database(pcns):
    if pcns < len(DEMO_PCNS):
        raise ValueError(f"Ask for {len(DEMO_PCNS)} PCNs or more: the demo's PCNs count")
    if PCN.objects.filter(ods_code__in=DEMO_PCNS).count() < len(DEMO_PCNS) or not (
        User.objects.filter(email=DEMO_GP).exists()
    ):
        raise ValueError("Load the demo data first (manage.py seed_demo)")
    if Practice.objects.filter(ods_code__startswith=PRACTICE_LETTER).exists():
        raise ValueError("This database already holds synthetic data: generate into a new database")


# Who and where ----------------------------------------------------------------


@dataclass
class _Practice:
    pk: int
    pcn_ods: str
    town: str
    district: str  # the postcode's outward code
    gps: list  # user ids, with weights in gp_weights
    gp_weights: list
    triagers: list
    triager_weights: list
    coder: int | None


class _World:
    """PCNs, practices and staff, new and from the demo, and the weights by which
    referrals are shared out between practices."""

    def __init__(self, practices, weights, api_client):
        self.practices = practices
        self.cumulative = list(itertools.accumulate(weights))
        self.api_client = api_client

    @classmethod
    def build(cls, rng, *, pcns, now, summary):
        new_pcns = [
            PCN(ods_code=f"U{FIRST_PCN + n}", name=f"{_place(rng)} Primary Care Network")
            for n in range(pcns - len(DEMO_PCNS))
        ]
        PCN.objects.bulk_create(new_pcns, batch_size=1000)
        new_practices = []
        for pcn in new_pcns:
            town = pcn.name.removesuffix(" Primary Care Network")
            for _ in range(rng.randint(3, 9)):
                n = len(new_practices) + 1
                name = (
                    f"{rng.choice(STREETS)} {rng.choice(['Street', 'Road', 'Lane'])} Surgery"
                    if rng.random() < 0.3
                    else f"{town} {rng.choice(PRACTICE_KINDS)}"
                )
                size = min(45_000, max(1_200, int(rng.lognormvariate(math.log(8_500), 0.55))))
                new_practices.append(
                    Practice(
                        ods_code=f"{PRACTICE_LETTER}{n:05d}",
                        name=name,
                        pcn=pcn,
                        list_size=size // 10 * 10,
                    )
                )
        Practice.objects.bulk_create(new_practices, batch_size=1000)
        summary.pcns, summary.practices = len(new_pcns), len(new_practices)

        practices = list(
            Practice.objects.filter(pcn__ods_code__in=DEMO_PCNS).select_related("pcn")
        ) + list(new_practices)
        practices.sort(key=lambda practice: practice.ods_code)
        towns = {pcn.ods_code: pcn.name.removesuffix(" Primary Care Network") for pcn in new_pcns}
        towns.update(dict.fromkeys(DEMO_PCNS, "Leeds"))
        staff = _Staff(rng, now)
        link_workers = {
            pcn.ods_code: [
                staff.add(
                    pcn, None, f"linkworker{k}", "Social prescribing link worker", roles.LINK_WORKER
                )
                for k in range(1, LINK_WORKERS_PER_PCN + 1)
            ]
            for pcn in new_pcns
        }
        gps = {
            practice.ods_code: [
                staff.add(practice.pcn, practice, f"gp{k}", "GP", roles.REFERRER)
                for k in range(1, GPS_PER_PRACTICE + 1)
            ]
            for practice in practices
        }
        staff.save()
        summary.users = len(staff.users)
        link_workers = {ods: [user.pk for user in users] for ods, users in link_workers.items()}
        demo = dict(User.objects.filter(email__endswith="@example.org").values_list("email", "pk"))
        demo_gp = User.objects.get(email=DEMO_GP).memberships.get()
        manager = User.objects.get(email=DEMO_MANAGER).memberships.get()

        entries, weights = [], []
        for practice in practices:
            ods = practice.pcn.ods_code
            gp_ids = [user.pk for user in gps[practice.ods_code]]
            gp_weights = [1.0] * len(gp_ids)
            if practice.pk == demo_gp.practice_id:
                # The demo GP is one of four who refer from their practice.
                gp_ids.append(demo[DEMO_GP])
                gp_weights = [(1 - DEMO_GP_SHARE) / len(gp_weights)] * len(gp_weights)
                gp_weights.append(DEMO_GP_SHARE)
            if ods in DEMO_TRIAGERS:
                triagers = [demo[email] for email, _ in DEMO_TRIAGERS[ods]]
                triager_weights = [weight for _, weight in DEMO_TRIAGERS[ods]]
            else:
                triagers = link_workers[ods]
                triager_weights = [1] * len(triagers)
            entries.append(
                _Practice(
                    pk=practice.pk,
                    pcn_ods=ods,
                    town=towns[ods],
                    district=_district(rng) if ods not in DEMO_PCNS else f"LS{rng.randint(1, 29)}",
                    gps=gp_ids,
                    gp_weights=list(itertools.accumulate(gp_weights)),
                    triagers=triagers,
                    triager_weights=list(itertools.accumulate(triager_weights)),
                    coder=demo[DEMO_MANAGER] if practice.pk == manager.practice_id else None,
                )
            )
            weights.append(practice.list_size)
        _enlarge(entries, weights)
        return cls(entries, weights, _api_client(now))


def _enlarge(practices, weights):
    """Scale the large PCN's practices up to LARGE_PCN_SIZE average PCNs."""
    totals = {}
    for practice, weight in zip(practices, weights, strict=True):
        totals[practice.pcn_ods] = totals.get(practice.pcn_ods, 0) + weight
    others = [total for ods, total in totals.items() if ods != LARGE_PCN]
    average = sum(others) / len(others) if others else totals[LARGE_PCN]
    scale = LARGE_PCN_SIZE * average / totals[LARGE_PCN]
    for n, practice in enumerate(practices):
        if practice.pcn_ods == LARGE_PCN:
            weights[n] *= scale


class _Staff:
    """Synthetic users, their memberships and roles, saved together."""

    def __init__(self, rng, now):
        self.rng, self.now = rng, now
        self.users, self.memberships, self.groups = [], [], []

    def add(self, pcn, practice, kind, job_title, role):
        place = (practice or pcn).ods_code.lower()
        name = f"{self.rng.choice(GIVEN)} {self.rng.choice(FAMILY)}"
        user = User(
            email=f"{kind}.{place}@{EMAIL_DOMAIN}",
            full_name=f"Dr {name}" if role == roles.REFERRER else name,
            job_title=job_title,
            password=UNUSABLE_PASSWORD,
            date_joined=self.now - datetime.timedelta(days=YEAR * 2),
        )
        self.users.append(user)
        self.memberships.append((user, pcn, practice))
        self.groups.append((user, role))
        return user

    def save(self):
        User.objects.bulk_create(self.users, batch_size=1000)
        Membership.objects.bulk_create(
            [
                Membership(user=user, pcn=pcn, practice=practice)
                for user, pcn, practice in self.memberships
            ],
            batch_size=1000,
        )
        group_ids = dict(Group.objects.values_list("name", "pk"))
        User.groups.through.objects.bulk_create(
            [
                User.groups.through(user=user, group_id=group_ids[roles.ROLES[role].name])
                for user, role in self.groups
            ],
            batch_size=1000,
        )


def _api_client(now):
    """The one system that sends synthetic FHIR referrals. Its token is never
    shown, so nobody can use it."""
    client = ApiClient(
        organisation_name=FHIR_SENDER,
        organisation_type=OrganisationType.HOSPITAL_DISCHARGE,
        contact_email=f"referrals@discharge.{EMAIL_DOMAIN}",
        issued_at=now - datetime.timedelta(days=YEAR * 2),
    )
    client.set_new_token()
    client.save()
    return client


def _place(rng):
    return rng.choice(PLACE_STARTS) + rng.choice(PLACE_ENDS)


def _district(rng):
    return f"{rng.choice(POSTCODE_AREAS)}{rng.randint(1, 29)}"


# A year of referrals ------------------------------------------------------------


@dataclass
class _Episode:
    """A person's latest referral that was not merged: what a new one meets."""

    referral: int
    reference: str
    decided_at: datetime.datetime | None  # None: still awaiting triage
    accepted: bool
    closed_at: datetime.datetime | None

    def open_at(self, moment):
        if self.decided_at is None or self.decided_at > moment:
            return True  # awaiting triage then
        return self.accepted and (self.closed_at is None or self.closed_at > moment)

    def status_at(self, moment):
        if self.decided_at is None or self.decided_at > moment:
            return Status.AWAITING_TRIAGE
        return Status.ACCEPTED


@dataclass
class _Person:
    patient: int  # their latest Patient row
    nhs_number: str
    given_name: str
    family_name: str
    date_of_birth: datetime.date
    postcode: str
    episode: _Episode | None = None


class _Year:
    """Draws referrals in the order they were received, with their people."""

    def __init__(self, rng, world, writer, *, now, summary):
        self.rng, self.world, self.writer, self.now = rng, world, writer, now
        self.summary = summary
        self.start = now - datetime.timedelta(days=YEAR)
        self.people_at = [[] for _ in world.practices]  # per practice: people referred
        self.nhs_numbers = _nhs_numbers()
        self.references = set(Referral.objects.values_list("reference", flat=True))
        self.next_id = {
            model: (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
            for model in (Patient, Referral, ReferralReason, ReferralStatusChange)
        }
        self.patients = writer.table(Patient, PATIENT_COLUMNS)
        self.referrals = writer.table(Referral, REFERRAL_COLUMNS)
        self.reasons = writer.table(ReferralReason, REASON_COLUMNS)
        self.history = writer.table(ReferralStatusChange, HISTORY_COLUMNS)
        self.received = None

    def add(self, count, *, first, total):
        """The next `count` referrals of `total` (by time received)."""
        if self.received is None:
            self.received = self._received_times(total)
        rng = self.rng
        practices = rng.choices(
            range(len(self.world.practices)), cum_weights=self.world.cumulative, k=count
        )
        for n, practice in enumerate(practices, start=first):
            self._referral(self.world.practices[practice], practice, self.received[n])
        self.summary.referrals += count

    def _received_times(self, total):
        """When each referral came, oldest first: fewer at weekends, most in office hours."""
        rng, times = self.rng, []
        weekend = [
            (self.start + datetime.timedelta(days=day)).weekday() >= 5 for day in range(YEAR)
        ]
        for _ in range(total):
            day = rng.randrange(YEAR)
            if weekend[day] and rng.random() < 0.7:
                day = rng.randrange(YEAR)
            if rng.random() < 0.8:
                seconds = rng.randrange(8 * 3600, 18 * 3600)
            else:
                seconds = rng.randrange(24 * 3600)
            times.append(day * 86400 + seconds)
        times.sort()
        return times

    def _id(self, model):
        pk = self.next_id[model]
        self.next_id[model] = pk + 1
        return pk

    def _reference(self):
        while True:
            code = "".join(self.rng.choices(REFERENCE_ALPHABET, k=8))
            reference = f"SPL-{code[:4]}-{code[4:]}"
            if reference not in self.references:
                self.references.add(reference)
                return reference

    def _referral(self, practice, index, seconds):
        rng, now = self.rng, self.now
        received = self.start + datetime.timedelta(seconds=seconds)
        route = ROUTES.pick(rng)
        earlier = self.people_at[index]
        if earlier and rng.random() < REPEAT:
            person = rng.choice(earlier)
            if not person.nhs_number:
                # Without an NHS number nobody can tell it is the same person: a
                # new record, alike in last name, date of birth and postcode.
                person.patient = self._patient(practice, received, route, like=person)
        else:
            person = self._person(practice, received, route)
            earlier.append(person)

        pk, reference = self._id(Referral), self._reference()
        referred_by = None
        if route == Route.CLINICIAN:
            referred_by = rng.choices(practice.gps, cum_weights=practice.gp_weights)[0]
        triager = rng.choices(practice.triagers, cum_weights=practice.triager_weights)[0]
        decided_at = received + datetime.timedelta(
            days=min(rng.expovariate(1 / TRIAGE_DAYS), 60), seconds=rng.randrange(3600)
        )
        status, merged_into, snomed, closed_at, note = Status.AWAITING_TRIAGE, None, "", None, ""
        episode = person.episode
        if decided_at >= now:
            decided_at = None
            if episode is None or not episode.open_at(received):
                person.episode = _Episode(pk, reference, None, False, None)
        elif episode is not None and episode.open_at(decided_at):
            status, merged_into = Status.MERGED, episode
            note = f"Merged into {episode.reference}"
        else:
            status = OUTCOMES.pick(rng)
            if status == Status.WITHDRAWN and route != Route.CLINICIAN:
                status = Status.DECLINED  # only a referrer with an account can withdraw
            if status == Status.ACCEPTED:
                snomed = Snomed.REFERRAL_TO_SOCIAL_PRESCRIBING
                closed_at = decided_at + datetime.timedelta(days=rng.randint(42, 196))
                if closed_at >= now:
                    closed_at = None
            elif status == Status.DECLINED:
                snomed = Snomed.SOCIAL_PRESCRIBING_DECLINED
            elif status == Status.NOT_APPROPRIATE:
                note = rng.choice(NOT_APPROPRIATE)
            elif status == Status.WITHDRAWN:
                note, triager = rng.choice(WITHDRAWN), referred_by
            person.episode = _Episode(
                pk, reference, decided_at, status == Status.ACCEPTED, closed_at
            )

        coded_at = coded_by = None
        if snomed:
            coded_at = decided_at + datetime.timedelta(days=rng.uniform(1, 30))
            if coded_at >= now:
                coded_at = None
            else:
                coded_by = practice.coder
        reasons = self._reasons()
        details = self._referrer(practice, route, pk)
        self.referrals.add(
            id=pk,
            reference=reference,
            patient_id=person.patient,
            route=route,
            urgency="urgent" if rng.random() < 0.08 else "routine",
            other_reason=rng.choice(OTHER_REASONS) if Reason.OTHER in reasons else "",
            notes=rng.choice(NOTES) if rng.random() < 0.6 else "",
            consent_to_contact=True,
            referred_by_id=referred_by,
            status=Status.CLOSED if closed_at else status,
            snomed_code=snomed,
            coded_on=decided_at.date() if snomed else None,
            coded_in_gp_record_at=coded_at,
            coded_in_gp_record_by_id=coded_by,
            merged_into_id=merged_into.referral if merged_into else None,
            received_at=received,
            practice_id=practice.pk,
            **details,
        )
        for reason in reasons:
            self.reasons.add(
                id=self._id(ReferralReason),
                referral_id=pk,
                reason=reason,
                practice_id=practice.pk,
                received_at=received,
            )
            self.summary.reasons += 1
        self._change(pk, "", Status.AWAITING_TRIAGE, referred_by, received, "Referral received")
        if decided_at is not None:
            self._change(pk, Status.AWAITING_TRIAGE, status, triager, decided_at, note)
        if merged_into is not None:
            now_status = merged_into.status_at(decided_at)
            self._change(
                merged_into.referral,
                now_status,
                now_status,
                triager,
                decided_at,
                f"{reference} merged into this referral",
            )
        if closed_at is not None:
            self._change(pk, Status.ACCEPTED, Status.CLOSED, triager, closed_at, "Support ended")

    def _change(self, referral, from_status, to_status, by, at, note):
        self.history.add(
            id=self._id(ReferralStatusChange),
            referral_id=referral,
            from_status=from_status,
            to_status=to_status,
            by_id=by,
            at=at,
            note=note,
        )
        self.summary.history += 1

    def _reasons(self):
        rng, chosen = self.rng, []
        wanted = REASON_COUNTS.pick(rng)
        while len(chosen) < wanted:
            reason = REASONS.pick(rng)
            if reason not in chosen:
                chosen.append(reason)
        return chosen

    def _referrer(self, practice, route, pk):
        rng = self.rng
        if route == Route.AGENCY:
            kind, name = AGENCIES.pick(rng)
            organisation = name.format(town=practice.town)
            slug = "".join(c for c in organisation.lower() if c.isalnum())[:30]
            return {
                "referrer_name": f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
                "referrer_organisation": organisation,
                "referrer_organisation_type": kind,
                "referrer_email": f"referrals@{slug}.example.com",
                "referrer_phone": f"0113 496 0{rng.randrange(1000):03d}",  # Ofcom's drama range
            }
        if route == Route.FHIR:
            client = self.world.api_client
            return {
                "referrer_organisation": client.organisation_name,
                "referrer_organisation_type": client.organisation_type,
                "referrer_email": client.contact_email,
                "api_client_id": client.pk,
                "external_identifier_system": FHIR_IDENTIFIER_SYSTEM,
                "external_identifier_value": f"DS{pk:09d}",
            }
        return {}

    def _person(self, practice, received, route):
        rng = self.rng
        nhs_number = ""
        if rng.random() >= WITHOUT_NHS_NUMBER[route]:
            nhs_number = next(self.nhs_numbers, None)
            if nhs_number is None:
                raise ValueError("The 999 range has no NHS numbers left: ask for fewer referrals")
        age = int(rng.triangular(18, 97, 62))
        born = received.date() - datetime.timedelta(days=age * 365 + rng.randrange(365))
        person = _Person(
            patient=0,
            nhs_number=nhs_number,
            given_name=rng.choice(GIVEN),
            family_name=rng.choice(FAMILY),
            date_of_birth=born,
            postcode=f"{practice.district} {rng.randrange(1, 10)}"
            f"{''.join(rng.choices(INWARD_LETTERS, k=2))}",
        )
        person.patient = self._patient(practice, received, route, like=person)
        return person

    def _patient(self, practice, received, route, *, like):
        rng = self.rng
        pk = self._id(Patient)
        method = CONTACT_METHODS.pick(rng)
        interpreter = rng.random() < 0.03
        email = ""
        if method == "email" or rng.random() < 0.2:
            email = f"{like.given_name}.{like.family_name}{pk}@example.com".lower()
            email = email.replace("'", "")
        self.patients.add(
            id=pk,
            nhs_number=like.nhs_number,
            given_name=like.given_name,
            family_name=like.family_name,
            date_of_birth=like.date_of_birth,
            sex=SEXES.pick(rng),
            gender=rng.choice(["Woman", "Man", "Non-binary"]) if rng.random() < 0.05 else "",
            ethnicity=ETHNICITIES.pick(rng),
            address_line_1=f"{rng.randint(1, 240)} {rng.choice(STREETS)} {rng.choice(STREET_KINDS)}"
            if rng.random() < 0.8
            else "",
            town=practice.town,
            postcode=like.postcode,
            phone=f"07700 900{rng.randrange(1000):03d}" if rng.random() < 0.9 else "",
            email=email,
            preferred_contact_method=method,
            preferred_contact_times=rng.choice(["Mornings", "Afternoons", "After 5pm"])
            if method == "phone" and rng.random() < 0.3
            else "",
            interpreter_needed=interpreter,
            language=rng.choice(LANGUAGES) if interpreter else "",
            accessible_information_needs=rng.choice(ACCESSIBLE) if rng.random() < 0.04 else "",
            registered_practice_id=practice.pk,
            created_at=received,
            updated_at=received,
        )
        self.summary.patients += 1
        return pk


def _nhs_numbers():
    """Valid, never-issued NHS numbers in the 999 range not already in the database."""
    taken = set(
        Patient.objects.filter(nhs_number__startswith="999").values_list("nhs_number", flat=True)
    )
    for prefix in NHS_NUMBER_PREFIXES:
        check = nhs_number_check_digit(str(prefix))
        if check is not None and f"{prefix}{check}" not in taken:
            yield f"{prefix}{check}"


# Writing ----------------------------------------------------------------------


class Table:
    """Rows for one model, as tuples in `columns` order (attribute names)."""

    def __init__(self, model, columns):
        self.model = model
        self.fields = [model._meta.get_field(name) for name in columns]
        # COPY leaves out columns as NULL: every NOT NULL one must be listed.
        names = {field.attname for field in self.fields}
        missing = [
            f.attname for f in model._meta.concrete_fields if f.attname not in names and not f.null
        ]
        assert not missing, f"{model.__name__}: no value for {missing}"
        self.columns = [field.attname for field in self.fields]
        self.blanks = [
            None if field.null or not field.empty_strings_allowed else "" for field in self.fields
        ]
        # Values COPY cannot take as they are (a list for a JSON column).
        self.json = [
            i for i, field in enumerate(self.fields) if field.get_internal_type() == "JSONField"
        ]
        self.rows = []

    def add(self, **values):
        self.rows.append(tuple(map(values.get, self.columns, self.blanks)))


class Writer:
    """Rows of several tables, written in bulk by `flush` (COPY on PostgreSQL):
    what later apps' synthetic data (caseload.synthetic) writes with too."""

    def __init__(self):
        self.tables = []

    def table(self, model, columns):
        table = Table(model, columns)
        self.tables.append(table)
        return table

    def flush(self):
        with connection.cursor() as cursor:
            for table in self.tables:
                if table.rows:
                    self._write(cursor, table)
                    table.rows = []

    def _write(self, cursor, table):
        quote = connection.ops.quote_name
        name = quote(table.model._meta.db_table)
        columns = ", ".join(quote(field.column) for field in table.fields)
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
                for row in table.rows:
                    if table.json:
                        row = list(row)
                        for i in table.json:
                            row[i] = json.dumps(row[i])
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(table.fields))
        cursor.executemany(
            f"INSERT INTO {name} ({columns}) VALUES ({placeholders})",  # noqa: S608 - our names
            [
                tuple(
                    field.get_db_prep_save(value, connection)
                    for field, value in zip(table.fields, row, strict=True)
                )
                for row in table.rows
            ],
        )
