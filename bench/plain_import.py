"""The importer as plain Django, for bench/directory_import.py (PLAIN=1) to time
against directory.importing's record cache and checks.

Issue 10 asked for the importer's cache (directory/importing/records.py) and its
rewrite of full_clean (checks.py) to give way to plain Django unless a 1,000-row
import then took longer than 10 s. These classes take their place with the same
methods: every lookup is a query, nothing is remembered between rows (so
nothing needs undoing when a row is rolled back), and records are validated by
their models' own full_clean, less two plain savings (a foreign key to a record
in hand is not looked up again; an unchanged record is not checked against its
model's constraints, which the database holds it to). docs/benchmarks.md has
the figures: 10.2 to 10.9 s for a first import against 2.8 to 2.9 s, so the
cache stays.
"""

from directory import history
from directory.models import Location
from spl.postcodes import normalise_postcode


def _locked(model):
    return model._default_manager.select_for_update(no_key=True).order_by("pk")


class Records:
    def __init__(self):
        self._new = set()

    def begin(self):
        pass

    def commit(self):
        pass

    def rollback(self):
        pass

    def get(self, model, pk):
        return _locked(model).filter(pk=pk).first() if pk is not None else None

    def get_many(self, model, pks):
        pks = [pk for pk in pks if pk is not None]
        return {row.pk: row for row in _locked(model).filter(pk__in=pks)} if pks else {}

    def filter(self, model, where=None, **values):
        address = values.pop("address", None) if model is Location else None
        rows = list(_locked(model).filter(**values))
        if address is not None:
            rows = [
                row
                for row in rows
                if (row.address_1.lower(), normalise_postcode(row.postcode)) == address
            ]
        return [row for row in rows if where is None or where(row)]

    def values_list(self, model, *names, **values):
        return list(model._default_manager.filter(**values).values_list(*names))

    def load(self, model, field, values, **fixed):
        values = list(values)
        if not values:
            return set()
        found = model._default_manager.filter(**fixed, **{f"{field}__in": values})
        return set(found.values_list("pk", flat=True))

    def load_many(self, model, name, pks):
        field = model._meta.get_field(name)
        through = field.remote_field.through._meta
        source = through.get_field(field.m2m_field_name()).attname
        target = through.get_field(field.m2m_reverse_field_name()).attname
        rows = through.model.objects.filter(**{f"{source}__in": list(pks)})
        return {str(other) for other in rows.values_list(target, flat=True)}

    def many(self, instance, name):
        return sorted(str(pk) for pk in getattr(instance, name).values_list("pk", flat=True))

    def get_related(self, instance, name):
        return list(getattr(instance, name).all())

    def stored(self, instance):
        return None if instance._state.adding else _locked(type(instance)).get(pk=instance.pk)

    def holds(self, model, pk):
        return False

    def knows_absent(self, model, pk):
        return False

    def hold(self, instance):
        pass

    def new(self, instance):
        self._new.add((type(instance), instance.pk))
        return instance

    def is_new(self, instance):
        return (type(instance), instance.pk) in self._new

    def saved(self, instance, many=None, *, created):
        pass

    def deleted(self, instance):
        pass


class Checks:
    def __init__(self, records):
        self.records = records

    def clean(self, instance, *, stored, many=None, exclude=()):
        in_hand = {
            field.name
            for field in type(instance)._meta.concrete_fields
            if field.is_relation
            and field.is_cached(instance)
            and getattr(instance, field.name) is not None
            and not getattr(instance, field.name)._state.adding
        }
        stored_many = None
        if stored is not None:
            stored_many = {name: self.records.many(stored, name) for name in many or {}}
        changes = history.changes_to(instance, stored=stored, many=many, stored_many=stored_many)
        instance.full_clean(
            exclude={*exclude, *in_hand}, validate_constraints=stored is None or bool(changes)
        )
        return changes
