"""Organisations and services, with their children, from an Open Referral UK
file (directory.importing.oruk explains the format and what is imported).

A service's nested arrays, when present, are the full set: each child is
upserted by id and the service's other children are deleted (a location is only
unlinked). Access and capacity are SPL's own and never set.

A location belongs to an organisation: one the service's organisation does not
own is never linked or changed. A UK postal_code is stored as Royal Mail writes
it ("ls14ap" becomes "LS1 4AP"); any other is kept as given, with a warning,
because feeds may describe places anywhere (the ORUK example has "ABC 1234").
"""

import decimal

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_time

from directory.importing.engine import OUT_OF_SCOPE, parse_uuid
from directory.importing.oruk_values import (
    copy_keys,
    names_for,
    number,
    read_id,
    read_list,
)
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
    TaxonomyTerm,
)
from directory.oruk import IDENTIFIER_SCHEMES
from spl.postcodes import normalise_postcode, validate_postcode

# {ORUK key: model field}, for the fields copied as they are.
ORGANISATION_FIELDS = {
    "name": "name",
    "description": "description",
    "email": "email",
    "website": "website",
}
SERVICE_FIELDS = {
    "name": "name",
    "description": "description",
    "url": "url",
    "email": "email",
    "status": "status",
    "fees": "fees",
    "accreditations": "accreditations",
    "minimum_age": "minimum_age",
    "maximum_age": "maximum_age",
    "alert": "alert",
    "eligibility_description": "eligibility",
}
LOCATION_FIELDS = {"name": "name", "description": "description"}
ADDRESS_FIELDS = {"address_1": "address_1", "city": "city", "postal_code": "postcode"}


def import_organisation(item, data, prefix):
    """An organization item, with the services it lists."""
    organisation = _organisation(item, data, prefix)
    if organisation is None:
        return
    for n, service in enumerate(read_list(item, data, "services", prefix) or []):
        if isinstance(service, dict):
            import_service(item, service, f"{prefix}services[{n}].", organisation=organisation)
        else:
            item.reject(f"{prefix}services[{n}]: must be an object")


def _organisation(item, data, prefix):
    organisation_id = read_id(item, data, prefix)
    if organisation_id is None:
        return None
    existing = item.run.records.get(Organisation, organisation_id)
    if existing is not None and not item.run.in_scope(existing.pk):
        item.reject(f"{prefix}id: {OUT_OF_SCOPE}")
        return None
    organisation = existing or Organisation(id=organisation_id, pcn=item.run.pcn)
    copy_keys(item, organisation, data, ORGANISATION_FIELDS, prefix)
    identifiers = read_list(item, data, "organization_identifiers", prefix)
    if identifiers is not None:
        for name, scheme, _ in IDENTIFIER_SCHEMES:
            given = [
                str(entry.get("identifier") or "").strip()
                for entry in identifiers
                if isinstance(entry, dict) and entry.get("identifier_scheme") == scheme
            ]
            setattr(organisation, name, given[0] if given else "")
    fields = names_for(
        ORGANISATION_FIELDS,
        charity_number="organization_identifiers (GB-CHC)",
        company_number="organization_identifiers (GB-COH)",
    )
    if item.save(organisation, "organisation", fields=fields, prefix=prefix) == "create":
        item.run.add_to_scope(organisation.pk)
    return organisation


def import_service(item, data, prefix, organisation=None):
    """A service item, or one an organization lists (`organisation`)."""
    records = item.run.records
    service_id = read_id(item, data, prefix)
    if service_id is None:
        return
    existing = records.get(Service, service_id)
    if existing is not None and not item.run.in_scope(existing.organisation_id):
        item.reject(f"{prefix}id: {OUT_OF_SCOPE}")
        return
    if organisation is None and isinstance(data.get("organization"), dict):
        organisation = _organisation(item, data["organization"], f"{prefix}organization.")
    elif organisation is None and data.get("organization_id"):
        organisation = records.get(Organisation, parse_uuid(data["organization_id"]))
        if organisation is None:
            item.reject(f"{prefix}organization_id: no organisation in the directory has this id")
        elif not item.run.in_scope(organisation.pk):
            item.reject(f"{prefix}organization_id: {OUT_OF_SCOPE}")
    elif organisation is None and existing is not None:
        organisation = records.get(Organisation, existing.organisation_id)
    elif organisation is None:
        item.reject(f"{prefix}organization: a new service needs its organization")
    if organisation is None:
        return
    if existing is not None and existing.organisation_id != organisation.pk:
        item.reject(f"{prefix}organization: the service belongs to another organisation")
        return
    service = existing or Service(
        id=service_id, organisation=organisation, access=Service.Access.SIGNPOSTING
    )
    service.organisation = organisation
    copy_keys(item, service, data, SERVICE_FIELDS, prefix)
    terms = _terms(item, data, prefix)
    many = {"taxonomy_terms": terms} if terms is not None else None
    fields = names_for(SERVICE_FIELDS, organisation="organization")
    item.save(service, "service", fields=fields, prefix=prefix, parents=["organisation"], many=many)
    for key, model, kind, fill in CHILDREN:
        _children(item, service, data, key, model, kind, fill, prefix)
    _at_locations(item, service, data, prefix)


def _terms(item, data, prefix):
    """The terms to link, or None when the item says nothing about them."""
    attributes = read_list(item, data, "attributes", prefix)
    listed = read_list(item, data, "taxonomy_terms", prefix)
    if attributes is None and listed is None:
        return None
    wanted = []
    for n, attribute in enumerate(attributes or []):
        if isinstance(attribute, dict):
            term = attribute.get("taxonomy_term")
            value = term.get("id") if isinstance(term, dict) else attribute.get("taxonomy_term_id")
            if value:
                wanted.append((f"{prefix}attributes[{n}].taxonomy_term", value))
    for n, term in enumerate(listed or []):
        value = term.get("id") if isinstance(term, dict) else term
        wanted.append((f"{prefix}taxonomy_terms[{n}]", value))
    found = item.run.records.get_many(TaxonomyTerm, {parse_uuid(value) for _, value in wanted})
    terms = {}
    for where, value in wanted:
        term = found.get(parse_uuid(value))
        if term is None:
            item.warn(
                f"{where}: no taxonomy term in the directory has the id {value}, so the "
                "service is not linked to it"
            )
        else:
            terms[term.pk] = term
    return list(terms.values())


def _rows_with_ids(item, data, key, prefix):
    """[(id, row, where)] of the objects in data[key], rejecting those that are not
    objects or have no valid id; None when the list is absent."""
    rows = read_list(item, data, key, prefix)
    if rows is None:
        return None
    wanted = []
    for n, row in enumerate(rows):
        where = f"{prefix}{key}[{n}]."
        if not isinstance(row, dict):
            item.reject(f"{where.rstrip('.')}: must be an object")
        elif (row_id := read_id(item, row, where)) is not None:
            wanted.append((row_id, row, where))
    return wanted


def _children(item, service, data, key, model, kind, fill, prefix):
    """Upsert the children in data[key] by id and delete the service's others."""
    records = item.run.records
    wanted = _rows_with_ids(item, data, key, prefix)
    if wanted is None:
        return
    ids = {child_id for child_id, _, _ in wanted}
    if not service._state.adding:
        for old in records.filter(
            model, service_id=service.pk, where=lambda child: child.pk not in ids
        ):
            old.service = service
            item.delete(old, kind)
    existing = records.get_many(model, ids)
    for child_id, row, where in wanted:
        child = existing.get(child_id)
        if child is not None and child.service_id != service.pk:
            item.reject(f"{where}id: belongs to another service")
            continue
        child = child or model(id=child_id)
        child.service = service
        if fill(item, child, row, where) is not False:
            item.save(child, kind, prefix=where, parents=["service"])


def _fill_schedule(item, schedule, data, prefix):
    copy_keys(item, schedule, data, {"byday": "byday", "description": "description"}, prefix)
    for key in ("opens_at", "closes_at"):
        if key not in data:
            continue
        # Read here, not left to clean_fields: Schedule.clean compares the two times.
        given = data[key] not in (None, "")
        time = _time(data[key]) if given else None
        if given and time is None:
            item.reject(f"{prefix}{key}: must be a time, like 09:30")
        else:
            setattr(schedule, key, time)


def _time(value):
    """The time in "10:00" or "10:00:00", or None."""
    try:
        return parse_time(value) if isinstance(value, str) else None
    except ValueError:  # well formed but no time, like 25:00
        return None


def _fill_area(item, area, data, prefix):
    if "name" in data:
        copy_keys(item, area, data, {"name": "name"}, prefix)
    elif area._state.adding:
        copy_keys(item, area, {"name": data.get("service_area")}, {"name": "name"}, prefix)
    copy_keys(item, area, data, {"service_area": "description"}, prefix)


def _fill_cost(item, cost, data, prefix):
    copy_keys(
        item, cost, data, {"option": "option", "amount_description": "amount_description"}, prefix
    )
    if "amount" in data:
        cost.amount = None if data["amount"] is None else number(data["amount"])
        if data["amount"] is not None and cost.amount is None:
            item.reject(f"{prefix}amount: must be a number")


def _fill_contact(item, contact, data, prefix):
    copy_keys(item, contact, data, {"name": "name", "title": "title", "email": "email"}, prefix)
    phones = read_list(item, data, "phones", prefix)
    if phones:
        first = phones[0] if isinstance(phones[0], dict) else {}
        contact.phone = str(first.get("number") or "").strip()


def _fill_language(item, language, data, prefix):
    copy_keys(item, language, data, {"name": "name", "code": "code"}, prefix)
    if language._state.adding and not language.name:
        item.warn(f"{prefix.rstrip('.')}: a language without a name was not imported")
        return False
    return True


CHILDREN = (
    ("schedules", Schedule, "schedule", _fill_schedule),
    ("service_areas", ServiceArea, "service area", _fill_area),
    ("cost_options", CostOption, "cost option", _fill_cost),
    ("contacts", Contact, "contact", _fill_contact),
    ("languages", Language, "language", _fill_language),
)


def _at_locations(item, service, data, prefix):
    records = item.run.records
    key = "service_at_locations"
    wanted = _rows_with_ids(item, data, key, prefix)
    if wanted is None:
        return
    ids = {at_id for at_id, _, _ in wanted}
    if not service._state.adding:
        # Unlinked only: the location is the organisation's, maybe for other services.
        links = records.filter(ServiceAtLocation, service_id=service.pk)
        for old in [link for link in links if link.pk not in ids]:
            old.service = service
            item.delete(old, "service at location")
    existing = records.get_many(ServiceAtLocation, ids)
    for at_id, row, where in wanted:
        place = row.get("location") if isinstance(row.get("location"), dict) else {}
        location_id = parse_uuid(place.get("id") or row.get("location_id"))
        if location_id is None:
            item.reject(f"{where}location.id: must be a UUID")
            continue
        location = _location(item, service.organisation, place, location_id, f"{where}location.")
        at = existing.get(at_id)
        if location is None:
            continue
        if at is not None and at.service_id != service.pk:
            item.reject(f"{where}id: belongs to another service")
            continue
        at = at or ServiceAtLocation(id=at_id)
        at.service, at.location = service, location
        item.save(at, "service at location", prefix=where, parents=["service", "location"])


def _location(item, organisation, data, location_id, prefix):
    existing = item.run.records.get(Location, location_id)
    if existing is not None and not item.run.in_scope(existing.organisation_id):
        item.reject(f"{prefix}id: {OUT_OF_SCOPE}")
        return None
    if existing is not None and existing.organisation_id != organisation.pk:
        item.reject(f"{prefix}id: belongs to another organisation")
        return None
    location = existing or Location(id=location_id, organisation=organisation)
    copy_keys(item, location, data, LOCATION_FIELDS, prefix)
    if "latitude" in data or "longitude" in data:
        given = (data.get("latitude"), data.get("longitude"))
        latitude, longitude = (number(value) for value in given)
        if given == (None, None):
            location.latitude = location.longitude = None
        elif latitude is None or longitude is None or abs(latitude) > 90 or abs(longitude) > 180:
            item.warn(
                f"{prefix}latitude, longitude: {given[0]}, {given[1]} "
                "is not a place on Earth, so the coordinates were not imported"
            )
        else:
            location.latitude = latitude.quantize(decimal.Decimal("0.000001"))
            location.longitude = longitude.quantize(decimal.Decimal("0.000001"))
    addresses = read_list(item, data, "addresses", prefix)
    if addresses:
        if len(addresses) > 1:
            item.warn(f"{prefix}addresses: only the first address was imported")
        address = addresses[0] if isinstance(addresses[0], dict) else {}
        copy_keys(item, location, address, ADDRESS_FIELDS, f"{prefix}addresses[0].")
        if "postal_code" in address and location.postcode:
            _postcode(item, location, f"{prefix}addresses[0].")
    accessibility = read_list(item, data, "accessibility", prefix)
    if accessibility is not None:
        location.accessibility = "\n\n".join(
            str(entry.get("description") or entry.get("accessibility") or "").strip()
            for entry in accessibility
            if isinstance(entry, dict) and (entry.get("description") or entry.get("accessibility"))
        )
    fields = names_for(LOCATION_FIELDS) | {
        name: f"addresses[0].{key}" for key, name in ADDRESS_FIELDS.items()
    }
    item.save(location, "location", fields=fields, prefix=prefix, parents=["organisation"])
    return location


def _postcode(item, location, prefix):
    """A UK postcode normalised; any other kept as given, with a warning."""
    try:
        validate_postcode(location.postcode)
    except ValidationError:
        # Feeds may describe places anywhere: keep the address as its source has it.
        item.warn(
            f"{prefix}postal_code '{location.postcode}' is not a UK postcode: "
            "check the place's address"
        )
    else:
        location.postcode = normalise_postcode(location.postcode)
