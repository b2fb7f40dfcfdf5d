"""Form fields that SPL's forms use in place of Django's.

`ModelChoiceField` and `ModelMultipleChoiceField` read their options in one
plain query. Django's read them with `.iterator()`, which on PostgreSQL opens a
server-side cursor (DECLARE ... WITH HOLD, FETCH, CLOSE): three round trips
and a materialised result for a list of a few practices.

`DateField` is a day/month/year date in the NHS.UK (GOV.UK) date input pattern.
People type a date into three boxes. `DateField` turns them into a `datetime.date`
and explains problems the way the design systems recommend, using the field's
label: "Enter date of birth", "Date of birth must include a month",
"Date of birth must be a real date", "Year must include 4 numbers".

The boxes are submitted as `<name>_day`, `<name>_month` and `<name>_year`, with
ids `<id>_day`, `<id>_month` and `<id>_year`. The crispy `nhsuk` pack renders the
field (templates/nhsuk/fields/_date.html).
"""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator

PARTS = ("day", "month", "year")
MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)


class _ListedChoices(ModelChoiceIterator):
    """A form's few options in one query, not a stream from a cursor."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class ModelChoiceField(forms.ModelChoiceField):
    iterator = _ListedChoices


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = _ListedChoices


class DateInput(forms.MultiWidget):
    """Three numeric text inputs: day, month and year."""

    # (part, label, width): width is the nhsuk-input--width-N class.
    parts = (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4))

    def __init__(self, attrs=None, autocomplete=""):
        # autocomplete="bday" marks the boxes bday-day, bday-month and bday-year, for
        # a person's own date of birth (WCAG 1.3.5, identify input purpose).
        widgets = {
            part: forms.TextInput(
                attrs={"inputmode": "numeric"}
                | ({"autocomplete": f"{autocomplete}-{part}"} if autocomplete else {})
            )
            for part, _, _ in self.parts
        }
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        id_ = context["widget"]["attrs"].get("id")
        for (part, _, _), subwidget in zip(
            self.parts, context["widget"]["subwidgets"], strict=True
        ):
            if id_:
                subwidget["attrs"]["id"] = f"{id_}_{part}"
        return context

    def id_for_label(self, id_):
        """The day box: where a label or an error summary link should take focus."""
        return f"{id_}_day" if id_ else ""


class DateField(forms.MultiValueField):
    """A date typed as day, month and year; cleans to `datetime.date`.

    Messages can be replaced through `error_messages`; they may use %(label)s
    (label with a lower-case first letter), %(Label)s and, for "incomplete",
    %(missing)s ("a month", "a day and year"...).
    """

    widget = DateInput
    default_error_messages = {
        "required": "Enter %(label)s",
        "incomplete": "%(Label)s must include %(missing)s",
        "invalid": "%(Label)s must be a real date",
        "invalid_year": "Year must include 4 numbers",
    }

    def __init__(self, **kwargs):
        fields = tuple(forms.CharField(required=False) for _ in PARTS)
        super().__init__(fields, require_all_fields=False, **kwargs)

    def clean(self, value):
        if self.disabled and not isinstance(value, list | tuple):
            value = self.widget.decompress(value)
        result = self.to_date(value)
        if result is None and self.required:
            raise self._error("required")
        self.validate(result)
        self.run_validators(result)
        return result

    def compress(self, data_list):
        return self.to_date(data_list)

    def has_changed(self, initial, data):
        if self.disabled:
            return False
        try:
            value = self.to_date(data)
        except ValidationError:
            return True
        if isinstance(initial, datetime.datetime):
            initial = initial.date()
        return value != initial

    def to_date(self, value):
        """Day, month and year strings to a date; None when all are blank."""
        day, month, year = (str(part or "").strip() for part in [*(value or []), "", "", ""][:3])
        missing = [name for name, part in zip(PARTS, (day, month, year), strict=True) if not part]
        if len(missing) == len(PARTS):
            return None
        if missing:
            words = " and ".join(missing)
            raise self._error("incomplete", parts=missing, missing=f"a {words}")
        if not re.fullmatch(r"[0-9]{4}", year):
            raise self._error("invalid_year", parts=["year"])
        month_number = _month_number(month)
        if not re.fullmatch(r"[0-9]{1,2}", day) or month_number is None:
            raise self._error("invalid")
        try:
            return datetime.date(int(year), month_number, int(day))
        except ValueError:
            raise self._error("invalid") from None

    def _error(self, code, parts=PARTS, **params):
        """A ValidationError whose params say which boxes to highlight."""
        label = str(self.label or "the date")
        lower = label if label[:2].isupper() else label[:1].lower() + label[1:]
        params.update(label=lower, Label=label[:1].upper() + label[1:], parts=tuple(parts))
        return ValidationError(self.error_messages[code], code=code, params=params)


def _month_number(text):
    """1-12 from "3", "03", "mar" or "March"; None if it is not a month."""
    if re.fullmatch(r"[0-9]{1,2}", text):
        return int(text) if 1 <= int(text) <= 12 else None
    lowered = text.lower()
    for number, name in enumerate(MONTH_NAMES, start=1):
        if lowered == name or (len(lowered) >= 3 and name.startswith(lowered)):
            return number
    return None
