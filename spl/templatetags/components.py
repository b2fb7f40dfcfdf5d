"""NHS.UK components as template tags: a page composes them, never their markup.

`{% load components %}`, then for example:

    {% url "referrals:referral_list" as back %}{% back_link back "Referrals" %}
    {% status_tag referral %} {% tag "Urgent" "red" %}
    {% summary_list %}
      {% summary_row "Date of birth" %}{{ patient.date_of_birth|date:"j F Y" }}{% endsummary_row %}
    {% endsummary_list %}
    {% warning_callout "Possible duplicate" %}<p>...</p>{% endwarning_callout %}

Each tag builds its component's markup here with `format_html`, as nhsuk-frontend
10's macros render it (same classes, hidden text and roles). A block tag's content
(between it and its end tag) goes in the component with the whitespace around it
trimmed. docs/decisions/0010-templates-and-components.md says why.
"""

import re
from functools import lru_cache
from inspect import getfullargspec

from django import template
from django.template.base import TextNode, VariableNode, token_kwargs
from django.template.defaulttags import IfNode
from django.template.library import parse_bits
from django.utils.functional import Promise
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from caseload.models import CaseStatus, ConnectionStatus
from directory.models import QAStatus
from referrals.models import Reason, Status

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

# The colour of a case's status tag.
CASE_STATUS_COLOURS = {
    CaseStatus.CONTACTING: "yellow",
    CaseStatus.ACTIVE: "green",
    CaseStatus.ON_HOLD: "orange",
    CaseStatus.CLOSED: "grey",
}


def _trimmed(html):
    # Rendered template output is already escaped, so trimming it keeps it safe.
    return SafeString(html.strip())


def _if(condition, html):
    return html if condition else ""


# Components around their content


# Stands for the content while WrapperNode builds the markup around it.
_CONTENT = mark_safe("\x00")
_VARIES = object()
_NAMED_CONSTANTS = {("True",): True, ("False",): False, ("None",): None}


def _constant(argument):
    """The value of a tag argument that is the same at every render (a string or
    number written in the template, True, False or None), else _VARIES."""
    if argument.filters:
        return _VARIES
    if not argument.is_var:
        value = argument.var
    elif argument.var.lookups is None and not argument.var.translate:
        value = argument.var.literal
    elif argument.var.lookups in _NAMED_CONSTANTS:
        value = _NAMED_CONSTANTS[argument.var.lookups]
    else:
        return _VARIES
    # A translated string is translated at each render, in the request's language.
    return _VARIES if isinstance(value, Promise) else value


class WrapperNode(template.Node):
    """A block tag whose component puts its content, once, inside markup built from
    the tag's arguments.

    A page renders some of these once per table cell, and their arguments are
    nearly always written in the template ("Status", numeric=True). Then the markup
    before and after the content is built once, when the template is compiled (the
    cached template loader keeps it), and a render only joins it to the content.
    The practice list's 25 rows took 0.9 ms longer than hand-written markup with
    `format_html` at each cell, and 0.1 ms this way (decision 10).
    """

    def __init__(self, markup, args, kwargs, nodelist):
        self.markup, self.args, self.kwargs, self.nodelist = markup, args, kwargs, nodelist
        self.around = None
        values = [_constant(arg) for arg in args]
        options = {name: _constant(value) for name, value in kwargs.items()}
        if _VARIES not in values and _VARIES not in options.values():
            before, after = markup(_CONTENT, *values, **options).split(_CONTENT)
            self.around = (before, after)

    def render(self, context):
        content = self.nodelist.render(context).strip()
        if self.around is not None:
            before, after = self.around
            return SafeString(before + content + after)
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {name: value.resolve(context) for name, value in self.kwargs.items()}
        return self.markup(SafeString(content), *args, **kwargs)


def wrapper(markup):
    """Register `markup(content, ...)`, which returns the component with `content`
    in it once, as the block tag of the same name."""
    params, varargs, varkw, defaults, kwonly, kwonly_defaults, _ = getfullargspec(markup)
    name = markup.__name__

    def compile_tag(parser, token):
        bits = token.split_contents()[1:]
        args, kwargs = parse_bits(
            parser,
            bits,
            params[1:],
            varargs,
            varkw,
            defaults,
            kwonly,
            kwonly_defaults,
            False,
            name,
        )
        nodelist = parser.parse((f"end{name}",))
        parser.delete_first_token()
        return WrapperNode(markup, args, kwargs, nodelist)

    register.tag(name, compile_tag)
    return markup


# Links, tags and callouts


@register.simple_tag
def back_link(href, text, classes=""):
    """`{% back_link url "Referrals" %}`: the link back, above the page's heading."""
    return format_html(
        '<a class="nhsuk-back-link{}" href="{}">{}</a>',
        _if(classes, format_html(" {}", classes)),
        href,
        text,
    )


@register.simple_tag
def tag(text, colour=""):
    """`{% tag "Urgent" "red" %}`: an NHS tag; without a colour, the default blue."""
    # A tag's words are nearly always written in the template or a label of
    # choices: their markup is built once. `typed`: a str and the same words
    # marked safe are escaped differently.
    if type(text) in (str, SafeString) and type(colour) is str:
        return _constant_tag(text, colour)
    return _tag(text, colour)


def _tag(text, colour):
    colour = _if(colour, format_html(" nhsuk-tag--{}", colour))
    return format_html('<strong class="nhsuk-tag{}">{}</strong>', colour, text)


_constant_tag = lru_cache(maxsize=512, typed=True)(_tag)


def _tags(choices, colours, default):
    """Each value of `choices` as its tag: its label in its colour."""
    return {value: tag(label, colours.get(value, default)) for value, label in choices}


@register.simple_tag
def reasons(referral):
    """`{% reasons referral %}`: a referral's reasons, one a line, then any other
    reason as written. A tag, not an include: included in each of the
    caseload's 25 rows, the template took 2 ms of the page."""
    lines = [REASONS.get(reason.reason, reason.reason) for reason in referral.listed_reasons]
    if referral.other_reason:
        lines.append(format_html("Other: {}", referral.other_reason))
    # Each line escaped (a label) or already safe (format_html's).
    return SafeString("<br>".join(conditional_escape(line) for line in lines))


# Labels by value (an unknown value as itself, as get_FOO_display() gives it),
# looked up once: get_FOO_display() builds the dictionary of its choices at
# every call, 7 microseconds.
REASONS = dict(Reason.choices)


@register.simple_tag
def case_status_tag(case):
    """`{% case_status_tag case %}`: the case's status, coloured by CASE_STATUS_COLOURS."""
    return CASE_STATUS_TAGS.get(case.status) or tag(case.status, "grey")


@register.simple_tag
def case_flags(case):
    """`{% case_flags case %}`: the flags set on a caseload row (as
    caseload.flags gives them) as tags, or nothing. One tag for the nine:
    as nine `{% if %}`s a row, they took 2 ms of the caseload's 25."""
    shown = [markup for flag, markup in CASE_FLAG_TAGS if getattr(case, flag, False)]
    if not shown:
        return ""
    return SafeString(f'<span class="spl-tags">{"".join(shown)}</span>')


# The flags in the order a row shows them, each as its tag.
CASE_FLAG_TAGS = [
    (flag, tag(words, colour))
    for flag, words, colour in (
        ("goals_overdue", "Overdue", "orange"),
        ("review_due", "Review due", "blue"),
        ("awaiting_reply", "Awaiting GP reply", "purple"),
        ("baseline_due", "Baseline due", "blue"),
        ("provider_no_response", "No reply from a service", "orange"),
        ("safeguarding", "Safeguarding", "red"),
        ("resume_overdue", "Resume date passed", "orange"),
        ("unable_to_contact", "3 attempts", "red"),
        ("no_recent_contact", "No contact for 14 days", "yellow"),
    )
]


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


@register.simple_tag
def connection_status_tag(connection):
    """`{% connection_status_tag connection %}`: a connection to a service's status."""
    return CONNECTION_STATUS_TAGS.get(connection.status) or tag(connection.status, "grey")


@register.simple_tag
def status_tag(referral):
    """`{% status_tag referral %}`: the referral's status, coloured by STATUS_COLOURS."""
    return STATUS_TAGS.get(referral.status) or tag(referral.status, "grey")


CASE_STATUS_TAGS = _tags(CaseStatus.choices, CASE_STATUS_COLOURS, "grey")
CONNECTION_STATUS_TAGS = _tags(ConnectionStatus.choices, CONNECTION_STATUS_COLOURS, "grey")
STATUS_TAGS = _tags(Status.choices, STATUS_COLOURS, "grey")


@register.simple_tag
def qa_tag(status):
    """`{% qa_tag service.qa_status %}`: a directory QAStatus value as a tag."""
    return tag(*QA_TAGS.get(status, QA_TAGS[QAStatus.NOT_ASSURED]))


@wrapper
def warning_callout(content, heading):
    """`{% warning_callout "Already referred" %}<p>...</p>{% endwarning_callout %}`."""
    # role="text" keeps VoiceOver reading the label as one phrase, as nhsuk-frontend's
    # macro does.
    return format_html(
        '<div class="nhsuk-warning-callout"><h2 class="nhsuk-warning-callout__label">'
        '<span role="text"><span class="nhsuk-u-visually-hidden">Important: </span>{}</span>'
        "</h2>{}</div>",
        heading,
        content,
    )


@wrapper
def inset_text(content, classes=""):
    """`{% inset_text %}<p>...</p>{% endinset_text %}`: information set apart."""
    return format_html(
        '<div class="nhsuk-inset-text{}">'
        '<span class="nhsuk-u-visually-hidden">Information: </span>{}</div>',
        _if(classes, format_html(" {}", classes)),
        content,
    )


@wrapper
def card(content, heading, href="", clickable=False):
    """`{% card "Heading" href=url %}<p>...</p>{% endcard %}`: with `href`, the
    heading links to it, and the content is HTML of its own (paragraphs,
    lists, forms). With `clickable=True` too, the whole card is the link and
    the content is its one-line description: for a card with nothing else to
    click, as the link covers it all."""
    if href:
        heading = format_html('<a class="nhsuk-card__link" href="{}">{}</a>', href, heading)
    if clickable:
        content = format_html('<p class="nhsuk-card__description">{}</p>', content)
    return format_html(
        '<div class="nhsuk-card{}"><div class="nhsuk-card__content">'
        '<h3 class="nhsuk-card__heading nhsuk-heading-s">{}</h3>{}</div></div>',
        _if(href and clickable, " nhsuk-card--clickable"),
        heading,
        content,
    )


@wrapper
def details(content, summary, count=None, open=False):
    """`{% details "The columns" %}...{% enddetails %}`: content folded away. With
    `count=things|length`, the summary says how many: "Earlier checks (3)";
    `open=form.errors` unfolds it, to show a form's errors inside."""
    return format_html(
        '<details class="nhsuk-details"{}><summary class="nhsuk-details__summary">'
        '<span class="nhsuk-details__summary-text">{}{}</span></summary>'
        '<div class="nhsuk-details__text">{}</div></details>',
        _if(open, " open"),
        summary,
        _if(count is not None, format_html(" ({})", count)),
        content,
    )


@register.simple_block_tag
def panel(content, heading):
    """`{% panel "Referral sent" %}Reference<br>...{% endpanel %}`: the confirmation
    panel; without content, only its heading."""
    content = _trimmed(content)
    return format_html(
        '<div class="nhsuk-panel nhsuk-panel--confirmation">'
        '<h1 class="nhsuk-panel__title">{}</h1>{}</div>',
        heading,
        _if(content, format_html('<div class="nhsuk-panel__body">{}</div>', content)),
    )


@wrapper
def error_summary(content, heading="There is a problem"):
    """`{% error_summary %}<ul ...>...</ul>{% enderror_summary %}`: the error summary
    box. A form's own is `{% include "includes/_error_summary.html" %}`."""
    return format_html(
        '<div class="nhsuk-error-summary" data-module="nhsuk-error-summary"><div role="alert">'
        '<h2 class="nhsuk-error-summary__heading">{}</h2>'
        '<div class="nhsuk-error-summary__body">{}</div></div></div>',
        heading,
        content,
    )


@wrapper
def notification_banner(content, title_id, type=""):
    """`{% notification_banner "result" type="success" %}Done.{% endnotification_banner %}`:
    the content as the banner's heading, under the title "Success" (with type
    "success", nhsuk-frontend's name) or "Important"; `title_id` is the title's id."""
    success = type == "success"
    return format_html(
        '<div class="nhsuk-notification-banner{}" data-module="nhsuk-notification-banner"'
        ' role="{}" aria-labelledby="{}"><div class="nhsuk-notification-banner__header">'
        '<h2 class="nhsuk-notification-banner__title" id="{}">{}</h2></div>'
        '<div class="nhsuk-notification-banner__content">'
        '<p class="nhsuk-notification-banner__heading">{}</p></div></div>',
        _if(success, " nhsuk-notification-banner--success"),
        "alert" if success else "region",
        title_id,
        title_id,
        "Success" if success else "Important",
        content,
    )


# Summary lists


@wrapper
def summary_list(content):
    """`{% summary_list %}` rows `{% endsummary_list %}`."""
    return format_html('<dl class="nhsuk-summary-list">{}</dl>', content)


class SummaryRowNode(template.Node):
    def __init__(self, key, options, nodelist):
        self.key, self.options, self.nodelist = key, options, nodelist

    def render(self, context):
        # summary_key and summary_action fill in `row` while the content renders.
        row = {"key": self.key.resolve(context) if self.key else "", "actions": []}
        with context.push(summary_row=row):
            value = _trimmed(self.nodelist.render(context))
        no_actions = self.options["no_actions"].resolve(context) if self.options else False
        return format_html(
            '<div class="nhsuk-summary-list__row{}"><dt class="nhsuk-summary-list__key">{}</dt>'
            '<dd class="nhsuk-summary-list__value">{}</dd>{}</div>',
            _if(no_actions, " nhsuk-summary-list__row--no-actions"),
            row["key"],
            value,
            _summary_actions(row["actions"]),
        )


def _summary_actions(actions):
    links = [
        format_html(
            '<a href="{}">{}{}</a>',
            action["href"],
            action["text"],
            _if(
                action["hidden"],
                format_html('<span class="nhsuk-u-visually-hidden"> {}</span>', action["hidden"]),
            ),
        )
        for action in actions
    ]
    if len(links) == 1:
        return format_html('<dd class="nhsuk-summary-list__actions">{}</dd>', links[0])
    if links:
        items = format_html_join(
            "",
            '<li class="nhsuk-summary-list__actions-list-item">{}</li>',
            ((link,) for link in links),
        )
        return format_html(
            '<dd class="nhsuk-summary-list__actions">'
            '<ul class="nhsuk-summary-list__actions-list">{}</ul></dd>',
            items,
        )
    return ""


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


@wrapper
def table(content, responsive=False, classes=""):
    """`{% table %}` caption, head and body `{% endtable %}`. A responsive table
    stacks each row's cells on small screens, each under its `heading=`."""
    return format_html(
        '<table class="{}{}">{}</table>',
        "nhsuk-table-responsive" if responsive else "nhsuk-table",
        _if(classes, format_html(" {}", classes)),
        content,
    )


@wrapper
def table_caption(content, hidden=False):
    """`{% table_caption %}12 referrals{% endtable_caption %}`; `hidden=True` keeps
    it for screen readers only."""
    return format_html(
        '<caption class="nhsuk-table__caption{}">{}</caption>',
        _if(hidden, " nhsuk-u-visually-hidden"),
        content,
    )


@wrapper
def table_head(content):
    """`{% table_head %}` a `{% table_header %}` for each column `{% endtable_head %}`."""
    return format_html(
        '<thead class="nhsuk-table__head"><tr class="nhsuk-table__row">{}</tr></thead>', content
    )


@register.simple_tag
def table_header(text, numeric=False, hidden=False):
    """`{% table_header "Days waiting" numeric=True %}`: a column's heading;
    `hidden=True` for a column of actions, which needs no visible heading."""
    if hidden:
        text = format_html('<span class="nhsuk-u-visually-hidden">{}</span>', text)
    numeric = " nhsuk-table__header--numeric" if numeric else ""
    return format_html('<th class="nhsuk-table__header{}" scope="col">{}</th>', numeric, text)


@wrapper
def table_body(content):
    """`{% table_body %}` rows `{% endtable_body %}`."""
    return format_html('<tbody class="nhsuk-table__body">{}</tbody>', content)


@wrapper
def table_row(content):
    """`{% table_row %}` a row_header and table_cells `{% endtable_row %}`."""
    return format_html('<tr class="nhsuk-table__row">{}</tr>', content)


@wrapper
def row_header(content, heading="", classes=""):
    """`{% row_header %}`what the row is about`{% endrow_header %}`, its first cell."""
    return format_html(
        '<th class="nhsuk-table__header{}" scope="row">{}{}</th>',
        _if(classes, format_html(" {}", classes)),
        _responsive_heading(heading),
        content,
    )


@wrapper
def table_cell(content, heading="", numeric=False, colspan=None):
    """`{% table_cell heading="Status" %}...{% endtable_cell %}`. In a responsive
    table, `heading` is the column's heading, shown beside the cell on small screens."""
    return format_html(
        '<td class="nhsuk-table__cell{}"{}>{}{}</td>',
        _if(numeric, " nhsuk-table__cell--numeric"),
        _if(colspan, format_html(' colspan="{}"', colspan)),
        _responsive_heading(heading),
        content,
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
