"""The change history of directory records: what each write changed, and how
that reads to a directory manager.

Every write to the directory records who made it: a ChangeRecord of the fields
that changed, `{field: [before, after]}` as JSON, and an audit event, in the
same transaction. directory.services records them one write at a time;
directory.importing makes them unsaved, row by row, and creates them in bulk
once every row of a file is checked. A write that changes nothing records
nothing.

`describe` puts ChangeRecords in words: each field gets its label, choices
their display names, and ids the names of what they point at.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.text import capfirst

from directory.models import ChangeRecord, Organisation, Service
from spl import audit
from spl.models import AuditEvent

# Rows per INSERT when history is created in bulk.
BATCH = 500


# Recording what a write changed


def changes_to(instance, *, stored, many=None, stored_many=None):
    """What saving `instance` changes: `{field: [before, after]}` for the fields a
    person edits. `stored` is the record as the database has it (None for a new
    one, which lists the fields it is created with); `many` maps many-to-many
    fields to the objects they should hold, and `stored_many` to the ids they
    hold now (as sorted strings; read from `stored` when not given)."""
    many = many or {}
    before = {}
    if stored is not None:
        if stored_many is None:
            stored_many = {name: _pks(getattr(stored, name).all()) for name in many}
        before = _snapshot(stored) | {name: list(stored_many[name]) for name in many}
    after = _snapshot(instance) | {name: _pks(objects) for name, objects in many.items()}
    return _changes(before, after)


def deletion(instance):
    """What deleting `instance` changes: each value it has, to None."""
    created = _changes({}, _snapshot(instance))
    return {name: [after, None] for name, (_, after) in created.items()}


def record(instance, action, changes, by):
    """Save the ChangeRecord and audit event of one write ("create", "update" or
    "delete") by `by`."""
    _change_record(instance, action, changes, by).save(force_insert=True)
    audit.record(by, AuditEvent.Action(action), instance)


def unsaved(instance, action, changes, by):
    """The ChangeRecord and audit event of one write, not yet saved: for save_all."""
    event = audit.unsaved(by, AuditEvent.Action(action), instance)
    return [_change_record(instance, action, changes, by), event]


def save_all(rows):
    """Create the ChangeRecords and audit events from `unsaved`, in bulk."""
    for model in (ChangeRecord, AuditEvent):
        model.objects.bulk_create([row for row in rows if type(row) is model], batch_size=BATCH)


def _tracked_fields(model):
    """The fields a person edits: not the id, timestamps or values the
    application keeps itself (such as an organisation's assurance)."""
    return [
        field
        for field in model._meta.concrete_fields
        if field.editable
        and not field.primary_key
        and not getattr(field, "auto_now", False)
        and not getattr(field, "auto_now_add", False)
    ]


def _snapshot(instance):
    return {
        field.name: getattr(instance, field.attname) for field in _tracked_fields(type(instance))
    }


def _pks(objects):
    return sorted(str(obj.pk) for obj in objects)


def _changes(before, after):
    """{field: [before, after]} for the fields whose value changed, as JSON.

    Values compare as Python values, so 53.8 and 53.800000 are the same number.
    A new record lists the fields it was created with.
    """
    return {
        name: [_json(before.get(name)), _json(value)]
        for name, value in after.items()
        if (name in before and before[name] != value)
        or (name not in before and value not in (None, "", []))
    }


def _json(value):
    if value is None or isinstance(value, bool | int | float | str | list):
        return value
    try:
        # Dates and times as ISO 8601, decimals and UUIDs as strings.
        return DjangoJSONEncoder().default(value)
    except TypeError:
        return str(value)


def _change_record(instance, action, changes, by):
    return ChangeRecord(
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_name=str(instance)[:200],
        organisation_id=_organisation_id(instance),
        changed_by=by if by is not None and by.is_authenticated else None,
        action=action,
        changes=changes,
    )


def _organisation_id(instance):
    """The organisation a directory record belongs to; None for taxonomies."""
    if isinstance(instance, Organisation):
        return instance.pk
    if hasattr(instance, "organisation_id"):
        return instance.organisation_id
    if hasattr(instance, "service_id"):  # a service's contacts, schedules, costs...
        if type(instance).service.is_cached(instance):
            return instance.service.organisation_id
        return (
            Service.objects.filter(pk=instance.service_id)
            .values_list("organisation_id", flat=True)
            .first()
        )
    return None


# Reading it

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
