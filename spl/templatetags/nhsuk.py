"""Helpers for the crispy `nhsuk` template pack (templates/nhsuk/).

The pack's field.html asks `field|nhsuk_kind` which small template renders a
field; the templates use the ids below so that labels, hints, error messages,
aria-describedby and error summary links agree.
"""

from django import forms, template
from django.forms.utils import flatatt

from spl.fields import DateInput

register = template.Library()


@register.filter
def nhsuk_kind(field):
    """Which nhsuk/fields/_<kind>.html renders this bound field."""
    widget = field.field.widget
    kinds = (
        (DateInput, "date"),
        (forms.CheckboxSelectMultiple, "checkboxes"),
        (forms.RadioSelect, "radios"),
        (forms.CheckboxInput, "checkbox"),
        (forms.Select, "select"),
        (forms.Textarea, "textarea"),
        (forms.PasswordInput, "password"),
    )
    for widget_class, kind in kinds:
        if isinstance(widget, widget_class):
            return kind
    return "input"


@register.filter
def nhsuk_id(field):
    """The field's own id: hint and error ids are "<id>-hint" and "<id>-error"."""
    return field.field.widget.attrs.get("id") or field.auto_id or ""


@register.filter
def nhsuk_anchor(field):
    """The id an error summary link points at: the input a person should fix.

    That is the input itself, the first radio or checkbox of a group, or the
    day box of a date.
    """
    widget = field.field.widget
    if isinstance(widget, forms.RadioSelect):  # includes CheckboxSelectMultiple
        return widget.id_for_label(nhsuk_id(field), "0")
    return field.id_for_label or nhsuk_id(field)


@register.filter
def nhsuk_describedby(field):
    """aria-describedby for the input or fieldset: its hint and error message ids."""
    own = field.field.widget.attrs.get("aria-describedby", "")
    id_ = nhsuk_id(field)
    ids = [own, field.help_text and f"{id_}-hint", field.errors and f"{id_}-error"]
    return " ".join(part for part in ids if part)


@register.simple_tag
def nhsuk_widget(field, css_class, error_class="", **defaults):
    """Render the field's own widget with NHS classes and aria-describedby.

    The widget keeps its attrs (autocomplete, inputmode, maxlength...). Its own
    class (say nhsuk-input--width-10) goes after css_class, and error_class is
    added while the field has errors. `defaults` are attributes used only when
    the widget does not set them.
    """
    widget = field.field.widget
    classes = [css_class, field.errors and error_class, widget.attrs.get("class", "")]
    attrs = {key: value for key, value in defaults.items() if key not in widget.attrs}
    attrs["class"] = " ".join(part for part in classes if part)
    if describedby := nhsuk_describedby(field):
        attrs["aria-describedby"] = describedby
    return field.as_widget(attrs=attrs)


@register.filter
def nhsuk_choices(field):
    """The options of a radio or checkbox group, each with its id and checked state."""
    widget = field.field.widget
    id_ = nhsuk_id(field)
    values = widget.format_value(field.value())
    options = []
    for _, group, _ in widget.optgroups(field.html_name, values, {"id": id_} if id_ else {}):
        options.extend(group)
    return options


@register.filter
def nhsuk_date_parts(field):
    """The day, month and year boxes of a `spl.fields.DateField`.

    Each has label, id, name, value (as typed, even when invalid), width, error
    (whether to highlight it) and attrs (the box's other HTML attributes).
    """
    widget = field.field.widget
    id_ = nhsuk_id(field)
    attrs = {"id": id_} if id_ else {}
    if field.field.disabled:
        attrs["disabled"] = True
    context = widget.get_context(field.html_name, field.value(), attrs)
    highlighted = _date_error_parts(field)
    parts = []
    for (part, label, width), subwidget in zip(
        widget.parts, context["widget"]["subwidgets"], strict=True
    ):
        other = {k: v for k, v in subwidget["attrs"].items() if k not in ("id", "class")}
        parts.append(
            {
                "label": label,
                "id": subwidget["attrs"].get("id", ""),
                "name": subwidget["name"],
                "value": subwidget["value"],
                "width": width,
                "error": part in highlighted,
                "attrs": flatatt(other),
            }
        )
    return parts


@register.filter
def nhsuk_button_class(button):
    """The classes of a crispy Submit/Button/Reset: nhsuk-button plus its css_class.

    crispy's Bootstrap defaults (btn, btn-primary...) are dropped, so
    Submit("save", "Save", css_class="nhsuk-button--secondary") is a secondary button.
    """
    extra = [name for name in button.field_classes.split() if not name.startswith("btn")]
    return " ".join(dict.fromkeys(["nhsuk-button", *extra]))


def _date_error_parts(field):
    """Which boxes have the problem: those named by the errors, else all of them."""
    highlighted = set()
    for error in field.errors.as_data():
        params = error.params if isinstance(error.params, dict) else {}
        highlighted.update(params.get("parts", ("day", "month", "year")))
    return highlighted


@register.filter
def nhsuk_revealed(field, value):
    """The fields a radio or checkbox option reveals (NHS.UK conditional content).

    A form names them in `conditional_fields`, for example
    `{"decision": {"merge": ["merge_into"]}}`; the pack renders them under their
    option, shown without JavaScript and hidden until chosen with it.
    """
    form = field.form
    names = getattr(form, "conditional_fields", {}).get(field.name, {}).get(str(value), ())
    return [form[name] for name in names if name in form.fields]
