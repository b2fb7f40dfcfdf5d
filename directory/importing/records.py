"""The directory records one import has read and saved, so that its rows need
not ask the database for them one by one (directory.importing).

Each format loads the records its file names in a few queries, locked until
the import ends (FOR NO KEY UPDATE: others wait to change them, not to refer to
them), and its rows look them up here.
What a row saves is kept as saved, so the import always holds what its
transaction holds:

- a row gets copies: what it changes is kept only once it is saved;
- a row rolled back to its savepoint takes back what it did here too;
- records are found by their fields only through an index that is complete:
  every record with those values was loaded, or their parent is new.

Anything not held is read (and locked) when first asked for, so a lookup here
always gives what the database would.
"""

import copy
import functools

from directory.models import (
    Contact,
    CostOption,
    Language,
    Location,
    Organisation,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from spl.postcodes import normalise_postcode

# At most this many values in one query's IN list.
BATCH = 500
# The fields, other than the id, that records are looked up by: an index each.
# An index of more fields is complete when one of fewer fields is, and is loaded
# through it.
INDEXES = {
    Organisation: [("name", "pcn_id")],
    Service: [("organisation_id",), ("name", "organisation_id")],
    Location: [("organisation_id",), ("address", "organisation_id")],
    ServiceAtLocation: [("service_id",)],
    Contact: [("service_id",)],
    Schedule: [("service_id",)],
    ServiceArea: [("service_id",)],
    CostOption: [("service_id",)],
    Language: [("service_id",)],
    Taxonomy: [("name",)],
    TaxonomyTerm: [("taxonomy_id",), ("code", "taxonomy_id")],
}
# Indexed values computed from a record: a location's address as csv_file
# matches it, its first line in any case and its postcode normalised.
COMPUTED = {
    (Location, "address"): lambda place: (
        place.address_1.lower(),
        normalise_postcode(place.postcode),
    ),
}
_MISSING = object()


class Records:
    """The records of one import (Run.records), by model and id."""

    def __init__(self):
        self._held = {}  # (model, pk): the record as stored, or None when there is none
        self._many = {}  # (model, pk, field): the ids a many-to-many field holds
        self._index = {}  # (model, fields, values): {pk}
        self._complete = {}  # (model, fields, values): True when every such record is held
        self._undo = None  # the current row's changes here, to take back with its savepoint
        self._new = set()  # (model, pk) given a new uuid4 by this import

    # Rows ---------------------------------------------------------------

    def begin(self):
        self._undo = []

    def commit(self):
        self._undo = None

    def rollback(self):
        undo, self._undo = self._undo, None
        for store, key, old in reversed(undo or ()):
            self._set(store, key, old)

    # Lookups ------------------------------------------------------------

    def get(self, model, pk):
        """The record of `model` with id `pk` (a copy), or None if there is none."""
        return self.get_many(model, [pk]).get(pk) if pk is not None else None

    def get_many(self, model, pks):
        """{pk: record (a copy)} for those of `pks` that are in the directory."""
        pks = {pk for pk in pks if pk is not None}
        unknown = sorted(pk for pk in pks if (model, pk) not in self._held)
        for chunk in _chunks(unknown):
            found = {row.pk: row for row in _locked(model).filter(pk__in=chunk)}
            for pk in chunk:
                self._set(self._held, (model, pk), found.get(pk))
        return {pk: _copy(self._held[model, pk]) for pk in pks if self._held[model, pk] is not None}

    def filter(self, model, where=None, **values):
        """The records (copies) of `model` whose fields have `values`, by id; only
        those for which `where(record)` is true, when it is given."""
        found = [held for held in self._find(model, values) if where is None or where(held)]
        return [_copy(held) for held in sorted(found, key=lambda held: held.pk)]

    def values_list(self, model, *names, **values):
        """(the fields `names`) of each record of `model` whose fields have
        `values`, in no order."""
        return [tuple(getattr(held, name) for name in names) for held in self._find(model, values)]

    def _find(self, model, values):
        key = _index_key(model, values)
        if not self._is_complete(model, values):
            field, *fixed = next(
                fields
                for fields in INDEXES[model]
                if set(fields) <= values.keys()
                and not {(model, name) for name in fields} & COMPUTED.keys()
            )
            self.load(model, field, [values[field]], **{name: values[name] for name in fixed})
        return [self._held[model, pk] for pk in self._index.get(key, ())]

    def _is_complete(self, model, values):
        """Whether every record whose fields have `values` is held."""
        return any(
            _index_key(model, {name: values[name] for name in fields}) in self._complete
            for fields in INDEXES.get(model, ())
            if set(fields) <= values.keys()
        )

    def load(self, model, field, values, **fixed):
        """Hold every record of `model` whose `field` is one of `values` (and whose
        other fields have the `fixed` values), in a query per BATCH values.
        Returns the ids of those records."""
        keys = {value: _index_key(model, fixed | {field: value}) for value in values}
        wanted = sorted(
            value for value in keys if not self._is_complete(model, fixed | {field: value})
        )
        for chunk in _chunks(wanted):
            rows = _locked(model).filter(**fixed, **{f"{field}__in": chunk})
            for row in rows:
                if self._held.get((model, row.pk)) is None:  # else held as saved
                    self._set(self._held, (model, row.pk), row)
            for value in chunk:
                self._set(self._complete, keys[value], True)
        return {pk for key in keys.values() for pk in self._index.get(key, ())}

    def load_many(self, model, name, pks):
        """Hold the ids that many-to-many field `name` holds for the records `pks`,
        and return them."""
        field = model._meta.get_field(name)
        through = field.remote_field.through._meta
        source = through.get_field(field.m2m_field_name()).attname
        target = through.get_field(field.m2m_reverse_field_name()).attname
        wanted = sorted({pk for pk in pks if (model, pk, name) not in self._many})
        for chunk in _chunks(wanted):
            ids = {pk: [] for pk in chunk}
            rows = through.model.objects.filter(**{f"{source}__in": chunk})
            for pk, other in rows.values_list(source, target):
                ids[pk].append(str(other))
            for pk, held in ids.items():
                self._set(self._many, (model, pk, name), sorted(held))
        return {other for pk in pks for other in self._many.get((model, pk, name), ())}

    def many(self, instance, name):
        """The ids (sorted strings) that many-to-many field `name` of the stored
        `instance` holds, as history.changes_to compares them."""
        self.load_many(type(instance), name, [instance.pk])
        return self._many[type(instance), instance.pk, name]

    def get_related(self, instance, name):
        """The records (copies) that many-to-many field `name` of the stored
        `instance` holds."""
        model = type(instance)._meta.get_field(name).related_model
        pks = [model._meta.pk.to_python(pk) for pk in self.many(instance, name)]
        return list(self.get_many(model, pks).values())

    def stored(self, instance):
        """`instance` as the database has it (not a copy: do not change it), or
        None for a new record."""
        if instance._state.adding:
            return None
        key = (type(instance), instance.pk)
        if self._held.get(key) is None:
            self._set(self._held, key, _locked(type(instance)).get(pk=instance.pk))
        return self._held[key]

    def holds(self, model, pk):
        """Whether the record is in the directory, as far as the import knows."""
        return self._held.get((model, pk)) is not None

    def knows_absent(self, model, pk):
        return (model, pk) in self._held and self._held[model, pk] is None

    # Changes ------------------------------------------------------------

    def hold(self, instance):
        """Hold a record read elsewhere in this transaction."""
        self._set(self._held, (type(instance), instance.pk), _pristine(instance))

    def new(self, instance):
        """`instance`, a new record whose id is a new uuid4, or derived from one:
        no record has it."""
        key = (type(instance), instance.pk)
        if key not in self._held:
            self._set(self._held, key, None)
        self._new.add(key)
        return instance

    def is_new(self, instance):
        """Whether `instance` was made with `new`."""
        return (type(instance), instance.pk) in self._new

    def saved(self, instance, many=None, *, created):
        model = type(instance)
        self._set(self._held, (model, instance.pk), _pristine(instance))
        for name, objects in (many or {}).items():
            self._set(self._many, (model, instance.pk, name), sorted(str(o.pk) for o in objects))
        if created:
            # A new record has no children, and holds nothing it was not given.
            for child, fields in _children(model):
                self._set(self._complete, (child, fields, (instance.pk,)), True)
            for field in model._meta.many_to_many:
                if field.name not in (many or {}):
                    self._set(self._many, (model, instance.pk, field.name), [])

    def deleted(self, instance):
        self._set(self._held, (type(instance), instance.pk), None)

    def clashes(self, model, values, pk):
        """Whether a record other than `pk` has `values` ({attname: value}): True
        or False when a complete index holds every record that could, else None."""
        for fields in INDEXES.get(model, ()):
            indexed = {name: values[name] for name in fields if name in values}
            if len(indexed) == len(fields) and self._is_complete(model, indexed):
                return any(
                    other != pk and _values(model, self._held[model, other], values) == values
                    for other in self._index.get(_index_key(model, indexed), ())
                )
        return None

    def _set(self, store, key, value):
        old = store.get(key, _MISSING)
        if self._undo is not None:
            self._undo.append((store, key, old))
        if store is self._held:
            model, pk = key
            for fields in INDEXES.get(model, ()):
                if old not in (None, _MISSING):
                    index = _index_key(model, _values(model, old, fields))
                    self._index.get(index, set()).discard(pk)
                if value not in (None, _MISSING):
                    index = _index_key(model, _values(model, value, fields))
                    self._index.setdefault(index, set()).add(pk)
        if value is _MISSING:
            del store[key]
        else:
            store[key] = value


def _locked(model):
    return model._default_manager.select_for_update(no_key=True).order_by("pk")


def _chunks(values):
    values = list(values)
    return [values[start : start + BATCH] for start in range(0, len(values), BATCH)]


def _index_key(model, values):
    fields = tuple(sorted(values))
    if fields not in INDEXES.get(model, ()):
        raise ValueError(f"{model.__name__} has no index on {fields}")
    return (model, fields, tuple(values[name] for name in fields))


def _values(model, record, fields):
    return {
        name: COMPUTED[model, name](record) if (model, name) in COMPUTED else getattr(record, name)
        for name in fields
    }


@functools.cache
def _children(model):
    """(child model, index fields) for the indexes on a foreign key to `model`."""
    return [
        (child, fields)
        for child, indexes in INDEXES.items()
        for fields in indexes
        if len(fields) == 1
        and (field := child._meta.get_field(fields[0])).is_relation
        and field.related_model is model
    ]


def _pristine(instance):
    """A copy to hold: without related records, which may change apart from it."""
    held = copy.copy(instance)
    held._state.fields_cache = {}
    held.__dict__.pop("_prefetched_objects_cache", None)
    return held


def _copy(held):
    return copy.copy(held)
