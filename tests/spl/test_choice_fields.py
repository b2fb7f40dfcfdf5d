"""spl.fields.ModelChoiceField and ModelMultipleChoiceField: a form's options
read in one plain query (no server-side cursor on PostgreSQL)."""

from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from spl.fields import ModelChoiceField, ModelMultipleChoiceField
from spl.models import Practice
from tests.factories import PracticeFactory


class PracticeForm(forms.Form):
    one = ModelChoiceField(queryset=Practice.objects.order_by("name"), empty_label="Any")
    many = ModelMultipleChoiceField(queryset=Practice.objects.order_by("name"), required=False)


def test_the_options_are_the_querysets_rows_after_the_empty_label(practice, other_practice):
    form = PracticeForm()
    assert [label for _, label in form.fields["one"].choices] == [
        "Any",
        *sorted([practice.name, other_practice.name]),
    ]
    assert len(list(form.fields["many"].choices)) == 2


def test_rendering_the_options_reads_them_in_one_plain_query(practice):
    PracticeFactory(pcn=practice.pcn)
    with CaptureQueriesContext(connection) as queries:
        str(PracticeForm()["one"])
    assert len(queries) == 1
    assert queries[0]["sql"].startswith("SELECT")


def test_a_chosen_option_cleans_to_its_model(practice):
    form = PracticeForm({"one": practice.pk, "many": [practice.pk]})
    assert form.is_valid()
    assert form.cleaned_data["one"] == practice
    assert list(form.cleaned_data["many"]) == [practice]
