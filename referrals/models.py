import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, When
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone

from referrals.validators import format_nhs_number, validate_nhs_number
from spl.models import Practice
from spl.querysets import PCNScopedQuerySet

# Choices live here, in one place: forms, filters, reports and the FHIR mapping
# all use these.


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INDETERMINATE = "indeterminate", "Indeterminate"
    NOT_KNOWN = "not_known", "Not known"


class Ethnicity(models.TextChoices):
    """NHS Data Dictionary ethnic category (2001 census codes)."""

    WHITE_BRITISH = "A", "White: British"
    WHITE_IRISH = "B", "White: Irish"
    WHITE_OTHER = "C", "White: any other White background"
    MIXED_WHITE_BLACK_CARIBBEAN = "D", "Mixed: White and Black Caribbean"
    MIXED_WHITE_BLACK_AFRICAN = "E", "Mixed: White and Black African"
    MIXED_WHITE_ASIAN = "F", "Mixed: White and Asian"
    MIXED_OTHER = "G", "Mixed: any other mixed background"
    ASIAN_INDIAN = "H", "Asian or Asian British: Indian"
    ASIAN_PAKISTANI = "J", "Asian or Asian British: Pakistani"
    ASIAN_BANGLADESHI = "K", "Asian or Asian British: Bangladeshi"
    ASIAN_OTHER = "L", "Asian or Asian British: any other Asian background"
    BLACK_CARIBBEAN = "M", "Black or Black British: Caribbean"
    BLACK_AFRICAN = "N", "Black or Black British: African"
    BLACK_OTHER = "P", "Black or Black British: any other Black background"
    CHINESE = "R", "Other ethnic groups: Chinese"
    OTHER = "S", "Other ethnic groups: any other ethnic group"
    NOT_STATED = "Z", "Not stated"


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"


class Route(models.TextChoices):
    CLINICIAN = "clinician", "GP or PCN clinician"
    AGENCY = "agency", "External agency"
    SELF = "self", "Self-referral"
    FHIR = "fhir", "Another system (FHIR)"


class Reason(models.TextChoices):
    LONELINESS = "loneliness", "Loneliness and isolation"
    MENTAL_WELLBEING = "mental_wellbeing", "Low mood and mental wellbeing"
    LONG_TERM_CONDITION = "long_term_condition", "Long-term condition support"
    PHYSICAL_ACTIVITY = "physical_activity", "Physical activity"
    WEIGHT = "weight", "Weight management"
    FINANCE = "finance", "Finance, debt and benefits"
    HOUSING = "housing", "Housing"
    EMPLOYMENT = "employment", "Employment and volunteering"
    CARER = "carer", "Carer support"
    BEREAVEMENT = "bereavement", "Bereavement"
    OTHER = "other", "Other"


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    URGENT = "urgent", "Urgent"


class OrganisationType(models.TextChoices):
    GP_PRACTICE = "gp_practice", "GP practice or PCN"
    PHARMACY = "pharmacy", "Community pharmacy"
    HOSPITAL_DISCHARGE = "hospital_discharge", "Hospital discharge team"
    ALLIED_HEALTH = "allied_health", "Allied health professional"
    SOCIAL_CARE = "social_care", "Adult social care"
    HOUSING = "housing_association", "Housing association"
    POLICE = "police", "Police"
    FIRE = "fire", "Fire and rescue service"
    JOB_CENTRE = "job_centre", "Jobcentre Plus"
    VCSE = "vcse", "Voluntary or community organisation"
    OTHER = "other", "Other"


class Status(models.TextChoices):
    AWAITING_TRIAGE = "awaiting_triage", "Awaiting triage"
    # Given to a link worker, or the PCN's waiting list, to contact the person:
    # the caseload app's case holds what happens next (decision 12).
    ALLOCATED = "allocated", "Allocated to a link worker"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Person declined"
    NOT_APPROPRIATE = "not_appropriate", "Not appropriate, redirected"
    MERGED = "merged", "Merged into another referral"
    WITHDRAWN = "withdrawn", "Withdrawn by the referrer"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = (Status.AWAITING_TRIAGE, Status.ALLOCATED, Status.ACCEPTED)
# Where a link worker may still record the person's answer: accepted or declined.
UNDECIDED_STATUSES = (Status.AWAITING_TRIAGE, Status.ALLOCATED)


class Snomed(models.TextChoices):
    """SNOMED CT concepts recorded for the GP record (shared/standards)."""

    REFERRAL_TO_SOCIAL_PRESCRIBING = "871731000000106", "Referral to social prescribing service"
    SOCIAL_PRESCRIBING_DECLINED = "871711000000103", "Social prescribing declined"


class PatientQuerySet(PCNScopedQuerySet):
    def with_nhs_number(self, number):
        return self.filter(nhs_number=number) if number else self.none()


class Patient(models.Model):
    """The person referred, with the PRSB minimum demographics."""

    nhs_number = models.CharField(
        "NHS number", max_length=10, blank=True, validators=[validate_nhs_number]
    )
    given_name = models.CharField("first name", max_length=100)
    family_name = models.CharField("last name", max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=20, choices=Sex.choices, blank=True)
    gender = models.CharField(
        max_length=100, blank=True, help_text="How the person describes their gender"
    )
    ethnicity = models.CharField(max_length=1, choices=Ethnicity.choices, blank=True)
    address_line_1 = models.CharField("address line 1", max_length=200, blank=True)
    address_line_2 = models.CharField("address line 2", max_length=200, blank=True)
    town = models.CharField("town or city", max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    preferred_contact_method = models.CharField(
        max_length=10, choices=ContactMethod.choices, blank=True
    )
    preferred_contact_times = models.CharField(max_length=200, blank=True)
    interpreter_needed = models.BooleanField(default=False)
    language = models.CharField("main language", max_length=100, blank=True)
    accessible_information_needs = models.TextField(
        blank=True, help_text="For example large print, easy read, British Sign Language"
    )
    registered_practice = models.ForeignKey(
        Practice, on_delete=models.PROTECT, related_name="patients"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    pcn_path = "registered_practice__pcn"
    practice_path = "registered_practice"
    objects = PatientQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["nhs_number"],
                condition=~Q(nhs_number=""),
                name="one_patient_per_nhs_number",
                violation_error_message=(
                    "A patient with this NHS number is registered with a practice whose "
                    "records you cannot see. Ask your PCN's link workers to check their "
                    "record before referring."
                ),
            )
        ]
        indexes = [
            # The duplicate rule compares last names in any case (UPPER on
            # PostgreSQL), so the index holds them that way (issue 11: the last
            # triage page at a million referrals, 2,239 ms -> 71 ms).
            models.Index(Upper("family_name"), "date_of_birth", name="patient_upper_name_birth"),
            # Who was referred (outcomes.figures._reach): the people of a
            # period's referrals, looked up by id from the index alone (a large
            # PCN's year at a million referrals: 33 ms to 22).
            models.Index(
                fields=["id"], include=["date_of_birth", "sex", "ethnicity"], name="patient_reach"
            ),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return f"{self.given_name} {self.family_name}"

    @property
    def nhs_number_display(self):
        return format_nhs_number(self.nhs_number) if self.nhs_number else ""


def new_reference():
    """A short public reference like SPL-7K3M-9QPD (no 0/O, 1/I to misread)."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    code = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"SPL-{code[:4]}-{code[4:]}"


def _same_person(patient, to_patient="patient__"):
    """The one rule for possible duplicates, as two filters: `same`, for the same
    Patient record (the same NHS number), and `similar`, for the same last name
    in any case, date of birth and postcode, which counts only when the person
    has no NHS number. `patient` is a Patient or, inside a subquery,
    OuterRef("patient"); the filters are on Referral, or on Patient when
    `to_patient` is ""."""

    def field(name):
        if isinstance(patient, OuterRef):
            return OuterRef(f"{patient.name}__{name}")
        return getattr(patient, name)

    same = Q(**{f"{to_patient}pk": patient if isinstance(patient, OuterRef) else patient.pk})
    similar = Q(
        **{
            f"{to_patient}family_name__iexact": field("family_name"),
            f"{to_patient}date_of_birth": field("date_of_birth"),
            f"{to_patient}postcode": field("postcode"),
        }
    )
    return same, similar


class ReferralQuerySet(PCNScopedQuerySet):
    def awaiting_triage(self):
        return self.filter(status=Status.AWAITING_TRIAGE)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def possible_duplicates_of(self, referral):
        """The other open referrals that may be for the same person as an open
        `referral` (the rule in `_same_person`)."""
        if referral.status not in OPEN_STATUSES:
            return self.none()
        # The people first, then their referrals: an OR across both tables could
        # use no index (0.5 s at a million referrals; 0.2 ms this way).
        same, similar = _same_person(referral.patient, to_patient="")
        people = Patient.objects.filter(same if referral.patient.nhs_number else same | similar)
        return (
            self.open()
            .filter(patient__in=people.values("pk"))
            .exclude(pk=referral.pk)
            .select_related("patient")
        )

    def with_duplicate_flag(self):
        """Annotate `possible_duplicate`: an open referral with another open one
        that may be for the same person (the rule in `_same_person`)."""
        others = Referral.objects.open().exclude(pk=OuterRef("pk"))
        same, similar = _same_person(OuterRef("patient"))
        return self.annotate(
            possible_duplicate=Case(
                When(~Q(status__in=OPEN_STATUSES), then=False),
                When(Exists(others.filter(same)), then=True),
                When(Q(patient__nhs_number="") & Exists(others.filter(similar)), then=True),
                default=False,
                output_field=models.BooleanField(),
            )
        )

    def in_referrer_order(self):
        """/referrals/mine/: newest first."""
        return self.order_by("-received_at", "-id")

    def for_referrer_list(self, shown):
        """The rows of one page of /referrals/mine/, `shown` being that page of
        `in_referrer_order()`, with when each status last changed: worked out
        for these 25, where doing it before paging did it for every referral
        the GP ever made (15 ms for 1,164 at a million; docs/benchmarks.md)."""
        return (
            self.filter(pk__in=list(shown.values_list("pk", flat=True)))
            .select_related("patient")
            .annotate(status_changed_at=models.Max("history__at"))
            .in_referrer_order()
        )

    def coded(self):
        return self.exclude(snomed_code="")

    def for_coding_list(self):
        """The practice coding list: what is still to code first, oldest first."""
        return (
            self.coded()
            .select_related("patient__registered_practice", "coded_in_gp_record_by")
            .order_by(models.F("coded_in_gp_record_at").desc(nulls_first=True), "coded_on", "id")
        )

    def in_triage_order(self):
        """Urgent referrals first, then the longest waiting."""
        urgent_first = Case(When(urgency=Urgency.URGENT, then=0), default=1)
        return self.order_by(urgent_first, "received_at", "id")

    def for_triage_list(self, shown):
        """The rows of one page of the triage list, `shown` being that page of
        `in_triage_order()`: only these 25 get the duplicate flag, where flagging
        before paging computed it for every row skipped to reach a deep page."""
        return (
            self.filter(pk__in=list(shown.values_list("pk", flat=True)))
            .select_related("patient__registered_practice")
            .prefetch_related("reasons")
            .with_duplicate_flag()
            .in_triage_order()
        )


class Referral(models.Model):
    reference = models.CharField(max_length=13, unique=True, default=new_reference, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="referrals")
    route = models.CharField(max_length=10, choices=Route.choices)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    other_reason = models.CharField(
        "other reason", max_length=200, blank=True, help_text="When 'Other' is a reason"
    )
    notes = models.TextField(blank=True)
    consent_to_contact = models.BooleanField(
        default=False, help_text="The person agreed to be contacted by a link worker"
    )
    # Who referred: a user for clinicians; named details for agencies and systems.
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals_made",
    )
    referrer_name = models.CharField(max_length=150, blank=True)
    referrer_organisation = models.CharField(max_length=200, blank=True)
    referrer_organisation_type = models.CharField(
        max_length=30, choices=OrganisationType.choices, blank=True
    )
    referrer_email = models.EmailField(blank=True)
    referrer_phone = models.CharField(max_length=30, blank=True)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AWAITING_TRIAGE)
    snomed_code = models.CharField(max_length=20, choices=Snomed.choices, blank=True)
    coded_on = models.DateField(
        null=True, blank=True, help_text="When the SNOMED code applies (the triage decision)"
    )
    coded_in_gp_record_at = models.DateTimeField(null=True, blank=True)
    coded_in_gp_record_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_referrals"
    )
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Referrals from other systems (FHIR): who sent it, and the sender's own
    # identifier for it, so a retried request finds the referral it created.
    api_client = models.ForeignKey(
        "ApiClient", on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    external_identifier_system = models.CharField(max_length=255, blank=True)
    external_identifier_value = models.CharField(max_length=255, blank=True)
    # The practice the person was registered with when referred, set on saving:
    # who may see the referral follows it, and it stays with it if the person's
    # record later names another practice (docs/decisions/0011-referrals-are-
    # scoped-by-their-own-practice.md).
    practice = models.ForeignKey(
        Practice,
        on_delete=models.PROTECT,
        related_name="referrals",
        editable=False,
        blank=True,
        db_index=False,  # referral_practice_status below starts with it
    )

    pcn_path = "practice__pcn"
    practice_path = "practice"
    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_to_contact=True), name="referral_has_consent_to_contact"
            ),
            models.CheckConstraint(
                condition=Q(status="merged", merged_into__isnull=False)
                | (~Q(status="merged") & Q(merged_into__isnull=True)),
                name="merged_referral_names_its_target",
            ),
            # SNOMED 871731000000106 codes the start of one episode of support:
            # a person has one accepted referral at a time.
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(status="accepted"),
                name="one_accepted_referral_per_patient",
            ),
            models.UniqueConstraint(
                fields=["external_identifier_system", "external_identifier_value"],
                condition=~Q(external_identifier_value=""),
                name="one_referral_per_external_identifier",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "received_at"]),
            # A PCN's or a practice's referrals by status, oldest first: the
            # scope, the filter and the order of the lists in one index range,
            # with what the lists sort and filter by, so PostgreSQL reads no
            # table rows to order a PCN's 20,000 (38 ms -> 9 ms at a million;
            # docs/benchmarks.md).
            models.Index(
                fields=["practice", "status", "received_at", "urgency", "route", "id"],
                name="referral_practice_status",
            ),
            # A practice's coding list: coded referrals, those still to code first.
            models.Index(
                fields=["practice", "coded_in_gp_record_at", "coded_on", "id"],
                condition=~Q(snomed_code=""),
                name="referral_practice_coding",
            ),
            # The outcomes dashboard's period of referrals, with what its
            # figures count them by, so PostgreSQL reads them from the index
            # alone (a large PCN's year at a million referrals: the counts
            # 17 ms -> 7, the IIF 11 -> 3, the reach 46 -> 35).
            models.Index(
                fields=["practice", "received_at"],
                include=[
                    "status",
                    "patient",
                    "route",
                    "referrer_organisation_type",
                    "snomed_code",
                ],
                name="referral_practice_received",
            ),
        ]
        permissions = [("code_referral", "Can mark referrals as coded in the GP record")]

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        if self.practice_id is None:
            self.practice_id = self.patient.registered_practice_id
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("referrals:referral_detail", args=[self.reference])

    # A list's query may fetch the reasons as a list here, with
    # Prefetch("reasons", to_attr=FETCHED_REASONS): prefetching the manager sets up
    # a queryset for each row, 2 ms of the caseload's 25 rows.
    FETCHED_REASONS = "fetched_reasons"

    @property
    def listed_reasons(self):
        """The reasons, as a list's query fetched them or else from the database."""
        fetched = getattr(self, self.FETCHED_REASONS, None)
        return self.reasons.all() if fetched is None else fetched

    @property
    def days_waiting(self):
        return (timezone.now() - self.received_at).days

    # For templates, which compare statuses through these, never through strings.
    @property
    def is_awaiting_triage(self):
        return self.status == Status.AWAITING_TRIAGE

    @property
    def is_urgent(self):
        return self.urgency == Urgency.URGENT


class ReferralReason(models.Model):
    """One reason for a referral; rows, so reports can count by reason.

    Each carries its referral's practice and time of receipt, which never
    change once a referral is made, so that a PCN's reasons in a period are one
    range of the index reason_practice_received, not a look-up per referral
    (docs/decisions/0017-case-records-carry-their-practice.md)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="reasons")
    reason = models.CharField(max_length=30, choices=Reason.choices)
    practice = models.ForeignKey(
        Practice, on_delete=models.PROTECT, related_name="+", editable=False, db_index=False
    )
    received_at = models.DateTimeField(editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["referral", "reason"], name="reason_once_per_referral")
        ]
        indexes = [
            models.Index(
                fields=["practice", "received_at"],
                include=["reason", "referral"],
                name="reason_practice_received",
            )
        ]

    def __str__(self):
        return self.get_reason_display()

    def save(self, *args, **kwargs):
        if self.practice_id is None:
            self.practice_id = self.referral.practice_id
        if self.received_at is None:
            self.received_at = self.referral.received_at
        super().save(*args, **kwargs)


class ReferralStatusChange(models.Model):
    """Append-only history of a referral's status, written by referrals.services."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.referral_id}: {self.from_status or 'new'} -> {self.to_status}"


class Notification(models.Model):
    """An email to the referrer about a referral: an outbox row.

    The service that changes the referral writes the row in the same transaction;
    a task sends it after commit and stamps `sent_at`. One row per referral and
    kind, so a retried task or a repeated decision never sends twice.
    """

    class Kind(models.TextChoices):
        RECEIVED = "received", "Referral received"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Person declined"
        NOT_APPROPRIATE = "not_appropriate", "Not appropriate, redirected"
        CLOSED = "closed", "Support ended"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    to_email = models.EmailField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "kind"], name="one_notification_per_kind")
        ]

    def __str__(self):
        return f"{self.referral_id}: {self.kind}"


def hash_token(token):
    """API tokens are stored as SHA-256 digests: they are long random strings, so a
    slow password hash adds nothing, and a digest can be looked up directly."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiClient(models.Model):
    """An organisation allowed to send referrals by FHIR, with its token.

    Administrators issue a token in the admin site, where it is shown once; only
    its digest is stored. Revoking sets `revoked_at`; the row stays, so the
    referrals it sent stay attributed.
    """

    organisation_name = models.CharField(max_length=200)
    organisation_type = models.CharField(max_length=30, choices=OrganisationType.choices)
    contact_email = models.EmailField(
        help_text="Where to tell the organisation what happened to its referrals"
    )
    token_prefix = models.CharField(
        max_length=12, editable=False, help_text="The start of the token, to recognise it"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API client"
        ordering = ["organisation_name"]

    def __str__(self):
        return f"{self.organisation_name} ({self.token_prefix}…)"

    @property
    def is_active(self):
        return self.revoked_at is None

    def set_new_token(self):
        """Give the client a new random token and return it (the only time it is seen)."""
        token = f"spl_{secrets.token_urlsafe(32)}"
        self.token_prefix = token[:12]
        self.token_hash = hash_token(token)
        return token
