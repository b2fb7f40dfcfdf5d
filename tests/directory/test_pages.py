"""The directory pages: search at /directory/, the service page and the organisation page."""

import datetime

import pytest
import time_machine

from directory.models import Location, Organisation, QualityCheck, Schedule, Service, TaxonomyTerm
from directory.templatetags.directory_text import mid_sentence
from spl import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SEARCH = "/directory/"
TODAY = datetime.date(2026, 11, 21)


def organisation(pcn, name="Leeds Debt Advice", assured_until=None, **fields):
    return Organisation.objects.create(
        pcn=pcn,
        name=name,
        description=f"{name} helps people in Leeds",
        assured_until=assured_until,
        **fields,
    )


def service(org, name="Debt advice drop-in", terms=(), **fields):
    made = Service.objects.create(
        organisation=org,
        name=name,
        description=fields.pop("description", f"{name} for adults"),
        **fields,
    )
    made.taxonomy_terms.set(TaxonomyTerm.objects.filter(code__in=terms))
    return made


def names(response):
    return [s.name for s in response.context["page"].object_list]


# Access


def test_anonymous_is_sent_to_login_for_the_directory(client, db):
    assert client.get(SEARCH)["Location"].startswith("/accounts/login/")


def test_gp_gets_403_for_the_directory(client_for, gp):
    assert client_for(gp).get(SEARCH).status_code == 403


def test_link_workers_see_services_of_every_pcn(client_for, link_worker, pcn, other_pcn):
    service(organisation(pcn), name="Ours")
    service(organisation(other_pcn, name="Next door"), name="Theirs")
    assert sorted(names(client_for(link_worker).get(SEARCH))) == ["Ours", "Theirs"]


def test_the_directory_hides_services_that_are_not_active(client_for, link_worker, pcn):
    org = organisation(pcn)
    service(org, name="Running")
    service(org, name="Closed", status=Service.Status.DEFUNCT)
    assert names(client_for(link_worker).get(SEARCH)) == ["Running"]


def test_anonymous_is_sent_to_login_for_a_service(client, pcn):
    found = service(organisation(pcn))
    assert client.get(found.get_absolute_url())["Location"].startswith("/accounts/login/")


def test_gp_gets_403_for_a_service_page(client_for, gp, pcn):
    found = service(organisation(pcn))
    assert client_for(gp).get(found.get_absolute_url()).status_code == 403


def test_an_unknown_service_is_404(client_for, link_worker):
    unknown = "/directory/services/00000000-0000-0000-0000-000000000000/"
    assert client_for(link_worker).get(unknown).status_code == 404


# Search


def test_text_search_matches_name_description_and_organisation(client_for, link_worker, pcn):
    service(organisation(pcn, name="Age UK Leeds"), name="Befriending")
    service(organisation(pcn, name="Green Leeds"), name="Allotment", description="Grow food")
    service(organisation(pcn, name="Shed"), name="Men's shed")
    client = client_for(link_worker)
    assert names(client.get(SEARCH, {"q": "age uk"})) == ["Befriending"]
    assert names(client.get(SEARCH, {"q": "grow"})) == ["Allotment"]


def test_a_need_finds_services_tagged_with_it(client_for, link_worker, pcn):
    org = organisation(pcn)
    service(org, name="Debt advice", terms=["finance"])
    service(org, name="Walking group", terms=["physical_activity"])
    assert names(client_for(link_worker).get(SEARCH, {"need": "finance"})) == ["Debt advice"]


def test_an_activity_finds_services_of_that_kind(client_for, link_worker, pcn):
    org = organisation(pcn)
    service(org, name="Community garden", terms=["gardening"])
    service(org, name="Debt advice", terms=["advice"])
    response = client_for(link_worker).get(SEARCH, {"activity": "gardening"})
    assert names(response) == ["Community garden"]


def test_age_keeps_services_whose_range_includes_it(client_for, link_worker, pcn):
    org = organisation(pcn)
    service(org, name="Young carers", minimum_age=8, maximum_age=17)
    service(org, name="Over 50s", minimum_age=50)
    service(org, name="Anyone")
    assert names(client_for(link_worker).get(SEARCH, {"age": "67"})) == ["Anyone", "Over 50s"]
    assert names(client_for(link_worker).get(SEARCH, {"age": "17"})) == ["Anyone", "Young carers"]


def test_accepting_keeps_services_taking_referrals(client_for, link_worker, pcn):
    org = organisation(pcn)
    service(org, name="Open", accepting_referrals=True)
    service(org, name="Full", accepting_referrals=False)
    assert names(client_for(link_worker).get(SEARCH, {"accepting": "on"})) == ["Open"]


@time_machine.travel(TODAY)
def test_qa_status_filters_by_the_organisations_assurance(client_for, link_worker, pcn):
    service(organisation(pcn, "A", assured_until=TODAY + datetime.timedelta(days=90)), "Assured")
    service(organisation(pcn, "B", assured_until=TODAY + datetime.timedelta(days=30)), "Expiring")
    service(organisation(pcn, "C", assured_until=TODAY - datetime.timedelta(days=1)), "Lapsed")
    service(organisation(pcn, "D"), "Unchecked")
    client = client_for(link_worker)
    for status, expected in [
        ("assured", "Assured"),
        ("expiring", "Expiring"),
        ("lapsed", "Lapsed"),
        ("not_assured", "Unchecked"),
    ]:
        assert names(client.get(SEARCH, {"qa": status})) == [expected], status


def test_a_bad_age_is_reported_next_to_the_field_and_other_filters_still_apply(
    client_for, link_worker, pcn
):
    org = organisation(pcn)
    service(org, name="Debt advice", terms=["finance"])
    service(org, name="Walking group", terms=["physical_activity"])
    response = client_for(link_worker).get(SEARCH, {"age": "sixty", "need": "finance"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Age must be a number, like 67" in page and 'href="#id_age"' in page
    assert 'value="sixty"' in page
    assert names(response) == ["Debt advice"]


def test_an_unknown_need_is_reported_not_a_500(client_for, link_worker):
    response = client_for(link_worker).get(SEARCH, {"need": "<script>", "qa": "nonsense"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_results_show_qa_status_capacity_and_access(client_for, link_worker, pcn):
    org = organisation(pcn, assured_until=datetime.date(2099, 1, 1))
    service(
        org,
        access="direct_referral",
        referral_email="refer@debt.example.org",
        waiting_time_weeks=2,
        available_places=3,
        maximum_places=10,
    )
    page = client_for(link_worker).get(SEARCH).content.decode()
    assert "Assured" in page and "Direct referral" in page
    assert "Accepting referrals, wait about 2 weeks, 3 of 10 places free" in page


def test_results_are_paginated(client_for, link_worker, pcn):
    org = organisation(pcn)
    for number in range(25):
        service(org, name=f"Service {number:02d}")
    client = client_for(link_worker)
    assert len(names(client.get(SEARCH))) == 20
    assert names(client.get(SEARCH, {"page": "2"})) == [f"Service {n}" for n in range(20, 25)]


def test_search_takes_the_same_queries_for_many_results(
    client_for, link_worker, pcn, django_assert_max_num_queries
):
    client = client_for(link_worker)
    service(organisation(pcn), terms=["finance", "advice"])
    with django_assert_max_num_queries(20) as few:
        client.get(SEARCH, {"need": "finance"})
    for number in range(15):
        service(
            organisation(pcn, name=f"Org {number}"), name=f"S{number}", terms=["finance", "advice"]
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(SEARCH, {"need": "finance"})


# The service page


def checked(org, kind, *, expires_on, by):
    return QualityCheck.objects.create(
        organisation=org,
        kind=kind,
        evidence="Seen",
        checked_by=by,
        checked_on=expires_on - datetime.timedelta(days=365),
        expires_on=expires_on,
    )


def test_the_service_page_shows_what_a_link_worker_needs(client_for, link_worker, pcn):
    org = organisation(pcn, assured_until=datetime.date(2099, 1, 1), charity_number="1234567")
    found = service(
        org,
        eligibility="Leeds residents",
        minimum_age=18,
        terms=["finance"],
        access="direct_referral",
        referral_email="refer@debt.example.org",
        referral_instructions="Latest bank statements",
    )
    found.contacts.create(name="Reception", phone="0113 496 0123")
    found.schedules.create(description="Tuesdays", opens_at="10:00", closes_at="14:00")
    page = client_for(link_worker).get(found.get_absolute_url()).content.decode()
    for expected in (
        "Leeds Debt Advice",
        "Ages 18 and over",
        "Leeds residents",
        "Finance, debt and benefits",
        "refer@debt.example.org",
        "Latest bank statements",
        "0113 496 0123",
        "Tuesdays, 10:00 to 14:00",
        "Registered charity 1234567",
        "Accepting referrals",
    ):
        assert expected in page, expected


def test_a_lapsed_service_cannot_take_a_direct_referral(client_for, link_worker, pcn):
    org = organisation(pcn, assured_until=datetime.date(2020, 1, 1))
    found = service(org, access="direct_referral", referral_email="refer@debt.example.org")
    page = client_for(link_worker).get(found.get_absolute_url()).content.decode()
    assert "cannot take direct referrals" in page
    assert "mailto:refer@debt.example.org" not in page


def test_the_service_page_lists_the_newest_check_of_each_kind(client_for, link_worker, pcn):
    org = organisation(pcn)
    found = service(org)
    checked(org, "insurance", expires_on=datetime.date(2025, 1, 1), by=link_worker)
    checked(org, "insurance", expires_on=datetime.date(2027, 3, 1), by=link_worker)
    page = client_for(link_worker).get(found.get_absolute_url()).content.decode()
    assert "1 Mar 2027" in page
    assert "1 Jan 2025" not in page


def test_the_service_page_takes_the_same_queries_with_more_detail(
    client_for, link_worker, pcn, django_assert_max_num_queries
):
    client = client_for(link_worker)
    org = organisation(pcn)
    found = service(org, terms=["finance"])
    checked(org, "dbs", expires_on=datetime.date(2027, 1, 1), by=link_worker)
    found.contacts.create(name="Reception", phone="0113 496 0000")
    found.schedules.create(description="Mondays")
    with django_assert_max_num_queries(30) as few:
        client.get(found.get_absolute_url())
    for kind in QualityCheck.Kind.values:
        checked(org, kind, expires_on=datetime.date(2027, 1, 1), by=UserFactory())
    for number in range(5):
        found.contacts.create(name=f"C{number}", phone="0113 496 0000")
        found.schedules.create(description=f"Day {number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(found.get_absolute_url())


# The organisation page


def test_the_organisation_page_shows_services_and_earlier_checks(client_for, link_worker, pcn):
    org = organisation(pcn)
    service(org, name="Drop-in")
    checked(org, "dbs", expires_on=datetime.date(2025, 1, 1), by=link_worker)
    checked(org, "dbs", expires_on=datetime.date(2027, 1, 1), by=link_worker)
    page = client_for(link_worker).get(org.get_absolute_url()).content.decode()
    assert "Drop-in" in page
    assert "Earlier checks (1)" in page


def test_a_directory_manager_of_another_pcn_can_read_an_organisation(client_for, other_pcn, pcn):
    manager = UserFactory(role=roles.DIRECTORY_MANAGER, pcns=[other_pcn])
    org = organisation(pcn)
    assert client_for(manager).get(org.get_absolute_url()).status_code == 200


def test_commissioner_gets_403_for_an_organisation(client_for, commissioner, pcn):
    org = organisation(pcn)
    assert client_for(commissioner).get(org.get_absolute_url()).status_code == 403


@pytest.mark.parametrize(
    ("byday", "words"),
    [
        ("MO,TU,WE,TH,FR", "Monday to Friday"),
        ("TU,TH", "Tuesday and Thursday"),
        ("MO,WE,FR", "Monday, Wednesday and Friday"),
        ("SA", "Saturday"),
        ("", ""),
        ("XX,MO", "Monday"),
    ],
)
def test_schedule_days_read_as_words(byday, words):
    assert Schedule(byday=byday).days == words


def hall(org, number):
    place = Location.objects.create(
        organisation=org,
        name=f"Hall {number}",
        address_1="1 Town Street",
        city="Leeds",
        postcode="LS12 1UB",
    )
    place.services.set(org.services.all())


def test_the_organisation_page_takes_the_same_queries_with_more_services_and_checks(
    client_for, link_worker, pcn, django_assert_max_num_queries
):
    client = client_for(link_worker)
    org = organisation(pcn)
    service(org, name="First")
    checked(org, "dbs", expires_on=datetime.date(2025, 1, 1), by=link_worker)
    checked(org, "dbs", expires_on=datetime.date(2027, 1, 1), by=link_worker)
    hall(org, 0)
    with django_assert_max_num_queries(30) as few:
        client.get(org.get_absolute_url())
    for number in range(5):
        service(org, name=f"More {number}")
    for kind in QualityCheck.Kind.values:
        checked(org, kind, expires_on=datetime.date(2024, 1, 1), by=UserFactory())
        checked(org, kind, expires_on=datetime.date(2028, 1, 1), by=UserFactory())
    for number in (1, 2):
        hall(org, number)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(org.get_absolute_url())
    assert response.content.decode().count("Hall ") == 3


# Words as they are read out


def test_check_links_keep_acronyms_in_capitals_for_screen_readers(
    client_for, directory_manager, pcn
):
    org = organisation(pcn)
    checked(org, "dbs", expires_on=datetime.date(2027, 1, 1), by=directory_manager)
    page = client_for(directory_manager).get(org.get_absolute_url()).content.decode()
    assert 'Renew<span class="nhsuk-u-visually-hidden"> DBS checks for staff' in page
    assert (
        'Record<span class="nhsuk-u-visually-hidden"> data protection (ICO registration, UK GDPR)'
        in page
    )
    assert "dbs" not in page.replace("?kind=dbs", "") and "uk gdpr" not in page


def test_a_cost_keeps_its_description_as_written(client_for, link_worker, pcn):
    found = service(organisation(pcn))
    found.cost_options.create(
        option="Lunch", amount="3.50", amount_description="NHS staff half price"
    )
    page = client_for(link_worker).get(found.get_absolute_url()).content.decode()
    assert "NHS staff half price" in page


def reginald_centre(org):
    """A place named by the first part of its address, as imports and the demo have them."""
    return Location.objects.create(
        organisation=org,
        name="Reginald Centre",
        address_1="Reginald Centre, 263 Chapeltown Road",
        city="Leeds",
        postcode="LS7 3EX",
    )


def test_a_place_named_like_its_address_is_named_once_on_the_service_page(
    client_for, link_worker, pcn
):
    found = service(organisation(pcn))
    reginald_centre(found.organisation).services.add(found)
    page = client_for(link_worker).get(found.get_absolute_url()).content.decode()
    assert "Reginald Centre, 263 Chapeltown Road, Leeds LS7 3EX" in page
    assert "Reginald Centre, Reginald Centre" not in page


def test_a_place_named_like_its_address_is_named_once_on_the_organisation_page(
    client_for, link_worker, pcn
):
    org = organisation(pcn)
    reginald_centre(org)
    page = client_for(link_worker).get(org.get_absolute_url()).content.decode()
    assert page.count("Reginald Centre") == 1
    assert "263 Chapeltown Road, Leeds LS7 3EX" in page


@pytest.mark.parametrize(
    ("label", "words"),
    [
        ("Safeguarding policy reviewed", "safeguarding policy reviewed"),
        ("DBS checks for staff", "DBS checks for staff"),
        (
            "Data protection (ICO registration, UK GDPR)",
            "data protection (ICO registration, UK GDPR)",
        ),
        ("UK GDPR", "UK GDPR"),
        ("Temporarily closed", "temporarily closed"),
        ("", ""),
    ],
)
def test_a_label_mid_sentence_loses_its_capital_but_not_an_acronyms(label, words):
    assert mid_sentence(label) == words


@pytest.mark.parametrize(
    ("name", "line", "address"),
    [
        (
            "Reginald Centre",
            "Reginald Centre, 263 Chapeltown Road",
            "Reginald Centre, 263 Chapeltown Road, Leeds LS7 3EX",
        ),
        ("Reginald Centre", "Reginald Centre", "Reginald Centre, Leeds LS7 3EX"),
        ("Armley Centre", "14 Town Street", "Armley Centre, 14 Town Street, Leeds LS7 3EX"),
        ("Chapeltown", "Chapeltown Road", "Chapeltown, Chapeltown Road, Leeds LS7 3EX"),
    ],
)
def test_a_place_reads_as_one_line_naming_it_once(name, line, address):
    place = Location(name=name, address_1=line, city="Leeds", postcode="LS7 3EX")
    assert place.address == address


def test_ages_without_eligibility_do_not_run_into_anyone(client_for, link_worker, pcn):
    from tests.directory.factories import ServiceFactory

    service = ServiceFactory(organisation__pcn=pcn, minimum_age=18, maximum_age=65, eligibility="")
    page = client_for(link_worker).get(service.get_absolute_url()).content.decode()
    assert "Ages 18 to 65" in page
    assert "65Anyone" not in page
