"""The import engine (directory.importing explains what an import does): a Run
of one file, an Item for each of its rows or items, each in a savepoint, and the
ImportReport they fill in, with reasons in words a person can act on.
"""

import logging
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, transaction

from directory import history
from directory.importing.checks import Checks
from directory.importing.records import Records
from directory.models import Organisation

logger = logging.getLogger(__name__)

# For ids derived from content, so a re-import finds what the last one created.
NAMESPACE = uuid.UUID("148e6781-5d24-4799-b5b0-174b5a80f12f")

OUT_OF_SCOPE = "belongs to another PCN's directory"
# Model constraints as a person would read them: (field, message).
CONSTRAINT_REASONS = {
    "service_age_range_in_order": ("minimum_age", "must not be more than the maximum age"),
    "service_places_within_maximum": (
        "available_places",
        "must not be more than the maximum places",
    ),
    "direct_referral_has_an_address": (
        "referral_email",
        "give the address that direct referrals go to",
    ),
}


@dataclass(frozen=True)
class ReportLine:
    """A record the import created, updated, left unchanged or deleted."""

    label: str  # "Row 3" or "Item 2": where in the file
    kind: str  # "organisation", "service", "location", "taxonomy term"…
    id: str
    name: str


@dataclass(frozen=True)
class Rejection:
    label: str
    reasons: list[str]


@dataclass(frozen=True)
class ReportWarning:
    """Something dropped from a row or item that was otherwise imported."""

    label: str
    message: str


@dataclass
class ImportReport:
    format: str  # "csv" or "oruk"
    dry_run: bool = False
    created: list[ReportLine] = field(default_factory=list)
    updated: list[ReportLine] = field(default_factory=list)
    unchanged: list[ReportLine] = field(default_factory=list)
    # Children of a service missing from a nested ORUK array that was given.
    deleted: list[ReportLine] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    warnings: list[ReportWarning] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # about the whole file

    @property
    def ok(self):
        return not self.errors and not self.rejected

    @property
    def imported(self):
        return self.ok and not self.dry_run

    def counts(self):
        return {
            name: len(getattr(self, name))
            for name in ("created", "updated", "unchanged", "deleted", "rejected", "warnings")
        } | {"errors": len(self.errors)}


class _Rollback(Exception):
    pass


class Run:
    """One import: where it goes, who does it, its report, the records it holds
    and the history of the rows imported so far."""

    def __init__(self, *, pcn, by, report):
        self.pcn = pcn
        self.by = by
        self.report = report
        self.records = Records()
        self.records.hold(pcn)
        self.checks = Checks(self.records)
        self.history = []
        # Only the PCN the import goes into, though the user may manage others.
        managed = Organisation.objects.filter(pcn=pcn)
        if by is not None:
            managed = Organisation.objects.managed_by(by).filter(pcn=pcn)
        self._scope = set(managed.values_list("pk", flat=True))
        self._reported = set()

    def in_scope(self, organisation_id):
        return organisation_id in self._scope

    def add_to_scope(self, organisation_id):
        """An organisation this import created in `pcn`."""
        self._scope.add(organisation_id)

    def reject(self, label, reason):
        self.report.rejected.append(Rejection(label, [reason]))

    @contextmanager
    def item(self, label):
        """Import one row or item in a savepoint: rolled back, and reported as
        rejected, if it gives any reason; otherwise its lines are reported."""
        item = Item(self, label)
        self.records.begin()
        try:
            with transaction.atomic():
                yield item
                if item.reasons:
                    raise _Rollback
        except _Rollback:
            pass
        except ValidationError as error:
            item.reasons += reasons(error)
        except (TypeError, ValueError) as error:
            # Data of a shape nothing above expected: this item's problem, not the file's.
            logger.warning("Import: %s could not be read (%s)", label, type(error).__name__)
            item.reasons.append("could not be read: a value is not of the kind expected")
        except DatabaseError as error:
            logger.warning("Import: the database refused %s (%s)", label, type(error).__name__)
            detail = str(error).strip().splitlines()[0] if str(error).strip() else "no detail"
            item.reasons.append(f"could not be saved: the database refused it ({detail})")
        if item.reasons:
            self.records.rollback()
            self.report.rejected.append(Rejection(label, item.reasons))
            return
        self.records.commit()
        self.history += item.history
        lists = {
            "create": self.report.created,
            "update": self.report.updated,
            "unchanged": self.report.unchanged,
            "delete": self.report.deleted,
        }
        for action, line in item.lines:
            key = (line.kind, line.id)
            # A record several rows name is reported once, unless a later row changes it.
            if action == "unchanged" and key in self._reported:
                continue
            self._reported.add(key)
            lists[action].append(line)


class Item:
    """One row or item: the reasons to reject it, and the records it touched.

    Once it has a reason, records are only validated, not saved, so the report
    gives every reason at once.
    """

    def __init__(self, run, label):
        self.run = run
        self.label = label
        self.reasons = []
        self.lines = []
        self.history = []

    def reject(self, reason):
        self.reasons.append(reason)

    def warn(self, message):
        self.run.report.warnings.append(ReportWarning(self.label, message))

    def save(self, instance, kind, *, fields=None, prefix="", parents=(), many=None):
        """Validate and save `instance`; return "create", "update" or None.

        `fields` maps model fields to the names the file uses; `parents` are the
        foreign keys not checked while only validating (they may be unsaved).
        `many` maps many-to-many fields to the objects they should hold.
        """
        records = self.run.records
        try:
            stored = records.stored(instance)
            exclude = parents if self.reasons else ()
            changes = self.run.checks.clean(instance, stored=stored, many=many, exclude=exclude)
            if self.reasons:
                return None
        except ValidationError as error:
            self.reasons += reasons(error, type(instance), fields, prefix)
            return None
        action = None
        if changes or stored is None:
            action = _save(instance, changes, many)
            self.history += history.unsaved(instance, action, changes, self.run.by)
            _log(instance, f"{action}d", self.run.by)
            records.saved(instance, many, created=stored is None)
        self.lines.append((action or "unchanged", _line(self.label, kind, instance)))
        return action

    def delete(self, instance, kind):
        if self.reasons:
            return
        line = _line(self.label, kind, instance)
        self.history += history.unsaved(instance, "delete", history.deletion(instance), self.run.by)
        _log(instance, "deleted", self.run.by)
        instance.delete()
        self.run.records.deleted(instance)
        self.lines.append(("delete", line))


def _save(instance, changes, many):
    """Save a validated new or changed record without a savepoint of its own (the
    row has one), and the many-to-many fields that changed: "create" or "update"."""
    adding = instance._state.adding
    instance.save()
    for name, objects in (many or {}).items():
        if name in changes and adding:
            getattr(instance, name).add(*objects)
        elif name in changes:
            getattr(instance, name).set(objects)
    return "create" if adding else "update"


def _log(instance, done, by):
    logger.debug(
        "%s %s %s by user %s", instance._meta.label, instance.pk, done, by.pk if by else None
    )


def _line(label, kind, instance):
    return ReportLine(label, kind, str(instance.pk), getattr(instance, "name", "") or str(instance))


def reasons(error, model=None, fields=None, prefix=""):
    """A ValidationError as "field: message" sentences, with the file's names
    for fields (`fields`, `prefix`) and constraints put in words."""
    fields = fields or {}
    found = []
    for name, errors in error.update_error_dict({}).items():
        for problem in errors:
            column, message = name, _message(problem, model, name)
            if name == NON_FIELD_ERRORS:
                column, message = _constraint(model, message)
            column = fields.get(column, column) if column else None
            if column:
                found.append(f"{prefix}{column}: {message}")
            elif prefix:
                found.append(f"{prefix.rstrip('.')}: {message}")
            else:
                found.append(_sentence(message))
    return found


def _message(problem, model, name):
    params = problem.params or {}
    code = problem.code
    if code in ("blank", "null", "required"):
        return "is required"
    if code == "max_value":
        return f"must be {params['limit_value']} or less"
    if code == "min_value":
        return f"must be {params['limit_value']} or more"
    if code == "max_length":
        limit, length = params["limit_value"], params["show_value"]
        return f"must be {limit} characters or fewer (it has {length})"
    if code == "invalid_choice" and model is not None:
        choices = [str(value) for value, _ in model._meta.get_field(name).flatchoices]
        return f"“{params.get('value')}” is not one of: {', '.join(choices)}"
    text = problem.message % params if params else problem.message
    return _clause(str(text))


def _constraint(model, message):
    for constraint in model._meta.constraints if model is not None else ():
        if constraint.name in CONSTRAINT_REASONS and message == _clause(
            str(constraint.get_violation_error_message())
        ):
            return CONSTRAINT_REASONS[constraint.name]
    return None, message


def _clause(text):
    """ "Enter a valid email address." → "enter a valid email address"."""
    text = text.strip().rstrip(".")
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        text = text[0].lower() + text[1:]
    return text


def _sentence(text):
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def parse_uuid(value):
    """A UUID from a file's id, or None if it is not one."""
    if isinstance(value, uuid.UUID):
        return value
    if not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        return None


def derived_id(*parts):
    """A stable id for something the file names without an id."""
    return uuid.uuid5(NAMESPACE, "/".join(str(part) for part in parts))
