"""Import a CSV spreadsheet into the directory: one row per service, with its
organisation and, optionally, one location and a phone number.
directory.importing explains transactions, ids, scope and reports.

The first row names the columns (COLUMNS, in any order; only the required ones
must be there). Rows are numbered as a spreadsheet shows them, the column names
being row 1; blank rows are skipped.

- A blank cell leaves the directory's value alone (a new record gets the
  default), so a sheet with a few columns updates only those.
- An organisation is found by organisation_id, else by its exact name in the
  PCN's directory, so several rows can name one organisation. A service is
  found by service_id, else by its exact name within its organisation, so
  importing the same sheet again creates nothing new.
- The location is the organisation's at the same first address line and
  postcode, or a new one; the service is linked to it. The postcode must be a
  UK one (spl.postcodes), else the row is rejected, and is stored as Royal Mail
  writes it ("ls14ap" becomes "LS1 4AP"); places are matched by it so written.
- The phone number is the service's: a contact with an id derived from the
  service's. A row whose derived id is another service's contact is rejected.
- needs and activities replace the service's terms in that taxonomy only.
- Capacity columns given for a new service, or changing an existing one's,
  set capacity_updated_at (Service.set_capacity).
"""

import csv
import io
import re

from django.core.exceptions import ValidationError

from directory import taxonomy
from directory.importing.csv_cells import Row
from directory.importing.engine import OUT_OF_SCOPE, derived_id, parse_uuid
from directory.models import (
    Contact,
    Location,
    Organisation,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from spl.postcodes import normalise_postcode, validate_postcode

# (column, required, help): the one list of columns, for the page's guide too.
COLUMNS = (
    (
        "service_id",
        False,
        "The service's id in the directory, to update it. Leave blank for a new service "
        "(or to find it by its name within its organisation).",
    ),
    ("service_name", True, "The name of the service."),
    ("service_description", True, "What the service does, in plain English."),
    (
        "organisation_id",
        False,
        "The organisation's id in the directory. Leave blank to find it by its exact name, "
        "or to add it.",
    ),
    ("organisation_name", True, "The organisation that runs the service."),
    ("organisation_description", False, "What the organisation does. Required for a new one."),
    ("charity_number", False, "Registered charity number."),
    ("company_number", False, "Companies House number."),
    ("organisation_email", False, "The organisation's email address."),
    ("organisation_website", False, "The organisation's website, starting https://"),
    ("service_email", False, "The service's email address."),
    ("service_url", False, "The service's web page, starting https://"),
    ("status", False, "active, inactive, defunct or temporarily closed. A new service is active."),
    (
        "access",
        False,
        "signposting (the person contacts the service) or direct_referral (the link worker "
        "refers them). A new service is signposting.",
    ),
    ("referral_email", False, "Where direct referrals go: required for direct_referral."),
    ("referral_instructions", False, "What the provider needs with a referral."),
    ("eligibility", False, "Who the service is for."),
    ("minimum_age", False, "The youngest age the service takes, in years."),
    ("maximum_age", False, "The oldest age the service takes, in years (at most 120)."),
    (
        "needs",
        False,
        "Needs it helps with, separated by ;  — "
        + ", ".join(code for code, *_ in taxonomy.NEEDS["terms"]),
    ),
    (
        "activities",
        False,
        "Kinds of activity, separated by ;  — "
        + ", ".join(code for code, *_ in taxonomy.ACTIVITIES["terms"]),
    ),
    ("accepting_referrals", False, "yes or no. A new service is accepting referrals."),
    ("waiting_time_weeks", False, "Typical waiting time, in whole weeks."),
    ("available_places", False, "Places free now."),
    ("maximum_places", False, "Places in all."),
    ("location_name", False, "Where the service runs, e.g. the name of the building."),
    ("address_1", False, "First line of the address. Required with a location."),
    ("city", False, "Town or city. Required with a location."),
    ("postcode", False, "Postcode. Required with a location."),
    ("phone", False, "The service's phone number."),
)
NAMES = [column for column, _, _ in COLUMNS]
REQUIRED = [column for column, required, _ in COLUMNS if required]
EXAMPLE = {
    "service_name": "Walking for health",
    "service_description": "A friendly weekly walk in the park, with a cuppa after.",
    "organisation_name": "Riverside Community Trust",
    "organisation_description": "A local charity running groups and advice for adults.",
    "charity_number": "1100001",
    "organisation_email": "hello@community-trust.example.org",
    "organisation_website": "https://community-trust.example.org",
    "service_email": "walks@community-trust.example.org",
    "service_url": "https://community-trust.example.org/walks",
    "status": "active",
    "access": "signposting",
    "eligibility": "Adults who would like to be more active",
    "minimum_age": "18",
    "needs": "loneliness;physical_activity",
    "activities": "physical_activity;social_groups",
    "accepting_referrals": "yes",
    "waiting_time_weeks": "1",
    "available_places": "8",
    "maximum_places": "20",
    "location_name": "Riverside Community Centre",
    "address_1": "12 Mill Lane",
    "city": "Leeds",
    "postcode": "LS1 4AP",
    "phone": "0113 496 0000",
}

# {model field: column}, where they differ, for reasons.
ORGANISATION_COLUMNS = {
    "name": "organisation_name",
    "description": "organisation_description",
    "email": "organisation_email",
    "website": "organisation_website",
}
SERVICE_COLUMNS = {
    "name": "service_name",
    "description": "service_description",
    "email": "service_email",
    "url": "service_url",
    "organisation": "organisation_id",
}
LOCATION_COLUMNS = {"name": "location_name"}


def csv_template():
    """The column names and one example row, for people to fill in."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(NAMES)
    writer.writerow([EXAMPLE.get(column, "") for column in NAMES])
    return out.getvalue()


def parse(text, report, *, limit):
    """[(row number, {column: value})], or None with a file-level error in `report`."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header, rows = None, []
    try:
        for number, cells in enumerate(reader, 1):
            if header is None:
                header = [cell.strip().lower() for cell in cells]
            elif any(cell.strip() for cell in cells):
                rows.append((number, cells))
                if len(rows) > limit:
                    report.errors.append(
                        f"The file has more than {limit:,} rows: "
                        f"import at most {limit:,} at a time."
                    )
                    return None
    except csv.Error as error:
        report.errors.append(
            f"The file could not be read as CSV (line {reader.line_num}): {error}."
        )
        return None
    if not header or not any(header):
        report.errors.append("The first row must name the columns.")
        return None
    named = [name for name in header if name]
    problems = []
    if twice := sorted({name for name in named if named.count(name) > 1}):
        problems.append(f"Columns named more than once: {', '.join(twice)}.")
    if unknown := [name for name in named if name not in NAMES]:
        problems.append(
            f"Unknown columns: {', '.join(unknown)}. The columns are: {', '.join(NAMES)}."
        )
    if missing := [name for name in REQUIRED if name not in named]:
        problems.append(f"Missing required columns: {', '.join(missing)}.")
    if not problems and not rows:
        problems.append("The file has the column names but no rows to import.")
    report.errors += problems
    return None if problems else [(number, _values(header, cells)) for number, cells in rows]


def _values(header, cells):
    values = {name: cell.strip() for name, cell in zip(header, cells, strict=False) if name}
    extra = [
        index
        for index, cell in enumerate(cells)
        if cell.strip() and (index >= len(header) or not header[index])
    ]
    if extra:
        values[None] = extra
    return values


def load(run, rows):
    _hold(run, [values for _, values in rows])
    seen = {}  # service id: the row that first named it
    for number, values in rows:
        with run.item(f"Row {number}") as item:
            _row(item, Row(item, values), seen)


def _hold(run, rows):
    """Load the records the rows may name into run.records, in a few queries:
    their organisations, with the services, locations and services' links of
    those in scope."""
    records = run.records
    given = {
        column: {parse_uuid(row.get(column)) for row in rows} - {None}
        for column in ("organisation_id", "service_id")
    }
    services = records.get_many(Service, given["service_id"])
    names = {row.get("organisation_name") for row in rows if not row.get("organisation_id")}
    organisations = {
        pk
        for pk in (
            set(records.get_many(Organisation, given["organisation_id"]))
            | records.load(Organisation, "name", names - {None, ""}, pcn_id=run.pcn.pk)
            | {service.organisation_id for service in services.values()}
        )
        if run.in_scope(pk)
    }
    services = records.load(Service, "organisation_id", organisations)
    terms = records.load_many(Service, "taxonomy_terms", services)
    records.get_many(TaxonomyTerm, [TaxonomyTerm._meta.pk.to_python(pk) for pk in terms])
    records.get_many(
        TaxonomyTerm,
        [
            taxonomy.term_id(definition, code)
            for definition in (taxonomy.NEEDS, taxonomy.ACTIVITIES)
            for code, *_ in definition["terms"]
        ],
    )
    records.load(Location, "organisation_id", organisations)
    records.load(ServiceAtLocation, "service_id", services)
    records.load(Contact, "service_id", services)
    phones = services | given["service_id"]
    records.get_many(Contact, [derived_id("service", pk, "phone") for pk in phones])


def _row(item, row, seen):
    if None in row.values:
        columns = ", ".join(str(index + 1) for index in row.values[None])
        item.reject(f"has values in columns without a name (column {columns})")
    for column in REQUIRED:
        if not row.text(column):
            item.reject(f"{column}: is required")
    organisation = _organisation(item, row)
    service = _service(item, row, organisation, seen)
    _location(item, row, organisation, service)
    _phone(item, row, service)


def _organisation(item, row):
    """The row's organisation, saved; or unsaved when the row is rejected."""
    pcn, records = item.run.pcn, item.run.records
    organisation_id, name = row.uuid("organisation_id"), row.text("organisation_name")
    found = None
    if organisation_id:
        found = records.get(Organisation, organisation_id)
    elif name and not row.text("organisation_id"):
        matches = records.filter(Organisation, name=name, pcn_id=pcn.pk)[:2]
        if len(matches) > 1:
            item.reject(
                "organisation_name: more than one organisation in the directory has this "
                "name: give organisation_id"
            )
        found = matches[0] if matches else None
    if found is not None and not item.run.in_scope(found.pk):
        column = "organisation_id" if organisation_id else "organisation_name"
        item.reject(f"{column}: {OUT_OF_SCOPE}")
        return records.new(Organisation(pcn=pcn))  # to go on checking the row's other cells
    if found is not None:
        organisation = found
    elif organisation_id:
        organisation = Organisation(id=organisation_id, pcn=pcn)
    else:
        organisation = records.new(Organisation(pcn=pcn))
    row.set(
        organisation,
        {
            "name": "organisation_name",
            "description": "organisation_description",
            "charity_number": "charity_number",
            "company_number": "company_number",
            "email": "organisation_email",
            "website": "organisation_website",
        },
    )
    if item.save(organisation, "organisation", fields=ORGANISATION_COLUMNS) == "create":
        item.run.add_to_scope(organisation.pk)
    return organisation


def _service(item, row, organisation, seen):
    records = item.run.records
    service_id, name = row.uuid("service_id"), row.text("service_name")
    service = None
    if service_id:
        service = records.get(Service, service_id)
        if service is not None and not item.run.in_scope(service.organisation_id):
            item.reject(f"service_id: {OUT_OF_SCOPE}")
            service_id = service = None  # go on checking the row's other cells
        elif service is not None and service.organisation_id != organisation.pk:
            item.reject("organisation_id: the service belongs to another organisation")
    elif name and not row.text("service_id") and not organisation._state.adding:
        matches = records.filter(Service, name=name, organisation_id=organisation.pk)[:2]
        if len(matches) > 1:
            item.reject(
                "service_name: the organisation has more than one service with this name: "
                "give service_id"
            )
        service = matches[0] if matches else None
    if service is None and service_id:
        service = Service(id=service_id, organisation=organisation)
    elif service is None:
        service = records.new(Service(organisation=organisation))
    if service.pk in seen:
        item.reject(f"service_id: the same service as {seen[service.pk]}")
    seen.setdefault(service.pk, item.label)

    row.set(
        service,
        {
            "name": "service_name",
            "description": "service_description",
            "email": "service_email",
            "url": "service_url",
            "referral_email": "referral_email",
            "referral_instructions": "referral_instructions",
            "eligibility": "eligibility",
        },
    )
    values = {
        "status": row.choice("status", Service.Status.values),
        "access": row.choice("access", Service.Access.values),
        "minimum_age": row.number("minimum_age"),
        "maximum_age": row.number("maximum_age"),
    }
    for name, value in values.items():
        if value is not None:
            setattr(service, name, value)
    capacity = {
        "accepting_referrals": row.yes_no("accepting_referrals"),
        "waiting_time_weeks": row.number("waiting_time_weeks"),
        "available_places": row.number("available_places"),
        "maximum_places": row.number("maximum_places"),
    }
    service.set_capacity(**{name: value for name, value in capacity.items() if value is not None})
    many = _terms(row, service, records)
    item.save(service, "service", fields=SERVICE_COLUMNS, parents=["organisation"], many=many)
    return service


def _terms(row, service, records):
    """{"taxonomy_terms": [...]} when needs or activities are given: the terms of
    those taxonomies replaced, any others kept."""
    replacing = {}
    for column, definition in (("needs", taxonomy.NEEDS), ("activities", taxonomy.ACTIVITIES)):
        terms = row.terms(column, definition)
        if terms is not None:
            replacing[taxonomy.taxonomy_id(definition)] = terms
    if not replacing:
        return None
    current = [] if service._state.adding else records.get_related(service, "taxonomy_terms")
    kept = [term for term in current if term.taxonomy_id not in replacing]
    return {"taxonomy_terms": kept + [term for terms in replacing.values() for term in terms]}


def _location(item, row, organisation, service):
    cells = {column: row.text(column) for column in ("location_name", "address_1", "city")}
    postcode = normalise_postcode(row.text("postcode"))
    if not any(cells.values()) and not postcode:
        return
    if postcode:
        try:
            validate_postcode(postcode)
        except ValidationError as error:
            message = error.messages[0]
            item.reject(f"postcode: {message[0].lower()}{message[1:]}")
    records = item.run.records
    location = None
    if not organisation._state.adding and cells["address_1"] and postcode:
        # The same first line in any case, and postcode normalised (records.COMPUTED).
        address = (cells["address_1"].lower(), postcode)
        places = records.filter(Location, address=address, organisation_id=organisation.pk)
        location = places[0] if places else None
    if location is None:
        location = records.new(
            Location(
                organisation=organisation,
                name=cells["location_name"] or cells["address_1"],
                address_1=cells["address_1"],
                city=cells["city"],
                postcode=postcode,
            )
        )
    else:
        row.set(location, {"name": "location_name", "city": "city"})
    item.save(location, "location", fields=LOCATION_COLUMNS, parents=["organisation"])
    at = None
    if not service._state.adding and not location._state.adding:
        links = records.filter(
            ServiceAtLocation,
            service_id=service.pk,
            where=lambda link: link.location_id == location.pk,
        )
        at = links[0] if links else None
    at = at or records.new(ServiceAtLocation())
    at.service, at.location = service, location  # for its name in the report
    item.save(at, "service at location", parents=["service", "location"])


def _phone(item, row, service):
    phone = row.text("phone")
    if not phone:
        return
    records = item.run.records
    contact_id = derived_id("service", service.pk, "phone")
    if records.is_new(service):  # so is an id derived from its id
        contact = records.new(Contact(id=contact_id, service=service))
    else:
        contact = records.get(Contact, contact_id)
    if contact is not None and contact.service_id != service.pk:
        # Ids derived from a service's are predictable: another service's contact
        # may have been given this one (in an ORUK file, say).
        item.reject(
            f"phone: the contact for the service's phone number (id {contact_id}) belongs "
            "to another service"
        )
        return
    if contact is None and not service._state.adding:
        digits = re.sub(r"\D", "", phone)
        for other in records.filter(Contact, service_id=service.pk):
            if re.sub(r"\D", "", other.phone) == digits:
                return  # the service already has this number
    contact = contact or Contact(id=contact_id, service=service)
    contact.phone = phone
    item.save(contact, "contact", parents=["service"])
