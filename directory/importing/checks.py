"""Validation of the records an import saves (directory.importing): what
full_clean does, with the same errors, less the queries whose answers the
import already has.

full_clean asks the database whether each foreign key's record exists, whether
a new id is unused, and whether the record meets each of its model's
constraints: most of the queries an import made. Instead:

- a foreign key is not looked up when it is as stored, or its record is held
  (directory.importing.records);
- a new id is not looked up when the import knows no record has it;
- a record just as stored is not checked against its model's constraints: the
  database holds it to them;
- a check constraint is asked of the database once for each set of values it
  reads, which many rows share;
- a unique constraint is answered from the records held when an index holds
  every record that could clash.
"""

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import router
from django.db.models import CheckConstraint, F, Q, UniqueConstraint
from django.db.models.constants import LOOKUP_SEP

from directory import history


class Checks:
    def __init__(self, records):
        self.records = records
        self._answers = {}  # (model, constraint, values it reads): its error, or None
        self._reads = {}  # (model, constraint): the fields it reads, or None

    def clean(self, instance, *, stored, many=None, exclude=()):
        """Validate `instance` as full_clean(exclude=exclude) does and return what
        saving it would change (history.changes_to). `stored` is the record as
        the database has it (None for a new one); `many` maps many-to-many fields
        to the objects they should hold."""
        records, model = self.records, type(instance)
        exclude = set(exclude)
        known = {
            field.name
            for field in model._meta.concrete_fields
            if field.is_relation
            and field.name not in exclude
            and (value := getattr(instance, field.attname)) is not None
            and (
                (stored is not None and value == getattr(stored, field.attname))
                or records.holds(field.related_model, value)
            )
        }
        errors = {}
        try:
            instance.clean_fields(exclude=exclude | known)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        try:
            instance.clean()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        exclude |= {name for name in errors if name != NON_FIELD_ERRORS}
        unused = {model._meta.pk.name} if records.knows_absent(model, instance.pk) else set()
        try:
            instance.validate_unique(exclude=exclude | unused)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        stored_many = None
        if stored is not None:
            stored_many = {name: records.many(stored, name) for name in many or {}}
        changes = history.changes_to(instance, stored=stored, many=many, stored_many=stored_many)
        if stored is None or changes:
            exclude |= {name for name in errors if name != NON_FIELD_ERRORS}
            errors = self._constraints(instance, exclude, errors)
        if errors:
            raise ValidationError(errors)
        return changes

    def _constraints(self, instance, exclude, errors):
        """`errors` with those of instance.validate_constraints(exclude)."""
        using = router.db_for_write(type(instance), instance=instance)
        for model, constraints in instance.get_constraints():
            for constraint in constraints:
                key = self._key(model, constraint, instance, exclude)
                if key in self._answers:
                    error = self._answers[key]
                elif self._unique_here(model, constraint, instance, exclude):
                    error = None
                else:
                    try:
                        constraint.validate(model, instance, exclude=exclude, using=using)
                        error = None
                    except ValidationError as raised:
                        error = raised
                    if key is not None:
                        self._answers[key] = error
                # Gathered as Model.validate_constraints gathers them.
                if error is None:
                    continue
                if getattr(error, "code", None) == "unique" and len(constraint.fields) == 1:
                    errors.setdefault(constraint.fields[0], []).append(error)
                else:
                    errors = error.update_error_dict(errors)
        return errors

    def _key(self, model, constraint, instance, exclude):
        """What a check constraint's answer for `instance` depends on, or None."""
        if (model, constraint.name) not in self._reads:
            self._reads[model, constraint.name] = _reads(model, constraint)
        reads = self._reads[model, constraint.name]
        if reads is None or {field.name for field in reads} & exclude:
            return None
        values = tuple(getattr(instance, field.attname) for field in reads)
        try:
            hash(values)
        except TypeError:
            return None
        return (model, constraint.name, values)

    def _unique_here(self, model, constraint, instance, exclude):
        """Whether the records held show that `instance` meets a unique constraint."""
        if not isinstance(constraint, UniqueConstraint) or constraint.condition is not None:
            return False
        fields = [model._meta.get_field(name) for name in constraint.fields]
        values = {field.attname: getattr(instance, field.attname) for field in fields}
        if not fields or {field.name for field in fields} & exclude or None in values.values():
            return False
        return self.records.clashes(model, values, instance.pk) is False


def _reads(model, constraint):
    """The fields a check constraint reads; None for any other constraint, or
    for a condition too complex to tell."""
    condition = getattr(constraint, "condition", None)
    if not isinstance(constraint, CheckConstraint) or not isinstance(condition, Q):
        return None
    names = set()
    conditions = [condition]
    while conditions:
        for child in conditions.pop().children:
            if isinstance(child, Q):
                conditions.append(child)
                continue
            if not isinstance(child, tuple):
                return None
            lookup, value = child
            names.add(lookup.split(LOOKUP_SEP)[0])
            if isinstance(value, F):
                names.add(value.name.split(LOOKUP_SEP)[0])
            elif hasattr(value, "resolve_expression"):
                return None
    try:
        return tuple(model._meta.get_field(name) for name in sorted(names))
    except FieldDoesNotExist:
        return None
