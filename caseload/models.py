"""Link workers' caseloads: a case is one episode of support for one referral,
from allocation to closure (docs/decisions/0012-caseload-opens-at-allocation.md).

A case opens when its referral is allocated: to a named link worker, or to the
PCN's waiting list (no link worker yet), from which one takes it. It holds the
contacts with the person; its status and who holds it change only through
caseload.services, which keeps an append-only history of both.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Prefetch, Q, Value
from django.db.models.functions import Coalesce, Greatest, Least
from django.urls import reverse
from django.utils import timezone

from caseload import instruments
from referrals.models import Reason, Referral, ReferralReason, Urgency
from spl.models import Practice
from spl.querysets import PCNScopedQuerySet


class CaseStatus(models.TextChoices):
    CONTACTING = "contacting", "Contacting"
    ACTIVE = "active", "Active"
    ON_HOLD = "on_hold", "On hold"
    CLOSED = "closed", "Closed"


OPEN_CASE_STATUSES = (CaseStatus.CONTACTING, CaseStatus.ACTIVE, CaseStatus.ON_HOLD)
# Attempts without reaching the person after which the case may be closed as
# "unable to contact".
ATTEMPTS_BEFORE_CLOSING = 3
# An open case with nothing recorded for this long is flagged.
NO_CONTACT_DAYS = 14


class CloseReason(models.TextChoices):
    GOALS_MET = "goals_met", "Goals met"
    PERSON_ENDED = "person_ended", "The person ended support"
    DECLINED = "declined", "The person declined support"
    UNABLE_TO_CONTACT = "unable_to_contact", "Unable to contact"
    MOVED_AWAY = "moved_away", "Moved away"
    REFERRED_ELSEWHERE = "referred_elsewhere", "Referred to another service"
    DIED = "died", "Died"
    OTHER = "other", "Other"


class ShareWithGp(models.TextChoices):
    FULL = "full", "The full closing summary"
    CODES = "codes", "Only the codes"


class CaseQuerySet(PCNScopedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_CASE_STATUSES)

    def waiting(self):
        """The PCN's waiting list: open cases nobody holds, longest wait first."""
        return self.open().filter(link_worker__isnull=True).order_by("referral__received_at", "pk")

    def held_by(self, user):
        return self.open().filter(link_worker=user)

    def for_list(self):
        """What a caseload or waiting list row shows, in as many queries as rows do not
        change: the person's name, the last contact and the attempts, the referral's
        urgency, date and reasons (the flags come from caseload.flags). Only those
        columns: the whole case, referral and person were 70 columns a row to read and
        build (about 1.5 ms of the caseload's 25 rows)."""
        return (
            self.select_related("referral__patient")
            .prefetch_related(
                Prefetch(
                    "referral__reasons",
                    queryset=ReferralReason.objects.only("referral", "reason"),
                    to_attr=Referral.FETCHED_REASONS,
                )
            )
            .only(
                "status",
                "opened_at",
                "last_contact_at",
                "unreached_contacts",
                "referral__urgency",
                "referral__received_at",
                "referral__other_reason",
                "referral__patient__given_name",
                "referral__patient__family_name",
            )
        )


class Case(models.Model):
    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="case")
    # The referral's practice, copied so the caseload is scoped and listed from
    # this table alone (as referrals are: decision 11).
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    # None while the case is on the PCN's waiting list.
    link_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    status = models.CharField(
        max_length=20, choices=CaseStatus.choices, default=CaseStatus.CONTACTING
    )
    hold_reason = models.CharField(max_length=200, blank=True)
    resume_on = models.DateField(null=True, blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=30, choices=CloseReason.choices, blank=True)
    closing_summary = models.TextField(blank=True)
    # What the person agreed their GP is told at closure (the message back to
    # the GP): asked at the first conversation; not asked means the codes only.
    share_with_gp = models.CharField(
        "what the GP is told", max_length=10, choices=ShareWithGp.choices, blank=True
    )
    # Why no discharge wellbeing measure was taken at closure, when none was.
    no_discharge_measure = models.CharField(max_length=300, blank=True)
    # The referral's time of receipt (copied: it never changes) and the time of
    # the first contact recorded (contacts are never edited or deleted, so the
    # earliest only moves earlier, which Contact.save keeps): the waiting time
    # from referral to first contact is then read from this table's index
    # case_practice_received alone (decision 18).
    received_at = models.DateTimeField(editable=False)
    first_contact_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Likewise the latest contact, how many contacts did not reach the person,
    # and whether any did: what the caseload's flags need of the contacts, read
    # with the case rather than from each case's contacts (decision 21).
    last_contact_at = models.DateTimeField(null=True, blank=True, editable=False)
    unreached_contacts = models.PositiveIntegerField(default=0, editable=False)
    spoken_with = models.BooleanField(default=False, editable=False)
    # The SWEMWBS scores and ONS4 answers at baseline and discharge, copied from
    # the measures as they are recorded (one of each at most, never changed),
    # so that the outcomes read a period's closed cases alone (decision 19).
    swemwbs_baseline = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, editable=False
    )
    swemwbs_discharge = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, editable=False
    )
    ons4_baseline = models.JSONField(null=True, blank=True, editable=False)
    ons4_discharge = models.JSONField(null=True, blank=True, editable=False)

    pcn_path = "practice__pcn"
    practice_path = "practice"
    objects = CaseQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(status=CaseStatus.CLOSED) & Q(closed_at__isnull=False))
                | (~Q(status=CaseStatus.CLOSED) & Q(closed_at__isnull=True)),
                name="closed_case_has_closing_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.CLOSED) | ~Q(close_reason=""),
                name="closed_case_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.ON_HOLD) | Q(resume_on__isnull=False),
                name="case_on_hold_has_resume_date",
            ),
        ]
        indexes = [
            models.Index(fields=["link_worker", "status"], name="case_worker_status"),
            # A practice's cases by status, with who holds them: the team
            # view counts a PCN's open cases by link worker from the index alone
            # (4,000 at a million referrals: 1.3 ms, where reading them from the
            # table took 6).
            models.Index(
                fields=["practice", "status"],
                include=["link_worker", "id"],
                name="case_practice_status",
            ),
            # A practice's cases by when their referral came, with the first
            # contact: the waiting times (outcomes.figures._waiting).
            models.Index(
                fields=["practice", "received_at"],
                include=["first_contact_at"],
                name="case_practice_received",
            ),
            # A practice's cases closed in a period, by reason, and their
            # wellbeing before and after (outcomes.figures), from the index alone.
            models.Index(
                fields=["practice", "closed_at"],
                include=[
                    "id",
                    "close_reason",
                    "swemwbs_baseline",
                    "swemwbs_discharge",
                    "ons4_baseline",
                    "ons4_discharge",
                ],
                condition=Q(closed_at__isnull=False),
                name="case_practice_closed",
            ),
            # A link worker's open cases, longest open first, with all that
            # caseload.flags reads of them: the caseload reads its 250 cases
            # from this index alone (0.2 ms at a million referrals), where
            # combining the worker's and the practices' indexes read 4,000
            # entries and then the table (1.6 ms).
            models.Index(
                fields=["link_worker", "opened_at", "id"],
                include=[
                    "status",
                    "practice",
                    "resume_on",
                    "last_contact_at",
                    "unreached_contacts",
                    "spoken_with",
                ],
                condition=Q(status__in=OPEN_CASE_STATUSES),
                name="case_held_open",
            ),
        ]
        permissions = [("supervise_case", "Can oversee and reassign every link worker's cases")]

    def __str__(self):
        return f"Case {self.pk}"

    def save(self, *args, **kwargs):
        if self.received_at is None:
            self.received_at = self.referral.received_at
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("caseload:case_detail", args=[self.pk])

    @property
    def patient(self):
        return self.referral.patient

    @property
    def is_open(self):
        return self.status in OPEN_CASE_STATUSES

    @property
    def is_contacting(self):
        return self.status == CaseStatus.CONTACTING

    @property
    def is_active(self):
        return self.status == CaseStatus.ACTIVE

    @property
    def is_on_hold(self):
        return self.status == CaseStatus.ON_HOLD

    # The flags of caseload.flags a row shows as tags ({% case_flags %}).
    ROW_FLAGS = (
        "safeguarding",
        "goals_overdue",
        "review_due",
        "awaiting_reply",
        "provider_no_response",
        "baseline_due",
        "no_recent_contact",
        "unable_to_contact",
        "resume_overdue",
    )

    @property
    def gp_gets_full_summary(self):
        return self.share_with_gp == ShareWithGp.FULL

    @property
    def days_open(self):
        return (timezone.now() - self.opened_at).days


class CaseRecord(models.Model):
    """Something recorded on a case that reports count by practice and date:
    it carries its case's practice (a case never changes practice), so that a
    PCN's dashboard reads its contacts, plans and connections in a period from
    one index range (practice, date), not by looking up every case of the PCN
    in turn (docs/decisions/0017-case-records-carry-their-practice.md)."""

    practice = models.ForeignKey(
        Practice, on_delete=models.PROTECT, related_name="+", editable=False, db_index=False
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.practice_id is None:
            self.practice_id = self.case.practice_id
        super().save(*args, **kwargs)


class CaseStatusChange(models.Model):
    """Append-only history of a case's status, written by caseload.services."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=CaseStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.case}: {self.get_to_status_display()}"


class CaseAssignment(models.Model):
    """Append-only history of who held a case: from, to (None: the waiting
    list), by whom, when and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    from_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.case}: {self.to_worker or 'waiting list'}"


class ContactMode(models.TextChoices):
    PHONE = "phone", "Phone"
    PRACTICE = "practice", "Face to face at the practice"
    HOME_VISIT = "home_visit", "Home visit"
    VIDEO = "video", "Video"
    TEXT_OR_EMAIL = "text_or_email", "Text or email"
    GROUP = "group", "Group session"


class ContactOutcome(models.TextChoices):
    SPOKE = "spoke", "Spoke with the person"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    UNABLE_TO_CONTACT = "unable_to_contact", "Unable to contact"


class Contact(CaseRecord):
    """One contact, or attempt at one, with the person."""

    # Indexed by contact_case_at, which leads with the case.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="contacts", db_index=False
    )
    at = models.DateTimeField(default=timezone.now)
    mode = models.CharField(max_length=20, choices=ContactMode.choices)
    duration_minutes = models.PositiveSmallIntegerField(
        "duration in minutes", null=True, blank=True
    )
    outcome = models.CharField(max_length=20, choices=ContactOutcome.choices)
    notes = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            # A case's contacts in date order; with their outcomes, so what the
            # case carries of them (decision 21) can be worked out again from
            # the index alone, as migration 0022 did.
            models.Index(fields=["case", "at"], include=["outcome"], name="contact_case_at"),
            # A link worker's year so far: their contacts since 1 April,
            # counted from the index alone (1.3 ms instead of 3 to 4 ms for
            # 4,000 contacts at a million referrals).
            models.Index(fields=["by", "at"], include=["case", "outcome"], name="contact_by_at"),
            # A practice's contacts in a period (outcomes.figures).
            models.Index(fields=["practice", "at"], include=["case"], name="contact_practice_at"),
        ]

    def __str__(self):
        return f"{self.get_mode_display()}, {self.get_outcome_display().lower()}"

    def save(self, *args, **kwargs):
        adding = self._state.adding
        super().save(*args, **kwargs)
        if adding:  # contacts are added, never changed: the case's copy counts each once
            at = Value(self.at, output_field=models.DateTimeField())
            Case.objects.filter(pk=self.case_id).update(
                first_contact_at=Least(Coalesce("first_contact_at", at), at),
                last_contact_at=Greatest(Coalesce("last_contact_at", at), at),
                unreached_contacts=F("unreached_contacts") + (0 if self.reached else 1),
                **({"spoken_with": True} if self.reached else {}),
            )

    @property
    def reached(self):
        return self.outcome == ContactOutcome.SPOKE


class ReminderDigest(models.Model):
    """That a link worker was sent their daily digest for a day: one row per user
    and day, so the daily task never sends twice (caseload.reminders)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="one_digest_per_user_and_day")
        ]

    def __str__(self):
        return f"{self.user_id}: {self.day}"


class Plan(CaseRecord):
    """One version of a person's personalised care and support plan.

    A case has at most one draft (number None), which the link worker and the
    person work on; agreeing it gives it the next number, the time and who
    agreed it, and it never changes again. Changing an agreed plan starts a new
    draft from it (caseload.plans).
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plans")
    number = models.PositiveSmallIntegerField(null=True, blank=True)
    what_matters = models.TextField("what matters to me", blank=True)
    strengths = models.TextField(blank=True)
    # The areas of need, as referrals.models.Reason values.
    needs = models.JSONField(default=list, blank=True)
    review_on = models.DateField("review date", null=True, blank=True)
    agreed_at = models.DateTimeField(null=True, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["case", models.F("number").asc(nulls_last=True)]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="plan_version_once"),
            models.UniqueConstraint(
                fields=["case"], condition=Q(number__isnull=True), name="one_draft_plan_per_case"
            ),
            models.CheckConstraint(
                condition=Q(number__isnull=True, agreed_at__isnull=True)
                | Q(number__isnull=False, agreed_at__isnull=False),
                name="agreed_plan_has_number_and_time",
            ),
        ]
        indexes = [
            # A practice's plans agreed in a period (outcomes.figures).
            models.Index(
                fields=["practice", "agreed_at"],
                include=["case", "needs"],
                condition=Q(agreed_at__isnull=False),
                name="plan_practice_agreed",
            ),
        ]

    def __str__(self):
        return f"Plan {self.number or 'draft'} of case {self.case_id}"

    @property
    def is_draft(self):
        return self.number is None

    def need_labels(self):
        return [Reason(value).label for value in self.needs if value in Reason.values]


class GoalStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    ACHIEVED = "achieved", "Achieved"
    NO_LONGER_RELEVANT = "no_longer_relevant", "No longer relevant"


class Goal(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    description = models.CharField("goal", max_length=500)
    by_when = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=GoalStatus.choices, default=GoalStatus.NOT_STARTED
    )
    progress = models.TextField("progress notes", blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.description


class PlanAction(models.Model):
    """Who does what, by when, towards the plan's goals."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    who = models.CharField(max_length=100)
    what = models.CharField(max_length=500)
    by_when = models.DateField(null=True, blank=True)
    done = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.who}: {self.what}" + (" (done)" if self.done else "")


class SafeguardingCategory(models.TextChoices):
    ABUSE_OR_NEGLECT = "abuse_or_neglect", "Abuse or neglect of an adult"
    SELF_NEGLECT = "self_neglect", "Self-neglect"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    FINANCIAL_ABUSE = "financial_abuse", "Financial or material abuse"
    CHILD = "child", "A child at risk"
    RISK_TO_SELF = "risk_to_self", "Risk of harm to self"
    OTHER = "other", "Other"


class EscalatedTo(models.TextChoices):
    NOT_YET = "", "Not escalated"
    PRACTICE_LEAD = "practice_lead", "The practice safeguarding lead"
    LOCAL_AUTHORITY = "local_authority", "The local authority"
    POLICE = "police", "The police"


class SafeguardingConcern(models.Model):
    """A safeguarding concern about the person of a case. Only the PCN's care team
    (link workers and supervisors) may see it; an open concern flags the case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="concerns")
    category = models.CharField(max_length=30, choices=SafeguardingCategory.choices)
    what_happened = models.TextField()
    action_taken = models.TextField(blank=True)
    escalated_to = models.CharField(max_length=20, choices=EscalatedTo.choices, blank=True)
    follow_up_on = models.DateField("follow-up date", null=True, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | ~Q(outcome=""),
                name="closed_concern_has_outcome",
            )
        ]

    def __str__(self):
        return f"{self.get_category_display()} (case {self.case_id})"

    @property
    def is_open(self):
        return self.closed_at is None

    @property
    def patient(self):
        return self.case.referral.patient


class MdtFlag(models.Model):
    """A case to discuss at the practice's next multidisciplinary team meeting."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="mdt_flags")
    reason = models.CharField(max_length=300)
    meeting_on = models.DateField("meeting date")
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    flagged_at = models.DateTimeField(default=timezone.now)
    discussed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True)

    class Meta:
        ordering = ["meeting_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(discussed_at__isnull=True) | ~Q(outcome=""),
                name="discussed_mdt_flag_has_outcome",
            )
        ]
        indexes = [models.Index(fields=["discussed_at", "meeting_on"], name="mdt_open_by_date")]

    def __str__(self):
        return f"Case {self.case_id} for the MDT on {self.meeting_on}"

    @property
    def patient(self):
        return self.case.referral.patient


class ReferBack(models.Model):
    """The link worker refers the person back to their GP or another PCN
    clinician, who answers from their own list (/caseload/refer-backs/)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="refer_backs")
    to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="refer_backs"
    )
    reason = models.TextField()
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    reply = models.TextField(blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["to", "acknowledged_at"], name="refer_back_to_open")]
        # Held by the referrers (GPs and other clinicians), whom a case can be
        # referred back to: not by everyone who may refer someone.
        permissions = [("reply_referback", "Can answer people referred back to them")]

    def __str__(self):
        return f"Case {self.case_id} referred back to user {self.to_id}"

    @property
    def patient(self):
        return self.case.referral.patient

    @property
    def is_urgent(self):
        return self.urgency == Urgency.URGENT


class ConnectionKind(models.TextChoices):
    SIGNPOSTED = "signposted", "Signposted: the person was given the service's details"
    REFERRED = "referred", "Referred: the service receives a referral from you"


class ConnectionStatus(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    REFERRED = "referred", "Referred"
    ACCEPTED = "accepted", "Accepted by the provider"
    DECLINED = "declined", "Declined by the provider"
    NO_RESPONSE = "no_response", "No response"
    ATTENDED = "attended", "Attended"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    ENDED = "ended", "Ended"


# Where a connection may go from each status. The link worker's hand, the
# provider's answers (accepted, declined, attended, did not attend) and "no
# response" after PROVIDER_NO_RESPONSE_DAYS all follow this map.
CONNECTION_MOVES = {
    ConnectionStatus.SUGGESTED: (
        ConnectionStatus.ATTENDED,
        ConnectionStatus.DID_NOT_ATTEND,
        ConnectionStatus.ENDED,
    ),
    ConnectionStatus.REFERRED: (
        ConnectionStatus.ACCEPTED,
        ConnectionStatus.DECLINED,
        ConnectionStatus.NO_RESPONSE,
        ConnectionStatus.ENDED,
    ),
    ConnectionStatus.NO_RESPONSE: (
        ConnectionStatus.ACCEPTED,
        ConnectionStatus.DECLINED,
        ConnectionStatus.ENDED,
    ),
    ConnectionStatus.ACCEPTED: (
        ConnectionStatus.ATTENDED,
        ConnectionStatus.DID_NOT_ATTEND,
        ConnectionStatus.ENDED,
    ),
    ConnectionStatus.ATTENDED: (ConnectionStatus.ENDED,),
    ConnectionStatus.DID_NOT_ATTEND: (ConnectionStatus.ATTENDED, ConnectionStatus.ENDED),
    ConnectionStatus.DECLINED: (),
    ConnectionStatus.ENDED: (),
}
# Statuses a connection can still move on from.
OPEN_CONNECTION_STATUSES = tuple(status for status, moves in CONNECTION_MOVES.items() if moves)
# Statuses only SPL records: "no response" means the provider did not answer
# in PROVIDER_NO_RESPONSE_DAYS (connections.chase_providers), which is not
# something a link worker chooses.
SYSTEM_ONLY_STATUSES = (ConnectionStatus.NO_RESPONSE,)
# Where a connection may be left when its case closes: how it ended, as far as
# anyone knows. Referred, no response and accepted still wait on the provider
# or the person, and nothing moves a closed case's connections on.
CONNECTION_ENDINGS = (
    ConnectionStatus.ATTENDED,
    ConnectionStatus.DID_NOT_ATTEND,
    ConnectionStatus.DECLINED,
    ConnectionStatus.ENDED,
)
# A provider who has not answered a referral is reminded once after this many
# days; after PROVIDER_NO_RESPONSE_DAYS the connection is marked "no response".
PROVIDER_REMINDER_DAYS = 7
PROVIDER_NO_RESPONSE_DAYS = 14


class Connection(CaseRecord):
    """A person connected to a VCSE service from their case: signposted (given
    its details) or referred (the service was sent a referral, which the
    provider answers through a signed link: caseload.connections)."""

    # Indexed with the need (connection_case_need), which serves a case's lookups too.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="connections", db_index=False
    )
    service = models.ForeignKey(
        "directory.Service", on_delete=models.PROTECT, related_name="connections"
    )
    kind = models.CharField(max_length=20, choices=ConnectionKind.choices)
    # The need it meets, as a referrals.models.Reason value: what reports count.
    need = models.CharField(max_length=30, choices=Reason.choices)
    why = models.TextField("why this service")
    # Why a referral went ahead although the service said it was full.
    capacity_reason = models.TextField("why refer although it is full", blank=True)
    # What the provider may see: only what the person agreed to share.
    share_contact_details = models.BooleanField(
        "the person agreed to share their name and contact details", default=False
    )
    message = models.TextField("what the person agreed to tell the service", blank=True)
    status = models.CharField(max_length=20, choices=ConnectionStatus.choices)
    provider_reason = models.TextField("the provider's reason", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # When the referral was sent: what the provider's reminder and "no
    # response" count from.
    referred_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="referred") | Q(referred_at__isnull=False),
                name="referral_connection_has_referred_at",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "referred_at"], name="connection_status_referred"),
            # Whether a case has a connection for a need, from the index alone
            # (the unmet needs of outcomes.figures: 19 ms to 16 for a large
            # PCN's year at a million referrals).
            models.Index(fields=["case", "need"], name="connection_case_need"),
            # The cases with a service that has not answered: the caseload
            # flag, from an index of those few connections alone (1 ms of the
            # flags' 7 at a million referrals, reading each case's connections).
            models.Index(
                fields=["case"],
                condition=Q(status=ConnectionStatus.NO_RESPONSE),
                name="connection_no_response",
            ),
            # A practice's connections made in a period (outcomes.figures).
            models.Index(
                fields=["practice", "created_at"],
                include=["need", "service", "kind", "status"],
                name="connection_practice_made",
            ),
        ]

    def __str__(self):
        return f"Case {self.case_id} to {self.service_id}"

    @property
    def patient(self):
        return self.case.referral.patient

    @property
    def is_referral(self):
        return self.kind == ConnectionKind.REFERRED

    @property
    def kind_word(self):
        return "Referred" if self.is_referral else "Signposted"

    @property
    def is_open(self):
        return self.status in OPEN_CONNECTION_STATUSES

    @property
    def awaiting_provider(self):
        return self.status in (ConnectionStatus.REFERRED, ConnectionStatus.NO_RESPONSE)

    @property
    def awaiting_attendance(self):
        return self.status == ConnectionStatus.ACCEPTED

    def moves(self, *, by_hand=False):
        """The statuses it may move to, as (value, label); `by_hand`, only
        those a link worker may record."""
        return [
            (status.value, status.label)
            for status in CONNECTION_MOVES[self.status]
            if not (by_hand and status in SYSTEM_ONLY_STATUSES)
        ]

    def endings(self):
        """The statuses a link worker may say it ended in when its case
        closes, as (value, label)."""
        moves = self.moves(by_hand=True)
        return [(value, label) for value, label in moves if value in CONNECTION_ENDINGS]


class ConnectionStatusChange(models.Model):
    """Append-only history of a connection's status. `by` is empty when the
    provider answered through their link, or SPL marked it "no response"."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20, choices=ConnectionStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ConnectionStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    by_provider = models.BooleanField(default=False)
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.connection}: {self.get_to_status_display()}"

    @property
    def who(self):
        if self.by_id:
            return self.by.full_name
        return "The provider" if self.by_provider else "SPL"


class ProviderMessage(models.Model):
    """The outbox of emails to a service about a referral: written in the
    transaction that makes it due, sent after commit by a task, never twice
    (one row per connection and kind; the send claims it)."""

    class Kind(models.TextChoices):
        REFERRAL = "referral", "Referral"
        REMINDER = "reminder", "Reminder"

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    to_email = models.EmailField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "kind"], name="one_provider_message_per_kind"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for connection {self.connection_id}"


class Timepoint(models.TextChoices):
    BASELINE = "baseline", "Baseline"
    REVIEW = "review", "Review"
    DISCHARGE = "discharge", "Discharge"


class WellbeingMeasure(models.Model):
    """One wellbeing measure taken with the person (caseload.instruments): the
    answers, item by item, and the score worked out from them when it was
    recorded (SWEMWBS's metric score, WEMWBS's total; none for ONS4)."""

    class Instrument(models.TextChoices):
        ONS4 = instruments.ONS4, "ONS4"
        SWEMWBS = instruments.SWEMWBS, "SWEMWBS"
        WEMWBS = instruments.WEMWBS, "WEMWBS"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="measures")
    instrument = models.CharField(max_length=10, choices=Instrument.choices)
    timepoint = models.CharField(max_length=10, choices=Timepoint.choices)
    taken_on = models.DateField()
    answers = models.JSONField()
    raw_score = models.PositiveSmallIntegerField(null=True, blank=True)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["taken_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "instrument", "timepoint"],
                condition=~Q(timepoint="review"),
                name="one_baseline_and_discharge_per_instrument",
            )
        ]

    # The measures a case carries a copy of (Case.swemwbs_baseline and so on):
    # {(instrument, timepoint): (the case's field, the measure's attribute)}.
    ON_THE_CASE = {
        (instrument, timepoint): (f"{instrument}_{timepoint}", value)
        for instrument, value in ((instruments.SWEMWBS, "score"), (instruments.ONS4, "answers"))
        for timepoint in (Timepoint.BASELINE.value, Timepoint.DISCHARGE.value)
    }

    def __str__(self):
        return f"{self.get_instrument_display()} {self.timepoint} of case {self.case_id}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        copied = self.ON_THE_CASE.get((self.instrument, self.timepoint))
        if copied is not None:
            field, value = copied
            Case.objects.filter(pk=self.case_id).update(**{field: getattr(self, value)})

    @property
    def definition(self):
        return instruments.INSTRUMENTS[self.instrument]

    @property
    def patient(self):
        return self.case.referral.patient

    def items(self):
        """(item, answer, band) in the instrument's order."""
        return [
            (item, self.answers.get(item.key), item.band(self.answers.get(item.key, -1)))
            for item in self.definition.items
        ]
