"""Import an Open Referral UK (HSDS-UK 3.0) JSON file: the inverse of
directory.oruk, which publishes the directory (so SPL's own API answers import
unchanged). directory.importing explains transactions, ids, scope and reports.

The file is one object (a service as `/services/{id}` gives it), a page of a
list (`{"contents": [...]}`) or a bare array. What each item is, by its keys,
the first rule that matches:

1. a service: has `organization`, `organization_id`, `service_at_locations` or `status`;
2. a taxonomy term: has `term`, `parent_id`, `taxonomy_id` or `taxonomy`;
3. an organization: has `services`, `organization_identifiers` or `website`;
4. a taxonomy: has `uri`, `version` or `taxonomy_terms`.

Anything else is rejected (a single object that is none of these is a file
error). Taxonomies are imported first, then terms (parents before children),
then organisations, then services, so a service can link the terms the same
file imports.

- A field that is absent leaves the value alone; `null` clears it. Ids are
  required and must be UUIDs.
- A service's nested arrays, when present, are the full set: each child is
  upserted by id and the service's other children are deleted. An absent array
  leaves them alone. A language without a name is skipped with a warning.
- A service's `organization` is upserted first; `organization_identifiers`
  GB-CHC and GB-COH are its charity and company numbers.
- `service_at_locations` link locations, which belong to the organisation: one
  left out is unlinked, never deleted, and one of another organisation is
  rejected. Only a location's first address is kept; coordinates outside the
  Earth's ranges are dropped with a warning. A UK `postal_code` is stored
  normalised ("LS1 4AP"); any other is kept as given, with a warning.
- `attributes[].taxonomy_term` and `taxonomy_terms` link terms the directory
  has; an unknown term is not created but reported as a warning.
- Ignored: `assured_date` and `assurer_email`, because assurance in SPL comes
  only from the quality checks its directory managers record; `last_modified`,
  which SPL keeps; and fields SPL has no place for (funding, logo...).
- Never set: `access` and capacity, SPL's own and not in HSDS-UK. New services
  are signposting only. Services are never deleted (referrals point at them).
- Taxonomies and terms are shared by every PCN: new ones are created and
  existing ones may appear unchanged, but a change to one is rejected. SPL's
  seeded taxonomies (directory.taxonomy) may not gain a new term either.

This module reads the file and orders its items; oruk_taxonomies and
oruk_services import them, with oruk_values to read their values.
"""

import json
from collections import defaultdict

from directory.importing.engine import parse_uuid
from directory.importing.oruk_services import CHILDREN, import_organisation, import_service
from directory.importing.oruk_taxonomies import import_taxonomy, import_term, parents_first
from directory.models import (
    Location,
    Organisation,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

ORDER = ("taxonomy", "taxonomy term", "organisation", "service")
HANDLERS = {
    "taxonomy": import_taxonomy,
    "taxonomy term": import_term,
    "organisation": import_organisation,
    "service": import_service,
}


def parse(text, report, *, limit):
    """The file's items, or None with a file-level error in `report`."""
    try:
        data = json.loads(text, parse_constant=_refuse)
    except (ValueError, RecursionError) as error:
        where = f" (line {error.lineno}, column {error.colno})" if hasattr(error, "lineno") else ""
        report.errors.append(f"The file is not valid JSON{where}.")
        return None
    if isinstance(data, dict) and "contents" in data:
        items = data["contents"]
    elif isinstance(data, dict):
        if _kind(data) is None:
            report.errors.append(
                "The file is JSON but not Open Referral UK: expected a service, an "
                "organization, a taxonomy, a taxonomy term, or a list of them in “contents”."
            )
            return None
        items = [data]
    else:
        items = data
    if not isinstance(items, list):
        report.errors.append(
            "The file is JSON but not Open Referral UK: expected an object or a list of them."
        )
        return None
    if not items:
        report.errors.append("The file has nothing to import: its list is empty.")
        return None
    if len(items) > limit:
        report.errors.append(
            f"The file has {len(items):,} items: import at most {limit:,} at a time."
        )
        return None
    return items


def _refuse(constant):
    raise ValueError(f"{constant} is not a number JSON allows")


def _kind(data):
    keys = data.keys()
    if keys & {"organization", "organization_id", "service_at_locations", "status"}:
        return "service"
    if keys & {"term", "parent_id", "taxonomy_id", "taxonomy"}:
        return "taxonomy term"
    if keys & {"services", "organization_identifiers", "website"}:
        return "organisation"
    if keys & {"uri", "version", "taxonomy_terms"}:
        return "taxonomy"
    return None


def load(run, items):
    tasks = {kind: [] for kind in ORDER}
    for number, data in enumerate(items, 1):
        label = f"Item {number}"
        if not isinstance(data, dict):
            run.reject(label, "is not a JSON object")
        elif (kind := _kind(data)) is None:
            run.reject(
                label,
                "is not a service, organization, taxonomy or taxonomy term: it has none of "
                "the fields that tell them apart (for example status, term, website or uri)",
            )
        else:
            tasks[kind].append((label, data))
    tasks["taxonomy term"] = parents_first(tasks["taxonomy term"])
    _hold(run, tasks)
    for kind in ORDER:
        for label, data in tasks[kind]:
            with run.item(label) as item:
                HANDLERS[kind](item, data, "")


def _hold(run, tasks):
    """Load the records the items name into run.records, in a few queries: by
    their ids, with the children and links of the services in scope."""
    ids = defaultdict(set)

    def add(model, value):
        if (found := parse_uuid(value)) is not None:
            ids[model].add(found)

    def service(data):
        add(Service, data.get("id"))
        add(Organisation, _dict(data.get("organization")).get("id"))
        add(Organisation, data.get("organization_id"))
        for key, model, _, _ in CHILDREN:
            for child in _dicts(data.get(key)):
                add(model, child.get("id"))
        for link in _dicts(data.get("service_at_locations")):
            add(ServiceAtLocation, link.get("id"))
            add(Location, _dict(link.get("location")).get("id") or link.get("location_id"))
        for attribute in _dicts(data.get("attributes")):
            term = attribute.get("taxonomy_term")
            add(TaxonomyTerm, _dict(term).get("id") or attribute.get("taxonomy_term_id"))
        terms = data.get("taxonomy_terms")
        for term in terms if isinstance(terms, list) else ():
            add(TaxonomyTerm, term.get("id") if isinstance(term, dict) else term)

    def term(data):
        add(TaxonomyTerm, data.get("id"))
        add(TaxonomyTerm, data.get("parent_id"))
        add(Taxonomy, data.get("taxonomy_id"))

    for _, data in tasks["service"]:
        service(data)
    for _, data in tasks["organisation"]:
        add(Organisation, data.get("id"))
        for each in _dicts(data.get("services")):
            service(each)
    for _, data in tasks["taxonomy"]:
        add(Taxonomy, data.get("id"))
        for each in _dicts(data.get("taxonomy_terms")):
            term(each)
    for _, data in tasks["taxonomy term"]:
        term(data)

    records = run.records
    found = {model: records.get_many(model, pks) for model, pks in ids.items()}
    services = {
        pk: service
        for pk, service in found.get(Service, {}).items()
        if run.in_scope(service.organisation_id)
    }
    records.get_many(Organisation, {service.organisation_id for service in services.values()})
    for _, model, _, _ in CHILDREN:
        records.load(model, "service_id", services)
    records.load(ServiceAtLocation, "service_id", services)
    records.load_many(Service, "taxonomy_terms", services)
    taxonomies = ids[Taxonomy] | {term.taxonomy_id for term in found.get(TaxonomyTerm, {}).values()}
    records.load(TaxonomyTerm, "taxonomy_id", taxonomies)


def _dict(value):
    return value if isinstance(value, dict) else {}


def _dicts(value):
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []
