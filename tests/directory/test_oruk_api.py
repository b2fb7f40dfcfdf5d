"""The public ORUK API, with every answer checked against the HSDS-UK 3.0 schemas in
the shared standards folder: as the official validator reads them (the OpenAPI
response schemas) and strictly (every page field present, each item against its
own schema, and no field the schemas do not define)."""

import datetime
import json
import re
import uuid
from urllib.parse import quote, urlparse

import pytest
import time_machine
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from directory import taxonomy as seeded
from directory.models import Service, Taxonomy, TaxonomyTerm
from tests.directory.factories import (
    LocationFactory,
    OrganisationFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
    TaxonomyFactory,
    TaxonomyTermFactory,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BASE = "/api/oruk"
SCHEMAS = (
    "https://raw.githubusercontent.com/tpximpact/OpenReferralApi/refs/heads/main/"
    "OpenReferralApi/Schemas/V3.0-UK/"
)
PAGE_FIELDS = [
    "total_items",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
]
# What each list returns: (OpenAPI path, schema file, pointer to one item's schema).
LISTS = {
    "services": ("/services", "service_list.json", "/properties/contents/items"),
    "services?full=true": ("/services", "service.json", ""),
    "services?minimal=true": ("/services", "service_list.json", "/properties/contents/items"),
    "service_at_locations": (
        "/service_at_locations",
        "service_at_location_list.json",
        "/properties/contents/items",
    ),
    "service_at_locations?full=true": ("/service_at_locations", "service_at_location.json", ""),
    "organizations": ("/organizations", "organization_list.json", ""),
    "organizations?full=true": ("/organizations", "organization.json", ""),
    "organizations?full_service=true": ("/organizations", "organization.json", ""),
    "taxonomies": ("/taxonomies", "taxonomy_list.json", "/properties/contents/items"),
    "taxonomy_terms": ("/taxonomy_terms", "taxonomy_term_list.json", "/properties/contents/items"),
}
DETAILS = {
    "services": "service.json",
    "service_at_locations": "service_at_location.json",
    "organizations": "organization.json",
    "taxonomies": "taxonomy.json",
    "taxonomy_terms": "taxonomy_term.json",
}

FORMATS = FormatChecker()


@FORMATS.checks("date-time")
def _date_time(value):
    pattern = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)"
    return not isinstance(value, str) or re.fullmatch(pattern, value) is not None


@FORMATS.checks("uri")
def _uri(value):
    return not isinstance(value, str) or bool(urlparse(value).scheme and " " not in value)


class Standard:
    """The ORUK schemas, their raw GitHub URLs resolved to the local files."""

    def __init__(self, folder):
        self.folder = folder / "oruk"
        self.documents = {
            path.name: json.loads(path.read_text())
            for path in (self.folder / "schemas").glob("*.json")
        }
        self.registry = Registry().with_resources(
            (SCHEMAS + name, DRAFT202012.create_resource(document))
            for name, document in self.documents.items()
        )

    def errors(self, instance, schema):
        validator = Draft202012Validator(schema, registry=self.registry, format_checker=FORMATS)
        return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(instance)]

    def check(self, instance, schema):
        assert self.errors(instance, schema) == []

    def response_schema(self, path):
        """The 200 response schema of GET `path` in open_api.json."""
        pointer = f"/paths/{path.replace('/', '~1')}/get/responses/200/content/application~1json"
        return {"$ref": f"{SCHEMAS}open_api.json#{quote(pointer)}/schema"}

    def schema(self, name, pointer=""):
        schema = self.documents[name]
        for key in filter(None, pointer.split("/")):
            schema = schema[key]
        return schema

    def check_object(self, body, path, name):
        self.check(body, self.response_schema(path))
        assert undefined_fields(body, self.schema(name)) == []

    def check_page(self, body, kind):
        path, name, pointer = LISTS[kind]
        item = self.schema(name, pointer)
        # The OpenAPI document gives /organizations one organization's schema for
        # the whole page, which no page can meet: its items are checked instead.
        if path != "/organizations":
            self.check(body, self.response_schema(path))
        page = {
            "allOf": [{"$ref": f"{SCHEMAS}open_api.json#/components/schemas/Page"}],
            "required": [*PAGE_FIELDS, "contents"],
            "properties": {"contents": {"type": "array", "items": item}},
        }
        self.check(body, page)
        assert set(body) == {*PAGE_FIELDS, "contents"}
        assert undefined_fields(body["contents"], {"items": item}) == []


def undefined_fields(instance, schema, path="$"):
    """Fields the schema does not define: the official validator reports them."""
    found = []
    if isinstance(instance, dict):
        properties = schema.get("properties", {})
        for key, value in instance.items():
            if key in properties:
                found += undefined_fields(value, properties[key], f"{path}.{key}")
            else:
                found.append(f"{path}.{key}")
    elif isinstance(instance, list):
        for index, item in enumerate(instance):
            found += undefined_fields(item, schema.get("items", {}), f"{path}[{index}]")
    return found


@pytest.fixture(scope="session")
def oruk(standards_dir):
    return Standard(standards_dir)


@pytest.fixture
def no_seeded_taxonomies(db):
    TaxonomyTerm.objects.all().delete()
    Taxonomy.objects.all().delete()


def described_service(**fields):
    """An active service of an assured organisation, with one of everything,
    tagged with a new term."""
    fields.setdefault("taxonomy_terms", [TaxonomyTermFactory()])
    if "organisation" not in fields:
        fields["organisation"] = OrganisationFactory(
            assured_on=datetime.date(2026, 1, 15), assurer=UserFactory()
        )
    return ServiceFactory(with_details=True, **fields)


def make(kind):
    """One more row for the list `kind` to show."""
    kind = kind.split("?")[0]
    if kind == "taxonomies":
        return TaxonomyTermFactory().taxonomy
    if kind == "taxonomy_terms":
        return TaxonomyTermFactory()
    service = described_service()
    if kind == "service_at_locations":
        return service.at_locations.get()
    if kind == "organizations":
        return service.organisation
    return service


def get(client, path, query=None, **headers):
    return client.get(BASE + path, query or {}, headers=headers)


def listed(client, kind, **query):
    path, _, extra = kind.partition("?")
    params = dict(part.split("=") for part in extra.split("&") if part)
    response = get(client, "/" + path, {**params, **query})
    assert response.status_code == 200, response.content
    return response.json()


def names(body):
    return [item["name"] for item in body["contents"]]


# The schemas themselves ---------------------------------------------------


@pytest.mark.parametrize(
    ("example", "path"),
    [
        ("example-service_full.json", "/services/{id}"),
        ("example-service_list.json", "/services"),
        ("example-taxonomy_list.json", "/taxonomies"),
        ("example-taxonomy_term_list.json", "/taxonomy_terms"),
    ],
)
def test_the_profile_examples_meet_the_schemas_through_the_local_registry(oruk, example, path):
    oruk.check(json.loads((oruk.folder / example).read_text()), oruk.response_schema(path))


def test_the_local_registry_really_resolves_the_schemas(oruk):
    errors = oruk.errors({"id": "not-a-uuid", "name": "x"}, oruk.response_schema("/services/{id}"))
    assert "$.id: 'not-a-uuid' is not a 'uuid'" in errors
    assert "$: 'status' is a required property" in errors


# The base and the paths ---------------------------------------------------


@pytest.mark.parametrize("path", ["", "/"])
def test_the_base_gives_the_api_details(client, oruk, path):
    response = get(client, path)
    oruk.check_object(response.json(), "/", "api_details.json")
    assert response.json()["version"] == "3.0"
    assert response.json()["openapi_url"] == f"{SCHEMAS}open_api.json"


def test_every_path_answers_directly_without_login_or_redirect(client):
    service = described_service()
    at = service.at_locations.get()
    term = service.taxonomy_terms.get()
    paths = [
        "",
        "/",
        "/services",
        f"/services/{service.id}",
        "/service_at_locations",
        f"/service_at_locations/{at.id}",
        "/organizations",
        f"/organizations/{service.organisation_id}",
        "/taxonomies",
        f"/taxonomies/{term.taxonomy_id}",
        "/taxonomy_terms",
        f"/taxonomy_terms/{term.id}",
    ]
    for path in paths:
        response = get(client, path)
        assert (path, response.status_code, response.get("Location")) == (path, 200, None)


def test_an_unknown_path_under_the_api_is_a_json_404(client):
    response = get(client, "/locations")
    assert response.status_code == 404
    assert response.json()["detail"]
    assert response["Access-Control-Allow-Origin"] == "*"


# Pages --------------------------------------------------------------------


@pytest.mark.usefixtures("no_seeded_taxonomies")
@pytest.mark.parametrize("kind", LISTS)
def test_an_empty_list_is_an_empty_first_page(client, oruk, kind):
    body = listed(client, kind)
    oruk.check_page(body, kind)
    assert body == {
        "total_items": 0,
        "total_pages": 0,
        "page_number": 1,
        "size": 0,
        "first_page": True,
        "last_page": True,
        "empty": True,
        "contents": [],
    }


@pytest.mark.usefixtures("no_seeded_taxonomies")
@pytest.mark.parametrize("kind", LISTS)
def test_one_row_is_one_full_page(client, oruk, kind):
    row = make(kind)
    body = listed(client, kind)
    oruk.check_page(body, kind)
    assert [item["id"] for item in body["contents"]] == [str(row.id)]
    assert (body["total_items"], body["total_pages"], body["size"]) == (1, 1, 1)
    assert (body["first_page"], body["last_page"], body["empty"]) == (True, True, False)


@pytest.mark.usefixtures("no_seeded_taxonomies")
@pytest.mark.parametrize("kind", LISTS)
def test_rows_run_over_pages_and_a_page_past_the_last_is_empty(client, oruk, kind):
    ids = {str(make(kind).id) for _ in range(3)}
    pages = [listed(client, kind, per_page=2, page=number) for number in (1, 2, 3)]
    for body in pages:
        oruk.check_page(body, kind)
    assert [(p["page_number"], p["size"], p["total_pages"], p["total_items"]) for p in pages] == [
        (1, 2, 2, 3),
        (2, 1, 2, 3),
        (3, 0, 2, 3),
    ]
    assert [(p["first_page"], p["last_page"], p["empty"]) for p in pages] == [
        (True, False, False),
        (False, True, False),
        (False, True, True),
    ]
    assert {item["id"] for p in pages for item in p["contents"]} == ids


def test_a_page_holds_50_rows_unless_asked_for_up_to_500(client):
    for _ in range(51):
        ServiceFactory()
    assert listed(client, "services")["size"] == 50
    assert listed(client, "services", per_page=500)["size"] == 51


@pytest.mark.usefixtures("no_seeded_taxonomies")
@pytest.mark.parametrize(
    ("kind", "queries"),
    [
        ("services", 2),
        ("services?full=true", 9),
        ("services?minimal=true", 2),
        ("service_at_locations", 2),
        ("service_at_locations?full=true", 8),
        ("organizations", 2),
        ("organizations?full=true", 3),
        ("organizations?full_service=true", 10),
        ("taxonomies", 2),
        ("taxonomy_terms", 2),
    ],
)
def test_list_queries_do_not_grow_with_rows(client, kind, queries, django_assert_max_num_queries):
    make(kind)
    with django_assert_max_num_queries(queries) as one_row:
        assert listed(client, kind)["size"] == 1
    for _ in range(19):
        make(kind)
    with django_assert_max_num_queries(queries) as twenty_rows:
        assert listed(client, kind)["size"] == 20
    assert len(twenty_rows) == len(one_row)


@pytest.mark.usefixtures("no_seeded_taxonomies")
@pytest.mark.parametrize(
    ("kind", "queries"),
    [
        ("services", 8),
        ("service_at_locations", 7),
        ("organizations", 2),
        ("taxonomies", 2),
        ("taxonomy_terms", 1),
    ],
)
def test_detail_queries_are_fixed(client, kind, queries, django_assert_max_num_queries):
    row = make(kind)
    with django_assert_max_num_queries(queries):
        assert get(client, f"/{kind}/{row.id}").status_code == 200


def test_ndjson_streams_every_row_without_pages(client, oruk):
    for _ in range(3):
        described_service()
    response = get(client, "/services", {"format": "ndjson", "per_page": 1})
    assert response["Content-Type"] == "application/x-ndjson"
    lines = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    assert len(lines) == 3
    item = oruk.schema("service_list.json", "/properties/contents/items")
    oruk.check(lines, {"type": "array", "items": item})


def test_minimal_services_carry_only_the_required_fields_and_last_modified(client):
    described_service()
    item = listed(client, "services?minimal=true")["contents"][0]
    assert set(item) == {"id", "name", "status", "last_modified"}


# Details ------------------------------------------------------------------


@pytest.mark.usefixtures("no_seeded_taxonomies")
@pytest.mark.parametrize("kind", DETAILS)
def test_each_detail_meets_its_schema(client, oruk, kind):
    row = make(kind)
    response = get(client, f"/{kind}/{row.id}")
    oruk.check_object(response.json(), f"/{kind}/{{id}}", DETAILS[kind])
    assert response.json()["id"] == str(row.id)


@pytest.mark.parametrize("kind", DETAILS)
@pytest.mark.parametrize("id", [uuid.uuid4(), "not-a-uuid"])
def test_an_unknown_or_malformed_id_is_a_json_404(client, kind, id):
    response = get(client, f"/{kind}/{id}")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_assurance_comes_from_the_organisations_newest_check(client):
    checker = UserFactory(email="checker@nhs.example")
    organisation = OrganisationFactory(assured_on=datetime.date(2026, 1, 15), assurer=checker)
    service = ServiceFactory(organisation=organisation)
    body = get(client, f"/services/{service.id}").json()
    assert (body["assured_date"], body["assurer_email"]) == ("2026-01-15", "checker@nhs.example")


def test_an_unassured_service_has_no_assurance_fields(client):
    body = get(client, f"/services/{ServiceFactory().id}").json()
    assert "assured_date" not in body and "assurer_email" not in body


def test_a_location_publishes_its_address_and_accessibility(client):
    service = ServiceFactory()
    place = LocationFactory(
        organisation=service.organisation, address_1="1 Park Row", city="Leeds", postcode="LS1 5AB"
    )
    at = ServiceAtLocationFactory(service=service, location=place)
    location = get(client, f"/service_at_locations/{at.id}").json()["location"]
    assert location["addresses"] == [
        {
            "id": str(place.address_id),
            "location_id": str(place.id),
            "address_1": "1 Park Row",
            "city": "Leeds",
            "state_province": "England",
            "postal_code": "LS1 5AB",
            "country": "GB",
            "address_type": "physical",
        }
    ]
    assert location["accessibility"][0]["description"] == place.accessibility
    assert (location["latitude"], location["longitude"]) == (53.79651, -1.54792)


def test_taxonomy_terms_become_attributes_with_stable_ids(client):
    term = TaxonomyTermFactory(code="gardening")
    service = ServiceFactory(taxonomy_terms=[term])
    first = get(client, f"/services/{service.id}").json()["attributes"]
    second = get(client, f"/services/{service.id}").json()["attributes"]
    assert first == second
    assert first[0]["id"] == str(uuid.uuid5(service.id, str(term.id)))
    assert (first[0]["taxonomy_term"]["id"], first[0]["taxonomy_term"]["term"]) == (
        str(term.id),
        "gardening",
    )


def test_charity_and_company_numbers_become_organization_identifiers(client):
    organisation = OrganisationFactory(charity_number="1234567", company_number="07654321")
    ServiceFactory(organisation=organisation)
    body = get(client, f"/organizations/{organisation.id}").json()
    identifiers = body["organization_identifiers"]
    assert [
        (i["identifier_scheme"], i["identifier_type"], i["identifier"]) for i in identifiers
    ] == [
        ("GB-CHC", "Charity number", "1234567"),
        ("GB-COH", "Company number", "07654321"),
    ]
    assert identifiers[0]["id"] == str(uuid.uuid5(organisation.id, "GB-CHC"))


def test_a_schedule_gives_weekly_days_and_wall_clock_times(client):
    service = described_service()
    [schedule] = get(client, f"/services/{service.id}").json()["schedules"]
    assert (schedule["freq"], schedule["byday"], schedule["opens_at"], schedule["closes_at"]) == (
        "WEEKLY",
        "TU,TH",
        "10:00",
        "12:00",
    )


def test_an_organisation_lists_basic_services_unless_full_service_is_asked(client, oruk):
    service = described_service()
    path = f"/organizations/{service.organisation_id}"
    basic = get(client, path).json()["services"]
    full = get(client, path, {"full_service": "true"}).json()
    oruk.check_object(full, "/organizations/{id}", "organization.json")
    assert "schedules" not in basic[0]
    assert full["services"][0]["schedules"][0]["byday"] == "TU,TH"


def test_the_seeded_taxonomy_is_published_with_its_stable_ids(client):
    finance = seeded.term_id(seeded.NEEDS, "finance")
    body = get(client, f"/taxonomy_terms/{finance}").json()
    assert (body["term"], body["taxonomy_id"]) == ("finance", str(seeded.taxonomy_id(seeded.NEEDS)))


# What is published --------------------------------------------------------


@pytest.mark.parametrize(
    "status", [Service.Status.INACTIVE, Service.Status.DEFUNCT, Service.Status.TEMPORARILY_CLOSED]
)
def test_a_service_that_is_not_active_is_not_found(client, status):
    service = described_service(status=status)
    assert get(client, f"/services/{service.id}").status_code == 404
    at = service.at_locations.get()
    assert get(client, f"/service_at_locations/{at.id}").status_code == 404


def test_services_that_are_not_active_are_not_listed_anywhere(client):
    active = described_service(name="Open walk")
    closed = described_service(name="Closed walk", status=Service.Status.INACTIVE)
    closed.organisation = active.organisation
    closed.save()
    assert names(listed(client, "services")) == ["Open walk"]
    sites = listed(client, "service_at_locations")["contents"]
    assert [site["service"]["name"] for site in sites] == ["Open walk"]
    organisation = get(client, f"/organizations/{active.organisation_id}").json()
    assert [s["name"] for s in organisation["services"]] == ["Open walk"]


def test_an_organisation_without_active_services_is_not_published(client):
    service = described_service(status=Service.Status.DEFUNCT)
    assert listed(client, "organizations")["total_items"] == 0
    assert get(client, f"/organizations/{service.organisation_id}").status_code == 404


def test_spl_internal_fields_are_never_published(client):
    service = described_service(
        access=Service.Access.DIRECT_REFERRAL,
        referral_email="referrals@secure.example.nhs.uk",
        referral_instructions="Send the NHS number and a summary",
        eligibility="Adults registered with a Riverside practice",
        waiting_time_weeks=6,
        available_places=3,
        maximum_places=10,
    )
    contact = service.contacts.get()
    paths = [
        f"/services/{service.id}",
        "/services?full=true",
        f"/service_at_locations/{service.at_locations.get().id}",
        f"/organizations/{service.organisation_id}?full_service=true",
    ]
    secrets = [
        "referrals@secure.example.nhs.uk",
        "Send the NHS number",
        "Riverside practice",
        '"access"',
        '"waiting_time_weeks"',
        '"available_places"',
        '"accepting_referrals"',
        '"eligibility"',
        contact.email,
    ]
    for path in paths:
        text = client.get(BASE + path).content.decode()
        assert [secret for secret in secrets if secret in text] == []


# Filters ------------------------------------------------------------------


def test_search_finds_every_word_in_the_name_or_description(client):
    ServiceFactory(name="Debt advice", description="Help with money worries")
    ServiceFactory(name="Money advice café", description="Benefits checks")
    ServiceFactory(name="Walking group", description="Gentle walks")
    assert names(listed(client, "services", search="advice MONEY")) == [
        "Debt advice",
        "Money advice café",
    ]


def test_taxonomy_term_id_finds_services_with_that_term(client):
    gardening, arts = TaxonomyTermFactory(), TaxonomyTermFactory()
    ServiceFactory(name="Allotment club", taxonomy_terms=[gardening])
    ServiceFactory(name="Art class", taxonomy_terms=[arts])
    assert names(listed(client, "services", taxonomy_term_id=gardening.id)) == ["Allotment club"]


def test_taxonomy_id_finds_services_with_any_term_of_it_once(client):
    needs = TaxonomyFactory()
    ServiceFactory(
        name="Debt advice",
        taxonomy_terms=[TaxonomyTermFactory(taxonomy=needs), TaxonomyTermFactory(taxonomy=needs)],
    )
    ServiceFactory(name="Art class", taxonomy_terms=[TaxonomyTermFactory()])
    body = listed(client, "services", taxonomy_id=needs.id)
    assert (names(body), body["total_items"]) == (["Debt advice"], 1)


def test_organization_id_finds_that_organisations_services(client):
    mine = ServiceFactory(name="Mine")
    ServiceFactory(name="Theirs")
    assert names(listed(client, "services", organization_id=mine.organisation_id)) == ["Mine"]


def test_service_filters_apply_to_service_at_locations(client):
    term = TaxonomyTermFactory()
    described_service(name="Allotment club", taxonomy_terms=[term])
    described_service(name="Art class")
    sites = listed(client, "service_at_locations", taxonomy_term_id=term.id, search="allotment")
    assert [site["service"]["name"] for site in sites["contents"]] == ["Allotment club"]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ({"minimum_age": 20}, True),
        ({"minimum_age": 65}, True),
        ({"minimum_age": 66}, False),
        ({"maximum_age": 18}, True),
        ({"maximum_age": 16}, False),
        ({"minimum_age": 20, "maximum_age": 30}, True),
        ({"minimum_age": 10, "maximum_age": 17}, False),
        ({"minimum_age": 60, "maximum_age": 80}, True),
    ],
)
def test_ages_find_services_whose_age_range_overlaps(client, query, found):
    ServiceFactory(name="Adults", minimum_age=18, maximum_age=65)
    assert names(listed(client, "services", **query)) == (["Adults"] if found else [])


def test_a_service_without_age_limits_is_for_any_age(client):
    ServiceFactory(name="Everyone", minimum_age=None, maximum_age=None)
    assert names(listed(client, "services", minimum_age=3, maximum_age=99)) == ["Everyone"]


def test_modified_after_finds_services_changed_on_or_after_the_moment(client):
    with time_machine.travel(datetime.datetime(2026, 1, 10, 12, tzinfo=datetime.UTC), tick=False):
        ServiceFactory(name="Older")
    with time_machine.travel(datetime.datetime(2026, 2, 1, 9, tzinfo=datetime.UTC), tick=False):
        ServiceFactory(name="Newer")
    for moment in ["2026-02-01T09:00:00Z", "2026-02-01T10:00:00+01:00", "2026-02-01", "2026-01-31"]:
        assert names(listed(client, "services", modified_after=moment)) == ["Newer"], moment
    assert names(listed(client, "services", modified_after="2026-02-01T09:00:01Z")) == []


def test_modified_after_reads_an_offset_whose_plus_was_not_encoded(client):
    with time_machine.travel(datetime.datetime(2026, 2, 1, 9, tzinfo=datetime.UTC), tick=False):
        ServiceFactory(name="Newer")
    response = client.get(f"{BASE}/services?modified_after=2026-02-01T10:00:00+01:00")
    assert names(response.json()) == ["Newer"]


@pytest.mark.parametrize("path", ["services", "service_at_locations"])
@pytest.mark.parametrize("output", ["json", "ndjson"])
@pytest.mark.parametrize(
    "moment",
    ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00", "0001-01-01T00:00:00 01:00"],
)
def test_a_moment_outside_the_calendar_in_utc_is_a_json_400(client, path, output, moment):
    ServiceAtLocationFactory()
    response = client.get(f"{BASE}/{path}", {"modified_after": moment, "format": output})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("modified_after must be")


def test_taxonomy_terms_filter_by_taxonomy_parent_and_top_only(client):
    taxonomy = TaxonomyFactory()
    parent = TaxonomyTermFactory(taxonomy=taxonomy, name="Advice")
    TaxonomyTermFactory(taxonomy=taxonomy, name="Debt advice", parent=parent)
    assert names(listed(client, "taxonomy_terms", taxonomy_id=taxonomy.id)) == [
        "Advice",
        "Debt advice",
    ]
    assert names(listed(client, "taxonomy_terms", parent_id=parent.id)) == ["Debt advice"]
    top = listed(client, "taxonomy_terms", taxonomy_id=taxonomy.id, top_only="true")
    assert names(top) == ["Advice"]


def test_search_finds_organisations_and_taxonomies(client):
    ServiceFactory(organisation=OrganisationFactory(name="Leeds Debt Line"))
    ServiceFactory(organisation=OrganisationFactory(name="Garden Club"))
    assert names(listed(client, "organizations", search="debt")) == ["Leeds Debt Line"]
    assert names(listed(client, "taxonomies", search="activities")) == [
        "Social prescribing activities"
    ]


def test_unknown_parameters_are_ignored(client):
    ServiceFactory()
    assert listed(client, "services", colour="blue")["size"] == 1


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/services", "page=abc"),
        ("/services", "page=0"),
        ("/services", "page=-1"),
        ("/taxonomies", "page=1.5"),
        ("/services", "page=99999999999"),
        ("/services", "per_page=0"),
        ("/services", "per_page=501"),
        ("/organizations", "per_page=ten"),
        ("/services", "taxonomy_term_id=finance"),
        ("/service_at_locations", "organization_id=123"),
        ("/services", "modified_after=yesterday"),
        ("/services", "modified_after=2026-02-30"),
        ("/services", "minimum_age=-1"),
        ("/services", "maximum_age=200"),
        ("/services", "minimum_age=40&maximum_age=20"),
        ("/services", "full=maybe"),
        ("/services", "format=xml"),
        ("/services", "postcode=LS1+4AP"),
        ("/service_at_locations", "proximity=1000"),
        ("/taxonomy_terms", "parent_id=x"),
        ("/taxonomy_terms", "top_only=yes"),
        ("/organizations/" + str(uuid.uuid4()), "full_service=2"),
    ],
)
def test_a_bad_parameter_is_a_json_400_that_says_what_is_wrong(client, path, query):
    response = client.get(f"{BASE}{path}?{query}")
    assert response.status_code == 400
    assert response.json()["detail"].split()[0] in query
    assert response["Access-Control-Allow-Origin"] == "*"


# HTTP ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status"),
    [("/services", 200), ("/services?page=0", 400), (f"/services/{uuid.uuid4()}", 404)],
)
def test_every_answer_may_be_read_from_any_web_page(client, path, status):
    response = client.get(BASE + path, headers={"Origin": "https://finder.example.org"})
    assert (response.status_code, response["Access-Control-Allow-Origin"]) == (status, "*")


def test_a_preflight_request_is_allowed(client):
    response = client.options(
        f"{BASE}/services",
        headers={"Origin": "https://finder.example.org", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writing_is_not_allowed(client, method):
    response = getattr(client, method)(f"{BASE}/services")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json()["detail"]


def test_head_answers_like_get(client):
    response = client.head(f"{BASE}/services")
    assert (response.status_code, response["Content-Type"]) == (200, "application/json")


def test_the_service_list_reads_only_what_it_publishes(client, django_assert_max_num_queries):
    # The search document and the assurer's password and login times are never
    # published; read, they made a deep page sort on disk (docs/benchmarks.md).
    make("services")
    with django_assert_max_num_queries(2) as queries:
        assert listed(client, "services")["size"] == 1
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert '"search_document"' not in sql
    assert '"password"' not in sql
    assert '"last_login"' not in sql
