import re

from django import forms
from django.db.models import Q
from django.utils import timezone

from referrals.models import (
    ContactMethod,
    OrganisationType,
    Patient,
    Reason,
    Referral,
    Route,
    Status,
    Urgency,
)
from referrals.validators import (
    normalise_nhs_number,
    validate_nhs_number,
)
from spl.fields import DateField, DateInput
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
REFERRER_FIELDS = [
    "referrer_name",
    "referrer_organisation",
    "referrer_organisation_type",
    "referrer_email",
    "referrer_phone",
]


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


class HoneypotMixin(forms.Form):
    """A field people never see or fill in (hidden by CSS and from screen readers);
    form-filling bots do. The view discards a submission that fills it."""

    website = forms.CharField(required=False, label="Leave this empty")

    def is_spam(self):
        return bool(self.data.get(self.add_prefix("website"), "").strip())


class PracticeFinderMixin(forms.Form):
    """The GP practice, found from what the person types rather than picked from
    every practice in the country: "Find practice" (a submit button, so it works
    without JavaScript) shows the practices that match as radios, and nothing
    typed elsewhere is lost. A form built with `finding=True` only finds: it
    reports no errors."""

    MATCHES = 10
    # (hint, nothing typed, nothing found): subclasses word them for their reader.
    finder_wording = (
        "Type the name of the practice, its town or its postcode, then select Find practice",
        "Enter the name, town or postcode of the person's GP practice",
        "No GP practice matches “{}”. Check the spelling, or try the town or postcode",
    )

    practice_search = forms.CharField(label="GP practice", required=False, max_length=100)

    def __init__(self, *args, finding=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.finding = finding
        hint, missing, _ = self.finder_wording
        self.fields["practice_search"].help_text = hint
        practice = self.fields["registered_practice"]
        practice.label = "Select the practice"
        practice.widget = forms.RadioSelect()
        practice.empty_label = None
        practice.error_messages["required"] = missing
        practice.queryset = Practice.objects.filter(pk__in=self._practice_ids()).order_by("name")
        practice.label_from_instance = lambda p: ", ".join(
            part for part in (p.name, p.town, p.postcode) if part
        )

    def _practice_ids(self):
        """The practices to offer: those matching the search, and the one chosen."""
        if not self.is_bound:
            return []
        search = self.data.get(self.add_prefix("practice_search"), "")
        ids = list(
            Practice.objects.matching(str(search))[: self.MATCHES].values_list("pk", flat=True)
        )
        chosen = str(self.data.get(self.add_prefix("registered_practice"), ""))
        if chosen.isdecimal() and len(chosen) < 19:
            ids.append(int(chosen))
        return ids

    def full_clean(self):
        if self.finding:
            self._errors, self.cleaned_data = forms.utils.ErrorDict(), {}
            return
        super().full_clean()

    def clean(self):
        cleaned = super().clean()
        offered = self.fields["registered_practice"].queryset
        if "registered_practice" in self._errors and not offered.exists():
            # Nothing to select: the message belongs to the search box.
            del self._errors["registered_practice"]
            search = cleaned.get("practice_search", "")
            _, missing, not_found = self.finder_wording
            self.add_error("practice_search", not_found.format(search) if search else missing)
        return cleaned

    def _get_validation_exclusions(self):
        excluded = super()._get_validation_exclusions()
        return excluded | {"registered_practice"} if "practice_search" in self._errors else excluded


class AgencyReferralForm(HoneypotMixin, PracticeFinderMixin, ReferralForm):
    """For organisations without an account: pharmacies, discharge teams, police..."""

    referrer_name = forms.CharField(
        label="Your full name",
        max_length=150,
        error_messages={"required": "Enter your full name"},
    )
    referrer_organisation = forms.CharField(
        label="Organisation",
        max_length=200,
        error_messages={"required": "Enter the name of your organisation"},
    )
    referrer_organisation_type = forms.ChoiceField(
        label="Type of organisation",
        choices=[("", "Select a type"), *OrganisationType.choices],
        error_messages={"required": "Select the type of organisation"},
    )
    referrer_email = forms.EmailField(
        label="Your work email address",
        help_text="We will email you to confirm we have received the referral, and what happens",
        max_length=254,
        error_messages={
            "required": "Enter your work email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    referrer_phone = forms.CharField(
        label="Your phone number",
        max_length=30,
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "tel", "class": "nhsuk-input--width-20"}
        ),
        error_messages={"required": "Enter a phone number we can call you on"},
    )
    urgency = urgency_field()

    field_order = [
        "referrer_name",
        "referrer_organisation",
        "referrer_organisation_type",
        "referrer_email",
        "referrer_phone",
        "nhs_number",
        "given_name",
        "family_name",
        "date_of_birth",
        "postcode",
        "phone",
        "email",
        "practice_search",
        "registered_practice",
        "reasons",
        "other_reason",
        "urgency",
        "notes",
        "consent_to_contact",
        "website",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practice_search"].label = "The person's GP practice"

    def referral_details(self):
        return {
            **super().referral_details(),
            **{name: self.cleaned_data[name] for name in REFERRER_FIELDS},
        }


class SelfReferralForm(HoneypotMixin, PracticeFinderMixin, ReferralForm):
    """For people referring themselves: plain words, only what a link worker needs."""

    # The person's own words for what every route asks: (label, hint, message if missing).
    wording = {
        "reasons": (
            "What would you like help with?",
            "Select all that apply",
            "Select at least one thing you would like help with",
        ),
        "other_reason": ("If something else, tell us what", "", None),
        "notes": (
            "Is there anything else you would like us to know? (optional)",
            "For example, the best time to call you",
            None,
        ),
        "consent_to_contact": (
            "I agree to a social prescribing link worker contacting me",
            "",
            "Confirm you agree to a link worker contacting you",
        ),
    }

    finder_wording = (
        "Type the name of the surgery where you are registered, its town or its postcode, "
        "then select Find practice",
        "Enter the name, town or postcode of your GP practice",
        "No GP practice matches “{}”. Check the spelling, or try the town or postcode",
    )

    date_of_birth = DateField(
        label="Date of birth",
        help_text="For example, 15 3 1984",
        widget=DateInput(autocomplete="bday"),
        error_messages={"required": "Enter your date of birth"},
    )

    # A letter needs an address: asked under the "Letter" choice.
    conditional_fields = {
        "preferred_contact_method": {
            ContactMethod.LETTER: ["address_line_1", "address_line_2", "town"]
        }
    }

    class Meta(ReferralForm.Meta):
        fields = [
            *PATIENT_FIELDS,
            "preferred_contact_method",
            "address_line_1",
            "address_line_2",
            "town",
            "accessible_information_needs",
        ]
        labels = {
            "given_name": "First name",
            "family_name": "Last name",
            "registered_practice": "Your GP practice",
            "preferred_contact_method": "How would you like us to contact you?",
            "address_line_1": "Address line 1",
            "address_line_2": "Address line 2 (optional)",
            "town": "Town or city",
            "accessible_information_needs": "Do you need any help to communicate with us? "
            "(optional)",
        }
        error_messages = {
            **PATIENT_ERRORS,
            "given_name": {"required": "Enter your first name"},
            "family_name": {"required": "Enter your last name"},
            "registered_practice": {"required": "Select your GP practice"},
            "preferred_contact_method": {"required": "Select how you would like us to contact you"},
        }
        # The person's own details: let the browser fill them in (WCAG 1.3.5).
        widgets = {
            **PATIENT_WIDGETS,
            "given_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "family_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "postcode": forms.TextInput(
                attrs={"autocomplete": "postal-code", "class": "nhsuk-input--width-10"}
            ),
            "phone": forms.TextInput(
                attrs={"type": "tel", "autocomplete": "tel", "class": "nhsuk-input--width-20"}
            ),
            "email": forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
            "preferred_contact_method": forms.RadioSelect,
            "address_line_1": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "address_line_2": forms.TextInput(attrs={"autocomplete": "address-line2"}),
            "town": forms.TextInput(
                attrs={"autocomplete": "address-level2", "class": "nhsuk-u-width-two-thirds"}
            ),
            "accessible_information_needs": forms.Textarea(attrs={"rows": 3}),
        }

    field_order = [
        "given_name",
        "family_name",
        "date_of_birth",
        "postcode",
        "practice_search",
        "registered_practice",
        "preferred_contact_method",
        "address_line_1",
        "address_line_2",
        "town",
        "phone",
        "email",
        "nhs_number",
        "reasons",
        "other_reason",
        "notes",
        "accessible_information_needs",
        "consent_to_contact",
        "website",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.fields
        for name, (label, hint, missing) in self.wording.items():
            fields[name].label, fields[name].help_text = label, hint
            if missing:
                fields[name].error_messages["required"] = missing
        fields["practice_search"].label = "Your GP practice"
        fields["postcode"].error_messages["required"] = "Enter your postcode"
        fields["nhs_number"].help_text = (
            "You can find it on a letter from the NHS or in the NHS App. Leave blank if you "
            "do not know it"
        )
        fields["phone"].help_text = "We will usually phone you first"
        fields[
            "accessible_information_needs"
        ].help_text = "For example, an interpreter, large print or British Sign Language"
        fields["preferred_contact_method"].required = True
        fields["preferred_contact_method"].choices = ContactMethod.choices

    def referral_details(self):
        # The person is their own referrer: what they typed here is where we tell
        # them what happens, even when the referral joins a record we already hold.
        data = self.cleaned_data
        return {
            **super().referral_details(),
            "referrer_name": f"{data['given_name']} {data['family_name']}",
            "referrer_email": data["email"],
            "referrer_phone": data["phone"],
        }

    def clean(self):
        cleaned = super().clean()
        method = cleaned.get("preferred_contact_method")
        if method in (ContactMethod.PHONE, ContactMethod.TEXT) and not cleaned.get("phone"):
            self.add_error("phone", "Enter a phone number, or choose another way to contact you")
        if method == ContactMethod.EMAIL and not cleaned.get("email"):
            self.add_error("email", "Enter an email address, or choose another way to contact you")
        if method == ContactMethod.LETTER:
            if not cleaned.get("address_line_1", "").strip():
                self.add_error("address_line_1", "Enter the first line of your address")
            if not cleaned.get("town", "").strip():
                self.add_error("town", "Enter your town or city")
        return cleaned


class TriageFilterForm(forms.Form):
    """The filters above the triage list (GET): every choice is validated."""

    status = forms.ChoiceField(
        choices=[("", "Any status"), *Status.choices],
        required=False,
        initial=Status.AWAITING_TRIAGE,
    )
    practice = forms.ModelChoiceField(
        queryset=Practice.objects.none(), required=False, empty_label="Any practice"
    )
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
        label="Merge into",
        queryset=Referral.objects.none(),
        required=False,
        empty_label="Choose a referral",
    )
    conditional_fields = {"decision": {"merge": ["merge_into"]}}

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


class CodingFilterForm(forms.Form):
    """The filters above the practice coding list (GET)."""

    TO_CODE, CODED, ALL = "to_code", "coded", "all"

    show = forms.ChoiceField(
        label="Show",
        choices=[(TO_CODE, "Still to code"), (CODED, "Already coded"), (ALL, "All")],
        required=False,
    )
    practice = forms.ModelChoiceField(
        label="Practice",
        queryset=Practice.objects.none(),
        required=False,
        empty_label="All your practices",
    )

    def __init__(self, *args, practices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practice"].queryset = practices
        if len(practices) < 2:
            del self.fields["practice"]

    def filter(self, referrals):
        data = self.cleaned_data if self.is_valid() else {}
        show = data.get("show") or self.TO_CODE
        if show == self.TO_CODE:
            referrals = referrals.filter(coded_in_gp_record_at__isnull=True)
        elif show == self.CODED:
            referrals = referrals.filter(coded_in_gp_record_at__isnull=False)
        if data.get("practice"):
            referrals = referrals.filter(patient__registered_practice=data["practice"])
        return referrals


# A referrer's own referrals ---------------------------------------------------

# SPL-7K3M-9QPD typed any way ("spl 7k3m 9qpd", "7K3M9QPD"); without "SPL" the
# code must hold a digit, so that a name like "Blackman" is searched as a name.
_REFERENCE = re.compile(r"^(?:SPL([2-9A-HJ-NP-Z]{8})|(?=.*[2-9])([2-9A-HJ-NP-Z]{8}))$")


class FindMyReferralForm(forms.Form):
    """Search among your referrals. Sent as a POST, so names stay out of URLs."""

    q = forms.CharField(
        label="Find a referral",
        help_text="A reference like SPL-7K3M-9QPD, or the person's name",
        max_length=100,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-20", "spellcheck": "false"}),
        error_messages={"required": "Enter a reference or a name"},
    )

    def filter(self, referrals):
        text = self.cleaned_data["q"]
        reference = _REFERENCE.match(re.sub(r"[^0-9A-Z]", "", text.upper()))
        if reference:
            code = reference.group(1) or reference.group(2)
            return referrals.filter(reference=f"SPL-{code[:4]}-{code[4:]}")
        for word in text.split()[:5]:
            referrals = referrals.filter(
                Q(patient__given_name__icontains=word) | Q(patient__family_name__icontains=word)
            )
        return referrals


class AddInformationForm(forms.Form):
    information = forms.CharField(
        label="What would you like to add?",
        help_text="The link workers see it with the referral's notes",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the information to add"},
    )


class WithdrawReferralForm(forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing the referral?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why you are withdrawing the referral"},
    )
