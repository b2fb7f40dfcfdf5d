"""Keeping the directory: directory managers add and change organisations, services,
places and quality checks of their own PCN, with a change history."""

import datetime
import re
from pathlib import Path

import pytest
import time_machine

from directory.forms import ServiceForm
from directory.models import (
    ChangeRecord,
    Location,
    Organisation,
    QualityCheck,
    Schedule,
    Service,
)
from directory.taxonomy import ACTIVITIES, NEEDS, term_id
from spl import roles
from spl.models import AuditEvent
from tests.directory.factories import (
    ContactFactory,
    LocationFactory,
    OrganisationFactory,
    QualityCheckFactory,
    ServiceFactory,
)
from tests.factories import PCNFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 21)
NEXT_YEAR = datetime.date(2027, 11, 21)
NINE_THIRTY = datetime.datetime(2026, 11, 21, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture
def organisation(pcn):
    return OrganisationFactory(pcn=pcn, name="Leeds Debt Advice")


@pytest.fixture
def service(organisation):
    return ServiceFactory(organisation=organisation, name="Debt advice drop-in")


@pytest.fixture
def place(organisation):
    return LocationFactory(organisation=organisation, name="Armley Library")


@pytest.fixture
def other_manager(other_pcn):
    return UserFactory(role=roles.DIRECTORY_MANAGER, pcns=[other_pcn])


def service_data(**changes):
    data = {
        "name": "Debt advice drop-in",
        "description": "Free, confidential advice on debts, benefits and budgeting.",
        "status": "active",
        "access": "signposting",
        "accepting_referrals": "on",
    }
    return {key: value for key, value in (data | changes).items() if value is not None}


def check_data(day=TODAY, expires=NEXT_YEAR, kind="dbs"):
    return {
        "kind": kind,
        "evidence": "DBS register seen; 14 volunteers, all enhanced checks",
        "checked_on_day": day.day,
        "checked_on_month": day.month,
        "checked_on_year": day.year,
        "expires_on_day": expires.day,
        "expires_on_month": expires.month,
        "expires_on_year": expires.year,
    }


def errors(response):
    return response.context["form"].errors


# Who may: anonymous -> login, out of the PCN -> 404, without permission -> 403.

PAGES = [
    "/directory/organisations/{organisation}/edit/",
    "/directory/organisations/{organisation}/history/",
    "/directory/organisations/{organisation}/services/new/",
    "/directory/organisations/{organisation}/places/new/",
    "/directory/organisations/{organisation}/checks/new/",
    "/directory/services/{service}/edit/",
    "/directory/places/{place}/edit/",
    "/directory/services/{service}/contacts/new/",
    "/directory/services/{service}/times/new/",
]


def url(template, organisation, service, place):
    return template.format(organisation=organisation.pk, service=service.pk, place=place.pk)


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_login(client, page, organisation, service, place):
    response = client.get(url(page, organisation, service, place))
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("page", PAGES)
def test_another_pcns_directory_manager_gets_404(
    client_for, other_manager, page, organisation, service, place
):
    response = client_for(other_manager).get(url(page, organisation, service, place))
    assert response.status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_a_link_worker_gets_403(client_for, link_worker, page, organisation, service, place):
    response = client_for(link_worker).get(url(page, organisation, service, place))
    assert response.status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_the_pcns_directory_manager_gets_the_page(
    client_for, directory_manager, page, organisation, service, place
):
    response = client_for(directory_manager).get(url(page, organisation, service, place))
    assert response.status_code == 200


@pytest.mark.parametrize("page", ["/directory/manage/", "/directory/organisations/new/"])
def test_a_link_worker_gets_403_for_managing(client_for, link_worker, page):
    assert client_for(link_worker).get(page).status_code == 403


def test_another_pcns_manager_cannot_post_a_change(client_for, other_manager, organisation):
    client_for(other_manager).post(
        f"/directory/organisations/{organisation.pk}/edit/",
        {"name": "Taken over", "description": "x"},
    )
    organisation.refresh_from_db()
    assert organisation.name == "Leeds Debt Advice"


# The list of organisations to look after


def test_the_manage_list_shows_only_the_managers_pcn(
    client_for, directory_manager, organisation, other_pcn
):
    OrganisationFactory(pcn=other_pcn, name="Elsewhere Trust")
    page = client_for(directory_manager).get("/directory/manage/")
    assert [org.name for org in page.context["page"]] == ["Leeds Debt Advice"]


@time_machine.travel(TODAY)
def test_the_manage_list_puts_unassured_then_soonest_to_lapse_first(
    client_for, directory_manager, pcn
):
    OrganisationFactory(pcn=pcn, name="Assured", assured_until=TODAY + datetime.timedelta(200))
    OrganisationFactory(pcn=pcn, name="Lapsed", assured_until=TODAY - datetime.timedelta(3))
    OrganisationFactory(pcn=pcn, name="Never checked", assured_until=None)
    OrganisationFactory(pcn=pcn, name="Expiring", assured_until=TODAY + datetime.timedelta(10))
    page = client_for(directory_manager).get("/directory/manage/")
    assert [org.name for org in page.context["page"]] == [
        "Never checked",
        "Lapsed",
        "Expiring",
        "Assured",
    ]


@time_machine.travel(TODAY)
def test_the_manage_list_filters_by_qa_status(client_for, directory_manager, pcn):
    OrganisationFactory(pcn=pcn, name="Lapsed", assured_until=TODAY - datetime.timedelta(3))
    OrganisationFactory(pcn=pcn, name="Never checked", assured_until=None)
    page = client_for(directory_manager).get("/directory/manage/?qa=lapsed")
    assert [org.name for org in page.context["page"]] == ["Lapsed"]


def test_the_manage_list_ignores_an_unknown_status(client_for, directory_manager, organisation):
    page = client_for(directory_manager).get("/directory/manage/?qa=<script>")
    assert page.status_code == 200
    assert len(page.context["page"]) == 1


def test_the_manage_list_query_count_does_not_grow(
    client_for, directory_manager, pcn, django_assert_max_num_queries
):
    for organisation in OrganisationFactory.create_batch(20, pcn=pcn):
        ServiceFactory.create_batch(2, organisation=organisation)
    client = client_for(directory_manager)
    with django_assert_max_num_queries(8):
        response = client.get("/directory/manage/")
    assert len(response.context["page"]) == 20
    assert response.content.decode().count(">2</td>") == 20


def test_manage_directory_is_the_current_navigation_item(client_for, directory_manager):
    navigation = client_for(directory_manager).get("/directory/manage/").context["navigation"]
    assert [item["title"] for item in navigation if item["current"]] == ["Manage directory"]


# Organisations


def test_a_manager_adds_an_organisation_to_their_pcn(client_for, directory_manager, pcn):
    response = client_for(directory_manager).post(
        "/directory/organisations/new/",
        {
            "name": "Armley Men's Shed",
            "description": "Woodwork and company for older men",
            "charity_number": "1 176 543",
            "company_number": "5123456",
        },
    )
    made = Organisation.objects.get(name="Armley Men's Shed")
    assert response["Location"] == made.get_absolute_url()
    assert (made.pcn, made.charity_number, made.company_number) == (pcn, "1176543", "05123456")


def test_adding_an_organisation_records_history_and_audit(client_for, directory_manager):
    client_for(directory_manager).post(
        "/directory/organisations/new/", {"name": "Shed", "description": "Woodwork"}
    )
    made = Organisation.objects.get()
    record = ChangeRecord.objects.get(object_id=str(made.pk))
    assert (record.action, record.changed_by, record.changes["name"]) == (
        "create",
        directory_manager,
        [None, "Shed"],
    )
    assert AuditEvent.objects.filter(
        actor=directory_manager, action=AuditEvent.Action.CREATE, object_id=str(made.pk)
    ).exists()


def test_a_manager_of_two_pcns_chooses_which(client_for, pcn, other_pcn):
    manager = UserFactory(role=roles.DIRECTORY_MANAGER, pcns=[pcn, other_pcn])
    client_for(manager).post(
        "/directory/organisations/new/",
        {"name": "Shed", "description": "Woodwork", "pcn": other_pcn.pk},
    )
    assert Organisation.objects.get().pcn == other_pcn


def test_a_manager_cannot_add_to_a_pcn_that_is_not_theirs(client_for, pcn, other_pcn):
    manager = UserFactory(role=roles.DIRECTORY_MANAGER, pcns=[pcn, other_pcn])
    stranger = PCNFactory()
    response = client_for(manager).post(
        "/directory/organisations/new/",
        {"name": "Shed", "description": "Woodwork", "pcn": stranger.pk},
    )
    assert "pcn" in errors(response)
    assert not Organisation.objects.exists()


def test_a_missing_name_is_shown_in_the_error_summary_keeping_what_was_typed(
    client_for, directory_manager
):
    response = client_for(directory_manager).post(
        "/directory/organisations/new/",
        {"name": "", "description": "Woodwork and company", "charity_number": "12"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert errors(response)["name"] == ["Enter the name of the organisation"]
    assert errors(response)["charity_number"] == [
        "Enter a charity number, like 1098765 or SC012345"
    ]
    assert "Woodwork and company" in page
    assert "<title>Error: Add an organisation" in page


def test_changing_an_organisation_records_only_what_changed(
    client_for, directory_manager, organisation
):
    client_for(directory_manager).post(
        f"/directory/organisations/{organisation.pk}/edit/",
        {
            "name": "Leeds Debt Advice",
            "description": "Now also benefits advice",
            "website": "leedsdebt.example.org",
            "email": organisation.email,
            "charity_number": organisation.charity_number,
        },
    )
    record = ChangeRecord.objects.get(object_id=str(organisation.pk))
    assert set(record.changes) == {"description", "website"}
    assert record.changes["website"][1] == "https://leedsdebt.example.org"


def test_saving_an_organisation_unchanged_records_nothing(
    client_for, directory_manager, organisation
):
    client_for(directory_manager).post(
        f"/directory/organisations/{organisation.pk}/edit/",
        {
            "name": organisation.name,
            "description": organisation.description,
            "website": organisation.website,
            "email": organisation.email,
            "charity_number": organisation.charity_number,
        },
    )
    assert not ChangeRecord.objects.exists()


def test_an_organisation_never_moves_pcn_when_edited(client_for, pcn, other_pcn, organisation):
    manager = UserFactory(role=roles.DIRECTORY_MANAGER, pcns=[pcn, other_pcn])
    client_for(manager).post(
        f"/directory/organisations/{organisation.pk}/edit/",
        {"name": "Moved?", "description": "x", "pcn": other_pcn.pk},
    )
    organisation.refresh_from_db()
    assert (organisation.name, organisation.pcn) == ("Moved?", pcn)


# Services


def test_a_manager_adds_a_service_with_its_needs_and_activities(
    client_for, directory_manager, organisation
):
    response = client_for(directory_manager).post(
        f"/directory/organisations/{organisation.pk}/services/new/",
        service_data(needs=[term_id(NEEDS, "finance")], activities=[term_id(ACTIVITIES, "advice")]),
    )
    made = Service.objects.get()
    assert response["Location"] == made.get_absolute_url()
    assert made.organisation == organisation
    assert sorted(term.code for term in made.taxonomy_terms.all()) == ["advice", "finance"]
    assert made.capacity_updated_at is not None


def test_a_new_services_history_lists_its_terms(client_for, directory_manager, organisation):
    client_for(directory_manager).post(
        f"/directory/organisations/{organisation.pk}/services/new/",
        service_data(needs=[term_id(NEEDS, "finance")]),
    )
    record = ChangeRecord.objects.get(object_type="directory.service")
    assert record.changes["taxonomy_terms"] == [None, [str(term_id(NEEDS, "finance"))]]


def test_the_service_form_shows_the_services_terms_ticked(client_for, directory_manager, service):
    service.taxonomy_terms.set([term_id(NEEDS, "loneliness")])
    form = (
        client_for(directory_manager).get(f"/directory/services/{service.pk}/edit/").context["form"]
    )
    assert form["needs"].value() == [term_id(NEEDS, "loneliness")]
    assert form["activities"].value() == []


def test_changing_capacity_stamps_when(client_for, directory_manager, service):
    with time_machine.travel(NINE_THIRTY, tick=False):
        client_for(directory_manager).post(
            f"/directory/services/{service.pk}/edit/",
            service_data(
                name=service.name,
                description=service.description,
                available_places="3",
                maximum_places="10",
            ),
        )
    service.refresh_from_db()
    assert service.capacity_updated_at == datetime.datetime(
        2026, 11, 21, 9, 30, tzinfo=datetime.UTC
    )


def test_changing_only_the_description_leaves_capacity_date_alone(
    client_for, directory_manager, service
):
    client_for(directory_manager).post(
        f"/directory/services/{service.pk}/edit/",
        service_data(
            description="A new description",
            url=service.url,
            email=service.email,
            minimum_age=service.minimum_age,
        ),
    )
    service.refresh_from_db()
    assert (service.description, service.capacity_updated_at) == ("A new description", None)


def test_a_service_page_links_its_manager_to_change_it(client_for, directory_manager, service):
    page = client_for(directory_manager).get(service.get_absolute_url()).content.decode()
    assert f"/directory/services/{service.pk}/edit/" in page


def test_a_service_page_has_no_change_link_for_another_pcns_manager(
    client_for, other_manager, service
):
    page = client_for(other_manager).get(service.get_absolute_url()).content.decode()
    assert f"/directory/services/{service.pk}/edit/" not in page


# Places


def place_data(**changes):
    data = {
        "name": "Armley Library",
        "address_1": "Stocks Hill",
        "city": "Leeds",
        "postcode": "ls12 1ub",
    }
    return {key: value for key, value in (data | changes).items() if value is not None}


def test_a_manager_adds_a_place_where_services_run(
    client_for, directory_manager, organisation, service
):
    response = client_for(directory_manager).post(
        f"/directory/organisations/{organisation.pk}/places/new/",
        place_data(services=[service.pk], latitude="53.7969", longitude="-1.5966"),
    )
    made = Location.objects.get()
    assert response["Location"] == organisation.get_absolute_url()
    assert (made.postcode, list(made.services.all())) == ("LS12 1UB", [service])


def test_a_place_cannot_list_another_organisations_service(
    client_for, directory_manager, organisation, pcn
):
    theirs = ServiceFactory(organisation=OrganisationFactory(pcn=pcn))
    response = client_for(directory_manager).post(
        f"/directory/organisations/{organisation.pk}/places/new/",
        place_data(services=[theirs.pk]),
    )
    assert "services" in errors(response)
    assert not Location.objects.exists()


def test_changing_a_places_services_is_in_its_history(
    client_for, directory_manager, place, service
):
    client_for(directory_manager).post(
        f"/directory/places/{place.pk}/edit/",
        place_data(
            name=place.name,
            address_1=place.address_1,
            city=place.city,
            postcode=place.postcode,
            accessibility=place.accessibility,
            description=place.description,
            latitude=place.latitude,
            longitude=place.longitude,
            services=[service.pk],
        ),
    )
    record = ChangeRecord.objects.get(object_type="directory.location")
    assert record.changes == {"services": [[], [str(service.pk)]]}


# Quality checks


@time_machine.travel(TODAY)
def test_a_manager_records_a_check(client_for, directory_manager, organisation):
    response = client_for(directory_manager).post(
        f"/directory/organisations/{organisation.pk}/checks/new/", check_data()
    )
    check = QualityCheck.objects.get()
    assert response["Location"] == organisation.get_absolute_url()
    assert (check.kind, check.checked_by, check.checked_on) == ("dbs", directory_manager, TODAY)


@time_machine.travel(TODAY)
def test_the_sixth_kind_of_check_makes_the_organisation_assured(
    client_for, directory_manager, organisation
):
    for kind in QualityCheck.Kind.values[:-1]:
        QualityCheckFactory(organisation=organisation, kind=kind, checked_by=directory_manager)
    client_for(directory_manager).post(
        f"/directory/organisations/{organisation.pk}/checks/new/",
        check_data(kind=QualityCheck.Kind.values[-1]),
    )
    organisation.refresh_from_db()
    assert organisation.assured_until == NEXT_YEAR


def test_the_kind_to_renew_is_chosen_from_the_link(client_for, directory_manager, organisation):
    form = (
        client_for(directory_manager)
        .get(f"/directory/organisations/{organisation.pk}/checks/new/?kind=insurance")
        .context["form"]
    )
    assert form["kind"].value() == "insurance"


def test_the_organisation_page_lists_kinds_never_checked(
    client_for, link_worker, organisation, directory_manager
):
    QualityCheckFactory(organisation=organisation, kind="dbs", checked_by=directory_manager)
    page = client_for(link_worker).get(organisation.get_absolute_url()).content.decode()
    assert page.count("Not checked") == 5


# Form errors: each on its field, in words, and nothing saved

FORM_ERRORS = [
    pytest.param(
        "/directory/services/{service}/edit/",
        service_data(minimum_age="65", maximum_age="18"),
        {"maximum_age": ["Oldest age must be the same as or more than the youngest"]},
        id="service ages out of order",
    ),
    pytest.param(
        "/directory/services/{service}/edit/",
        service_data(minimum_age="sixty"),
        {"minimum_age": ["Enter a whole number, like 12"]},
        id="service age not a number",
    ),
    pytest.param(
        "/directory/services/{service}/edit/",
        service_data(maximum_age="150"),
        {"maximum_age": ["Enter 120 or less"]},
        id="service age over 120",
    ),
    pytest.param(
        "/directory/services/{service}/edit/",
        service_data(access="direct_referral"),
        {"referral_email": ["Enter the email address that referrals go to"]},
        id="direct referral without an address",
    ),
    pytest.param(
        "/directory/services/{service}/edit/",
        service_data(access="direct_referral", referral_email="not an address"),
        {"referral_email": ["Enter an email address, like referrals@nhs.net"]},
        id="direct referral to a bad address, reported once",
    ),
    pytest.param(
        "/directory/services/{service}/edit/",
        service_data(available_places="12", maximum_places="10"),
        {"available_places": ["Places free cannot be more than places in all"]},
        id="more places free than in all",
    ),
    pytest.param(
        "/directory/organisations/{organisation}/places/new/",
        place_data(postcode="LS99"),
        {"postcode": ["Enter a real postcode, like LS1 4AP"]},
        id="place without a real postcode",
    ),
    pytest.param(
        "/directory/organisations/{organisation}/places/new/",
        place_data(latitude="53.8"),
        {"longitude": ["Enter the longitude too, or neither"]},
        id="place latitude without longitude",
    ),
    pytest.param(
        "/directory/organisations/{organisation}/places/new/",
        place_data(latitude="100", longitude="1"),
        {"latitude": ["Latitude must be between -90 and 90"]},
        id="place latitude out of range",
    ),
    pytest.param(
        "/directory/organisations/{organisation}/checks/new/",
        check_data(expires=TODAY - datetime.timedelta(days=1)),
        {"expires_on": ["The expiry date must be after the date of the check"]},
        id="check expiring before it was done",
    ),
    pytest.param(
        "/directory/organisations/{organisation}/checks/new/",
        check_data(day=TODAY + datetime.timedelta(days=2)),
        {"checked_on": ["The date of the check cannot be in the future"]},
        id="check in the future",
    ),
    pytest.param(
        "/directory/organisations/{organisation}/checks/new/",
        check_data() | {"checked_on_day": "31", "checked_on_month": "2"},
        {"checked_on": ["Date of the check must be a real date"]},
        id="check on a date that is not real",
    ),
    pytest.param(
        "/directory/services/{service}/contacts/new/",
        {"name": "Jo Bloggs"},
        {"phone": ["Enter a phone number or an email address"]},
        id="contact without a phone number or email",
    ),
    pytest.param(
        "/directory/services/{service}/contacts/new/",
        {"phone": "12345"},
        {"phone": ["Enter a UK phone number, like 0113 496 0000"]},
        id="contact with a phone number that is not a UK one",
    ),
    pytest.param(
        "/directory/services/{service}/times/new/",
        {"days": ["MO"], "opens_at": "14:00", "closes_at": "10:00"},
        {"closes_at": ["The closing time must be after the opening time"]},
        id="times closing before opening",
    ),
    pytest.param(
        "/directory/services/{service}/times/new/",
        {"days": ["MO"], "opens_at": "ten", "closes_at": "12:00"},
        {"opens_at": ["Enter the opening time like 09:30"]},
        id="times that are not times",
    ),
    pytest.param(
        "/directory/services/{service}/times/new/",
        {"opens_at": "", "closes_at": "", "description": ""},
        {"days": ["Select the days it runs, or say when in the description"]},
        id="times without days or words",
    ),
]


@time_machine.travel(TODAY)
@pytest.mark.parametrize(("page", "data", "expected"), FORM_ERRORS)
def test_a_form_reports_each_problem_on_its_field_and_saves_nothing(
    client_for, directory_manager, organisation, service, place, page, data, expected
):
    response = client_for(directory_manager).post(url(page, organisation, service, place), data)
    assert errors(response) == expected
    assert not ChangeRecord.objects.exists()


@time_machine.travel(TODAY)
@pytest.mark.parametrize(
    ("page", "data", "typed"),
    [
        ("/directory/services/{service}/edit/", service_data(minimum_age="sixty"), "sixty"),
        (
            "/directory/services/{service}/times/new/",
            {"days": ["MO"], "opens_at": "ten", "closes_at": "12:00"},
            "ten",
        ),
        (
            "/directory/organisations/{organisation}/checks/new/",
            check_data() | {"checked_on_day": "31", "checked_on_month": "2"},
            "31",
        ),
    ],
    ids=["service age", "opening time", "date of a check"],
)
def test_a_value_that_cannot_be_read_is_shown_as_typed(
    client_for, directory_manager, organisation, service, place, page, data, typed
):
    response = client_for(directory_manager).post(url(page, organisation, service, place), data)
    assert f'value="{typed}"' in response.content.decode()


# Change history


def test_the_history_shows_who_changed_what_in_words(
    client_for, directory_manager, organisation, service
):
    client = client_for(directory_manager)
    client.post(
        f"/directory/services/{service.pk}/edit/",
        service_data(
            name=service.name,
            description=service.description,
            url=service.url,
            email=service.email,
            minimum_age=service.minimum_age,
            status="temporarily closed",
            accepting_referrals=None,
        ),
    )
    response = client.get(f"/directory/organisations/{organisation.pk}/history/")
    [change] = response.context["rows"]
    fields = {field.label: (field.before, field.after) for field in change.fields}
    assert (change.action, change.kind, change.name) == ("Changed", "Service", service.name)
    assert fields["Status"] == ("Active", "Temporarily closed")
    assert fields["Accepting referrals"] == ("Yes", "No")
    assert directory_manager.full_name in response.content.decode()


def test_the_history_names_needs_rather_than_ids(client_for, directory_manager, organisation):
    client = client_for(directory_manager)
    client.post(
        f"/directory/organisations/{organisation.pk}/services/new/",
        service_data(needs=[term_id(NEEDS, "finance")]),
    )
    [change] = client.get(f"/directory/organisations/{organisation.pk}/history/").context["rows"]
    terms = next(field for field in change.fields if field.label == "Taxonomy terms")
    assert terms.after == "Finance, debt and benefits"


def test_the_history_leaves_out_other_organisations(
    client_for, directory_manager, organisation, pcn
):
    other = ServiceFactory(organisation=OrganisationFactory(pcn=pcn))
    client = client_for(directory_manager)
    client.post(f"/directory/services/{other.pk}/edit/", service_data(name="Renamed elsewhere"))
    response = client.get(f"/directory/organisations/{organisation.pk}/history/")
    assert response.context["rows"] == []


def test_the_history_query_count_does_not_grow(
    client_for, directory_manager, organisation, django_assert_max_num_queries
):
    client = client_for(directory_manager)
    for number in range(10):
        client.post(
            f"/directory/organisations/{organisation.pk}/services/new/",
            service_data(name=f"Group {number}", needs=[term_id(NEEDS, "loneliness")]),
        )
    with django_assert_max_num_queries(12):
        response = client.get(f"/directory/organisations/{organisation.pk}/history/")
    assert len(response.context["rows"]) == 10


# A service's contacts and opening times


def test_an_unknown_part_of_a_service_is_404(client_for, directory_manager, service):
    response = client_for(directory_manager).get(f"/directory/services/{service.pk}/prices/new/")
    assert response.status_code == 404


def test_a_manager_adds_a_contact(client_for, directory_manager, service):
    response = client_for(directory_manager).post(
        f"/directory/services/{service.pk}/contacts/new/",
        {"name": "Jo Bloggs", "title": "Coordinator", "phone": " 0113  496 0000 "},
    )
    contact = service.contacts.get()
    assert response["Location"] == service.get_absolute_url()
    assert (contact.name, contact.phone) == ("Jo Bloggs", "0113 496 0000")


def test_another_services_contact_is_404(client_for, directory_manager, service, organisation):
    theirs = ContactFactory(service=ServiceFactory(organisation=organisation))
    response = client_for(directory_manager).get(
        f"/directory/services/{service.pk}/contacts/{theirs.pk}/edit/"
    )
    assert response.status_code == 404


def test_a_manager_adds_opening_times(client_for, directory_manager, service):
    client_for(directory_manager).post(
        f"/directory/services/{service.pk}/times/new/",
        {"days": ["WE", "MO"], "opens_at": "10:00", "closes_at": "12:30"},
    )
    assert service.schedules.get().summary == "Monday and Wednesday, 10:00 to 12:30"


def test_removing_a_contact_asks_first(client_for, directory_manager, service):
    contact = ContactFactory(service=service, name="Jo Bloggs")
    url = f"/directory/services/{service.pk}/contacts/{contact.pk}/remove/"
    page = client_for(directory_manager).get(url).content.decode()
    assert "Remove contact?" in page
    assert service.contacts.exists()


def test_a_removed_contact_stays_in_the_history(
    client_for, directory_manager, organisation, service
):
    contact = ContactFactory(service=service, name="Jo Bloggs")
    client = client_for(directory_manager)
    client.post(f"/directory/services/{service.pk}/contacts/{contact.pk}/remove/")
    [change] = client.get(f"/directory/organisations/{organisation.pk}/history/").context["rows"]
    assert not service.contacts.exists()
    assert (change.action, change.kind, change.name) == ("Removed", "Contact", "Jo Bloggs")


def test_a_link_worker_cannot_remove_a_contact(client_for, link_worker, service):
    contact = ContactFactory(service=service)
    response = client_for(link_worker).post(
        f"/directory/services/{service.pk}/contacts/{contact.pk}/remove/"
    )
    assert response.status_code == 403
    assert service.contacts.exists()


# Found in review


def test_a_manager_without_a_pcn_cannot_add_an_organisation(client_for):
    manager = UserFactory(role=roles.DIRECTORY_MANAGER, pcns=[])
    response = client_for(manager).post(
        "/directory/organisations/new/", {"name": "Shed", "description": "Woodwork"}
    )
    assert response.status_code == 403
    assert not Organisation.objects.exists()


def test_a_failed_change_still_names_the_organisation_as_it_is(
    client_for, directory_manager, organisation
):
    response = client_for(directory_manager).post(
        f"/directory/organisations/{organisation.pk}/edit/",
        {"name": "Typo Nmae", "description": "x", "website": "not a web address"},
    )
    page = response.content.decode()
    assert "<title>Error: Change Leeds Debt Advice" in page
    assert 'value="Typo Nmae"' in page


def test_the_service_forms_errors_are_summarised_in_page_order(client_for, directory_manager):
    template = (Path(__file__).parents[2] / "templates/directory/service_form.html").read_text()
    on_page = re.findall(r"form\.(\w+)\|as_crispy_field", template)
    assert list(ServiceForm().fields) == on_page


def test_imported_days_in_lower_case_are_ticked_on_the_form(client_for, directory_manager, service):
    schedule = Schedule.objects.create(service=service, byday="mo,we")
    form = (
        client_for(directory_manager)
        .get(f"/directory/services/{service.pk}/times/{schedule.pk}/edit/")
        .context["form"]
    )
    assert form["days"].value() == ["MO", "WE"]


def test_what_the_service_refuses_comes_back_on_the_form_with_everything_typed(
    client_for, directory_manager, pcn, monkeypatch
):
    """A record changed or taken between the form's checks and the save (a race)
    is a message next to the field, not a 500 that loses what was typed."""
    from django.core.exceptions import ValidationError

    from directory import services

    def refuse(**values):
        raise ValidationError({"name": "An organisation with this name was added meanwhile"})

    monkeypatch.setattr(services, "save_record", refuse)
    response = client_for(directory_manager).post(
        "/directory/organisations/new/",
        {"name": "Armley Men's Shed", "description": "Woodwork and company for older men"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "An organisation with this name was added meanwhile" in page
    assert "Armley Men&#x27;s Shed" in page
