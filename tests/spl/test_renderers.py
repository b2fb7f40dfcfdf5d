"""A select written by spl.renderers is the markup Django's templates give."""

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


def both(name, data=None):
    """The field's select as SPL renders it and as Django's templates do, less
    the whitespace between their tags."""
    ours = Example(data)[name].as_widget()
    django = Example(data, renderer=DjangoTemplates())[name].as_widget()
    return ours, "".join(line.strip() for line in django.split("\n"))


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
    assert ours == django


def test_a_selects_labels_and_values_are_escaped():
    ours, _ = both("one")
    assert "Carers &lt;&amp;&gt; &quot;families&quot;" in ours
