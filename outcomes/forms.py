"""The dashboard's filters: a period and a practice (GET: they name no one)."""

from django import forms
from django.utils import timezone

from outcomes import periods
from spl.fields import DateField, ModelChoiceField
from spl.models import Practice

# The earliest year a dashboard's dates may start in.
FIRST_YEAR = 2000


class DashboardForm(forms.Form):
    period = forms.ChoiceField(label="Period", required=False)
    start = DateField(label="From", help_text="For example, 1 4 2026", required=False)
    end = DateField(label="To", help_text="For example, 30 6 2026", required=False)
    practice = ModelChoiceField(
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
            # Figures start with SPL's data and end with next year's dates
            # (the NHS year runs to March): nothing outside could be shown,
            # and far dates break date arithmetic.
            first, last = FIRST_YEAR, self.today.year + 1
            for name, value, which in (("start", start, "first"), ("end", end, "last")):
                if value and not first <= value.year <= last:
                    self.add_error(
                        name,
                        f"The {which} day must be in {first} or later"
                        if value.year < first
                        else f"The {which} day must be in {last} or earlier",
                    )
            if start and end and end < start and not self.errors:
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


class ReportRequestForm(forms.Form):
    """Ask for a report of a past period: which report and which period."""

    report = forms.ChoiceField(
        label="Which report?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select a report"},
    )
    period = forms.ChoiceField(
        label="Which period?",
        help_text="A month for a practice's report, a quarter for a PCN's",
        error_messages={"required": "Select a period"},
    )

    def __init__(self, *args, reports, **kwargs):
        super().__init__(*args, **kwargs)
        self.reports = dict(reports)  # value: (kind, scope kwargs, label)
        self.fields["report"].choices = [(value, label) for value, (_, _, label) in reports]
        today = timezone.localdate()
        groups = periods.choices(today)
        # Past periods only: not this month, quarter or year, and no chosen dates.
        months = groups[0][1][1:]
        quarters = groups[1][1][1:]
        self.fields["period"].choices = [
            ("", "Choose a period"),
            ("Months", months),
            ("NHS quarters", quarters),
        ]

    def clean(self):
        data = super().clean()
        report, period = data.get("report"), data.get("period")
        if report and period:
            kind = self.reports[report][0]
            monthly = kind == "monthly"
            if monthly and not period.startswith("m"):
                self.add_error("period", "A practice's report is for a month: choose a month")
            if not monthly and not period.startswith("q"):
                self.add_error("period", "This report is for a quarter: choose a quarter")
        return data

    def chosen(self):
        """(kind, scope kwargs, Period)."""
        kind, scope, _ = self.reports[self.cleaned_data["report"]]
        return kind, scope, periods.parse(self.cleaned_data["period"])
