from django import forms
from django.db.models import Q

from directory.models import QAStatus, TaxonomyTerm
from directory.taxonomy import ACTIVITIES, NEEDS, taxonomy_id


class ServiceSearchForm(forms.Form):
    """The search above the directory (GET). Every value is validated; an invalid
    one is reported next to its field and the others still apply."""

    q = forms.CharField(
        label="Search", required=False, max_length=100,
        help_text="For example, debt advice, walking or a group's name",
    )  # fmt: skip
    need = forms.ModelChoiceField(
        label="Need", queryset=TaxonomyTerm.objects.none(), required=False,
        empty_label="Any need", to_field_name="code",
    )  # fmt: skip
    activity = forms.ModelChoiceField(
        label="Activity", queryset=TaxonomyTerm.objects.none(), required=False,
        empty_label="Any activity", to_field_name="code",
    )  # fmt: skip
    age = forms.IntegerField(
        label="Age of the person", required=False, min_value=0, max_value=120,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-3"}),
        error_messages={"invalid": "Age must be a number, like 67",
                        "min_value": "Age must be 0 or more",
                        "max_value": "Age must be 120 or less"},
    )  # fmt: skip
    qa = forms.ChoiceField(
        label="Quality assurance", required=False,
        choices=[("", "Any"), *QAStatus.choices],
    )  # fmt: skip
    accepting = forms.BooleanField(label="Only services accepting referrals now", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need"].queryset = TaxonomyTerm.objects.filter(taxonomy_id=taxonomy_id(NEEDS))
        self.fields["activity"].queryset = TaxonomyTerm.objects.filter(
            taxonomy_id=taxonomy_id(ACTIVITIES)
        )

    def filter(self, services):
        self.is_valid()
        data = {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v not in ("", None)}
        if data.get("q"):
            text = data["q"].strip()
            services = services.filter(
                Q(name__icontains=text)
                | Q(description__icontains=text)
                | Q(organisation__name__icontains=text)
            )
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
