"""The widgets written by spl.renderers are the markup Django's templates give."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

CHOICES = [
    ("", "Any"),
    ("x", 'Carers <&> "families"'),
    ("Nearby", [("n1", "North"), ("n2", "South")]),
]


class Example(forms.Form):
    one = forms.ChoiceField(choices=CHOICES, required=False)
    many = forms.MultipleChoiceField(
        choices=[("1", "One"), ("2", "Two")],
        widget=forms.SelectMultiple(attrs={"class": "nhsuk-select", "disabled": True}),
    )
    text = forms.CharField(
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": False, "x": True}),
    )
    number = forms.IntegerField(required=False, min_value=0)
    when = forms.TimeField(required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    email = forms.EmailField(required=False)
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    agreed = forms.BooleanField(required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


def both(name, data=None, initial=None):
    """The field's widget as SPL renders it and as Django's templates do."""
    ours = Example(data, initial=initial)[name].as_widget()
    django = Example(data, initial=initial, renderer=DjangoTemplates())[name].as_widget()
    return ours, django


def without_whitespace_between_tags(html):
    return "".join(line.strip() for line in html.split("\n"))


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("one", {}),
        ("one", {"one": "n2"}),
        ("one", {"one": "x"}),
        ("many", {"many": ["2"]}),
    ],
)
def test_a_select_is_the_markup_djangos_templates_give(name, data):
    ours, django = both(name, data or None)
    assert ours == without_whitespace_between_tags(django)


def test_a_selects_labels_and_values_are_escaped():
    ours, _ = both("one")
    assert "Carers &lt;&amp;&gt; &quot;families&quot;" in ours


@pytest.mark.parametrize(
    ("name", "data", "initial"),
    [
        ("text", None, None),
        ("text", {"text": 'a "quoted" <b>name</b> & more'}, None),
        ("number", {"number": "-3"}, None),
        ("number", None, {"number": 0}),
        ("when", None, {"when": datetime.time(9, 30)}),
        ("email", {"email": "someone@example.org"}, None),
        ("hidden", None, {"hidden": "kept"}),
        ("agreed", {"agreed": "on"}, None),
        ("agreed", None, None),
        ("notes", None, None),
        ("notes", {"notes": "First line\n<second> & 'third'"}, None),
        ("notes", {"notes": "\nstarts with a line break"}, None),
    ],
)
def test_an_input_or_textarea_is_the_markup_djangos_templates_give(name, data, initial):
    ours, django = both(name, data, initial)
    assert ours == django.removesuffix("\n")


def test_an_inputs_value_is_escaped():
    ours, _ = both("text", {"text": '"><script>'})
    assert 'value="&quot;&gt;&lt;script&gt;"' in ours
