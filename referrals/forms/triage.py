"""Forms for the PCN's staff: the triage list's filters, the triage decision and
the practice coding list's filters."""

from django import forms

from referrals.models import (
    Referral,
    Route,
    Status,
    Urgency,
)
from spl.fields import ModelChoiceField
from spl.models import Practice


class TriageFilterForm(forms.Form):
    """The filters above the triage list (GET): every choice is validated."""

    status = forms.ChoiceField(
        choices=[("", "Any status"), *Status.choices],
        required=False,
        initial=Status.AWAITING_TRIAGE,
    )
    practice = ModelChoiceField(
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
            referrals = referrals.filter(practice=data["practice"])
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
    merge_into = ModelChoiceField(
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
    practice = ModelChoiceField(
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
            referrals = referrals.filter(practice=data["practice"])
        return referrals
