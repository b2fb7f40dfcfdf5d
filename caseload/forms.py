"""Forms of the caseload: allocating a referral, recording a contact, putting
support on hold, closing, reassigning cases, filtering and searching the
caseload, and the support plan."""

import datetime
import re

from django import forms
from django.db.models import Q
from django.utils import timezone

from caseload.models import (
    CaseStatus,
    ConnectionKind,
    ConnectionStatus,
    ContactMode,
    ContactOutcome,
    EscalatedTo,
    GoalStatus,
    SafeguardingCategory,
    ShareWithGp,
    Timepoint,
)
from referrals.models import Reason, Urgency
from spl import roles
from spl.fields import DateField, ModelChoiceField
from spl.models import Practice, User

WAITING_LIST = "waiting"
_TIME = re.compile(r"^\s*([01]?\d|2[0-3])[:.]?([0-5]\d)\s*$")


def link_workers_of(pcns):
    """The link workers who may hold a case of these PCNs': members with the role."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__pcn__in=pcns,
            groups__name=roles.ROLES[roles.LINK_WORKER].name,
        )
        .distinct()
        .order_by("full_name", "pk")
    )


class _ToLinkWorkerForm(forms.Form):
    """A choice of the waiting list or one of `link_workers` (field `to`)."""

    waiting_list_label = "The PCN's waiting list"

    def __init__(self, *args, link_workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.link_workers = {str(user.pk): user for user in link_workers}
        self.fields["to"].choices = [
            (WAITING_LIST, self.waiting_list_label),
            *((pk, user.full_name or user.email) for pk, user in self.link_workers.items()),
        ]

    def chosen(self):
        """The link worker chosen, or None for the waiting list."""
        return self.link_workers.get(self.cleaned_data["to"])


class AllocateForm(_ToLinkWorkerForm):
    """Who contacts the person: a named link worker, or the PCN's waiting list."""

    waiting_list_label = "The PCN's waiting list, for the next link worker free"
    to = forms.ChoiceField(
        label="Who will contact the person?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select a link worker or the waiting list"},
    )
    reason = forms.CharField(
        label="Note for the link worker (optional)",
        required=False,
        max_length=200,
    )


class ContactForm(forms.Form):
    """A contact or an attempt, in under 30 seconds: when (now unless changed),
    how, what happened, and notes."""

    date = DateField(label="Date", help_text="For example, 27 11 2026")
    time = forms.CharField(
        label="Time",
        help_text="For example, 14:30",
        max_length=5,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-4"}),
        error_messages={"required": "Enter the time of the contact"},
    )
    mode = forms.ChoiceField(
        label="How",
        choices=ContactMode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you contacted the person"},
    )
    outcome = forms.ChoiceField(
        label="What happened",
        choices=ContactOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what happened"},
    )
    duration_minutes = forms.IntegerField(
        label="Duration in minutes (optional)",
        required=False,
        min_value=1,
        max_value=600,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-3"}),
        error_messages={
            "invalid": "Duration must be a number of minutes, like 20",
            "min_value": "Duration must be at least 1 minute",
            "max_value": "Duration must be 600 minutes or fewer",
        },
    )
    notes = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        now = timezone.localtime()
        kwargs.setdefault("initial", {"date": now.date(), "time": now.strftime("%H:%M")})
        super().__init__(*args, **kwargs)
        self.fields["notes"].widget.attrs["rows"] = 3

    def clean_time(self):
        found = _TIME.match(self.cleaned_data["time"])
        if not found:
            raise forms.ValidationError("Enter the time as hours and minutes, like 14:30")
        return datetime.time(int(found.group(1)), int(found.group(2)))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date") and cleaned.get("time"):
            at = timezone.make_aware(datetime.datetime.combine(cleaned["date"], cleaned["time"]))
            if at > timezone.now():
                self.add_error("date", "The date and time of the contact must be in the past")
            cleaned["at"] = at
        return cleaned


class ReassignForm(_ToLinkWorkerForm):
    """Give one case or several at once to another link worker, or the waiting list."""

    cases = forms.MultipleChoiceField(
        label="Cases to reassign",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one case to reassign"},
    )
    to = forms.ChoiceField(
        label="Give them to",
        widget=forms.RadioSelect,
        error_messages={"required": "Select a link worker or the waiting list"},
    )
    reason = forms.CharField(
        label="Why",
        max_length=200,
        error_messages={"required": "Say why the cases are being reassigned"},
    )

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.cases = {str(case.pk): case for case in cases}
        self.fields["cases"].choices = [
            (pk, f"{case.patient.full_name}, {case.get_status_display().lower()}")
            for pk, case in self.cases.items()
        ]

    def clean(self):
        cleaned = super().clean()
        to = self.link_workers.get(cleaned.get("to"))
        if cleaned.get("to") and any(
            self.cases[pk].link_worker_id == (to.pk if to else None)
            for pk in cleaned.get("cases", ())
        ):
            self.add_error("to", "Choose someone other than who holds the cases now")
        return cleaned

    def chosen_cases(self):
        return [self.cases[pk] for pk in self.cleaned_data["cases"]]


class HoldForm(forms.Form):
    """Pause support until a date."""

    reason = forms.CharField(
        label="Why is support on hold?",
        max_length=200,
        error_messages={"required": "Say why support is on hold"},
    )
    resume_on = DateField(
        label="Date to resume",
        help_text="For example, 15 1 2027",
        error_messages={"required": "Enter the date to resume support"},
    )

    def clean_resume_on(self):
        resume_on = self.cleaned_data["resume_on"]
        if resume_on <= timezone.localdate():
            raise forms.ValidationError("The date to resume must be in the future")
        return resume_on


class CaseloadFilterForm(forms.Form):
    """The filters above the caseload (GET: they name no one)."""

    FLAGS = [
        ("", "Any"),
        ("no_recent_contact", "No contact for 14 days"),
        ("unable_to_contact", "Unable to contact after 3 attempts"),
        ("resume_overdue", "On hold past its resume date"),
        ("safeguarding", "Safeguarding concern open"),
        ("safeguarding_follow_up", "Safeguarding follow-up due"),
        ("awaiting_reply", "Referred back, awaiting a reply"),
        ("provider_no_response", "No response from a service"),
        ("baseline_due", "Baseline wellbeing measure due"),
        ("review_due", "Plan review due"),
        ("goals_overdue", "Goals or actions overdue"),
    ]

    status = forms.ChoiceField(
        choices=[("", "Any open status"), *CaseStatus.choices[:-1]], required=False
    )
    flag = forms.ChoiceField(choices=FLAGS, required=False)
    practice = ModelChoiceField(
        queryset=Practice.objects.none(), required=False, empty_label="Any practice"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practice"].queryset = Practice.objects.visible_to(user).order_by("name")

    def chosen(self, found):
        """The ids of the cases of `found` (caseload.flags.of) that the filters
        choose, in its order: the longest open first. A caseload's few hundred
        cases are all in hand already, and the flag chosen is the one the rows
        and Today show."""
        data = self.cleaned_data if self.is_valid() else {}
        status, flag, practice = data.get("status"), data.get("flag"), data.get("practice")
        return [
            pk
            for pk, row in found.items()
            if (not status or row["status"] == status)
            and (not flag or row[flag])
            and (not practice or row["practice_id"] == practice.pk)
        ]


class FindCaseForm(forms.Form):
    """Find a person on the caseload by name or NHS number. A POST, so what is
    typed never reaches a URL or an access log."""

    q = forms.CharField(
        label="Find a person by name or NHS number",
        max_length=100,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-20", "autocomplete": "off"}),
        error_messages={"required": "Enter a name or an NHS number"},
    )

    def filter(self, cases):
        text = self.cleaned_data["q"]
        digits = re.sub(r"[\s-]", "", text)
        if digits.isdigit() and len(digits) == 10:
            return cases.filter(referral__patient__nhs_number=digits)
        for word in text.split()[:5]:
            cases = cases.filter(
                Q(referral__patient__given_name__icontains=word)
                | Q(referral__patient__family_name__icontains=word)
            )
        return cases


class CloseForm(forms.Form):
    """End support, with why, a summary and, for each connection still open,
    where it ended (a field `connection-<id>` each)."""

    reason = forms.ChoiceField(
        label="Why is support ending?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select why support is ending"},
    )
    summary = forms.CharField(
        label="Closing summary",
        help_text="What mattered to the person, the support offered and taken up, and the outcome",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write a closing summary"},
    )

    no_discharge_measure = forms.CharField(
        label="No discharge wellbeing measure is recorded. Why could it not be taken?",
        help_text="Or record one first, from the Wellbeing section of the case page",
        max_length=300,
        error_messages={
            "required": "Say why no discharge wellbeing measure could be taken, or record one first"
        },
    )

    def __init__(self, *args, reasons, open_connections=(), needs_discharge_reason=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [(reason.value, reason.label) for reason in reasons]
        if not needs_discharge_reason:
            del self.fields["no_discharge_measure"]
        self.open_connections = list(open_connections)
        for connection in self.open_connections:
            self.fields[f"connection-{connection.pk}"] = forms.ChoiceField(
                label=f"{connection.service.name}: how did it end?",
                choices=connection.endings(),
                initial=ConnectionStatus.ENDED,
                widget=forms.Select,
            )

    def connection_fields(self):
        return [self[f"connection-{connection.pk}"] for connection in self.open_connections]

    def final(self):
        """{connection id: the status it ends in}."""
        return {
            connection.pk: self.cleaned_data[f"connection-{connection.pk}"]
            for connection in self.open_connections
        }


class PlanDetailsForm(forms.Form):
    what_matters = forms.CharField(
        label="What matters to me",
        help_text="In the person's own words",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    strengths = forms.CharField(
        label="Strengths",
        help_text="What the person is good at, and who and what they can draw on",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    needs = forms.MultipleChoiceField(
        label="Areas of need",
        choices=Reason.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    review_on = DateField(
        label="Review date (optional)", help_text="For example, 1 3 2027", required=False
    )


class GoalForm(forms.Form):
    description = forms.CharField(
        label="Goal",
        help_text="What the person wants to achieve, in their words",
        max_length=500,
        error_messages={"required": "Enter the goal"},
    )
    by_when = DateField(
        label="By when (optional)", help_text="For example, 1 3 2027", required=False
    )


class GoalUpdateForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=GoalStatus.choices)
    progress = forms.CharField(
        label="Progress notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ActionForm(forms.Form):
    who = forms.CharField(
        label="Who", max_length=100, error_messages={"required": "Enter who will do it"}
    )
    what = forms.CharField(
        label="What they will do",
        max_length=500,
        error_messages={"required": "Enter what they will do"},
    )
    by_when = DateField(
        label="By when (optional)", help_text="For example, 1 3 2027", required=False
    )


class ConcernForm(forms.Form):
    category = forms.ChoiceField(
        label="What kind of concern?",
        choices=SafeguardingCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what kind of concern it is"},
    )
    what_happened = forms.CharField(
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Describe what happened"},
    )
    action_taken = forms.CharField(
        label="Action taken (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    escalated_to = forms.ChoiceField(
        label="Escalated to", choices=EscalatedTo.choices, required=False, widget=forms.RadioSelect
    )
    follow_up_on = DateField(
        label="Follow-up date (optional)", help_text="For example, 7 12 2026", required=False
    )


class CloseConcernForm(forms.Form):
    outcome = forms.CharField(
        label="Outcome",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say what the outcome was"},
    )


class MdtFlagForm(forms.Form):
    reason = forms.CharField(
        label="What should the meeting discuss?",
        max_length=300,
        error_messages={"required": "Say what the meeting should discuss"},
    )
    meeting_on = DateField(
        label="Meeting date",
        help_text="For example, 9 12 2026",
        error_messages={"required": "Enter the date of the meeting"},
    )

    def clean_meeting_on(self):
        meeting_on = self.cleaned_data["meeting_on"]
        if meeting_on < timezone.localdate():
            raise forms.ValidationError("The meeting date must be today or later")
        return meeting_on


class MdtOutcomeForm(forms.Form):
    outcome = forms.CharField(
        label="What the meeting decided",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say what the meeting decided"},
    )


def clinicians_for(case):
    """Who a case can be referred back to: the PCN's referrers (GPs and other
    clinicians) who may see the person, by their practice membership."""
    return (
        User.objects.filter(
            is_active=True,
            groups__name=roles.ROLES[roles.REFERRER].name,
        )
        # One condition on one membership: the PCN, and no practice or this one.
        .filter(
            Q(memberships__pcn_id=case.practice.pcn_id)
            & (Q(memberships__practice__isnull=True) | Q(memberships__practice=case.practice_id))
        )
        .distinct()
        .order_by("full_name", "pk")
    )


class ReferBackForm(forms.Form):
    to = ModelChoiceField(
        label="Refer back to",
        queryset=User.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select who to refer the person back to"},
    )
    reason = forms.CharField(
        label="Why",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why you are referring the person back"},
    )
    urgency = forms.ChoiceField(
        label="Urgency", choices=Urgency.choices, initial=Urgency.ROUTINE, widget=forms.RadioSelect
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = clinicians_for(case)
        self.fields["to"].label_from_instance = lambda user: user.full_name or user.email


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label="Your reply to the link worker",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Write a reply for the link worker"},
    )


class DecisionForm(forms.Form):
    """Asked when the person agrees to support: what their GP is told at the end."""

    share_with_gp = forms.ChoiceField(
        label="If they agree: what may their GP be told when support ends?",
        choices=ShareWithGp.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text="Ask the person. Without an answer, the GP gets only the codes.",
    )


class ConnectForm(forms.Form):
    """Connect the person to one service: signposted or referred, for which
    need, and why; for a referral, what the person agreed to share."""

    kind = forms.ChoiceField(
        label="How are you connecting the person?",
        choices=ConnectionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select signposted or referred"},
    )
    need = forms.ChoiceField(
        label="Which need does it meet?",
        choices=[("", "Choose a need"), *Reason.choices],
        error_messages={"required": "Select the need this service meets"},
    )
    why = forms.CharField(
        label="Why this service?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why this service"},
    )
    share_contact_details = forms.BooleanField(
        label="The person agreed that the service may have their name, phone number and email",
        required=False,
    )
    message = forms.CharField(
        label="What the person agreed to tell the service (optional)",
        help_text="The service sees this and nothing else about the person. "
        "Leave out anything they did not agree to share.",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    capacity_reason = forms.CharField(
        label="Why refer although the service is not accepting referrals?",
        help_text="For example, the coordinator agreed on the phone to take them",
        max_length=500,
        required=False,
    )

    def __init__(self, *args, service, needs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.service = service
        self.referral_barrier = service.direct_referral_barrier(count_capacity=False)
        self.full = not self.referral_barrier and bool(service.direct_referral_barrier())
        if self.referral_barrier:
            # Signposting is the only way to this service.
            self.fields["kind"].choices = [ConnectionKind.choices[0]]
            self.fields["kind"].initial = ConnectionKind.SIGNPOSTED
        if not self.full:
            del self.fields["capacity_reason"]
        if len(needs) == 1:
            self.fields["need"].initial = needs[0]

    def clean(self):
        data = super().clean()
        if (
            self.full
            and data.get("kind") == ConnectionKind.REFERRED
            and not data.get("capacity_reason", "").strip()
        ):
            self.add_error(
                "capacity_reason",
                "Say why you are referring although the service is not accepting referrals",
            )
        return data


class ConnectionMoveForm(forms.Form):
    """Where a connection has got to, by the link worker's hand."""

    to = forms.ChoiceField(
        label="What has happened?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select what has happened"},
    )
    note = forms.CharField(label="Note (optional)", max_length=500, required=False)

    def __init__(self, *args, connection, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = connection.moves(by_hand=True)


class ProviderAnswerForm(forms.Form):
    """The provider's answer to a referral, through their link."""

    answer = forms.ChoiceField(
        label="Can you take this referral?",
        choices=[("accept", "Yes, we accept the referral"), ("decline", "No, we cannot take it")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you accept the referral"},
    )
    reason = forms.CharField(
        label="If not, why not?",
        help_text="The link worker uses this to find other support for the person",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("answer") == "decline" and not data.get("reason", "").strip():
            self.add_error("reason", "Say why you cannot take this referral")
        return data


class ProviderAttendanceForm(forms.Form):
    attended = forms.ChoiceField(
        label="Did the person come?",
        choices=[("yes", "Yes, they came"), ("no", "No, they did not come")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the person came"},
    )


class MeasureForm(forms.Form):
    """A wellbeing measure: when it was taken, at which point in the person's
    support, and one answer per item of the instrument, in its exact words."""

    timepoint = forms.ChoiceField(
        label="When in their support is this?",
        choices=Timepoint.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select baseline, review or discharge"},
    )
    taken_on = DateField(
        label="Date taken",
        help_text="For example, 27 11 2026",
        error_messages={"required": "Enter the date the measure was taken"},
    )

    def __init__(self, *args, instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.fields["taken_on"].initial = timezone.localdate()
        low, high = instrument.values[0], instrument.values[-1]
        for item in instrument.items:
            self.fields[item.key] = forms.TypedChoiceField(
                label=item.text,
                choices=instrument.scale,
                coerce=int,
                widget=forms.RadioSelect(attrs={"inline": len(instrument.scale) > 5}),
                error_messages={
                    "required": f"Select an answer for: {item.text}",
                    "invalid_choice": f"Answers are from {low} to {high}: {item.text}",
                },
            )

    def clean_taken_on(self):
        taken_on = self.cleaned_data["taken_on"]
        if taken_on > timezone.localdate():
            raise forms.ValidationError("The date the measure was taken must not be in the future")
        return taken_on

    def item_fields(self):
        return [self[item.key] for item in self.instrument.items]

    def answers(self):
        return {item.key: self.cleaned_data[item.key] for item in self.instrument.items}
