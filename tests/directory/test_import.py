"""Bulk import into the directory (directory.importing) from CSV and from Open
Referral UK JSON, and its management command. Real database, no mocks."""

import copy
import csv
import datetime
import io
import json
import logging
import uuid

import pytest
import time_machine
from django.core.management import CommandError, call_command

from directory import importing
from directory import taxonomy as seeded
from directory.importing import engine, import_file
from directory.importing.csv_file import COLUMNS, csv_template
from directory.models import (
    ChangeRecord,
    Contact,
    Language,
    Location,
    Organisation,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from spl import roles
from spl.models import AuditEvent
from spl.request_context import RequestContext, reset_current_request, set_current_request
from tests.directory.factories import (
    ContactFactory,
    LocationFactory,
    OrganisationFactory,
    ScheduleFactory,
    ServiceFactory,
    TaxonomyFactory,
    TaxonomyTermFactory,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EXAMPLES = [
    # Taxonomies first: the full service links the term the term list imports.
    "example-taxonomy_list.json",
    "example-taxonomy_term_list.json",
    "example-service_list.json",
    "example-service_full.json",
]
MODELS = (
    Organisation,
    Service,
    Location,
    ServiceAtLocation,
    Contact,
    Taxonomy,
    TaxonomyTerm,
    ChangeRecord,
    AuditEvent,
)


def upload(content, name="directory.csv"):
    data = content if isinstance(content, bytes) else content.encode()
    file = io.BytesIO(data)
    file.name = name
    return file


def sheet(*rows, columns=None):
    """A CSV file of `rows` (dicts), with the columns they use (or `columns`)."""
    columns = columns or list(dict.fromkeys(column for row in rows for column in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return upload(out.getvalue())


def service_row(**values):
    return {
        "service_name": "Walking for health",
        "service_description": "A weekly walk in the park at an easy pace.",
        "organisation_name": "Riverside Community Trust",
        "organisation_description": "A local charity running groups for adults.",
    } | values


def existing_row(service, **values):
    """A row naming `service` and its organisation as they are, with `values`."""
    organisation = service.organisation
    return (
        service_row(
            service_id=str(service.pk),
            service_name=service.name,
            service_description=service.description,
            organisation_id=str(organisation.pk),
            organisation_name=organisation.name,
            organisation_description=organisation.description,
        )
        | values
    )


def oruk(data):
    return upload(json.dumps(data), name="feed.json")


def row_counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def summary(report):
    counts = report.counts()
    return counts["created"], counts["updated"]


def api_service(client, service):
    response = client.get(f"/api/oruk/services/{service.pk}")
    assert response.status_code == 200
    return response.json()


def needs_term(code):
    return TaxonomyTerm.objects.get(pk=seeded.term_id(seeded.NEEDS, code))


def many_rows(count):
    """A CSV file of `count` services, with a location, a phone and a need each,
    over four organisations."""
    return sheet(
        *(
            service_row(
                service_name=f"Service {n}",
                organisation_name=f"Trust {n % 4}",
                needs="finance",
                location_name="Hall",
                address_1=f"{n} High Street",
                city="Leeds",
                postcode="LS1 4AP",
                phone="0113 496 0000",
            )
            for n in range(count)
        )
    )


def many_items(count):
    """An ORUK list of `count` services, with a contact, a schedule, a location
    and a term each, over four organisations."""

    def id_of(*parts):
        return str(engine.derived_id("test", *parts))

    finance = str(seeded.term_id(seeded.NEEDS, "finance"))
    return oruk(
        {
            "contents": [
                {
                    "id": id_of("service", n),
                    "name": f"Service {n}",
                    "description": "Helps",
                    "status": "active",
                    "taxonomy_terms": [{"id": finance}],
                    "organization": {
                        "id": id_of("organisation", n % 4),
                        "name": f"Trust {n % 4}",
                        "description": "A local charity",
                    },
                    "contacts": [
                        {"id": id_of("contact", n), "phones": [{"number": "0113 496 0000"}]}
                    ],
                    "schedules": [{"id": id_of("schedule", n), "byday": "MO", "opens_at": "10:00"}],
                    "service_at_locations": [
                        {
                            "id": id_of("link", n),
                            "location": {
                                "id": id_of("location", n),
                                "name": "Hall",
                                "addresses": [
                                    {
                                        "address_1": f"{n} High Street",
                                        "city": "Leeds",
                                        "postal_code": "LS1 4AP",
                                    }
                                ],
                            },
                        }
                    ],
                }
                for n in range(count)
            ]
        }
    )


# CSV ------------------------------------------------------------------------


def test_a_good_csv_creates_the_organisation_service_location_and_phone(pcn, directory_manager):
    report = import_file(upload(csv_template()), pcn=pcn, by=directory_manager)
    assert report.ok and report.imported and report.format == "csv"
    assert sorted(line.kind for line in report.created) == [
        "contact",
        "location",
        "organisation",
        "service",
        "service at location",
    ]
    service = Service.objects.select_related("organisation").get()
    assert (service.name, service.organisation.name, service.organisation.pcn) == (
        "Walking for health",
        "Riverside Community Trust",
        pcn,
    )
    assert (service.minimum_age, service.available_places, service.maximum_places) == (18, 8, 20)
    assert service.capacity_updated_at is not None
    assert {term.code for term in service.taxonomy_terms.all()} == {
        "loneliness",
        "physical_activity",
        "social_groups",
    }
    assert service.locations.get().postcode == "LS1 4AP"
    assert service.contacts.get().phone == "0113 496 0000"


def test_each_created_record_gets_a_change_record_and_an_audit_event(pcn, directory_manager):
    import_file(upload(csv_template()), pcn=pcn, by=directory_manager)
    assert ChangeRecord.objects.filter(action="create", changed_by=directory_manager).count() == 5
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE).count() == 5


def test_reimporting_the_same_csv_changes_nothing(pcn, directory_manager):
    import_file(upload(csv_template()), pcn=pcn, by=directory_manager)
    before = row_counts()
    report = import_file(upload(csv_template()), pcn=pcn, by=directory_manager)
    assert summary(report) == (0, 0)
    assert len(report.unchanged) == 5
    assert row_counts() == before


def test_updating_a_service_by_id_records_what_changed(pcn, directory_manager):
    service = ServiceFactory(organisation=OrganisationFactory(pcn=pcn), name="Walks")
    file = sheet(existing_row(service, service_name="Health walks"))
    report = import_file(file, pcn=pcn, by=directory_manager)
    assert [(line.kind, line.id) for line in report.updated] == [("service", str(service.pk))]
    record = ChangeRecord.objects.get()
    assert (record.object_id, record.action, record.changes) == (
        str(service.pk),
        "update",
        {"name": ["Walks", "Health walks"]},
    )
    assert AuditEvent.objects.get().action == AuditEvent.Action.UPDATE


def test_a_new_id_in_the_file_becomes_the_services_id(pcn, directory_manager):
    given = uuid.uuid4()
    import_file(sheet(service_row(service_id=str(given))), pcn=pcn, by=directory_manager)
    assert Service.objects.get().pk == given


def test_bad_rows_are_rejected_with_reasons_naming_the_column_and_nothing_is_saved(
    pcn, directory_manager
):
    before = row_counts()
    file = sheet(
        service_row(service_name="Good one"),
        service_row(
            service_name="Bad one",
            minimum_age="abc",
            maximum_age="130",
            needs="finance;yoga",
            accepting_referrals="maybe",
            service_email="not-an-email",
        ),
        service_row(service_name="Good two"),
    )
    report = import_file(file, pcn=pcn, by=directory_manager)
    assert not report.ok and not report.imported
    [rejection] = report.rejected
    assert rejection.label == "Row 3"
    assert set(rejection.reasons) == {
        "minimum_age: enter a whole number, like 12",
        "maximum_age: must be 120 or less",
        "needs: unknown code yoga; use " + ", ".join(sorted(c for c, *_ in seeded.NEEDS["terms"])),
        "accepting_referrals: enter yes or no",
        "service_email: enter a valid email address",
    }
    assert sorted(line.name for line in report.created if line.kind == "service") == [
        "Good one",
        "Good two",
    ]
    assert row_counts() == before


def test_a_rejected_rows_records_are_rolled_back_before_the_next_row(pcn, directory_manager):
    file = sheet(
        service_row(organisation_name="New Trust", service_name="Bad", maximum_age="999"),
        service_row(organisation_name="New Trust", service_name="Good"),
    )
    report = import_file(file, pcn=pcn, by=directory_manager)
    assert [(line.label, line.kind) for line in report.created] == [
        ("Row 3", "organisation"),
        ("Row 3", "service"),
    ]


def test_ages_out_of_order_are_a_reason_naming_the_column(pcn, directory_manager):
    report = import_file(
        sheet(service_row(minimum_age="60", maximum_age="18")), pcn=pcn, by=directory_manager
    )
    assert report.rejected[0].reasons == ["minimum_age: must not be more than the maximum age"]


def test_direct_referral_without_a_referral_email_is_rejected(pcn, directory_manager):
    report = import_file(
        sheet(service_row(access="direct_referral")), pcn=pcn, by=directory_manager
    )
    assert report.rejected[0].reasons == [
        "referral_email: give the address that direct referrals go to"
    ]
    assert not Service.objects.exists()


def test_a_dry_run_saves_nothing_but_reports_what_it_would_create(pcn, directory_manager):
    before = row_counts()
    report = import_file(upload(csv_template()), pcn=pcn, by=directory_manager, dry_run=True)
    assert report.ok and not report.imported
    assert len(report.created) == 5
    assert row_counts() == before


def test_another_pcns_organisation_is_rejected_and_not_changed(pcn, other_pcn, directory_manager):
    theirs = OrganisationFactory(pcn=other_pcn, name="Northgate Trust")
    file = sheet(service_row(organisation_id=str(theirs.pk), organisation_name="Renamed"))
    report = import_file(file, pcn=pcn, by=directory_manager)
    assert report.rejected[0].reasons == ["organisation_id: belongs to another PCN's directory"]
    theirs.refresh_from_db()
    assert (theirs.name, theirs.pcn) == ("Northgate Trust", other_pcn)
    assert not Service.objects.exists()


def test_another_pcns_service_is_rejected(pcn, other_pcn, directory_manager):
    theirs = ServiceFactory(organisation=OrganisationFactory(pcn=other_pcn), name="Theirs")
    report = import_file(
        sheet(service_row(service_id=str(theirs.pk))), pcn=pcn, by=directory_manager
    )
    assert report.rejected[0].reasons == ["service_id: belongs to another PCN's directory"]
    assert Service.objects.get().name == "Theirs"


def test_without_a_user_the_scope_is_the_pcn(pcn, other_pcn):
    ours = OrganisationFactory(pcn=pcn, name="Ours")
    theirs = OrganisationFactory(pcn=other_pcn, name="Theirs")
    file = sheet(
        service_row(organisation_id=str(ours.pk), organisation_name="Ours renamed"),
        service_row(organisation_id=str(theirs.pk), organisation_name="Theirs renamed"),
    )
    report = import_file(file, pcn=pcn, by=None)
    assert [rejection.label for rejection in report.rejected] == ["Row 3"]
    assert report.rejected[0].reasons == ["organisation_id: belongs to another PCN's directory"]
    assert [line.name for line in report.updated] == ["Ours renamed"]


def test_a_change_without_a_user_is_recorded_without_one(pcn):
    organisation = OrganisationFactory(pcn=pcn, name="Ours")
    file = sheet(service_row(organisation_id=str(organisation.pk), organisation_name="Renamed"))
    assert import_file(file, pcn=pcn, by=None).imported
    record = ChangeRecord.objects.get(object_id=str(organisation.pk))
    assert (record.action, record.changed_by) == ("update", None)


def test_rows_naming_one_organisation_create_it_once(pcn, directory_manager):
    file = sheet(service_row(service_name="Walks"), service_row(service_name="Lunch club"))
    report = import_file(file, pcn=pcn, by=directory_manager)
    assert [line.kind for line in report.created] == ["organisation", "service", "service"]
    assert Organisation.objects.get().services.count() == 2


def test_an_organisation_is_matched_by_its_exact_name_in_the_pcn(pcn, directory_manager):
    existing = OrganisationFactory(pcn=pcn, name="Riverside Community Trust")
    import_file(sheet(service_row()), pcn=pcn, by=directory_manager)
    assert Organisation.objects.get() == existing
    assert existing.services.count() == 1


def test_the_same_organisation_name_in_another_pcn_is_a_new_organisation(
    pcn, other_pcn, directory_manager
):
    OrganisationFactory(pcn=other_pcn, name="Riverside Community Trust")
    import_file(sheet(service_row()), pcn=pcn, by=directory_manager)
    assert Organisation.objects.filter(pcn=pcn).count() == 1


def test_row_labels_count_the_header_as_row_1_and_blank_lines_are_skipped(pcn, directory_manager):
    text = sheet(service_row(), service_row(service_name="Second", maximum_age="200")).read()
    header, first, second = text.decode().splitlines()
    report = import_file(
        upload("\n".join([header, first, "", ",,,", second]) + "\n"), pcn=pcn, by=directory_manager
    )
    assert [rejection.label for rejection in report.rejected] == ["Row 5"]


def test_a_csv_with_a_byte_order_mark_and_windows_line_endings_imports(pcn, directory_manager):
    text = csv_template().replace("\n", "\r\n")
    report = import_file(upload("\ufeff" + text), pcn=pcn, by=directory_manager)
    assert report.imported
    assert Service.objects.get().name == "Walking for health"


def test_a_blank_cell_keeps_the_directorys_value(pcn, directory_manager):
    service = ServiceFactory(organisation=OrganisationFactory(pcn=pcn), url="https://walks.org")
    file = sheet(existing_row(service, service_url=""))
    report = import_file(file, pcn=pcn, by=directory_manager)
    assert report.updated == []
    service.refresh_from_db()
    assert service.url == "https://walks.org"


def test_changing_capacity_sets_when_it_was_updated(pcn, directory_manager):
    service = ServiceFactory(
        organisation=OrganisationFactory(pcn=pcn), available_places=3, maximum_places=10
    )
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        import_file(
            sheet(existing_row(service, available_places="3")), pcn=pcn, by=directory_manager
        )
        service.refresh_from_db()
        assert service.capacity_updated_at is None
        import_file(
            sheet(existing_row(service, available_places="1")), pcn=pcn, by=directory_manager
        )
    service.refresh_from_db()
    assert (service.available_places, service.capacity_updated_at) == (
        1,
        datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC),
    )


def test_a_new_csv_service_without_capacity_columns_has_no_capacity_date(pcn, directory_manager):
    # Nobody has said whether it has room: the page shows no date for what it assumes.
    import_file(sheet(service_row()), pcn=pcn, by=directory_manager)
    assert Service.objects.get().capacity_updated_at is None


def test_needs_replace_only_the_needs_terms(pcn, directory_manager):
    arts = TaxonomyTerm.objects.get(pk=seeded.term_id(seeded.ACTIVITIES, "arts"))
    service = ServiceFactory(
        organisation=OrganisationFactory(pcn=pcn), taxonomy_terms=[needs_term("housing"), arts]
    )
    file = sheet(existing_row(service, needs="finance"))
    import_file(file, pcn=pcn, by=directory_manager)
    assert set(service.taxonomy_terms.all()) == {needs_term("finance"), arts}


def test_a_rejected_rows_changes_are_not_seen_by_the_next_row(pcn, directory_manager):
    organisation = OrganisationFactory(pcn=pcn, description="Old")
    named = {
        "organisation_id": str(organisation.pk),
        "organisation_name": organisation.name,
        "organisation_description": "New",
    }
    file = sheet(service_row(**named, maximum_age="999"), service_row(**named))
    report = import_file(file, pcn=pcn, by=directory_manager)
    assert [(line.label, line.kind) for line in report.updated] == [("Row 3", "organisation")]


def test_a_row_finds_an_organisation_by_the_name_an_earlier_row_gave_it(pcn, directory_manager):
    organisation = OrganisationFactory(pcn=pcn, name="Old name")
    file = sheet(
        service_row(organisation_id=str(organisation.pk), organisation_name="New name"),
        service_row(organisation_name="New name", service_name="Lunch club"),
    )
    report = import_file(file, pcn=pcn, by=directory_manager)
    assert [line.kind for line in report.created] == ["service", "service"]
    assert Organisation.objects.get().services.count() == 2


def test_every_row_with_ages_out_of_order_is_rejected(pcn, directory_manager):
    file = sheet(
        *(
            service_row(service_name=f"Walk {n}", minimum_age="60", maximum_age="18")
            for n in range(3)
        )
    )
    report = import_file(file, pcn=pcn, by=directory_manager)
    assert [rejection.reasons for rejection in report.rejected] == [
        ["minimum_age: must not be more than the maximum age"]
    ] * 3


def test_a_new_phone_records_the_services_organisation(pcn, directory_manager):
    service = ServiceFactory(organisation=OrganisationFactory(pcn=pcn))
    import_file(sheet(existing_row(service, phone="0113 496 0001")), pcn=pcn, by=directory_manager)
    record = ChangeRecord.objects.get(object_type="directory.contact")
    assert (record.action, record.organisation_id) == ("create", service.organisation_id)


def test_an_imports_audit_events_carry_the_request_id(pcn, directory_manager):
    context = RequestContext(request_id=uuid.uuid4(), ip_address="192.0.2.1")
    token = set_current_request(context)
    try:
        import_file(upload(csv_template()), pcn=pcn, by=directory_manager)
    finally:
        reset_current_request(token)
    events = AuditEvent.objects.all()
    assert len(events) == 5
    assert {
        (event.actor, event.action, event.request_id, event.ip_address) for event in events
    } == {(directory_manager, AuditEvent.Action.CREATE, context.request_id, "192.0.2.1")}
    assert {(event.object_type, event.object_id) for event in events} == {
        (record.object_type, record.object_id) for record in ChangeRecord.objects.all()
    }


def test_a_first_csv_import_makes_about_seven_queries_per_row(
    pcn, directory_manager, django_assert_max_num_queries
):
    # Per row: its savepoint, and an INSERT per record and link it creates.
    with django_assert_max_num_queries(30 + 7 * 20):
        report = import_file(many_rows(20), pcn=pcn, by=directory_manager)
    assert len(report.created) == 20 * 4 + 4


def test_reimporting_a_csv_makes_two_queries_per_row(
    pcn, directory_manager, django_assert_max_num_queries
):
    import_file(many_rows(20), pcn=pcn, by=directory_manager)
    with django_assert_max_num_queries(15 + 2 * 20):  # the row's savepoint
        report = import_file(many_rows(20), pcn=pcn, by=directory_manager)
    assert len(report.unchanged) == 20 * 4 + 4


def test_a_csv_phone_never_changes_another_services_contact(pcn, other_pcn, directory_manager):
    ours = ServiceFactory(organisation=OrganisationFactory(pcn=pcn))
    theirs = ContactFactory(
        service=ServiceFactory(organisation=OrganisationFactory(pcn=other_pcn)),
        id=engine.derived_id("service", ours.pk, "phone"),
        phone="0113 496 0000",
    )
    report = import_file(
        sheet(existing_row(ours, phone="0113 496 0999")), pcn=pcn, by=directory_manager
    )
    assert report.rejected[0].reasons == [
        f"phone: the contact for the service's phone number (id {theirs.pk}) belongs to "
        "another service"
    ]
    theirs.refresh_from_db()
    assert (theirs.phone, theirs.service.organisation.pcn) == ("0113 496 0000", other_pcn)


def test_a_csv_postcode_that_is_not_a_uk_postcode_is_rejected(pcn, directory_manager):
    place = {"location_name": "Hall", "address_1": "1 High Street", "city": "Leeds"}
    report = import_file(sheet(service_row(**place, postcode="LS1")), pcn=pcn, by=directory_manager)
    assert report.rejected[0].reasons == ["postcode: enter a real postcode, like LS1 4AP"]
    assert not Location.objects.exists()


def test_a_csv_postcode_is_stored_normalised(pcn, directory_manager):
    place = {"location_name": "Hall", "address_1": "1 High Street", "city": "Leeds"}
    import_file(sheet(service_row(**place, postcode=" ls14ap ")), pcn=pcn, by=directory_manager)
    assert Location.objects.get().postcode == "LS1 4AP"


def test_a_csv_postcode_written_another_way_finds_the_same_place(pcn, directory_manager):
    organisation = OrganisationFactory(pcn=pcn, name="Riverside Community Trust")
    place = LocationFactory(organisation=organisation, address_1="12 Mill Lane", postcode="LS14AP")
    row = service_row(address_1="12 mill lane", city="Leeds", postcode="ls1 4ap")
    report = import_file(sheet(row), pcn=pcn, by=directory_manager)
    assert report.imported
    assert list(Location.objects.all()) == [place]
    assert list(Service.objects.get().locations.all()) == [place]


def test_the_column_guide_lists_the_template_columns_and_marks_required_ones():
    header = csv_template().splitlines()[0].split(",")
    assert header == [column for column, _, _ in COLUMNS]
    assert [column for column, required, _ in COLUMNS if required] == [
        "service_name",
        "service_description",
        "organisation_name",
    ]


# File-level errors ----------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"", "The file is empty."),
        (b" \n\t\n", "The file is empty."),
        ("service_name,organisation_name\n".encode("utf-16"), "The file is not UTF-8 text"),
        (b"service_name,service_description,organisation_name\n\xe9t\xe9,x,y\n", "not UTF-8"),
        (b'{"contents": [', "The file is not valid JSON (line 1, column 15)."),
        (b'{"detail": "Not found"}', "The file is JSON but not Open Referral UK"),
        (b'{"contents": {}}', "The file is JSON but not Open Referral UK"),
        (b'{"contents": []}', "The file has nothing to import"),
        (
            b"service_name,service_description,organisation_name,colour\nA,B,C,red\n",
            "Unknown columns: colour.",
        ),
        (
            b"service_name,organisation_name\nA,C\n",
            "Missing required columns: service_description.",
        ),
        (
            b"service_name,service_description,organisation_name\n",
            "The file has the column names but no rows to import.",
        ),
    ],
    ids=[
        "empty",
        "blank",
        "utf-16",
        "latin-1",
        "bad-json",
        "not-oruk",
        "contents-not-a-list",
        "empty-list",
        "unknown-column",
        "missing-column",
        "no-rows",
    ],
)
def test_a_bad_file_is_a_file_level_error_and_saves_nothing(pcn, directory_manager, content, error):
    before = row_counts()
    report = import_file(upload(content), pcn=pcn, by=directory_manager)
    assert not report.ok
    assert len(report.errors) == 1 and error in report.errors[0]
    assert row_counts() == before


def test_too_many_csv_rows_is_a_file_level_error(pcn, directory_manager, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ITEMS", 2)
    file = sheet(*(service_row(service_name=f"Service {n}") for n in range(3)))
    report = import_file(file, pcn=pcn, by=directory_manager)
    assert report.errors == ["The file has more than 2 rows: import at most 2 at a time."]
    assert not Service.objects.exists()


def test_too_many_oruk_items_is_a_file_level_error(pcn, directory_manager, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ITEMS", 2)
    items = [{"id": str(uuid.uuid4()), "name": "T", "description": "T", "uri": ""}] * 3
    report = import_file(oruk(items), pcn=pcn, by=directory_manager)
    assert report.errors == ["The file has 3 items: import at most 2 at a time."]


# Open Referral UK -----------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLES)
def test_each_oruk_example_imports(pcn, directory_manager, standards_dir, name):
    with open(standards_dir / "oruk" / name, "rb") as file:
        report = import_file(file, pcn=pcn, by=directory_manager)
    assert report.ok and report.imported and report.format == "oruk", report
    assert report.created


def test_the_oruk_examples_imported_again_change_nothing(pcn, directory_manager, standards_dir):
    for name in EXAMPLES:
        with open(standards_dir / "oruk" / name, "rb") as file:
            assert import_file(file, pcn=pcn, by=directory_manager).imported
    before = row_counts()
    for name in EXAMPLES:
        with open(standards_dir / "oruk" / name, "rb") as file:
            report = import_file(file, pcn=pcn, by=directory_manager)
        assert report.ok and summary(report) == (0, 0) and not report.deleted, name
    assert row_counts() == before


def test_the_example_service_imports_what_spl_can_hold(pcn, directory_manager, standards_dir):
    with open(standards_dir / "oruk" / "example-service_full.json", "rb") as file:
        report = import_file(file, pcn=pcn, by=directory_manager)
    service = Service.objects.select_related("organisation").get()
    # The example's "1234567", as Companies House writes it.
    assert (service.organisation.pcn, service.organisation.company_number) == (pcn, "01234567")
    assert (service.minimum_age, service.maximum_age, service.access) == (
        12,
        100,
        Service.Access.SIGNPOSTING,
    )
    location = service.locations.get()
    assert (location.postcode, location.latitude, location.longitude) == ("ABC 1234", None, None)
    schedule = service.schedules.get()
    assert (schedule.byday, schedule.opens_at) == ("TH,FR", datetime.time(10, 0))
    assert not Language.objects.exists()
    assert [warning.message.split(":")[0] for warning in report.warnings] == [
        "attributes[0].taxonomy_term",
        "languages[0]",
        "service_at_locations[0].location.latitude, longitude",
        "service_at_locations[0].location.addresses[0].postal_code 'ABC 1234' is not a UK postcode",
    ]


def test_an_example_term_without_a_taxonomy_id_gets_a_stable_taxonomy(
    pcn, directory_manager, standards_dir
):
    for _ in range(2):
        with open(standards_dir / "oruk" / "example-taxonomy_term_list.json", "rb") as file:
            import_file(file, pcn=pcn, by=directory_manager)
    term = TaxonomyTerm.objects.get(pk="3f7b145d-84af-42d7-8fae-eaca714b02b2")
    assert term.taxonomy.pk == engine.derived_id("taxonomy", "taxonomy")
    assert (term.code, term.parent) == ("name", None)


def test_our_own_api_answer_imports_unchanged(client, pcn, directory_manager):
    service = ServiceFactory(
        organisation=OrganisationFactory(pcn=pcn),
        with_details=True,
        taxonomy_terms=[needs_term("loneliness")],
    )
    data = api_service(client, service)
    before = row_counts()
    report = import_file(oruk(data), pcn=pcn, by=directory_manager)
    assert report.ok and not report.warnings, report
    assert summary(report) == (0, 0) and not report.deleted
    assert {line.kind for line in report.unchanged} == {
        "organisation",
        "service",
        "schedule",
        "service area",
        "cost option",
        "contact",
        "language",
        "location",
        "service at location",
    }
    assert row_counts() == before


def test_a_changed_api_answer_updates_the_service_and_records_it(client, pcn, directory_manager):
    service = ServiceFactory(organisation=OrganisationFactory(pcn=pcn), minimum_age=18)
    data = api_service(client, service) | {"minimum_age": 16}
    report = import_file(oruk(data), pcn=pcn, by=directory_manager)
    assert [line.kind for line in report.updated] == ["service"]
    assert ChangeRecord.objects.get().changes == {"minimum_age": [18, 16]}


def test_children_missing_from_a_present_array_are_deleted(client, pcn, directory_manager):
    service = ServiceFactory(organisation=OrganisationFactory(pcn=pcn))
    kept, dropped = ScheduleFactory(service=service), ScheduleFactory(service=service)
    data = api_service(client, service)
    data["schedules"] = [entry for entry in data["schedules"] if entry["id"] == str(kept.pk)]
    report = import_file(oruk(data), pcn=pcn, by=directory_manager)
    assert [(line.kind, line.id) for line in report.deleted] == [("schedule", str(dropped.pk))]
    assert list(service.schedules.all()) == [kept]
    assert ChangeRecord.objects.get().action == "delete"


def test_absent_arrays_leave_children_alone(client, pcn, directory_manager):
    service = ServiceFactory(organisation=OrganisationFactory(pcn=pcn))
    ContactFactory(service=service)
    data = api_service(client, service)
    del data["contacts"]
    report = import_file(oruk(data), pcn=pcn, by=directory_manager)
    assert report.imported and not report.deleted
    assert service.contacts.count() == 1


def test_an_unlinked_location_is_kept_for_its_organisation(client, pcn, directory_manager):
    service = ServiceFactory(organisation=OrganisationFactory(pcn=pcn), with_details=True)
    data = api_service(client, service) | {"service_at_locations": []}
    report = import_file(oruk(data), pcn=pcn, by=directory_manager)
    assert [line.kind for line in report.deleted] == ["service at location"]
    assert service.organisation.locations.count() == 1


def test_an_import_never_changes_access_or_capacity(client, pcn, directory_manager):
    service = ServiceFactory(
        organisation=OrganisationFactory(pcn=pcn),
        access=Service.Access.DIRECT_REFERRAL,
        referral_email="referrals@trust.example.org",
        available_places=2,
        maximum_places=5,
    )
    data = api_service(client, service) | {"name": "Renamed"}
    import_file(oruk(data), pcn=pcn, by=directory_manager)
    service.refresh_from_db()
    assert (service.name, service.access, service.available_places) == (
        "Renamed",
        Service.Access.DIRECT_REFERRAL,
        2,
    )
    assert service.capacity_updated_at is None


def test_a_service_an_oruk_feed_adds_has_no_capacity_date(client, pcn, directory_manager):
    # ORUK has no capacity: the service takes the defaults, which nobody has said.
    import_file(many_items(1), pcn=pcn, by=directory_manager)
    assert Service.objects.get().capacity_updated_at is None


def test_an_oruk_service_of_another_pcn_is_rejected_and_not_changed(
    client, pcn, other_pcn, directory_manager
):
    theirs = ServiceFactory(organisation=OrganisationFactory(pcn=other_pcn), name="Theirs")
    data = api_service(client, theirs) | {"name": "Mine now"}
    report = import_file(oruk(data), pcn=pcn, by=directory_manager)
    assert report.rejected[0].reasons == ["id: belongs to another PCN's directory"]
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"


def test_a_manager_of_two_pcns_cannot_change_the_other_pcns_service_from_an_import(
    client, pcn, other_pcn
):
    manager_of_both = UserFactory(role=roles.DIRECTORY_MANAGER, pcns=[pcn, other_pcn])
    theirs = ServiceFactory(organisation=OrganisationFactory(pcn=other_pcn), name="Theirs")
    data = api_service(client, theirs) | {"name": "Renamed"}
    report = import_file(oruk(data), pcn=pcn, by=manager_of_both)
    assert report.rejected[0].reasons == ["id: belongs to another PCN's directory"]
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"


def test_spl_taxonomy_may_be_unchanged_but_not_changed(client, pcn, directory_manager):
    finance = needs_term("finance")
    published = client.get(f"/api/oruk/taxonomy_terms/{finance.pk}").json()
    assert import_file(oruk(published), pcn=pcn, by=directory_manager).imported
    report = import_file(oruk(published | {"name": "Money"}), pcn=pcn, by=directory_manager)
    assert report.rejected[0].reasons == [
        "id: part of SPL's own taxonomy, used to match referral reasons"
    ]
    finance.refresh_from_db()
    assert finance.name == "Finance, debt and benefits"


def test_an_import_may_leave_a_shared_taxonomy_unchanged(pcn, directory_manager):
    shared = TaxonomyFactory(name="Shared", description="Terms")
    data = {"id": str(shared.pk), "name": "Shared", "description": "Terms", "uri": ""}
    report = import_file(oruk(data), pcn=pcn, by=directory_manager)
    assert report.imported and [line.kind for line in report.unchanged] == ["taxonomy"]


def test_an_import_cannot_change_a_taxonomy_another_pcn_may_use(pcn, directory_manager):
    shared = TaxonomyFactory(name="Shared", description="Terms")
    data = {"id": str(shared.pk), "name": "Renamed", "description": "Terms", "uri": ""}
    report = import_file(oruk(data), pcn=pcn, by=directory_manager)
    assert report.rejected[0].reasons == [
        "id: taxonomies are shared by every PCN's directory: ask an administrator to change it"
    ]
    shared.refresh_from_db()
    assert shared.name == "Shared"


def test_an_import_cannot_change_a_taxonomy_term_another_pcn_may_use(pcn, directory_manager):
    shared = TaxonomyTermFactory(code="gardening", name="Gardening")
    data = {"id": str(shared.pk), "taxonomy_id": str(shared.taxonomy_id), "name": "Digging"}
    report = import_file(oruk(data), pcn=pcn, by=directory_manager)
    assert report.rejected[0].reasons == [
        "id: taxonomies are shared by every PCN's directory: ask an administrator to change it"
    ]
    shared.refresh_from_db()
    assert shared.name == "Gardening"


def test_an_import_may_add_a_term_to_a_taxonomy_another_pcn_imported(pcn, directory_manager):
    shared = TaxonomyFactory()
    data = {
        "id": str(uuid.uuid4()),
        "taxonomy_id": str(shared.pk),
        "name": "Choirs",
        "description": "Singing in a group",
    }
    report = import_file(oruk(data), pcn=pcn, by=directory_manager)
    assert [line.kind for line in report.created] == ["taxonomy term"]
    assert shared.terms.get().code == "choirs"


def test_an_oruk_service_cannot_take_another_organisations_place(client, pcn, directory_manager):
    service = ServiceFactory(organisation=OrganisationFactory(pcn=pcn), with_details=True)
    theirs = LocationFactory(organisation=OrganisationFactory(pcn=pcn), name="Their hall")
    data = api_service(client, service)
    data["service_at_locations"][0]["location"] |= {"id": str(theirs.pk), "name": "Our hall"}
    report = import_file(oruk(data), pcn=pcn, by=directory_manager)
    assert report.rejected[0].reasons == [
        "service_at_locations[0].location.id: belongs to another organisation"
    ]
    theirs.refresh_from_db()
    assert (theirs.name, list(theirs.services.all())) == ("Their hall", [])


def test_an_oruk_postcode_outside_the_uk_is_kept_with_a_warning(client, pcn, directory_manager):
    service = ServiceFactory(organisation=OrganisationFactory(pcn=pcn), with_details=True)
    data = api_service(client, service)
    data["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] = "10115"
    report = import_file(oruk(data), pcn=pcn, by=directory_manager)
    assert report.imported
    assert [warning.message for warning in report.warnings] == [
        "service_at_locations[0].location.addresses[0].postal_code '10115' is not a UK "
        "postcode: check the place's address"
    ]
    assert service.locations.get().postcode == "10115"


def test_an_oruk_postcode_is_stored_normalised(client, pcn, directory_manager):
    service = ServiceFactory(organisation=OrganisationFactory(pcn=pcn), with_details=True)
    data = api_service(client, service)
    data["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] = "ls27ue"
    report = import_file(oruk(data), pcn=pcn, by=directory_manager)
    assert report.imported and not report.warnings
    assert service.locations.get().postcode == "LS2 7UE"


def test_a_nul_character_in_a_json_value_is_a_reason(client, pcn, directory_manager):
    service = ServiceFactory(organisation=OrganisationFactory(pcn=pcn))
    report = import_file(
        oruk(api_service(client, service) | {"fees": "free\u0000"}), pcn=pcn, by=directory_manager
    )
    assert report.rejected[0].reasons == ["fees: must not contain a NUL character"]


def test_items_that_are_none_of_the_kinds_are_rejected(pcn, directory_manager):
    report = import_file(
        oruk([{"id": str(uuid.uuid4()), "name": "Who knows"}, 7]), pcn=pcn, by=directory_manager
    )
    assert [rejection.label for rejection in report.rejected] == ["Item 1", "Item 2"]
    assert report.rejected[1].reasons == ["is not a JSON object"]


def test_an_invalid_oruk_service_is_rejected_with_the_field_path(client, pcn, directory_manager):
    service = ServiceFactory(organisation=OrganisationFactory(pcn=pcn), with_details=True)
    data = api_service(client, service)
    broken = copy.deepcopy(data) | {"maximum_age": 121}
    broken["organization"]["email"] = "nope"
    broken["schedules"][0]["opens_at"] = "teatime"
    report = import_file(oruk(broken), pcn=pcn, by=directory_manager)
    assert report.rejected[0].reasons[0] == "organization.email: enter a valid email address"
    assert "maximum_age: must be 120 or less" in report.rejected[0].reasons
    assert any(
        reason.startswith("schedules[0].opens_at: ") for reason in report.rejected[0].reasons
    )
    assert Schedule.objects.get().opens_at == datetime.time(10, 0)


def test_an_organisation_list_imports_its_services(client, pcn, directory_manager):
    service = ServiceFactory(organisation=OrganisationFactory(pcn=pcn))
    data = client.get(f"/api/oruk/organizations/{service.organisation_id}").json()
    data["services"][0]["name"] = "Renamed"
    report = import_file(oruk({"contents": [data]}), pcn=pcn, by=directory_manager)
    assert [line.kind for line in report.updated] == ["service"]


def test_a_child_id_given_twice_is_rejected(client, pcn, directory_manager):
    service = ServiceFactory(organisation=OrganisationFactory(pcn=pcn))
    data = api_service(client, service)
    data["schedules"] = [{"id": str(uuid.uuid4()), "byday": day} for day in ("MO", "TU")]
    data["schedules"][1]["id"] = data["schedules"][0]["id"]
    report = import_file(oruk(data), pcn=pcn, by=directory_manager)
    assert report.rejected[0].reasons == ["schedules[1].id: schedule with this Id already exists"]


def test_a_location_linked_twice_to_a_service_is_rejected(client, pcn, directory_manager):
    service = ServiceFactory(organisation=OrganisationFactory(pcn=pcn), with_details=True)
    data = api_service(client, service)
    twice = copy.deepcopy(data["service_at_locations"][0]) | {"id": str(uuid.uuid4())}
    data["service_at_locations"].append(twice)
    report = import_file(oruk(data), pcn=pcn, by=directory_manager)
    assert report.rejected[0].reasons == [
        "service_at_locations[1]: service at location with this Service and Location already exists"
    ]


def test_a_first_oruk_import_makes_about_eight_queries_per_service(
    pcn, directory_manager, django_assert_max_num_queries
):
    # Per service: its savepoint, and an INSERT per record and link it creates.
    with django_assert_max_num_queries(30 + 8 * 20):
        report = import_file(many_items(20), pcn=pcn, by=directory_manager)
    assert len(report.created) == 20 * 5 + 4


def test_reimporting_an_oruk_file_makes_two_queries_per_service(
    pcn, directory_manager, django_assert_max_num_queries
):
    import_file(many_items(20), pcn=pcn, by=directory_manager)
    with django_assert_max_num_queries(20 + 2 * 20):  # the service's savepoint
        report = import_file(many_items(20), pcn=pcn, by=directory_manager)
    assert len(report.unchanged) == 20 * 5 + 4


# The command ----------------------------------------------------------------


def test_the_command_imports_a_file_and_prints_the_counts(tmp_path, pcn, directory_manager):
    path = tmp_path / "directory.csv"
    path.write_text(csv_template())
    out = io.StringIO()
    call_command(
        "import_directory",
        str(path),
        "--pcn",
        pcn.ods_code,
        "--user",
        directory_manager.email,
        stdout=out,
    )
    assert "CSV file: 5 created, 0 updated, 0 unchanged" in out.getvalue()
    assert Service.objects.get().organisation.pcn == pcn
    assert ChangeRecord.objects.filter(changed_by=directory_manager).count() == 5


def test_the_command_fails_with_every_reason_for_a_bad_file(tmp_path, pcn):
    path = tmp_path / "directory.csv"
    path.write_bytes(sheet(service_row(maximum_age="130"), service_row(minimum_age="x")).read())
    out = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_directory", str(path), "--pcn", pcn.ods_code, stdout=out)
    assert "Row 2: rejected\n  - maximum_age: must be 120 or less" in out.getvalue()
    assert "Row 3: rejected\n  - minimum_age: enter a whole number, like 12" in out.getvalue()
    assert not Service.objects.exists()


def test_the_command_reports_a_file_level_error(tmp_path, pcn):
    path = tmp_path / "feed.json"
    path.write_text("{nope")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_directory", str(path), "--pcn", pcn.ods_code, stdout=out)
    assert "Error: The file is not valid JSON" in out.getvalue()


def test_the_command_dry_run_saves_nothing(tmp_path, pcn):
    path = tmp_path / "directory.csv"
    path.write_text(csv_template())
    out = io.StringIO()
    call_command("import_directory", str(path), "--pcn", pcn.ods_code, "--dry-run", stdout=out)
    assert "Dry run: nothing was saved." in out.getvalue()
    assert not Service.objects.exists()


def test_the_command_refuses_an_unknown_pcn(tmp_path):
    path = tmp_path / "directory.csv"
    path.write_text(csv_template())
    with pytest.raises(CommandError, match="No PCN has the ODS code U99999"):
        call_command("import_directory", str(path), "--pcn", "U99999")


# Logs -----------------------------------------------------------------------


def test_the_log_has_ids_and_counts_but_no_names(pcn, directory_manager, caplog):
    with caplog.at_level(logging.DEBUG, logger="directory"):
        import_file(upload(csv_template()), pcn=pcn, by=directory_manager)
    assert "'created': 5" in caplog.text
    for name in (
        "Riverside Community Trust",
        "Walking for health",
        "0113 496 0000",
        directory_manager.email,
    ):
        assert name not in caplog.text
