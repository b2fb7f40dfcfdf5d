"""The person and the referral, as every route asks for them, and the clinician's
one-page form (with its NHS number look-up)."""

from django import forms
from django.utils import timezone

from referrals.models import (
    Patient,
    Reason,
    Urgency,
)
from referrals.validators import (
    normalise_nhs_number,
    validate_nhs_number,
)
from spl.fields import DateField
from spl.models import Practice
from spl.postcodes import normalise_postcode, validate_postcode

CONSENT_LABEL = "The person has agreed to be contacted by a social prescribing link worker"


PATIENT_FIELDS = [
    "nhs_number",
    "given_name",
    "family_name",
    "date_of_birth",
    "postcode",
    "phone",
    "email",
    "registered_practice",
]
PATIENT_WIDGETS = {
    "nhs_number": forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-10"}),
    "given_name": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    "family_name": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    "postcode": forms.TextInput(attrs={"class": "nhsuk-input--width-10"}),
    "phone": forms.TextInput(attrs={"type": "tel", "class": "nhsuk-input--width-20"}),
    "email": forms.EmailInput(attrs={"spellcheck": "false"}),
}
PATIENT_ERRORS = {
    "given_name": {"required": "Enter the person's first name"},
    "family_name": {"required": "Enter the person's last name"},
    "registered_practice": {"required": "Select the person's GP practice"},
    "email": {"invalid": "Enter an email address in the correct format, like name@example.com"},
}


def urgency_field():
    return forms.ChoiceField(
        label="How urgent is it?",
        choices=Urgency.choices,
        initial=Urgency.ROUTINE,
        widget=forms.RadioSelect,
        help_text="Urgent referrals are contacted within 2 working days",
    )


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


class ReferralForm(forms.ModelForm):
    """What every route asks: who the person is, why they are referred, and consent.

    Subclasses choose the Patient fields (`Meta.fields`), the wording, and add the
    referrer's details where there is no account to take them from.
    """

    # Typed with spaces or dashes ("943 476 5919"), stored as 10 digits.
    nhs_number = forms.CharField(
        label="NHS number (optional)",
        help_text="Leave blank if you do not know it",
        required=False,
        max_length=16,
        widget=PATIENT_WIDGETS["nhs_number"],
    )
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
        fields = PATIENT_FIELDS
        labels = {"registered_practice": "GP practice"}
        widgets = PATIENT_WIDGETS
        error_messages = PATIENT_ERRORS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every practice, by name (practices are public); the clinician's form
        # narrows this to the user's PCNs.
        self.fields["registered_practice"].empty_label = "Select a practice"
        self.fields["phone"].label = "Phone number (optional)"
        self.fields["email"].label = "Email address (optional)"
        self.fields["postcode"].required = True
        self.fields["postcode"].error_messages["required"] = "Enter the person's postcode"

    def clean_nhs_number(self):
        number = normalise_nhs_number(self.cleaned_data["nhs_number"])
        if number:
            validate_nhs_number(number)
        return number

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

    def _get_validation_exclusions(self):
        # The NHS number is validated in clean_nhs_number. Whether it is already
        # known is the service's business: clinicians update the record they can
        # see, everyone else joins a record without changing it, and a form must
        # never tell the public that a number is known (the unique constraint's
        # message would).
        return super()._get_validation_exclusions() | {"nhs_number"}

    def referral_details(self):
        """The Referral fields for referrals.services.create_referral."""
        data = self.cleaned_data
        details = {
            "other_reason": data["other_reason"],
            "notes": data["notes"],
            "consent_to_contact": data["consent_to_contact"],
        }
        if "urgency" in data:
            details["urgency"] = data["urgency"]
        return details


class ClinicianReferralForm(ReferralForm):
    """One page for a GP: the person, why, how urgent, and consent."""

    urgency = urgency_field()

    field_order = [
        "nhs_number",
        "given_name",
        "family_name",
        "date_of_birth",
        "postcode",
        "phone",
        "email",
        "registered_practice",
        "reasons",
        "other_reason",
        "urgency",
        "notes",
        "consent_to_contact",
    ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registered_practice"].queryset = Practice.objects.visible_to(user).order_by(
            "name"
        )
