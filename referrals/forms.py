from django import forms
from django.utils import timezone

from referrals.models import Patient, Reason, Referral, Route, Status, Urgency
from referrals.validators import (
    normalise_nhs_number,
    normalise_postcode,
    validate_nhs_number,
    validate_postcode,
)
from spl.fields import DateField
from spl.models import Practice

CONSENT_LABEL = "The person has agreed to be contacted by a social prescribing link worker"


class FindPatientForm(forms.Form):
    nhs_number = forms.CharField(
        label="NHS number",
        help_text="10 digits, for example 943 476 5919",
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-10"}),
        error_messages={"required": "Enter the NHS number to find the patient"},
    )

    def clean_nhs_number(self):
        number = normalise_nhs_number(self.cleaned_data["nhs_number"])
        validate_nhs_number(number)
        return number


class ClinicianReferralForm(forms.ModelForm):
    """One page for a GP: the person, why, how urgent, and consent."""

    date_of_birth = DateField(
        label="Date of birth",
        help_text="For example, 15 3 1984",
        error_messages={"required": "Enter the person's date of birth"},
    )
    reasons = forms.MultipleChoiceField(
        label="Reasons for referral",
        help_text="Select all that apply",
        choices=Reason.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one reason for the referral"},
    )
    other_reason = forms.CharField(
        label="If other, what is the reason?", required=False, max_length=200
    )
    urgency = forms.ChoiceField(
        label="How urgent is it?",
        choices=Urgency.choices,
        initial=Urgency.ROUTINE,
        widget=forms.RadioSelect,
        help_text="Urgent referrals are contacted within 2 working days",
    )
    notes = forms.CharField(
        label="Anything the link worker should know (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, the best way to approach the person or risks to be aware of",
    )
    consent_to_contact = forms.BooleanField(
        label=CONSENT_LABEL,
        error_messages={"required": "Confirm the person has agreed to be contacted"},
    )

    class Meta:
        model = Patient
        fields = [
            "nhs_number",
            "given_name",
            "family_name",
            "date_of_birth",
            "postcode",
            "phone",
            "email",
            "registered_practice",
        ]
        labels = {"registered_practice": "GP practice"}
        widgets = {
            "nhs_number": forms.TextInput(
                attrs={"inputmode": "numeric", "class": "nhsuk-input--width-10"}
            ),
            "postcode": forms.TextInput(
                attrs={"autocomplete": "postal-code", "class": "nhsuk-input--width-10"}
            ),
            "phone": forms.TextInput(attrs={"type": "tel", "class": "nhsuk-input--width-20"}),
        }
        error_messages = {
            "given_name": {"required": "Enter the person's first name"},
            "family_name": {"required": "Enter the person's last name"},
            "registered_practice": {"required": "Select the person's GP practice"},
            "email": {
                "invalid": "Enter an email address in the correct format, like name@example.com"
            },
        }

    field_order = [
        "nhs_number", "given_name", "family_name", "date_of_birth", "postcode", "phone",
        "email", "registered_practice", "reasons", "other_reason", "urgency", "notes",
        "consent_to_contact",
    ]  # fmt: skip

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registered_practice"].queryset = Practice.objects.visible_to(user).order_by(
            "name"
        )
        self.fields["registered_practice"].empty_label = "Select a practice"
        self.fields["nhs_number"].help_text = "Leave blank if you do not know it"
        self.fields["nhs_number"].label = "NHS number (optional)"
        self.fields["phone"].label = "Phone number (optional)"
        self.fields["email"].label = "Email address (optional)"
        self.fields["postcode"].required = True
        self.fields["postcode"].error_messages["required"] = "Enter the person's postcode"

    def clean_nhs_number(self):
        return normalise_nhs_number(self.cleaned_data["nhs_number"])

    def clean_postcode(self):
        postcode = self.cleaned_data["postcode"]
        validate_postcode(postcode)
        return normalise_postcode(postcode)

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if born > today:
            raise forms.ValidationError("Date of birth must be in the past")
        if born.year < today.year - 120:
            raise forms.ValidationError(f"Date of birth must be after {today.year - 120}")
        return born

    def clean(self):
        cleaned = super().clean()
        if "other" in cleaned.get("reasons", []) and not cleaned.get("other_reason", "").strip():
            self.add_error("other_reason", "Say what the other reason is")
        return cleaned

    def validate_unique(self):
        # A known NHS number means an existing patient, which the view updates
        # rather than duplicates; uniqueness is the service's business.
        pass


class TriageFilterForm(forms.Form):
    """The filters above the triage list (GET): every choice is validated."""

    status = forms.ChoiceField(
        choices=[("", "Any status"), *Status.choices], required=False, initial="awaiting_triage"
    )
    practice = forms.ModelChoiceField(queryset=Practice.objects.none(), required=False,
                                      empty_label="Any practice")  # fmt: skip
    route = forms.ChoiceField(choices=[("", "Any route"), *Route.choices], required=False)
    urgency = forms.ChoiceField(choices=[("", "Any urgency"), *Urgency.choices], required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practice"].queryset = Practice.objects.visible_to(user).order_by("name")

    def filter(self, referrals):
        if not self.is_valid():
            return referrals.awaiting_triage()
        data = self.cleaned_data
        status = data["status"] if "status" in self.data else Status.AWAITING_TRIAGE
        if status:
            referrals = referrals.filter(status=status)
        if data["practice"]:
            referrals = referrals.filter(patient__registered_practice=data["practice"])
        if data["route"]:
            referrals = referrals.filter(route=data["route"])
        if data["urgency"]:
            referrals = referrals.filter(urgency=data["urgency"])
        return referrals


class TriageForm(forms.Form):
    """A triage decision on the referral page."""

    decision = forms.ChoiceField(
        label="What has happened?",
        widget=forms.RadioSelect,
        choices=[
            ("accept", "The person has agreed to support: accept"),
            ("declined", "The person declined social prescribing"),
            ("not_appropriate", "Not appropriate: redirected elsewhere"),
            ("merge", "A duplicate: merge into another open referral"),
        ],
        error_messages={"required": "Choose what has happened"},
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when the referral is not appropriate: say why and where it went instead",
    )
    merge_into = forms.ModelChoiceField(
        label="Merge into", queryset=Referral.objects.none(), required=False,
        empty_label="Choose a referral",
    )  # fmt: skip

    def __init__(self, *args, duplicates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["merge_into"].queryset = duplicates
        self.fields["merge_into"].label_from_instance = lambda r: (
            f"{r.reference}, received {r.received_at:%-d %b %Y} ({r.get_status_display()})"
        )
        if not duplicates.exists():
            del self.fields["merge_into"]
            self.fields["decision"].choices = self.fields["decision"].choices[:3]

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision == "not_appropriate" and not cleaned.get("note", "").strip():
            self.add_error("note", "Say why the referral is not appropriate, and where it went")
        if decision == "merge" and not cleaned.get("merge_into"):
            self.add_error("merge_into", "Choose the referral to merge this one into")
        return cleaned
