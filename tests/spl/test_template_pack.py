"""The crispy `nhsuk` template pack and spl.fields.DateField.

Forms render to the markup of nhsuk-frontend 10's own macros; these tests read
the rendered HTML back with html.parser and check what a person (or assistive
technology) relies on: classes, labels and legends, hints, error messages, the
error summary's links, and that what was typed comes back after an error.
"""

import datetime
from html.parser import HTMLParser

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.layout import ButtonHolder, Fieldset, Layout, Submit
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.template import engines
from django.test import RequestFactory

from spl.fields import DateField

URGENCY = [("routine", "Routine"), ("urgent", "Urgent")]
NEEDS = [("housing", "Housing"), ("money", "Money"), ("loneliness", "Loneliness")]


class ReferralForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text="We send updates here",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    nhs_number = forms.CharField(
        label="NHS number",
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-10"}),
    )
    notes = forms.CharField(label="Notes", max_length=20, widget=forms.Textarea(attrs={"rows": 5}))
    practice = forms.ChoiceField(
        label="Practice",
        choices=[("", "Choose a practice"), ("1", "Riverside"), ("2", "Northgate")],
    )
    urgency = forms.ChoiceField(
        label="Urgency",
        choices=URGENCY,
        widget=forms.RadioSelect,
        help_text="Urgent referrals are seen within 2 weeks",
    )
    needs = forms.MultipleChoiceField(
        label="Needs", choices=NEEDS, widget=forms.CheckboxSelectMultiple
    )
    consent = forms.BooleanField(
        label="The person agrees to this referral", help_text="Ask them first"
    )
    date_of_birth = DateField(label="Date of birth", help_text="For example, 15 3 1984")


VALID = {
    "email": "sam@example.com",
    "nhs_number": "9434765919",
    "notes": "Lives alone",
    "practice": "1",
    "urgency": "urgent",
    "needs": ["housing", "loneliness"],
    "consent": "on",
    "date_of_birth_day": "15",
    "date_of_birth_month": "3",
    "date_of_birth_year": "1984",
}


def submitted(form_class=ReferralForm, **changes):
    """A bound, validated form: VALID data with `changes` (None removes a key)."""
    data = {**VALID, **changes}
    form = form_class(data={key: value for key, value in data.items() if value is not None})
    form.is_valid()
    return form


def render(source, request=None, **context):
    return engines["django"].from_string(source).render(context, request)


def crispy_filter(form):
    return render("{% load crispy_forms_tags %}{{ form|crispy }}", form=form)


def crispy_tag(form, request=None):
    return render("{% load crispy_forms_tags %}{% crispy form %}", request=request, form=form)


def a_request():
    request = RequestFactory().get("/referrals/new/")
    request.user = AnonymousUser()
    return request


class Element:
    def __init__(self, tag, attrs):
        self.tag = tag
        self.attrs = dict(attrs)
        self.text = ""
        self.children = []

    @property
    def classes(self):
        return (self.attrs.get("class") or "").split()

    @property
    def words(self):
        return " ".join(self.text.split())

    def find_all(self, tag=None, cls=None, **attrs):
        return [
            element
            for element in self.children
            if (tag is None or element.tag == tag)
            and (cls is None or cls in element.classes)
            and all(element.attrs.get(name) == value for name, value in attrs.items())
        ]

    def find(self, tag=None, cls=None, **attrs):
        found = self.find_all(tag, cls, **attrs)
        assert len(found) == 1, f"expected one {tag or ''}.{cls or ''} {attrs}, found {len(found)}"
        return found[0]


class _Parser(HTMLParser):
    VOID = {"input", "br", "img", "hr", "meta", "link"}

    def __init__(self):
        super().__init__()
        self.root = Element("root", {})
        self.open = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs)
        for ancestor in self.open:
            ancestor.children.append(element)
        if tag not in self.VOID:
            self.open.append(element)

    def handle_endtag(self, tag):
        for index in range(len(self.open) - 1, 0, -1):
            if self.open[index].tag == tag:
                del self.open[index:]
                break

    def handle_data(self, data):
        for element in self.open:
            element.text += data


def parse(html):
    """The rendered HTML as an Element tree; find()/find_all() search all descendants."""
    parser = _Parser()
    parser.feed(html)
    return parser.root


def page(form):
    return parse(crispy_filter(form))


def group_of(doc, id_):
    """The outermost nhsuk-form-group that holds the element with this id."""
    return next(group for group in doc.find_all(cls="nhsuk-form-group") if group.find_all(id=id_))


# Text inputs


def test_text_input_has_an_nhs_label_and_input():
    doc = page(ReferralForm())
    label = doc.find("label", **{"for": "id_email"})
    assert label.classes == ["nhsuk-label"]
    assert label.words == "Email address"
    assert doc.find("input", id="id_email").classes == ["nhsuk-input"]


def test_text_input_keeps_the_widgets_own_attributes():
    doc = page(ReferralForm())
    email = doc.find("input", id="id_email")
    nhs_number = doc.find("input", id="id_nhs_number")
    assert email.attrs["type"] == "email"
    assert email.attrs["autocomplete"] == "email"
    assert "autofocus" in email.attrs
    assert nhs_number.attrs["inputmode"] == "numeric"
    assert nhs_number.attrs["maxlength"] == "10"


def test_width_class_from_the_widget_is_appended_to_the_input_classes():
    doc = page(ReferralForm())
    assert doc.find("input", id="id_nhs_number").classes == ["nhsuk-input", "nhsuk-input--width-10"]


def test_help_text_is_a_hint_that_describes_the_input():
    doc = page(ReferralForm())
    hint = doc.find(id="id_email-hint")
    assert hint.classes == ["nhsuk-hint"]
    assert hint.words == "We send updates here"
    assert doc.find("input", id="id_email").attrs["aria-describedby"] == "id_email-hint"


def test_input_without_hint_or_error_has_no_aria_describedby():
    doc = page(ReferralForm())
    assert "aria-describedby" not in doc.find("input", id="id_nhs_number").attrs


def test_error_message_starts_with_a_visually_hidden_error_prefix():
    doc = page(submitted(email=""))
    message = doc.find("span", id="id_email-error")
    assert message.classes == ["nhsuk-error-message"]
    assert message.find("span", cls="nhsuk-u-visually-hidden").text == "Error: "
    assert message.words == "Error: This field is required."


def test_field_with_an_error_gets_the_error_classes():
    doc = page(submitted(email="not an email"))
    assert "nhsuk-form-group--error" in group_of(doc, "id_email").classes
    assert doc.find("input", id="id_email").classes == ["nhsuk-input", "nhsuk-input--error"]


def test_field_without_an_error_has_no_error_classes():
    doc = page(submitted(email="not an email"))
    assert "nhsuk-form-group--error" not in group_of(doc, "id_nhs_number").classes
    assert "nhsuk-input--error" not in doc.find("input", id="id_nhs_number").classes


def test_aria_describedby_lists_the_hint_then_the_error():
    doc = page(submitted(email="not an email"))
    email = doc.find("input", id="id_email")
    assert email.attrs["aria-describedby"] == "id_email-hint id_email-error"


def test_typed_text_is_redisplayed_after_a_validation_error():
    doc = page(submitted(email="sam at example"))
    assert doc.find("input", id="id_email").attrs["value"] == "sam at example"


def test_password_uses_the_nhs_password_input_and_is_not_redisplayed():
    class LoginForm(forms.Form):
        password = forms.CharField(widget=forms.PasswordInput)

    doc = page(submitted(LoginForm, password="hunter2", email="x"))
    group = doc.find(cls="nhsuk-password-input")
    assert group.attrs["data-module"] == "nhsuk-password-input"
    password = group.find("input", id="id_password")
    assert "nhsuk-password-input__input" in password.classes
    assert password.attrs["autocomplete"] == "current-password"
    assert "value" not in password.attrs


# Textarea and select


def test_textarea_renders_with_nhs_classes_label_and_error():
    doc = page(submitted(notes="x" * 21))
    textarea = doc.find("textarea", id="id_notes")
    assert textarea.classes == ["nhsuk-textarea", "nhsuk-textarea--error"]
    assert textarea.attrs["aria-describedby"] == "id_notes-error"
    assert doc.find("label", **{"for": "id_notes"}).words == "Notes"
    assert "nhsuk-form-group--error" in group_of(doc, "id_notes").classes


def test_typed_textarea_text_is_redisplayed_after_a_validation_error():
    doc = page(submitted(notes="Lives alone, no family nearby"))
    assert doc.find("textarea", id="id_notes").words == "Lives alone, no family nearby"


def test_select_renders_with_nhs_classes_label_and_error():
    doc = page(submitted(practice=""))
    select = doc.find("select", id="id_practice")
    assert select.classes == ["nhsuk-select", "nhsuk-select--error"]
    assert select.attrs["aria-describedby"] == "id_practice-error"
    assert doc.find("label", **{"for": "id_practice"}).words == "Practice"


def test_chosen_select_option_is_redisplayed_after_a_validation_error():
    doc = page(submitted(practice="2", email=""))
    assert "selected" in doc.find("select").find("option", value="2").attrs
    assert "selected" not in doc.find("select").find("option", value="1").attrs


# Radios and checkboxes


def test_radios_are_a_fieldset_with_a_legend():
    doc = page(ReferralForm())
    fieldset = group_of(doc, "id_urgency_0").find("fieldset")
    assert fieldset.classes == ["nhsuk-fieldset"]
    assert fieldset.find("legend", cls="nhsuk-fieldset__legend").words == "Urgency"
    radios = fieldset.find(cls="nhsuk-radios")
    assert radios.attrs["data-module"] == "nhsuk-radios"


def test_each_radio_is_an_nhs_item_numbered_from_the_field_id():
    doc = page(ReferralForm())
    items = doc.find_all(cls="nhsuk-radios__item")
    inputs = [item.find("input") for item in items]
    assert [radio.attrs["id"] for radio in inputs] == ["id_urgency_0", "id_urgency_1"]
    assert [radio.attrs["value"] for radio in inputs] == ["routine", "urgent"]
    assert all(radio.classes == ["nhsuk-radios__input"] for radio in inputs)
    label = items[1].find("label", cls="nhsuk-radios__label")
    assert label.attrs["for"] == "id_urgency_1"
    assert label.words == "Urgent"


def test_radios_fieldset_is_described_by_hint_and_error():
    doc = page(submitted(urgency=None))
    fieldset = group_of(doc, "id_urgency_0").find("fieldset")
    assert fieldset.attrs["aria-describedby"] == "id_urgency-hint id_urgency-error"
    assert fieldset.find(id="id_urgency-hint").words == "Urgent referrals are seen within 2 weeks"
    assert fieldset.find(id="id_urgency-error").words == "Error: This field is required."
    assert "nhsuk-form-group--error" in group_of(doc, "id_urgency_0").classes


def test_chosen_radio_stays_checked_after_a_validation_error():
    doc = page(submitted(urgency="urgent", email=""))
    assert "checked" in doc.find("input", id="id_urgency_1").attrs
    assert "checked" not in doc.find("input", id="id_urgency_0").attrs


def test_checkboxes_are_a_fieldset_of_nhs_items():
    doc = page(submitted(needs=None))
    group = group_of(doc, "id_needs_0")
    assert "nhsuk-form-group--error" in group.classes
    assert group.find("legend").words == "Needs"
    assert group.find(cls="nhsuk-checkboxes").attrs["data-module"] == "nhsuk-checkboxes"
    assert group.find("fieldset").attrs["aria-describedby"] == "id_needs-error"
    boxes = [item.find("input") for item in group.find_all(cls="nhsuk-checkboxes__item")]
    assert [box.attrs["id"] for box in boxes] == ["id_needs_0", "id_needs_1", "id_needs_2"]
    assert all(box.attrs["type"] == "checkbox" for box in boxes)
    assert all(box.classes == ["nhsuk-checkboxes__input"] for box in boxes)


def test_ticked_checkboxes_stay_ticked_after_a_validation_error():
    doc = page(submitted(needs=["money", "loneliness"], email=""))
    assert "checked" not in doc.find("input", id="id_needs_0").attrs
    assert "checked" in doc.find("input", id="id_needs_1").attrs
    assert "checked" in doc.find("input", id="id_needs_2").attrs


def test_single_checkbox_has_its_label_beside_the_box_and_no_legend():
    doc = page(ReferralForm())
    group = group_of(doc, "id_consent")
    assert group.find_all("fieldset") == []
    item = group.find(cls="nhsuk-checkboxes").find(cls="nhsuk-checkboxes__item")
    assert item.find("input", id="id_consent").classes == ["nhsuk-checkboxes__input"]
    assert item.find("label", cls="nhsuk-checkboxes__label").words == (
        "The person agrees to this referral"
    )
    assert item.find(id="id_consent-hint").words == "Ask them first"


def test_unticked_required_checkbox_shows_its_error():
    doc = page(submitted(consent=None))
    box = doc.find("input", id="id_consent")
    assert box.attrs["aria-describedby"] == "id_consent-hint id_consent-error"
    assert "checked" not in box.attrs
    assert "nhsuk-form-group--error" in group_of(doc, "id_consent").classes
    assert doc.find(id="id_consent-error").words == "Error: This field is required."


# Date input


def test_date_is_a_fieldset_with_role_group_and_a_legend():
    doc = page(ReferralForm())
    fieldset = group_of(doc, "id_date_of_birth").find("fieldset")
    assert fieldset.attrs["role"] == "group"
    assert fieldset.find("legend", cls="nhsuk-fieldset__legend").words == "Date of birth"
    assert fieldset.find(id="id_date_of_birth").classes == ["nhsuk-date-input"]


def test_date_has_day_month_and_year_boxes():
    doc = page(ReferralForm())
    items = doc.find(cls="nhsuk-date-input").find_all(cls="nhsuk-date-input__item")
    labels = [item.find("label", cls="nhsuk-date-input__label") for item in items]
    boxes = [item.find("input") for item in items]
    assert [label.words for label in labels] == ["Day", "Month", "Year"]
    assert [box.attrs["id"] for box in boxes] == [label.attrs["for"] for label in labels]
    assert [box.attrs["name"] for box in boxes] == [
        "date_of_birth_day",
        "date_of_birth_month",
        "date_of_birth_year",
    ]
    assert [box.classes for box in boxes] == [
        ["nhsuk-input", "nhsuk-input--width-2", "nhsuk-date-input__input"],
        ["nhsuk-input", "nhsuk-input--width-2", "nhsuk-date-input__input"],
        ["nhsuk-input", "nhsuk-input--width-4", "nhsuk-date-input__input"],
    ]
    assert all(box.attrs["inputmode"] == "numeric" for box in boxes)
    assert all(box.attrs["type"] == "text" for box in boxes)


def test_date_fieldset_is_described_by_hint_and_error():
    doc = page(submitted(date_of_birth_month=""))
    fieldset = group_of(doc, "id_date_of_birth").find("fieldset")
    assert fieldset.attrs["aria-describedby"] == "id_date_of_birth-hint id_date_of_birth-error"
    assert fieldset.find(id="id_date_of_birth-hint").words == "For example, 15 3 1984"
    assert fieldset.find(id="id_date_of_birth-error").words == (
        "Error: Date of birth must include a month"
    )


def test_impossible_date_highlights_all_three_boxes():
    doc = page(submitted(date_of_birth_day="31", date_of_birth_month="2"))
    assert "nhsuk-form-group--error" in group_of(doc, "id_date_of_birth").classes
    for part in ("day", "month", "year"):
        assert "nhsuk-input--error" in doc.find("input", id=f"id_date_of_birth_{part}").classes


def test_incomplete_date_highlights_only_the_missing_box():
    doc = page(submitted(date_of_birth_month=" "))
    assert "nhsuk-input--error" in doc.find("input", id="id_date_of_birth_month").classes
    assert "nhsuk-input--error" not in doc.find("input", id="id_date_of_birth_day").classes
    assert "nhsuk-input--error" not in doc.find("input", id="id_date_of_birth_year").classes


def test_typed_date_parts_are_redisplayed_even_when_not_a_real_date():
    doc = page(submitted(date_of_birth_day="31", date_of_birth_month="2", date_of_birth_year="24"))
    values = [
        doc.find("input", id=f"id_date_of_birth_{part}").attrs["value"]
        for part in ("day", "month", "year")
    ]
    assert values == ["31", "2", "24"]


def test_initial_date_is_shown_in_the_three_boxes():
    doc = page(ReferralForm(initial={"date_of_birth": datetime.date(1984, 3, 15)}))
    values = [
        doc.find("input", id=f"id_date_of_birth_{part}").attrs["value"]
        for part in ("day", "month", "year")
    ]
    assert values == ["15", "3", "1984"]


# DateField cleaning and messages


class AppointmentForm(forms.Form):
    date_of_birth = DateField(label="Date of birth")
    follow_up = DateField(label="Follow-up date", required=False)
    referred_on = DateField(
        label="Referral date", error_messages={"required": "Enter the date of the referral"}
    )


def date_errors(**parts):
    data = {"referred_on_day": "1", "referred_on_month": "1", "referred_on_year": "2025"}
    data.update({f"date_of_birth_{part}": value for part, value in parts.items()})
    form = AppointmentForm(data=data)
    form.is_valid()
    return form.errors.get("date_of_birth", []), form.cleaned_data.get("date_of_birth")


def test_date_cleans_to_a_datetime_date():
    assert date_errors(day="15", month="3", year="1984") == ([], datetime.date(1984, 3, 15))


def test_date_parts_may_have_spaces_around_them():
    assert date_errors(day=" 5 ", month=" 03", year="1984 ") == ([], datetime.date(1984, 3, 5))


def test_date_month_may_be_a_month_name():
    assert date_errors(day="5", month="March", year="1984") == ([], datetime.date(1984, 3, 5))


def test_empty_date_says_enter_the_label_in_lower_case():
    assert date_errors()[0] == ["Enter date of birth"]


def test_empty_date_message_can_be_replaced():
    form = AppointmentForm(data={})
    form.is_valid()
    assert form.errors["referred_on"] == ["Enter the date of the referral"]


def test_empty_optional_date_cleans_to_none():
    form = AppointmentForm(data={"follow_up_day": " ", "follow_up_month": "", "follow_up_year": ""})
    form.is_valid()
    assert "follow_up" not in form.errors
    assert form.cleaned_data["follow_up"] is None


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ({"month": "3", "year": "1984"}, "Date of birth must include a day"),
        ({"day": "15", "year": "1984"}, "Date of birth must include a month"),
        ({"day": "15", "month": "3"}, "Date of birth must include a year"),
        ({"year": "1984"}, "Date of birth must include a day and month"),
        ({"day": "15"}, "Date of birth must include a month and year"),
        ({"month": "3"}, "Date of birth must include a day and year"),
    ],
)
def test_incomplete_date_says_which_parts_are_missing(parts, message):
    assert date_errors(**parts)[0] == [message]


def test_incomplete_optional_date_is_still_an_error():
    form = AppointmentForm(data={"follow_up_day": "1"})
    form.is_valid()
    assert form.errors["follow_up"] == ["Follow-up date must include a month and year"]


@pytest.mark.parametrize(
    ("day", "month", "year"),
    [
        ("31", "2", "2024"),
        ("0", "1", "2024"),
        ("1", "13", "2024"),
        ("x", "1", "2024"),
        ("1", "1", "0000"),
    ],
)
def test_impossible_date_says_it_must_be_a_real_date(day, month, year):
    assert date_errors(day=day, month=month, year=year)[0] == ["Date of birth must be a real date"]


@pytest.mark.parametrize("year", ["84", "19845", "y2k!"])
def test_year_without_4_numbers_says_so(year):
    assert date_errors(day="15", month="3", year=year)[0] == ["Year must include 4 numbers"]


# Error summary


def summary_html(form):
    return render('{% include "includes/_error_summary.html" with form=form %}', form=form)


def summary(form):
    return parse(summary_html(form))


def summary_links(form):
    return [(link.attrs.get("href"), link.words) for link in summary(form).find_all("a")]


def test_error_summary_renders_nothing_for_an_unbound_form():
    assert summary_html(ReferralForm()).strip() == ""


def test_error_summary_renders_nothing_for_a_valid_form():
    assert summary_html(submitted()).strip() == ""


def test_error_summary_uses_the_nhs_markup_and_title():
    doc = summary(submitted(email=""))
    box = doc.find("div", cls="nhsuk-error-summary")
    assert box.attrs["data-module"] == "nhsuk-error-summary"
    assert box.find("div", role="alert").find("h2", cls="nhsuk-error-summary__heading").words == (
        "There is a problem"
    )
    assert box.find(cls="nhsuk-error-summary__body").find("ul").classes == [
        "nhsuk-list",
        "nhsuk-error-summary__list",
    ]


def test_error_summary_links_each_error_to_its_input_in_field_order():
    form = submitted(
        email="",
        practice="",
        urgency=None,
        needs=None,
        date_of_birth_day="31",
        date_of_birth_month="2",
    )
    assert summary_links(form) == [
        ("#id_email", "This field is required."),
        ("#id_practice", "This field is required."),
        ("#id_urgency_0", "This field is required."),
        ("#id_needs_0", "This field is required."),
        ("#id_date_of_birth_day", "Date of birth must be a real date"),
    ]


def test_error_summary_lists_form_errors_first_linked_to_the_first_field():
    class CheckedForm(ReferralForm):
        def clean(self):
            raise forms.ValidationError("This person already has an open referral")

    assert summary_links(submitted(CheckedForm, notes="")) == [
        ("#id_email", "This person already has an open referral"),
        ("#id_notes", "This field is required."),
    ]


def test_form_error_links_to_the_first_radio_when_radios_come_first():
    class ChoiceFirstForm(forms.Form):
        urgency = forms.ChoiceField(choices=URGENCY, widget=forms.RadioSelect)

        def clean(self):
            raise forms.ValidationError("Referrals are closed")

    assert summary_links(submitted(ChoiceFirstForm)) == [("#id_urgency_0", "Referrals are closed")]


def test_form_error_is_not_a_link_when_there_are_no_visible_fields():
    class HiddenOnlyForm(forms.Form):
        token = forms.CharField(widget=forms.HiddenInput, required=False)

        def clean(self):
            raise forms.ValidationError("This link has expired")

    doc = summary(submitted(HiddenOnlyForm))
    assert doc.find_all("a") == []
    assert doc.find("li").words == "This link has expired"


def test_hidden_field_error_is_listed_without_a_link():
    class VersionedForm(forms.Form):
        version = forms.IntegerField(widget=forms.HiddenInput)
        notes = forms.CharField()

    doc = summary(submitted(VersionedForm, version="x", notes=""))
    items = doc.find_all("li")
    assert [item.words for item in items] == ["Enter a whole number.", "This field is required."]
    assert items[0].find_all("a") == []


# Whole forms: {% crispy %} and |crispy


class SaveForm(ReferralForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", "Save referral"))


def test_crispy_tag_renders_a_post_form_with_a_csrf_token():
    doc = parse(crispy_tag(SaveForm(), request=a_request()))
    form = doc.find("form")
    assert form.attrs["method"] == "post"
    token = form.find("input", type="hidden", name="csrfmiddlewaretoken")
    assert token.attrs["value"]


def test_crispy_tag_renders_a_submit_input_as_an_nhs_button():
    doc = parse(crispy_tag(SaveForm(), request=a_request()))
    button = doc.find("form").find("button", type="submit")
    assert button.classes == ["nhsuk-button"]
    assert button.attrs["data-module"] == "nhsuk-button"
    assert button.words == "Save referral"


def test_submit_with_a_secondary_class_is_a_secondary_button():
    form = ReferralForm()
    form.helper = FormHelper()
    form.helper.add_input(Submit("draft", "Save as draft", css_class="nhsuk-button--secondary"))
    button = parse(crispy_tag(form)).find("button")
    assert button.classes == ["nhsuk-button", "nhsuk-button--secondary"]


def test_crispy_tag_puts_the_error_summary_before_the_fields():
    html = crispy_tag(submitted(SaveForm, email=""), request=a_request())
    assert parse(html).find("form").find(cls="nhsuk-error-summary")
    assert html.index("nhsuk-error-summary") < html.index('id="id_email"')


def test_crispy_tag_renders_every_field_of_the_form():
    doc = parse(crispy_tag(SaveForm(), request=a_request()))
    for id_ in (
        "id_email",
        "id_notes",
        "id_practice",
        "id_urgency_0",
        "id_needs_0",
        "id_consent",
        "id_date_of_birth_day",
    ):
        assert doc.find("form").find(id=id_)


def test_crispy_tag_without_form_tag_renders_fields_but_no_form_element():
    form = SaveForm()
    form.helper.form_tag = False
    doc = parse(crispy_tag(form, request=a_request()))
    assert doc.find_all("form") == []
    assert doc.find("input", id="id_email")


def test_get_form_has_no_csrf_token():
    form = SaveForm()
    form.helper.form_method = "get"
    doc = parse(crispy_tag(form, request=a_request()))
    assert doc.find("form").attrs["method"] == "get"
    assert doc.find_all("input", name="csrfmiddlewaretoken") == []


def test_layout_fieldset_and_button_holder_render_as_nhs_markup():
    form = submitted(email="")
    form.helper = FormHelper()
    form.helper.layout = Layout(
        Fieldset("Contact details", "email", "nhs_number"),
        ButtonHolder(Submit("save", "Save")),
    )
    doc = parse(crispy_tag(form, request=a_request()))
    fieldset = doc.find("fieldset", cls="nhsuk-fieldset")
    assert fieldset.find("legend").words == "Contact details"
    assert fieldset.find("input", id="id_email").classes == ["nhsuk-input", "nhsuk-input--error"]
    assert doc.find(cls="nhsuk-button-group").find("button").classes == ["nhsuk-button"]
    assert [link.attrs["href"] for link in doc.find(cls="nhsuk-error-summary").find_all("a")] == [
        "#id_email"
    ]


def test_crispy_filter_renders_summary_and_fields_without_a_form_element():
    doc = parse(crispy_filter(submitted(email="")))
    assert doc.find_all("form") == []
    assert doc.find(cls="nhsuk-error-summary").find("a").attrs["href"] == "#id_email"
    assert doc.find("input", id="id_email").classes == ["nhsuk-input", "nhsuk-input--error"]


def test_as_crispy_field_renders_one_field_in_nhs_markup():
    form = submitted(email="")
    doc = parse(render("{% load crispy_forms_tags %}{{ form.email|as_crispy_field }}", form=form))
    assert doc.find_all(cls="nhsuk-error-summary") == []
    assert doc.find("input", id="id_email").classes == ["nhsuk-input", "nhsuk-input--error"]
    assert doc.find(id="id_email-error")


def test_hidden_fields_render_as_hidden_inputs_without_a_label():
    class TokenForm(forms.Form):
        token = forms.CharField(widget=forms.HiddenInput, initial="abc")

    doc = parse(crispy_filter(TokenForm()))
    assert doc.find("input", id="id_token").attrs == {
        "type": "hidden",
        "name": "token",
        "value": "abc",
        "id": "id_token",
    }
    assert doc.find_all("label") == []
