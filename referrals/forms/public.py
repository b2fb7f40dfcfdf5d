"""The public forms, for people without an account: self-referral and agencies.
Each has a honeypot field, and finds the GP practice from what is typed."""

from django import forms

from referrals.forms.intake import (
    PATIENT_ERRORS,
    PATIENT_FIELDS,
    PATIENT_WIDGETS,
    ReferralForm,
    urgency_field,
)
from referrals.models import (
    ContactMethod,
    OrganisationType,
)
from spl.fields import DateField, DateInput
from spl.models import Practice

REFERRER_FIELDS = [
    "referrer_name",
    "referrer_organisation",
    "referrer_organisation_type",
    "referrer_email",
    "referrer_phone",
]


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
