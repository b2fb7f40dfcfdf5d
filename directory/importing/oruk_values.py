"""Reading the values of an Open Referral UK item (directory.importing.oruk), for
its taxonomies and terms (oruk_taxonomies) and its organisations and
services (oruk_services). A value that cannot be read is a reason to
reject the item, naming the field."""

import decimal

from django.db import models

from directory.importing.engine import parse_uuid


def names_for(mapping, **more):
    """{model field: ORUK name} from {ORUK key: model field}, for reasons."""
    return {name: key for key, name in mapping.items()} | more


def read_id(item, data, prefix):
    value = data.get("id")
    found = parse_uuid(value)
    if found is None:
        item.reject(f"{prefix}id: " + ("is required" if value in (None, "") else "must be a UUID"))
    return found


def copy_keys(item, obj, data, mapping, prefix):
    """Copy the keys `data` has onto `obj`; absent keys leave values alone."""
    for key, name in mapping.items():
        if key not in data:
            continue
        value = data[key]
        model_field = obj._meta.get_field(name)
        if value is None:
            value = None if model_field.null else ""
        elif isinstance(model_field, models.IntegerField):
            value = whole(value)
            if value is None:
                item.reject(f"{prefix}{key}: must be a whole number")
                continue
        elif isinstance(value, dict | list | bool):
            item.reject(f"{prefix}{key}: must be text")
            continue
        elif "\x00" in (value := str(value).strip()):
            item.reject(f"{prefix}{key}: must not contain a NUL character")
            continue
        setattr(obj, name, value)


def whole(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def number(value):
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        found = decimal.Decimal(str(value).strip())
    except decimal.InvalidOperation:
        return None
    return found if found.is_finite() else None


def read_list(item, data, key, prefix):
    """data[key] when it is present and a list; None when absent (or rejected)."""
    if key not in data or data[key] is None:
        return None
    if not isinstance(data[key], list):
        item.reject(f"{prefix}{key}: must be a list")
        return None
    return data[key]
