"""The directory as Open Referral UK (HSDS-UK 3.0) objects, for the public API.

Querysets, one per endpoint, bundle what its objects need, so the number of
queries does not grow with the rows; the serialisers then only read what was
fetched (filters and pages are directory.oruk_params'). Objects carry only
fields the HSDS-UK 3.0 schemas define (the official validator reports any
other field), and only what SPL may publish: never referral addresses, referral
instructions or capacity, nor anything about people referred.
docs/decisions/0007-oruk-api.md explains the mapping.
"""

import datetime
import uuid

from django.db.models import Prefetch

from directory.models import (
    Contact,
    CostOption,
    Language,
    Organisation,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from spl.models import User

VERSION = "3.0"
PROFILE_URL = "https://openreferraluk.org/developers"
OPENAPI_URL = (
    "https://raw.githubusercontent.com/tpximpact/OpenReferralApi/refs/heads/main/"
    "OpenReferralApi/Schemas/V3.0-UK/open_api.json"
)
# Locations are in England: PCNs are an NHS England organisation.
COUNTRY = "GB"
STATE_PROVINCE = "England"
IDENTIFIER_SCHEMES = (
    # (model field, org-id.guide scheme, identifier_type)
    ("charity_number", "GB-CHC", "Charity number"),
    ("company_number", "GB-COH", "Company number"),
)


def api_details():
    return {"version": VERSION, "profile": PROFILE_URL, "openapi_url": OPENAPI_URL}


# Querysets ------------------------------------------------------------------


def _nested_service_lookups(prefix="", *, locations=True):
    """What a full service shows, ordered, from rows reached through `prefix`."""
    lookups = {
        "schedules": Schedule.objects.order_by("byday", "opens_at", "id"),
        "service_areas": ServiceArea.objects.order_by("name", "id"),
        "languages": Language.objects.order_by("name", "id"),
        "cost_options": CostOption.objects.order_by("option", "id"),
        "contacts": Contact.objects.order_by("name", "title", "id"),
        "taxonomy_terms": TaxonomyTerm.objects.select_related("taxonomy").order_by("name", "id"),
    }
    if locations:
        lookups["at_locations"] = ServiceAtLocation.objects.select_related("location").order_by(
            "location__name", "id"
        )
    return [Prefetch(prefix + name, queryset=rows) for name, rows in lookups.items()]


# Of the assurer, only the email is published. Their other fields, left unread,
# stay out of the sort of a deep page, which then fits in memory: 9 ms instead
# of 15 with 5,000 services (docs/benchmarks.md).
_UNPUBLISHED_ASSURER_FIELDS = [
    f"organisation__assurer__{field.name}"
    for field in User._meta.concrete_fields
    if field.name not in ("id", "email")
]


def services_for_list(*, full=False):
    """/services: active services with their organisation (and all else when full)."""
    services = (
        Service.objects.active()
        .listed()
        .select_related("organisation__assurer")
        .defer(*_UNPUBLISHED_ASSURER_FIELDS)
    )
    if full:
        services = services.prefetch_related(*_nested_service_lookups())
    return services.order_by("name", "id")


def services_for_detail():
    return services_for_list(full=True)


def service_at_locations_for_list(*, full=False):
    """/service_at_locations: the locations of active services."""
    rows = ServiceAtLocation.objects.filter(service__status=Service.Status.ACTIVE).select_related(
        "location", "service__organisation__assurer"
    )
    if full:
        rows = rows.prefetch_related(*_nested_service_lookups("service__", locations=False))
    return rows.order_by("service__name", "location__name", "id")


def service_at_locations_for_detail():
    return service_at_locations_for_list(full=True)


def organisations_for_list(*, services=False, full_services=False):
    """/organizations: organisations with at least one active service, the only
    ones the public directory shows; with those services when asked."""
    organisations = Organisation.objects.filter(
        pk__in=Service.objects.active().values("organisation_id")
    ).select_related("assurer")
    if services or full_services:
        active = Service.objects.active()  # each gets the organisation it is prefetched for
        if full_services:
            active = active.prefetch_related(*_nested_service_lookups())
        organisations = organisations.prefetch_related(
            Prefetch("services", queryset=active.order_by("name", "id"), to_attr="active_services")
        )
    return organisations.order_by("name", "id")


def organisations_for_detail(*, full_services=False):
    return organisations_for_list(services=True, full_services=full_services)


def taxonomies_for_list(*, terms=False):
    taxonomies = Taxonomy.objects.order_by("name", "id")
    if terms:
        taxonomies = taxonomies.prefetch_related(
            Prefetch("terms", queryset=TaxonomyTerm.objects.order_by("name", "id"))
        )
    return taxonomies


def taxonomy_terms_for_list():
    return TaxonomyTerm.objects.select_related("taxonomy").order_by("taxonomy__name", "name", "id")


# Objects --------------------------------------------------------------------


def _present(**fields):
    """The optional fields that have a value: the schemas allow no nulls, and an
    empty string is not a valid URL or email address."""
    return {name: value for name, value in fields.items() if value not in (None, "")}


def _id(value):
    return str(value)


def _derived_id(owner_id, name):
    """A stable id for an object SPL keeps as fields of another row."""
    return str(uuid.uuid5(owner_id, name))


def _timestamp(moment):
    utc = moment.astimezone(datetime.UTC)
    return utc.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _clock(time):
    # Wall-clock UK time: a weekly opening time has no fixed UTC offset.
    return time.strftime("%H:%M") if time else None


def _number(value):
    if value is None:
        return None
    return int(value) if value == int(value) else float(value)


def organization(organisation, *, identifiers=True):
    data = {
        "id": _id(organisation.id),
        "name": organisation.name,
        "description": organisation.description,
        **_present(email=organisation.email, website=organisation.website),
    }
    if identifiers:
        data["organization_identifiers"] = [
            {
                "id": _derived_id(organisation.id, scheme),
                "organization_id": _id(organisation.id),
                "identifier_scheme": scheme,
                "identifier_type": kind,
                "identifier": getattr(organisation, field).strip(),
            }
            for field, scheme, kind in IDENTIFIER_SCHEMES
            if getattr(organisation, field).strip()
        ]
    return data


def organization_with_services(organisation, *, full_services=False):
    serialise = service_nested if full_services else service_fields
    return {
        **organization(organisation),
        "services": [serialise(s) for s in organisation.active_services],
    }


def service_fields(service):
    """A service's one-to-one fields: what a list shows."""
    organisation = service.organisation
    return {
        "id": _id(service.id),
        "organization_id": _id(organisation.id),
        "name": service.name,
        **_present(
            description=service.description,
            url=service.url,
            email=service.email,
        ),
        "status": service.status,
        **_present(
            fees=service.fees,
            accreditations=service.accreditations,
            minimum_age=service.minimum_age,
            maximum_age=service.maximum_age,
            assured_date=organisation.assured_on.isoformat() if organisation.assured_on else None,
            assurer_email=organisation.assurer.email if organisation.assurer else None,
            alert=service.alert,
            last_modified=_timestamp(service.last_modified),
        ),
    }


def service_summary(service):
    """/services item: the one-to-one fields and the organisation."""
    organisation = organization(service.organisation, identifiers=False)
    return {**service_fields(service), "organization": organisation}


def service_minimal(service):
    """/services?minimal=true item: the fields the schema requires, and when it changed."""
    return {
        "id": _id(service.id),
        "name": service.name,
        "status": service.status,
        "last_modified": _timestamp(service.last_modified),
    }


def service_full(service):
    """/services/{id}: the service with everything about it."""
    return _service_with_arrays(service, locations=True, with_organization=True)


def service_nested(service):
    """A full service inside its organisation's `services`."""
    return _service_with_arrays(service, locations=True, with_organization=False)


def _service_with_arrays(service, *, locations, with_organization):
    sid = _id(service.id)
    data = service_fields(service)
    data["schedules"] = [
        {
            "id": _id(s.id),
            "service_id": sid,
            **_present(
                freq="WEEKLY" if s.byday else None,
                byday=s.byday.replace(" ", "").upper(),
                description=s.description,
                opens_at=_clock(s.opens_at),
                closes_at=_clock(s.closes_at),
            ),
        }
        for s in service.schedules.all()
    ]
    data["service_areas"] = [
        {"id": _id(a.id), "service_id": sid, "name": a.name, **_present(service_area=a.description)}
        for a in service.service_areas.all()
    ]
    if locations:
        data["service_at_locations"] = [
            {
                "id": _id(at.id),
                "service_id": sid,
                "location_id": _id(at.location_id),
                "location": location(at.location),
            }
            for at in service.at_locations.all()
        ]
    # The HSDS-UK 3.0 language has no name or code: only its id can be published.
    data["languages"] = [
        {"id": _id(lang.id), "service_id": sid} for lang in service.languages.all()
    ]
    if with_organization:
        data["organization"] = organization(service.organisation)
    data["cost_options"] = [
        {
            "id": _id(c.id),
            "service_id": sid,
            **_present(
                option=c.option,
                amount=_number(c.amount),
                amount_description=c.amount_description,
            ),
        }
        for c in service.cost_options.all()
    ]
    # Work contacts as the provider gave them for the service; the HSDS-UK 3.0
    # contact has no phones or email, so those stay in SPL.
    data["contacts"] = [
        {"id": _id(c.id), "service_id": sid, **_present(name=c.name, title=c.title)}
        for c in service.contacts.all()
    ]
    data["attributes"] = [
        {
            "id": _derived_id(service.id, str(term.id)),
            "link_id": sid,
            "taxonomy_term_id": _id(term.id),
            "taxonomy_term": taxonomy_term(term),
        }
        for term in service.taxonomy_terms.all()
    ]
    return data


def location(place, *, nested=True):
    data = {
        "id": _id(place.id),
        "location_type": "physical",
        "name": place.name,
        **_present(
            description=place.description,
            latitude=_number(place.latitude),
            longitude=_number(place.longitude),
        ),
    }
    if not nested:
        return data
    data["addresses"] = [
        {
            "id": _id(place.address_id),
            "location_id": _id(place.id),
            "address_1": place.address_1,
            "city": place.city,
            "state_province": STATE_PROVINCE,
            "postal_code": place.postcode,
            "country": COUNTRY,
            "address_type": "physical",
        }
    ]
    if place.accessibility.strip():
        data["accessibility"] = [
            {
                "id": _derived_id(place.id, "accessibility"),
                "location_id": _id(place.id),
                "description": place.accessibility,
                # ORUK 1.0's name for the same text, still in the profile's examples.
                "accessibility": place.accessibility,
            }
        ]
    return data


def service_at_location_summary(at):
    """/service_at_locations item: one-to-one fields of the location and service."""
    return {
        "id": _id(at.id),
        "service_id": _id(at.service_id),
        "location_id": _id(at.location_id),
        "location": location(at.location, nested=False),
        "service": service_summary(at.service),
    }


def service_at_location_full(at):
    """/service_at_locations/{id}: the location and the full service."""
    return {
        "id": _id(at.id),
        "service_id": _id(at.service_id),
        "location_id": _id(at.location_id),
        "location": location(at.location),
        "service": _service_with_arrays(at.service, locations=False, with_organization=True),
    }


def taxonomy(row, *, terms=False):
    data = {
        "id": _id(row.id),
        "name": row.name,
        "description": row.description,
        **_present(uri=row.uri, version=row.version),
    }
    if terms:
        data["taxonomy_terms"] = [taxonomy_term(term, row) for term in row.terms.all()]
    return data


def taxonomy_term(term, parent_taxonomy=None):
    owner = parent_taxonomy or term.taxonomy
    return {
        "id": _id(term.id),
        "name": term.name,
        "description": term.description,
        **_present(parent_id=term.parent_id and _id(term.parent_id)),
        "taxonomy": owner.name,
        "taxonomy_id": _id(owner.id),
        **_present(term_uri=term.term_uri),
        "term": term.code,
    }
