"""The NHS.UK components of spl/templatetags/components.py, and the rules for the
templates that use them: statuses compared through their choices, short lines.

Components render the markup of nhsuk-frontend 10's macros; these tests read it
back with the template pack tests' parser and check classes, text and what
screen readers hear.
"""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.template import TemplateSyntaxError, engines
from django.utils.safestring import mark_safe

from caseload.models import Case
from directory.models import QAStatus
from referrals.models import Reason, Referral, ReferralReason, Status
from spl.templatetags.components import CASE_FLAG_TAGS, tag
from tests.spl.test_template_pack import parse

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def render(source, **context):
    return engines["django"].from_string("{% load components %}" + source).render(context)


def page(source, **context):
    return parse(render(source, **context))


# Summary lists


def test_a_summary_row_puts_its_key_and_value_in_the_nhs_classes():
    doc = page(
        "{% summary_list %}{% summary_row 'Date of birth' %} 1 May 1950 {% endsummary_row %}"
        "{% endsummary_list %}"
    )
    row = doc.find("dl", cls="nhsuk-summary-list").find("div", cls="nhsuk-summary-list__row")
    assert row.find("dt", cls="nhsuk-summary-list__key").text == "Date of birth"
    assert row.find("dd", cls="nhsuk-summary-list__value").text == "1 May 1950"
    assert not row.find_all(cls="nhsuk-summary-list__actions")


def test_a_summary_row_escapes_its_value():
    html = render("{% summary_row 'Notes' %}{{ notes }}{% endsummary_row %}", notes="<b>hi</b>")
    assert "&lt;b&gt;hi&lt;/b&gt;" in html


def test_one_action_is_a_link_with_words_for_screen_readers():
    doc = page(
        "{% summary_row 'List size' %}12,000"
        "{% summary_action '/edit/' 'Change' %}registered list size{% endsummary_action %}"
        "{% endsummary_row %}"
    )
    actions = doc.find("dd", cls="nhsuk-summary-list__actions")
    link = actions.find("a", href="/edit/")
    assert link.words == "Change registered list size"
    assert link.find("span", cls="nhsuk-u-visually-hidden").text == " registered list size"
    assert not actions.find_all("ul")
    assert doc.find("dd", cls="nhsuk-summary-list__value").text == "12,000"


def test_several_actions_are_a_list():
    doc = page(
        "{% summary_row 'Contact' %}Sam"
        "{% summary_action '/change/' 'Change' %}contact: Sam{% endsummary_action %}"
        "{% summary_action '/remove/' 'Remove' %}contact: Sam{% endsummary_action %}"
        "{% endsummary_row %}"
    )
    items = doc.find("ul", cls="nhsuk-summary-list__actions-list").find_all("li")
    assert [item.words for item in items] == ["Change contact: Sam", "Remove contact: Sam"]


def test_a_summary_key_can_hold_markup():
    doc = page(
        "{% summary_row %}{% summary_key %}<code>nhs_number</code>{% endsummary_key %}"
        "Ten digits{% endsummary_row %}"
    )
    assert doc.find("dt", cls="nhsuk-summary-list__key").find("code").text == "nhs_number"
    assert doc.find("dd", cls="nhsuk-summary-list__value").text == "Ten digits"


def test_a_row_without_actions_among_rows_with_them_says_so():
    doc = page("{% summary_row 'ODS code' no_actions=True %}Y12345{% endsummary_row %}")
    assert "nhsuk-summary-list__row--no-actions" in doc.find("div").classes


def test_an_action_outside_a_summary_row_is_a_template_error():
    with pytest.raises(TemplateSyntaxError, match="summary_row"):
        render("{% summary_action '/x/' 'Change' %}x{% endsummary_action %}")


# Tags


def test_a_tag_without_a_colour_is_the_default_blue():
    assert render("{% tag 'Beta' %}") == '<strong class="nhsuk-tag">Beta</strong>'


def test_a_tags_words_are_escaped_unless_marked_safe_each_time():
    # The markup of constant words is kept: the same words, safe or not,
    # must not share it.
    assert tag("<b>Beta</b>") == '<strong class="nhsuk-tag">&lt;b&gt;Beta&lt;/b&gt;</strong>'
    assert tag(mark_safe("<b>Beta</b>")) == '<strong class="nhsuk-tag"><b>Beta</b></strong>'
    assert tag("<b>Beta</b>") == '<strong class="nhsuk-tag">&lt;b&gt;Beta&lt;/b&gt;</strong>'


def listed(*reasons, other=""):
    """A referral whose reasons a list's query fetched (Referral.FETCHED_REASONS)."""
    referral = Referral(other_reason=other)
    setattr(referral, Referral.FETCHED_REASONS, [ReferralReason(reason=r) for r in reasons])
    return referral


def test_a_referrals_reasons_are_one_a_line():
    referral = listed(Reason.LONELINESS, Reason.HOUSING)
    assert render("{% reasons referral %}", referral=referral) == (
        "Loneliness and isolation<br>Housing"
    )


def test_a_reason_written_in_follows_the_others_escaped():
    referral = listed(Reason.HOUSING, other="Carer <for> her husband")
    assert render("{% reasons referral %}", referral=referral) == (
        "Housing<br>Other: Carer &lt;for&gt; her husband"
    )


def test_a_reason_no_longer_offered_is_shown_as_stored():
    assert render("{% reasons referral %}", referral=listed("retired_code")) == "retired_code"


def test_a_status_no_longer_offered_is_a_grey_tag_of_its_value():
    tag = page("{% status_tag referral %}", referral=Referral(status="retired")).find("strong")
    assert (tag.classes, tag.text) == (["nhsuk-tag", "nhsuk-tag--grey"], "retired")


def test_a_caseload_rows_flags_are_tags_in_the_rows_order():
    case = SimpleNamespace(safeguarding=True, goals_overdue=True)
    tags = page("{% case_flags case %}", case=case).find_all("strong")
    assert [(tag.text, tag.classes[-1]) for tag in tags] == [
        ("Overdue", "nhsuk-tag--orange"),
        ("Safeguarding", "nhsuk-tag--red"),
    ]


def test_a_caseload_row_without_flags_shows_no_tags():
    assert render("{% case_flags case %}", case=SimpleNamespace()) == ""


def test_every_flag_a_caseload_row_can_have_has_its_tag():
    assert sorted(flag for flag, _ in CASE_FLAG_TAGS) == sorted(Case.ROW_FLAGS)


@pytest.mark.parametrize(
    ("status", "colour"),
    [
        (Status.AWAITING_TRIAGE, "yellow"),
        (Status.ACCEPTED, "green"),
        (Status.DECLINED, "grey"),
        (Status.MERGED, "grey"),
    ],
)
def test_a_referrals_status_tag_is_coloured_by_its_status(status, colour):
    tag = page("{% status_tag referral %}", referral=Referral(status=status)).find("strong")
    assert tag.classes == ["nhsuk-tag", f"nhsuk-tag--{colour}"]
    assert tag.text == status.label


@pytest.mark.parametrize(
    ("status", "words", "colour"),
    [
        (QAStatus.ASSURED, "Assured", "green"),
        (QAStatus.EXPIRING, "Assurance expiring", "yellow"),
        (QAStatus.LAPSED, "Assurance lapsed", "red"),
        (QAStatus.NOT_ASSURED, "Not assured", "grey"),
        (None, "Not assured", "grey"),
    ],
)
def test_a_qa_tag_says_how_assured_in_words_and_colour(status, words, colour):
    tag = page("{% qa_tag status %}", status=status).find("strong")
    assert tag.classes == ["nhsuk-tag", f"nhsuk-tag--{colour}"]
    assert tag.text == words


# Links and callouts


def test_a_back_link_goes_where_it_is_told():
    link = page("{% back_link '/referrals/' 'Referrals' %}").find("a")
    assert link.classes == ["nhsuk-back-link"]
    assert link.attrs["href"] == "/referrals/"
    assert link.text == "Referrals"


def test_a_warning_callouts_heading_is_read_as_important():
    doc = page("{% warning_callout 'Possible duplicate' %}<p>Check it</p>{% endwarning_callout %}")
    callout = doc.find("div", cls="nhsuk-warning-callout")
    assert callout.find("h2", cls="nhsuk-warning-callout__label").words == (
        "Important: Possible duplicate"
    )
    assert callout.find("p").text == "Check it"


def test_inset_text_is_read_as_information():
    doc = page("{% inset_text classes='spl-contact-needs' %}<p>Call 111</p>{% endinset_text %}")
    inset = doc.find("div", cls="nhsuk-inset-text")
    assert "spl-contact-needs" in inset.classes
    assert inset.find("span", cls="nhsuk-u-visually-hidden").text == "Information: "


def test_a_clickable_card_is_one_link():
    card = page(
        "{% card 'Referrals' href='/referrals/' clickable=True %}Triage them{% endcard %}"
    ).find("div", cls="nhsuk-card")
    assert "nhsuk-card--clickable" in card.classes
    assert card.find("a", cls="nhsuk-card__link").attrs["href"] == "/referrals/"
    assert card.find("p", cls="nhsuk-card__description").text == "Triage them"


def test_a_card_with_a_link_and_more_in_it_links_its_heading_only():
    # A clickable card's link covers the card: a form in it could not be used.
    doc = page(
        "{% card 'Walking group' href='/services/1/' %}<p>Referred</p><form></form>{% endcard %}"
    )
    card = doc.find("div", cls="nhsuk-card")
    assert "nhsuk-card--clickable" not in card.classes
    assert card.find("h3").find("a").attrs["href"] == "/services/1/"
    # The content as it is: a paragraph may not hold paragraphs or forms.
    assert card.find_all("p", cls="nhsuk-card__description") == []
    assert card.find("form").tag == "form"


def test_details_can_count_what_they_fold_away():
    doc = page("{% details 'Earlier checks' count=3 %}<ul></ul>{% enddetails %}")
    assert doc.find("span", cls="nhsuk-details__summary-text").text == "Earlier checks (3)"


def test_a_panel_without_content_has_no_body():
    doc = page("{% panel 'Request sent' %}{% endpanel %}")
    assert doc.find("h1", cls="nhsuk-panel__title").text == "Request sent"
    assert not doc.find_all(cls="nhsuk-panel__body")


def test_a_success_banner_is_an_alert_titled_success():
    doc = page(
        "{% notification_banner 'result' type='success' %}Imported{% endnotification_banner %}"
    )
    banner = doc.find("div", cls="nhsuk-notification-banner")
    assert "nhsuk-notification-banner--success" in banner.classes
    assert banner.attrs["role"] == "alert"
    assert banner.attrs["aria-labelledby"] == "result"
    assert banner.find("h2", id="result").text == "Success"
    assert banner.find("p", cls="nhsuk-notification-banner__heading").text == "Imported"


def test_another_banner_is_a_region_titled_important():
    doc = page("{% notification_banner 'note' %}Saved{% endnotification_banner %}")
    banner = doc.find("div", cls="nhsuk-notification-banner")
    assert banner.classes == ["nhsuk-notification-banner"]
    assert banner.attrs["role"] == "region"
    assert banner.find("h2", id="note").text == "Important"


def test_an_error_summary_says_there_is_a_problem_unless_told_otherwise():
    doc = page("{% error_summary %}<ul></ul>{% enderror_summary %}")
    assert doc.find("h2", cls="nhsuk-error-summary__heading").text == "There is a problem"
    assert doc.find("div", cls="nhsuk-error-summary").attrs["data-module"] == (
        "nhsuk-error-summary"
    )


# Tables

TABLE = """{% table responsive=True %}
  {% table_caption hidden=True %}2 referrals{% endtable_caption %}
  {% table_head %}
    {% table_header "Person" %}
    {% table_header "Days" numeric=True %}
    {% table_header "Actions" hidden=True %}
  {% endtable_head %}
  {% table_body %}
    {% table_row %}
      {% row_header heading="Person" %}Sam{% endrow_header %}
      {% table_cell heading="Days" numeric=True %}3{% endtable_cell %}
      {% table_cell colspan=2 %}<a href="/x/">Open</a>{% endtable_cell %}
    {% endtable_row %}
  {% endtable_body %}
{% endtable %}"""


def test_a_responsive_tables_cells_carry_their_column_heading():
    doc = page(TABLE)
    table = doc.find("table", cls="nhsuk-table-responsive")
    cell = table.find("td", cls="nhsuk-table__cell--numeric")
    assert cell.find("span", cls="nhsuk-table-responsive__heading").attrs["aria-hidden"] == "true"
    assert cell.text == "Days 3"
    assert table.find("th", scope="row").text == "Person Sam"


def test_a_table_has_its_caption_and_column_headings():
    table = page(TABLE).find("table")
    caption = table.find("caption", cls="nhsuk-table__caption")
    assert "nhsuk-u-visually-hidden" in caption.classes
    headers = table.find("thead", cls="nhsuk-table__head").find_all("th", scope="col")
    assert [header.words for header in headers] == ["Person", "Days", "Actions"]
    assert "nhsuk-table__header--numeric" in headers[1].classes
    assert headers[2].find("span", cls="nhsuk-u-visually-hidden").text == "Actions"


def test_a_table_cell_can_span_columns():
    assert page(TABLE).find("td", colspan="2").find("a").text == "Open"


def test_a_table_cell_has_no_space_around_what_it_holds():
    html = render("{% table_cell numeric=True %}\n  3\n{% endtable_cell %}")
    assert html == '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">3</td>'


def test_a_cell_given_the_pages_values_renders_as_one_given_literals():
    written = render('{% table_cell heading="Days" numeric=True %}3{% endtable_cell %}')
    looked_up = render("{% table_cell heading=h numeric=n %}3{% endtable_cell %}", h="Days", n=1)
    assert written == looked_up


def test_a_component_given_an_argument_it_does_not_take_is_a_template_error():
    with pytest.raises(TemplateSyntaxError, match="table_cell"):
        render("{% table_cell width=2 %}3{% endtable_cell %}")


def test_a_table_cells_heading_is_escaped():
    html = render("{% table_cell heading=h %}3{% endtable_cell %}", h="<b>Days</b>")
    assert "&lt;b&gt;Days&lt;/b&gt;" in html


# One line of text


def test_oneline_drops_line_breaks_next_to_tags():
    source = """{% oneline %}
      Accepting referrals
      {% if weeks %}, wait about {{ weeks }} weeks{% endif %}
      {% if places %}, {{ places }} places free{% endif %}
    {% endoneline %}"""
    expected = "Accepting referrals, wait about 3 weeks, 2 places free"
    assert render(source, weeks=3, places=2) == expected


def test_oneline_keeps_one_space_between_words_on_two_lines():
    source = "{% oneline %}\n  {{ n }} created,\n  {{ m }} updated\n{% endoneline %}"
    assert render(source, n=1, m=2) == "1 created, 2 updated"


def test_oneline_drops_line_breaks_next_to_html_tags():
    source = '{% oneline %}\n  <a href="/">\n    <strong>Home</strong>\n  </a>\n{% endoneline %}'
    assert render(source) == '<a href="/"><strong>Home</strong></a>'


def test_oneline_leaves_what_variables_print_alone():
    source = "{% oneline %}\n  {{ notes }}\n{% endoneline %}"
    assert render(source, notes="Lives alone\n  with a cat") == "Lives alone\n  with a cat"


# The templates


def _templates():
    return sorted(path for path in TEMPLATES.rglob("*.html") if "emails" not in path.parts)


def test_no_template_compares_a_status_with_a_string():
    """Statuses are compared through their TextChoices (referral.is_awaiting_triage,
    service.Status.ACTIVE), so renaming a value cannot quietly break a page."""
    compared = re.compile(r"\b(status|urgency|access|qa_status)\s*[!=]=\s*['\"]")
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in _templates()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if compared.search(line)
    ]
    assert offenders == []


def test_no_template_line_is_longer_than_160_characters():
    long_lines = [
        f"{path.relative_to(TEMPLATES)}:{number} ({len(line)})"
        for path in _templates()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if len(line) > 160
    ]
    assert long_lines == []
