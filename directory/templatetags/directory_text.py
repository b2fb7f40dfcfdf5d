"""Words as the directory's pages put them together."""

from django import template

register = template.Library()


@register.filter
def mid_sentence(label):
    """A label as it reads after other words: "Safeguarding policy reviewed" →
    "safeguarding policy reviewed", while "DBS checks…" keeps its capitals. Only
    the first letter changes, and not when the first word is an acronym: a screen
    reader spells out "DBS" and "UK GDPR" but says "dbs" and "uk gdpr" as words."""
    label = str(label)
    first_word = label.split(" ", 1)[0]
    if len(first_word) > 1 and first_word[:2].isupper():
        return label
    return label[:1].lower() + label[1:]
