"""How forms render their widgets: Django's templates, except a select's.

Django renders each option of a select through a template of its own (and its
attributes through another): 60 microseconds an option, so the caseload's
three filters (18 options) took 1.5 ms of the page to draw. A select is written
here instead, the same markup as Django's templates give, less their
whitespace: options and optgroups in order, attributes escaped, `selected`
and other attributes that are True written bare, those that are False left
out."""

from django.forms.renderers import DjangoTemplates
from django.utils.html import format_html, format_html_join

SELECT = "django/forms/widgets/select.html"


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name == SELECT:
            return select(context["widget"])
        return super().render(template_name, context, request)


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
