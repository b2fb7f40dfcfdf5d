"""The dashboard's filters: a period and a practice (GET: they name no one)."""

from django import forms
from django.utils import timezone

from outcomes import periods
from spl.fields import DateField
from spl.models import Practice


class DashboardForm(forms.Form):
    period = forms.ChoiceField(label="Period", required=False)
    start = DateField(label="From", help_text="For example, 1 4 2026", required=False)
    end = DateField(label="To", help_text="For example, 30 6 2026", required=False)
    practice = forms.ModelChoiceField(
        label="Practice", queryset=Practice.objects.none(), required=False, empty_label="All"
    )

    def __init__(self, *args, practices, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()
        self.fields["period"].choices = periods.choices(self.today)
        self.fields["practice"].queryset = practices
        if len(practices) < 2:
            del self.fields["practice"]

    def clean(self):
        data = super().clean()
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start and "start" not in self.errors:
                self.add_error("start", "Enter the first day of the period")
            if not end and "end" not in self.errors:
                self.add_error("end", "Enter the last day of the period")
            if start and end and end < start:
                self.add_error("end", "The last day must be the same as or after the first")
        return data

    def chosen_period(self):
        """The Period chosen; this NHS quarter so far when none is, or the
        choice is not valid."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        value = data.get("period") or ""
        if value == "custom":
            return periods.custom(data["start"], data["end"])
        return periods.parse(value) or periods.quarter_of(self.today)

    def chosen_practice(self):
        if not self.is_bound or not self.is_valid():
            return None
        return self.cleaned_data.get("practice")
