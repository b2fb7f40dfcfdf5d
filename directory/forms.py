from functools import partial

from django import forms
from django.db.models import Q

from directory.models import (
    Contact,
    Location,
    Organisation,
    QAStatus,
    QualityCheck,
    Schedule,
    Service,
    TaxonomyTerm,
    search_words,
)
from directory.taxonomy import ACTIVITIES, NEEDS, taxonomy_id
from spl.fields import DateField, ModelChoiceField, ModelMultipleChoiceField
from spl.models import PCN
from spl.postcodes import normalise_postcode, postcode_district, validate_postcode


class ServiceSearchForm(forms.Form):
    """The search above the directory (GET). Every value is validated; an invalid
    one is reported next to its field and the others still apply."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        help_text="For example, debt advice, walking or a group's name",
    )
    near = forms.CharField(
        label="Near (postcode or place)",
        required=False,
        max_length=100,
        help_text="The person's postcode or its first part, like LS7, or a place, like Chapeltown",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    need = ModelChoiceField(
        label="Need",
        queryset=TaxonomyTerm.objects.none(),
        required=False,
        empty_label="Any need",
        to_field_name="code",
    )
    activity = ModelChoiceField(
        label="Activity",
        queryset=TaxonomyTerm.objects.none(),
        required=False,
        empty_label="Any activity",
        to_field_name="code",
    )
    age = forms.IntegerField(
        label="Age of the person",
        required=False,
        min_value=0,
        max_value=120,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-3"}),
        error_messages={
            "invalid": "Age must be a number, like 67",
            "min_value": "Age must be 0 or more",
            "max_value": "Age must be 120 or less",
        },
    )
    qa = forms.ChoiceField(
        label="Quality assurance",
        required=False,
        choices=[("", "Any"), *QAStatus.choices],
    )
    accepting = forms.BooleanField(label="Only services accepting referrals now", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need"].queryset = TaxonomyTerm.objects.filter(taxonomy_id=taxonomy_id(NEEDS))
        self.fields["activity"].queryset = TaxonomyTerm.objects.filter(
            taxonomy_id=taxonomy_id(ACTIVITIES)
        )

    def clean_near(self):
        """A postcode district ({"district": "LS7"}) when there are digits in it,
        else a place name ({"place": "Chapeltown"}); {} when empty."""
        text = " ".join(self.cleaned_data["near"].split())
        if not text:
            return {}
        if any(character.isdigit() for character in text):
            return {"district": postcode_district(text)}
        return {"place": text}

    def order(self):
        """How the results are sorted, in words: "Best matches first, then those
        nearest LS7"; "" when by name."""
        data = getattr(self, "cleaned_data", {})
        near = data.get("near") or {}
        where = f"nearest {near['district']}" if "district" in near else f"in {near.get('place')}"
        if search_words(data.get("q", "")):
            return f"Best matches first, then those {where}" if near else "Best matches first"
        return f"Those {where} first" if near else ""

    def filter(self, services):
        self.is_valid()
        data = {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v not in ("", None)}
        services = services.search(data.get("q", ""), **data.get("near", {}))
        for term in (data.get("need"), data.get("activity")):
            if term:
                services = services.filter(taxonomy_terms=term)
        if "age" in data:
            age = data["age"]
            services = services.filter(
                Q(minimum_age__isnull=True) | Q(minimum_age__lte=age),
                Q(maximum_age__isnull=True) | Q(maximum_age__gte=age),
            )
        if data.get("qa"):
            services = services.filter(qa_status=data["qa"])
        if data.get("accepting"):
            services = services.filter(accepting_referrals=True)
        return services


# Managing the directory: the forms directory managers fill in.

# Web addresses typed without a scheme are taken as https (Django 6's default).
HttpsURLField = partial(forms.URLField, assume_scheme="https")
NUMBER_FIELDS = (
    "minimum_age",
    "maximum_age",
    "waiting_time_weeks",
    "available_places",
    "maximum_places",
)
NUMBER_INPUT = {"inputmode": "numeric", "class": "nhsuk-input--width-4"}


class OrganisationForm(forms.ModelForm):
    """An organisation's details. Its PCN is chosen only when the manager has several."""

    class Meta:
        model = Organisation
        fields = [
            "pcn",
            "name",
            "description",
            "website",
            "email",
            "charity_number",
            "company_number",
        ]
        labels = {
            "pcn": "Which PCN's directory is it in?",
            "name": "Name of the organisation",
            "description": "What the organisation does",
            "email": "Email address for enquiries",
        }
        help_texts = {
            "pcn": "The directory managers of this PCN look after it",
            "charity_number": "Registered charity number, like 1098765 or SC012345",
            "company_number": "Companies House number, like 05123456 or SC123456",
        }
        field_classes = {"website": HttpsURLField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "website": forms.URLInput(attrs={"spellcheck": "false"}),
            "email": forms.EmailInput(attrs={"spellcheck": "false"}),
            "charity_number": forms.TextInput(attrs={"class": "nhsuk-input--width-10"}),
            "company_number": forms.TextInput(attrs={"class": "nhsuk-input--width-10"}),
        }
        error_messages = {
            "name": {"required": "Enter the name of the organisation"},
            "description": {"required": "Enter what the organisation does"},
            "pcn": {"required": "Select which PCN's directory it is in"},
            "website": {"invalid": "Enter a web address, like https://www.example.org.uk"},
            "email": {"invalid": "Enter an email address, like name@example.org.uk"},
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        pcns = PCN.objects.visible_to(user).order_by("name")
        self.only_pcn = None
        if self.instance._state.adding and len(pcns) > 1:
            self.fields["pcn"].queryset = pcns
            self.fields["pcn"].empty_label = None
            self.fields["pcn"].widget = forms.RadioSelect()
            self.fields["pcn"].widget.choices = self.fields["pcn"].choices
        else:
            # An organisation never moves between PCNs; a new one goes in the only PCN.
            del self.fields["pcn"]
            if self.instance._state.adding:
                self.only_pcn = pcns.first()

    def clean(self):
        cleaned = super().clean()
        if self.only_pcn:
            cleaned["pcn"] = self.only_pcn
        return cleaned


class ServiceForm(forms.ModelForm):
    """A service: what it is, who it is for, how to connect someone, and its capacity."""

    PAGE_ORDER = (
        "name",
        "description",
        "status",
        "alert",
        "needs",
        "activities",
        "eligibility",
        "minimum_age",
        "maximum_age",
        "fees",
        "access",
        "referral_email",
        "referral_instructions",
        "accepting_referrals",
        "waiting_time_weeks",
        "available_places",
        "maximum_places",
        "email",
        "url",
        "accreditations",
    )

    needs = ModelMultipleChoiceField(
        label="Which needs does it help with?",
        queryset=TaxonomyTerm.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Link workers find it under these needs. Select all that apply.",
    )
    activities = ModelMultipleChoiceField(
        label="What kind of activity is it?",
        queryset=TaxonomyTerm.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
    )

    class Meta:
        model = Service
        fields = [
            "name",
            "description",
            "status",
            "alert",
            "eligibility",
            "minimum_age",
            "maximum_age",
            "access",
            "referral_email",
            "referral_instructions",
            "email",
            "url",
            "fees",
            "accreditations",
            "accepting_referrals",
            "waiting_time_weeks",
            "available_places",
            "maximum_places",
            "taxonomy_terms",
        ]
        labels = {
            "name": "Name of the service",
            "description": "What the service offers",
            "status": "Is the service running?",
            "alert": "Notice to show link workers (optional)",
            "eligibility": "Who is it for? (optional)",
            "minimum_age": "Youngest age (optional)",
            "maximum_age": "Oldest age (optional)",
            "access": "How do people get to the service?",
            "referral_email": "Email address for referrals",
            "referral_instructions": "What the service needs with a referral (optional)",
            "email": "Email address for enquiries (optional)",
            "url": "Website (optional)",
            "fees": "Cost (optional)",
            "accreditations": "Accreditations (optional)",
            "accepting_referrals": "Accepting new referrals now",
            "waiting_time_weeks": "Typical wait in weeks (optional)",
            "available_places": "Places free now (optional)",
            "maximum_places": "Places in all (optional)",
        }
        help_texts = {
            "alert": "For example, closed over Christmas. Shown at the top of the service page.",
            "eligibility": "For example, carers of people living with dementia",
            "referral_email": "A secure address, such as nhs.net. Needed for direct referral.",
            "referral_instructions": "For example, the person's consent and the best time to call",
            "fees": "Leave empty if it is free",
            "maximum_places": "Leave empty if there is no fixed number",
        }
        field_classes = {"url": HttpsURLField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "alert": forms.Textarea(attrs={"rows": 2}),
            "eligibility": forms.Textarea(attrs={"rows": 2}),
            "referral_instructions": forms.Textarea(attrs={"rows": 3}),
            "fees": forms.Textarea(attrs={"rows": 2}),
            "accreditations": forms.Textarea(attrs={"rows": 2}),
            "status": forms.RadioSelect,
            "access": forms.RadioSelect,
            "minimum_age": forms.TextInput(attrs=NUMBER_INPUT),
            "maximum_age": forms.TextInput(attrs=NUMBER_INPUT),
            "waiting_time_weeks": forms.TextInput(attrs=NUMBER_INPUT),
            "available_places": forms.TextInput(attrs=NUMBER_INPUT),
            "maximum_places": forms.TextInput(attrs=NUMBER_INPUT),
            "referral_email": forms.EmailInput(attrs={"spellcheck": "false"}),
            "email": forms.EmailInput(attrs={"spellcheck": "false"}),
            "url": forms.URLInput(attrs={"spellcheck": "false"}),
        }
        error_messages = {
            "name": {"required": "Enter the name of the service"},
            "description": {"required": "Enter what the service offers"},
            "url": {"invalid": "Enter a web address, like https://www.example.org.uk"},
            "email": {"invalid": "Enter an email address, like name@example.org.uk"},
            "referral_email": {"invalid": "Enter an email address, like referrals@nhs.net"},
            **{
                name: {
                    "invalid": "Enter a whole number, like 12",
                    "min_value": "Enter 0 or more",
                    "max_value": "Enter 120 or less"
                    if name.endswith("_age")
                    else "Enter a smaller number",
                }
                for name in NUMBER_FIELDS
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["needs"].queryset = TaxonomyTerm.objects.filter(
            taxonomy_id=taxonomy_id(NEEDS)
        ).order_by("name")
        self.fields["activities"].queryset = TaxonomyTerm.objects.filter(
            taxonomy_id=taxonomy_id(ACTIVITIES)
        ).order_by("name")
        # The two lists of checkboxes stand for the one taxonomy_terms field.
        del self.fields["taxonomy_terms"]
        if not self.instance._state.adding:
            chosen = {term.pk for term in self.instance.taxonomy_terms.all()}
            for name in ("needs", "activities"):
                self.initial[name] = [
                    term.pk for term in self.fields[name].queryset if term.pk in chosen
                ]
        # In the order of the page (service_form.html), so the error summary is too.
        self.order_fields(self.PAGE_ORDER)
        self.fields["status"].choices = [
            (Service.Status.ACTIVE, "Yes, it is running"),
            (Service.Status.TEMPORARILY_CLOSED, "It is closed for now"),
            (Service.Status.INACTIVE, "No, it is not running at the moment"),
            (Service.Status.DEFUNCT, "No, it has closed for good"),
        ]

    def clean(self):
        cleaned = super().clean()
        # Say which field to fix, rather than the model constraints' general messages.
        low, high = cleaned.get("minimum_age"), cleaned.get("maximum_age")
        if low is not None and high is not None and low > high:
            self.add_error(
                "maximum_age", "Oldest age must be the same as or more than the youngest"
            )
        free, places = cleaned.get("available_places"), cleaned.get("maximum_places")
        if free is not None and places is not None and free > places:
            self.add_error("available_places", "Places free cannot be more than places in all")
        no_address = not cleaned.get("referral_email") and "referral_email" not in self.errors
        if cleaned.get("access") == Service.Access.DIRECT_REFERRAL and no_address:
            self.add_error("referral_email", "Enter the email address that referrals go to")
        # The two lists of checkboxes are the one taxonomy_terms field.
        cleaned["taxonomy_terms"] = [*cleaned.pop("needs", []), *cleaned.pop("activities", [])]
        return cleaned


class LocationForm(forms.ModelForm):
    """A place where an organisation runs services, and which of its services run there."""

    class Meta:
        model = Location
        fields = [
            "name",
            "address_1",
            "city",
            "postcode",
            "description",
            "accessibility",
            "latitude",
            "longitude",
            "services",
        ]
        labels = {
            "name": "Name of the place",
            "description": "Finding it (optional)",
            "accessibility": "Accessibility (optional)",
            "latitude": "Latitude (optional)",
            "longitude": "Longitude (optional)",
            "services": "Which services run here?",
        }
        help_texts = {
            "name": "For example, Armley Community Centre",
            "description": "For example, the entrance is on Town Street",
            "latitude": "For a map, like 53.7997",
            "longitude": "For a map, like -1.5492",
            "services": "Select all that apply",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "accessibility": forms.Textarea(attrs={"rows": 2}),
            "address_1": forms.TextInput(attrs={"autocomplete": "off"}),
            "postcode": forms.TextInput(attrs={"class": "nhsuk-input--width-10"}),
            "latitude": forms.TextInput(attrs={"class": "nhsuk-input--width-10"}),
            "longitude": forms.TextInput(attrs={"class": "nhsuk-input--width-10"}),
            "services": forms.CheckboxSelectMultiple,
        }
        error_messages = {
            "name": {"required": "Enter the name of the place"},
            "address_1": {"required": "Enter the first line of the address"},
            "city": {"required": "Enter the town or city"},
            "postcode": {"required": "Enter the postcode"},
            "latitude": {
                "invalid": "Latitude must be a number, like 53.7997",
                "min_value": "Latitude must be between -90 and 90",
                "max_value": "Latitude must be between -90 and 90",
                "max_digits": "Latitude must have no more than 6 decimal places",
                "max_decimal_places": "Latitude must have no more than 6 decimal places",
                "max_whole_digits": "Latitude must be between -90 and 90",
            },
            "longitude": {
                "invalid": "Longitude must be a number, like -1.5492",
                "min_value": "Longitude must be between -180 and 180",
                "max_value": "Longitude must be between -180 and 180",
                "max_digits": "Longitude must have no more than 6 decimal places",
                "max_decimal_places": "Longitude must have no more than 6 decimal places",
                "max_whole_digits": "Longitude must be between -180 and 180",
            },
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = organisation.services.order_by("name")
        self.fields["services"].required = False

    def clean_postcode(self):
        postcode = self.cleaned_data["postcode"]
        validate_postcode(postcode)
        return normalise_postcode(postcode)

    def clean(self):
        cleaned = super().clean()
        one_only = (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None)
        if one_only and not {"latitude", "longitude"} & set(self.errors):
            missing = "latitude" if cleaned.get("latitude") is None else "longitude"
            self.add_error(missing, f"Enter the {missing} too, or neither")
        return cleaned


class QualityCheckForm(forms.Form):
    """A quality check of an organisation: what kind, the evidence seen, and its dates."""

    kind = forms.ChoiceField(
        label="What was checked?",
        choices=QualityCheck.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what was checked"},
    )
    evidence = forms.CharField(
        label="Evidence seen",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="For example, safeguarding policy version 4, approved by the trustees "
        "on 3 March 2026",
        error_messages={"required": "Enter the evidence you saw"},
    )
    checked_on = DateField(
        label="Date of the check",
        help_text="For example, 15 3 2026",
    )
    expires_on = DateField(
        label="Date it expires",
        help_text="When it must be checked again: the policy's review date, the insurance "
        "renewal date or the ICO registration's expiry. For example, 15 3 2027",
    )


class ContactForm(forms.ModelForm):
    """Someone to contact about a service, with a phone number or email address."""

    class Meta:
        model = Contact
        fields = ["name", "title", "phone", "email"]
        labels = {
            "name": "Name (optional)",
            "title": "Job title or team (optional)",
            "phone": "Phone number",
            "email": "Email address",
        }
        help_texts = {
            "title": "For example, Volunteer coordinator",
            "phone": "For example, 0113 496 0000",
        }
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "class": "nhsuk-input--width-20"}),
            "email": forms.EmailInput(attrs={"spellcheck": "false"}),
        }
        error_messages = {
            "email": {"invalid": "Enter an email address, like name@example.org.uk"},
        }

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("phone") and not cleaned.get("email"):
            self.add_error("phone", "Enter a phone number or an email address")
        return cleaned


class ScheduleForm(forms.ModelForm):
    """When a service runs: the days of the week, its hours and anything to add."""

    days = forms.MultipleChoiceField(
        label="Which days does it run?",
        choices=list(Schedule.DAY_NAMES.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave empty if the days change: say when in the description",
    )
    TIME_HELP = "Use the 24-hour clock, like 09:30 or 14:00"

    class Meta:
        model = Schedule
        fields = ["opens_at", "closes_at", "description"]
        labels = {
            "opens_at": "Opens at (optional)",
            "closes_at": "Closes at (optional)",
            "description": "Anything else about when (optional)",
        }
        help_texts = {
            "description": "For example, every other Tuesday, not on bank holidays",
        }
        widgets = {
            "opens_at": forms.TimeInput(format="%H:%M", attrs={"class": "nhsuk-input--width-5"}),
            "closes_at": forms.TimeInput(format="%H:%M", attrs={"class": "nhsuk-input--width-5"}),
            "description": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "opens_at": {"invalid": "Enter the opening time like 09:30"},
            "closes_at": {"invalid": "Enter the closing time like 14:00"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opens_at"].help_text = self.fields["closes_at"].help_text = self.TIME_HELP
        if self.instance.byday:
            self.initial["days"] = [day.strip().upper() for day in self.instance.byday.split(",")]
        # The checkboxes go first, where people expect them.
        self.order_fields(["days"])

    def clean(self):
        cleaned = super().clean()
        # The closing time's order is the model's rule (Schedule.clean), as for imports.
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if (opens is None) != (closes is None) and not {"opens_at", "closes_at"} & set(self.errors):
            missing = "closes_at" if closes is None else "opens_at"
            self.add_error(missing, "Enter both times, or neither")
        ticked = cleaned.pop("days", [])
        days = [day for day in Schedule.DAY_NAMES if day in ticked]
        if not days and not cleaned.get("description") and not self.errors:
            self.add_error("days", "Select the days it runs, or say when in the description")
        # The checkboxes are the one byday field.
        cleaned["byday"] = ",".join(days)
        return cleaned


class ImportForm(forms.Form):
    """A CSV or Open Referral UK file to import into one of the manager's PCNs."""

    file = forms.FileField(
        label="File to import",
        help_text="A spreadsheet saved as “CSV UTF-8”, or an Open Referral UK JSON file",
        error_messages={"required": "Select a file to import", "empty": "The file is empty"},
    )
    pcn = ModelChoiceField(
        label="Which PCN's directory should it go into?",
        queryset=PCN.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": "Select which PCN's directory it goes into"},
    )
    check_only = forms.BooleanField(
        label="Only check the file: do not import it yet", required=False
    )

    def __init__(self, *args, user, max_bytes, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        pcns = list(PCN.objects.visible_to(user).order_by("name"))
        self.fields["pcn"].queryset = PCN.objects.filter(pk__in=[pcn.pk for pcn in pcns])
        # With one PCN there is nothing to choose.
        self.only_pcn = pcns[0] if len(pcns) == 1 else None
        if self.only_pcn:
            del self.fields["pcn"]

    def chosen_pcn(self):
        return self.only_pcn or self.cleaned_data["pcn"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            megabytes = self.max_bytes // (1024 * 1024)
            raise forms.ValidationError(f"The file must be smaller than {megabytes} MB")
        return upload
