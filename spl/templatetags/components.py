"""NHS.UK components as template tags: a page composes them, never their markup.

`{% load components %}`, then for example:

    {% url "referrals:referral_list" as back %}{% back_link back "Referrals" %}
    {% status_tag referral %} {% tag "Urgent" "red" %}
    {% summary_list %}
      {% summary_row "Date of birth" %}{{ patient.date_of_birth|date:"j F Y" }}{% endsummary_row %}
    {% endsummary_list %}
    {% warning_callout "Possible duplicate" %}<p>...</p>{% endwarning_callout %}

Each tag renders a template in templates/nhsuk/components/, beside the crispy
pack's field templates, so the markup stays HTML that djLint checks; the tags
only gather the arguments. A block tag's content (between it and its end tag)
goes in the component with the whitespace around it trimmed, and so does the
component's own output. docs/decisions/0010-templates-and-components.md says why.
"""

import re

from django import template
from django.template.base import TextNode, VariableNode, token_kwargs
from django.template.defaulttags import IfNode
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from caseload.models import CaseStatus, ConnectionStatus
from directory.models import QAStatus
from referrals.models import Status

register = template.Library()

# The colour of a referral's status tag; any other status is grey.
STATUS_COLOURS = {
    Status.AWAITING_TRIAGE: "yellow",
    Status.ALLOCATED: "blue",
    Status.ACCEPTED: "green",
}

# A directory QA status as a tag: its words and colour.
QA_TAGS = {
    QAStatus.ASSURED: ("Assured", "green"),
    QAStatus.EXPIRING: ("Assurance expiring", "yellow"),
    QAStatus.LAPSED: ("Assurance lapsed", "red"),
    QAStatus.NOT_ASSURED: ("Not assured", "grey"),
}


def _trimmed(html):
    # Rendered template output is already escaped, so trimming it keeps it safe.
    return mark_safe(html.strip())  # noqa: S308


def _render(context, component, **values):
    """Render nhsuk/components/_<component>.html with `values`, as an inclusion tag does."""
    name = f"nhsuk/components/_{component}.html"
    # A context of the values alone: copying the page's would cost more than the
    # component, on pages that render one per table cell.
    values = template.Context(values, autoescape=context.autoescape, use_tz=context.use_tz)
    return _trimmed(context.template.engine.get_template(name).render(values))


def _block(context, component, content, **values):
    return _render(context, component, content=_trimmed(content), **values)


# Links, tags and callouts


@register.simple_tag(takes_context=True)
def back_link(context, href, text, classes=""):
    """`{% back_link url "Referrals" %}`: the link back, above the page's heading."""
    return _render(context, "back_link", href=href, text=text, classes=classes)


@register.simple_tag(takes_context=True)
def tag(context, text, colour=""):
    """`{% tag "Urgent" "red" %}`: an NHS tag; without a colour, the default blue."""
    return _render(context, "tag", text=text, colour=colour)


# The colour of a case's status tag.
CASE_STATUS_COLOURS = {
    CaseStatus.CONTACTING: "yellow",
    CaseStatus.ACTIVE: "green",
    CaseStatus.ON_HOLD: "orange",
    CaseStatus.CLOSED: "grey",
}


@register.simple_tag(takes_context=True)
def case_status_tag(context, case):
    """`{% case_status_tag case %}`: the case's status, coloured by CASE_STATUS_COLOURS."""
    colour = CASE_STATUS_COLOURS[case.status]
    return _render(context, "tag", text=case.get_status_display(), colour=colour)


CONNECTION_STATUS_COLOURS = {
    ConnectionStatus.SUGGESTED: "white",
    ConnectionStatus.REFERRED: "blue",
    ConnectionStatus.ACCEPTED: "green",
    ConnectionStatus.DECLINED: "red",
    ConnectionStatus.NO_RESPONSE: "orange",
    ConnectionStatus.ATTENDED: "green",
    ConnectionStatus.DID_NOT_ATTEND: "yellow",
    ConnectionStatus.ENDED: "grey",
}


@register.simple_tag(takes_context=True)
def connection_status_tag(context, connection):
    """`{% connection_status_tag connection %}`: a connection to a service's status."""
    colour = CONNECTION_STATUS_COLOURS[connection.status]
    return tag(context, connection.get_status_display(), colour)


@register.simple_tag(takes_context=True)
def status_tag(context, referral):
    """`{% status_tag referral %}`: the referral's status, coloured by STATUS_COLOURS."""
    colour = STATUS_COLOURS.get(referral.status, "grey")
    return _render(context, "tag", text=referral.get_status_display(), colour=colour)


@register.simple_tag(takes_context=True)
def qa_tag(context, status):
    """`{% qa_tag service.qa_status %}`: a directory QAStatus value as a tag."""
    text, colour = QA_TAGS.get(status, QA_TAGS[QAStatus.NOT_ASSURED])
    return _render(context, "tag", text=text, colour=colour)


@register.simple_block_tag(takes_context=True)
def warning_callout(context, content, heading):
    """`{% warning_callout "Already referred" %}<p>...</p>{% endwarning_callout %}`."""
    return _block(context, "warning_callout", content, heading=heading)


@register.simple_block_tag(takes_context=True)
def inset_text(context, content, classes=""):
    """`{% inset_text %}<p>...</p>{% endinset_text %}`: information set apart."""
    return _block(context, "inset_text", content, classes=classes)


@register.simple_block_tag(takes_context=True)
def card(context, content, heading, href=""):
    """`{% card "Heading" href=url %}A description.{% endcard %}`: with `href`, the
    whole card is a link to it (a clickable card)."""
    return _block(context, "card", content, heading=heading, href=href)


@register.simple_block_tag(takes_context=True)
def details(context, content, summary, count=None, open=False):
    """`{% details "The columns" %}...{% enddetails %}`: content folded away. With
    `count=things|length`, the summary says how many: "Earlier checks (3)";
    `open=form.errors` unfolds it, to show a form's errors inside."""
    return _block(context, "details", content, summary=summary, count=count, open=bool(open))


@register.simple_block_tag(takes_context=True)
def panel(context, content, heading):
    """`{% panel "Referral sent" %}Reference<br>...{% endpanel %}`: the confirmation
    panel; without content, only its heading."""
    return _block(context, "panel", content, heading=heading)


@register.simple_block_tag(takes_context=True)
def error_summary(context, content, heading="There is a problem"):
    """`{% error_summary %}<ul ...>...</ul>{% enderror_summary %}`: the error summary
    box. A form's own is `{% include "includes/_error_summary.html" %}`."""
    return _block(context, "error_summary", content, heading=heading)


@register.simple_block_tag(takes_context=True)
def notification_banner(context, content, title_id, type=""):
    """`{% notification_banner "result" type="success" %}Done.{% endnotification_banner %}`:
    the content as the banner's heading, under the title "Success" (with type
    "success", nhsuk-frontend's name) or "Important"; `title_id` is the title's id."""
    return _block(context, "notification_banner", content, title_id=title_id, type=type)


# Summary lists


@register.simple_block_tag(takes_context=True)
def summary_list(context, content):
    """`{% summary_list %}` rows `{% endsummary_list %}`."""
    return _block(context, "summary_list", content)


class SummaryRowNode(template.Node):
    def __init__(self, key, options, nodelist):
        self.key, self.options, self.nodelist = key, options, nodelist

    def render(self, context):
        # summary_key and summary_action fill in `row` while the content renders.
        row = {"key": self.key.resolve(context) if self.key else "", "actions": []}
        with context.push(summary_row=row):
            value = _trimmed(self.nodelist.render(context))
        no_actions = self.options["no_actions"].resolve(context) if self.options else False
        return _render(context, "summary_row", value=value, no_actions=no_actions, **row)


@register.tag
def summary_row(parser, token):
    """`{% summary_row "Key" %}value{% endsummary_row %}`: one row of a summary list.

    Inside it, `{% summary_action url "Change" %}opening times{% endsummary_action %}`
    adds a link to the row's actions (screen readers hear "Change opening times"),
    and `{% summary_key %}...{% endsummary_key %}` gives a key with markup in place
    of the argument. `no_actions=True` marks a row without actions in a list whose
    other rows have some, so the columns line up.
    """
    bits = token.split_contents()[1:]
    key = parser.compile_filter(bits.pop(0)) if bits and "=" not in bits[0] else None
    options = token_kwargs(bits, parser)
    if bits or set(options) - {"no_actions"}:
        raise template.TemplateSyntaxError("summary_row takes a key and, optionally, no_actions=")
    nodelist = parser.parse(("endsummary_row",))
    parser.delete_first_token()
    return SummaryRowNode(key, options, nodelist)


def _row(context, name):
    try:
        return context["summary_row"]
    except KeyError:
        raise template.TemplateSyntaxError(f"{name} goes inside {{% summary_row %}}") from None


@register.simple_block_tag(takes_context=True)
def summary_action(context, content, href, text):
    """An action of the summary_row it is in; the row renders it."""
    action = {"href": href, "text": text, "hidden": _trimmed(content)}
    _row(context, "summary_action")["actions"].append(action)
    return ""


@register.simple_block_tag(takes_context=True)
def summary_key(context, content):
    """The key of the summary_row it is in, when the key needs markup."""
    _row(context, "summary_key")["key"] = _trimmed(content)
    return ""


# Tables


@register.simple_block_tag(takes_context=True)
def table(context, content, responsive=False, classes=""):
    """`{% table %}` caption, head and body `{% endtable %}`. A responsive table
    stacks each row's cells on small screens, each under its `heading=`."""
    return _block(context, "table", content, responsive=responsive, classes=classes)


@register.simple_block_tag(takes_context=True)
def table_caption(context, content, hidden=False):
    """`{% table_caption %}12 referrals{% endtable_caption %}`; `hidden=True` keeps
    it for screen readers only."""
    return _block(context, "table_caption", content, hidden=hidden)


@register.simple_block_tag(takes_context=True)
def table_head(context, content):
    """`{% table_head %}` a `{% table_header %}` for each column `{% endtable_head %}`."""
    return _block(context, "table_head", content)


@register.simple_tag
def table_header(text, numeric=False, hidden=False):
    """`{% table_header "Days waiting" numeric=True %}`: a column's heading;
    `hidden=True` for a column of actions, which needs no visible heading."""
    if hidden:
        text = format_html('<span class="nhsuk-u-visually-hidden">{}</span>', text)
    numeric = " nhsuk-table__header--numeric" if numeric else ""
    return format_html('<th class="nhsuk-table__header{}" scope="col">{}</th>', numeric, text)


@register.simple_block_tag(takes_context=True)
def table_body(context, content):
    """`{% table_body %}` rows `{% endtable_body %}`."""
    return _block(context, "table_body", content)


# A table's rows and cells are built here rather than from templates, as the
# other components are: a page renders one per cell, and a template each made a
# list of 25 rows 2 ms slower (decision 10).


@register.simple_block_tag
def table_row(content):
    """`{% table_row %}` a row_header and table_cells `{% endtable_row %}`."""
    return format_html('<tr class="nhsuk-table__row">{}</tr>', _trimmed(content))


@register.simple_block_tag
def row_header(content, heading="", classes=""):
    """`{% row_header %}`what the row is about`{% endrow_header %}`, its first cell."""
    classes = f" {classes}" if classes else ""
    return format_html(
        '<th class="nhsuk-table__header{}" scope="row">{}{}</th>',
        classes,
        _responsive_heading(heading),
        _trimmed(content),
    )


@register.simple_block_tag
def table_cell(content, heading="", numeric=False, colspan=None):
    """`{% table_cell heading="Status" %}...{% endtable_cell %}`. In a responsive
    table, `heading` is the column's heading, shown beside the cell on small screens."""
    numeric = " nhsuk-table__cell--numeric" if numeric else ""
    colspan = format_html(' colspan="{}"', colspan) if colspan else ""
    return format_html(
        '<td class="nhsuk-table__cell{}"{}>{}{}</td>',
        numeric,
        colspan,
        _responsive_heading(heading),
        _trimmed(content),
    )


def _responsive_heading(heading):
    if not heading:
        return ""
    return format_html(
        '<span class="nhsuk-table-responsive__heading" aria-hidden="true">{} </span>', heading
    )


# Text


class OneLineNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        return self.nodelist.render(context)


_BREAK = re.compile(r"[ \t\r]*\n\s*")


def _join_lines(nodelist):
    """Rewrite the template text in `nodelist`, and in the blocks inside it, as
    oneline says: a line break is nothing next to a tag, else one space."""
    for i, node in enumerate(nodelist):
        if isinstance(node, TextNode):
            before = nodelist[i - 1] if i else None
            after = nodelist[i + 1] if i + 1 < len(nodelist) else None
            node.s = _joined(node.s, _is_word(before), _is_word(after))
        elif isinstance(node, IfNode):
            for _, branch in node.conditions_nodelists:
                _join_lines(branch)
        else:
            for name in node.child_nodelists:
                _join_lines(getattr(node, name, None) or [])


def _is_word(node):
    # What a variable prints reads as a word; a template tag, or the start or end
    # of a block, is a tag.
    return isinstance(node, VariableNode | TextNode)


def _joined(text, word_before, word_after):
    def join(match):
        start, end = match.start(), match.end()
        word_on_left = text[start - 1] != ">" if start else word_before
        word_on_right = text[end] != "<" if end < len(text) else word_after
        return " " if word_on_left and word_on_right else ""

    return _BREAK.sub(join, text)


@register.tag
def oneline(parser, token):
    """`{% oneline %}...{% endoneline %}`: one line of output, written over several.

    Between the tags, each line break in the template, with the indentation around
    it, is nothing next to a tag (a template tag such as `{% if %}`, or an HTML
    tag's `<` or `>`) and one space between words: JSX's rule. So a sentence built
    from conditions, or markup that must not gain spaces, can be written in short
    lines and reindented by djLint without changing what it renders: "Accepting
    referrals" then a line `{% if weeks %}, wait about...{% endif %}` reads
    "Accepting referrals, wait about...". What variables print is left as it is.
    """
    nodelist = parser.parse(("endoneline",))
    parser.delete_first_token()
    _join_lines(nodelist)
    return OneLineNode(nodelist)
