"""The change history of directory records, in words a directory manager reads.

A ChangeRecord stores `{field: [before, after]}` as JSON (see
directory.services.save_with_history). Here each field gets its label, choices
their display names, and ids the names of what they point at.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.text import capfirst

ACTIONS = {"create": "Added", "update": "Changed", "delete": "Removed"}
KINDS = {
    "directory.organisation": "Organisation",
    "directory.service": "Service",
    "directory.location": "Place",
    "directory.qualitycheck": "Quality check",
    "directory.contact": "Contact",
    "directory.schedule": "Opening times",
}


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class Change:
    record: object  # the ChangeRecord
    action: str
    kind: str
    name: str
    fields: list


def describe(records):
    """Describe ChangeRecords for a page; ids in the changes are looked up once
    per related model."""
    records = list(records)
    related = _related_names(records)
    described = []
    for record in records:
        model = apps.get_model(record.object_type)
        fields = []
        for name, (before, after) in record.changes.items():
            field = _field(model, name)
            if field is None:
                continue
            fields.append(
                FieldChange(
                    label=capfirst(field.verbose_name),
                    before=_show(field, before, related),
                    after=_show(field, after, related),
                )
            )
        described.append(
            Change(
                record=record,
                action=ACTIONS.get(record.action, capfirst(record.action)),
                kind=KINDS.get(record.object_type, model._meta.verbose_name),
                name=record.object_name,
                fields=fields,
            )
        )
    return described


def _field(model, name):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:  # a field since removed: its history stays, unlabelled
        return None


def _related_names(records):
    """{(model label, str(pk)): str(obj)} for every id the records mention."""
    wanted = defaultdict(set)
    for record in records:
        model = apps.get_model(record.object_type)
        for name, values in record.changes.items():
            field = _field(model, name)
            if field is None or not field.is_relation:
                continue
            for value in values:
                for pk in value if isinstance(value, list) else [value]:
                    if pk is not None:
                        wanted[field.related_model].add(str(pk))
    found = {}
    for model, pks in wanted.items():
        for obj in model._default_manager.filter(pk__in=pks):
            found[(model._meta.label_lower, str(obj.pk))] = str(obj)
    return found


def _show(field, value, related):
    if value in (None, "", []):
        return "Not set"
    if field.is_relation:
        label = field.related_model._meta.label_lower
        values = value if isinstance(value, list) else [value]
        return ", ".join(related.get((label, str(pk)), "(removed)") for pk in values)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if field.get_internal_type() == "DateField" and (day := parse_date(str(value))):
        return date_format(day, "j F Y")
    if field.get_internal_type() == "DateTimeField" and (moment := parse_datetime(str(value))):
        return date_format(moment, "j F Y, H:i")
    return str(value)
