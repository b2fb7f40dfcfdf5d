"""How forms render their widgets: Django's templates, except an input's, a
textarea's and a select's.

Django renders each widget through a template that includes others (an input's
attributes through a third), and a select's options one template each: 60
microseconds an option, so the caseload's three filters (18 options) took 1.5
ms of the page to draw, and an input 0.15 ms, ten of them on a case page. These
widgets are written here instead, the same markup as Django's templates give
(tests compare the two), less the whitespace between a select's tags: options
and optgroups in order, attributes escaped, `selected` and other attributes
that are True written bare, those that are False left out. Every other widget
(a radio's option, a file input) still renders through the templates."""

from django.forms.renderers import DjangoTemplates
from django.utils.html import format_html, format_html_join

WIDGETS = "django/forms/widgets/"
SELECT = WIDGETS + "select.html"
TEXTAREA = WIDGETS + "textarea.html"
# The widgets whose template is only django/forms/widgets/input.html.
INPUTS = {
    WIDGETS + f"{kind}.html"
    for kind in (
        "checkbox", "color", "date", "datetime", "email", "hidden", "number",
        "password", "search", "tel", "text", "time", "url",
    )
}  # fmt: skip


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name in INPUTS:
            return input_(context["widget"])
        if template_name == TEXTAREA:
            return textarea(context["widget"])
        if template_name == SELECT:
            return select(context["widget"])
        return super().render(template_name, context, request)


def input_(widget):
    """The markup of an input widget's context (Input.get_context()["widget"])."""
    value = widget["value"]
    return format_html(
        '<input type="{}" name="{}"{}{}>',
        widget["type"],
        widget["name"],
        "" if value is None else format_html(' value="{}"', value),
        attributes(widget["attrs"]),
    )


def textarea(widget):
    """The markup of a textarea's context. The line break after the opening tag
    is Django's: a browser drops it, and keeps a value's own first line break."""
    return format_html(
        '<textarea name="{}"{}>\n{}</textarea>',
        widget["name"],
        attributes(widget["attrs"]),
        widget["value"] or "",
    )


def select(widget):
    """The markup of a select widget's context (Select.get_context()["widget"])."""
    groups = []
    for group_name, options, _index in widget["optgroups"]:
        rendered = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((option["value"], attributes(option["attrs"]), option["label"]) for option in options),
        )
        if group_name:
            rendered = format_html('<optgroup label="{}">{}</optgroup>', group_name, rendered)
        groups.append(rendered)
    return format_html(
        '<select name="{}"{}>{}</select>',
        widget["name"],
        attributes(widget["attrs"]),
        format_html_join("", "{}", ((group,) for group in groups)),
    )


def attributes(attrs):
    """As django/forms/widgets/attrs.html writes them."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )
