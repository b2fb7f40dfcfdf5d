"""Finding a service at /directory/: words over what a service, its organisation
and its needs and activities say, ranked; and services near the person first."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory import demo
from directory.models import Location, Organisation, Service, TaxonomyTerm
from spl import demo as spl_demo

pytestmark = pytest.mark.django_db
SEARCH = "/directory/"


def organisation(pcn, name="Leeds Community Trust", **fields):
    fields.setdefault("description", "A local charity")
    return Organisation.objects.create(pcn=pcn, name=name, **fields)


def service(org, name, description="Something to do", terms=(), postcode=None, city="Leeds"):
    made = Service.objects.create(organisation=org, name=name, description=description)
    made.taxonomy_terms.set(TaxonomyTerm.objects.filter(code__in=terms))
    if postcode:
        place = Location.objects.create(
            organisation=org,
            name=f"{name} hall",
            address_1="1 High Street",
            city=city,
            postcode=postcode,
        )
        place.services.add(made)
    return made


def names(response):
    return [found.name for found in response.context["page"].object_list]


@pytest.fixture
def search(client_for, link_worker):
    client = client_for(link_worker)
    return lambda **query: client.get(SEARCH, query)


# Words


def test_debt_finds_every_finance_service_in_the_demo_directory(search):
    spl_demo.seed(password="a-demo-password")
    demo.seed()
    finance = set(
        Service.objects.active()
        .filter(taxonomy_terms__code="finance")
        .values_list("name", flat=True)
    )
    assert len(finance) == 7
    found = names(search(q="debt"))
    assert finance <= set(found)
    # Only the advice centre's housing drop-in besides: its organisation gives debt advice.
    assert set(found) - finance == {"Housing advice drop-in"}


def test_a_word_in_a_needs_name_finds_the_services_tagged_with_it(search, pcn):
    service(organisation(pcn), "Money buddies", "Budgeting help", terms=["finance"])
    service(organisation(pcn), "Walking group", "A walk", terms=["physical_activity"])
    assert names(search(q="debt")) == ["Money buddies"]


def test_a_word_in_an_activitys_description_finds_the_services_of_that_kind(search, pcn):
    service(organisation(pcn), "Lunch club", "A hot meal", terms=["social_groups"])
    service(organisation(pcn), "Art group", "Paint", terms=["arts"])
    assert names(search(q="coffee mornings")) == ["Lunch club"]


def test_words_in_an_organisations_name_find_its_services(search, pcn):
    service(organisation(pcn, "Chapeltown Advice Partnership"), "Drop-in")
    service(organisation(pcn, "Armley Advice Centre"), "Appointments")
    assert names(search(q="chapeltown partnership")) == ["Drop-in"]


def test_every_word_must_be_found_somewhere(search, pcn):
    service(organisation(pcn), "Debt advice", "For adults")
    service(organisation(pcn), "Housing advice", "For adults")
    assert names(search(q="advice debt")) == ["Debt advice"]


def test_a_match_in_the_services_name_ranks_above_one_in_a_description(search, pcn):
    org = organisation(pcn)
    service(org, "A community café", "With walking routes on the wall")
    service(org, "Walking group", "An easy hour")
    assert names(search(q="walking")) == ["Walking group", "A community café"]


def test_words_match_in_other_forms(search, pcn):
    service(organisation(pcn), "Walking group", "Gentle strolls")
    service(organisation(pcn), "Garden club", "Growing vegetables")
    assert names(search(q="walks")) == ["Walking group"]
    assert names(search(q="grows vegetable")) == ["Garden club"]


@pytest.mark.postgres
def test_words_match_by_their_english_stem(search, pcn):
    service(organisation(pcn), "Knit and natter", "Bring your needles")
    service(organisation(pcn), "Happy feet", "Dance")
    assert names(search(q="knitting")) == ["Knit and natter"]
    assert names(search(q="happiness")) == ["Happy feet"]


def test_the_api_search_finds_what_the_directory_finds(client, search, pcn):
    service(organisation(pcn), "Money buddies", "Budgeting help", terms=["finance"])
    service(organisation(pcn, "Leeds Debt Line"), "Call line")
    service(organisation(pcn), "Walking group", "A walk")
    api = client.get("/api/oruk/services", {"search": "debt"}).json()
    assert sorted(item["name"] for item in api["contents"]) == sorted(names(search(q="debt")))
    assert len(api["contents"]) == 2


# What a service is found by follows every change (on PostgreSQL, database
# triggers keep each service's search document)


def test_a_renamed_organisation_is_found_by_its_new_name(search, pcn):
    org = organisation(pcn, "Leeds Money Line")
    service(org, "Phone line")
    org.name = "Leeds Debt Line"
    org.save()
    assert names(search(q="debt")) == ["Phone line"]
    assert names(search(q="money")) == []


def test_a_service_is_found_by_its_terms_while_it_is_tagged(search, pcn):
    found = service(organisation(pcn), "Drop-in")
    found.taxonomy_terms.add(TaxonomyTerm.objects.get(code="finance"))
    assert names(search(q="debt")) == ["Drop-in"]
    found.taxonomy_terms.clear()
    assert names(search(q="debt")) == []


def test_a_changed_term_finds_its_services_by_its_new_words(search, pcn):
    service(organisation(pcn), "Allotment", terms=["gardening"])
    TaxonomyTerm.objects.filter(code="gardening").update(name="Growing food")
    assert names(search(q="growing")) == ["Allotment"]


def test_a_changed_service_is_found_by_its_new_words(search, pcn):
    found = service(organisation(pcn), "Drop-in", "Tea and chat")
    Service.objects.filter(pk=found.pk).update(description="Knitting and chat")
    assert names(search(q="knit")) == ["Drop-in"]


# Near the person


@pytest.fixture
def across_leeds(pcn):
    """Advice in Chapeltown (LS7), Harehills (LS8), Wibsey in Bradford (BD6) and by phone."""
    org = organisation(pcn)
    service(org, "Call line", "Advice")
    service(org, "Wibsey drop-in", "Advice", postcode="BD6 1AA", city="Bradford")
    service(org, "Harehills drop-in", "Advice", postcode="LS8 5HT")
    service(org, "Chapeltown drop-in", "Advice", postcode="LS7 3EX")


@pytest.mark.usefixtures("across_leeds")
@pytest.mark.parametrize("near", ["LS7 4AA", "ls74aa", "LS7"])
def test_near_a_postcode_puts_its_district_then_its_area_first(search, near):
    assert names(search(near=near)) == [
        "Chapeltown drop-in",
        "Harehills drop-in",
        "Call line",
        "Wibsey drop-in",
    ]


@pytest.mark.usefixtures("across_leeds")
def test_near_a_district_does_not_take_a_longer_one_for_it(search, pcn):
    service(organisation(pcn), "Moortown drop-in", "Advice", postcode="LS17 6AA")
    assert names(search(near="LS1"))[:3] == [
        "Chapeltown drop-in",
        "Harehills drop-in",
        "Moortown drop-in",
    ]
    assert names(search(near="LS17"))[0] == "Moortown drop-in"


@pytest.mark.usefixtures("across_leeds")
def test_near_a_place_puts_services_there_first(search):
    assert names(search(near="bradford")) == [
        "Wibsey drop-in",
        "Call line",
        "Chapeltown drop-in",
        "Harehills drop-in",
    ]


@pytest.mark.usefixtures("across_leeds")
def test_words_rank_first_and_nearness_breaks_ties(search, pcn):
    service(organisation(pcn), "Advice café", "Tea", postcode="BD1 2AA")
    assert names(search(q="advice", near="LS8")) == [
        "Advice café",
        "Harehills drop-in",
        "Chapeltown drop-in",
        "Call line",
        "Wibsey drop-in",
    ]


@pytest.mark.usefixtures("across_leeds")
def test_results_say_where_a_service_is_and_what_they_are_sorted_by(search):
    page = search(q="advice", near="LS7").content.decode()
    assert "Chapeltown drop-in hall, 1 High Street, Leeds LS7 3EX" in page
    assert "Best matches first, then those nearest LS7" in page


@pytest.mark.parametrize("near", ["LS7 3", "LS7 3E", "12345", "QQ1 1AA"])
def test_a_postcode_that_is_not_one_is_reported_next_to_the_field(search, pcn, near):
    service(organisation(pcn), "Debt advice", "Help", terms=["finance"])
    response = search(q="debt", near=near)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a real postcode, like LS7 3EX, or its first part, like LS7" in page
    assert 'href="#id_near"' in page and f'value="{near}"' in page and 'value="debt"' in page
    assert names(response) == ["Debt advice"]


def test_search_with_words_and_near_takes_the_same_queries_for_many_results(
    search, pcn, django_assert_max_num_queries
):
    query = {"q": "advice", "near": "LS7 3EX", "need": "finance"}
    service(organisation(pcn), "Advice 0", terms=["finance"], postcode="LS7 3EX")
    with django_assert_max_num_queries(20) as few:
        search(**query)
    for number in range(1, 16):
        service(
            organisation(pcn, f"Org {number}"),
            f"Advice {number}",
            terms=["finance", "advice"],
            postcode=f"LS{number} 1AA",
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(names(search(**query))) == 16


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    q=st.text(st.characters(exclude_categories=["Cs"]), max_size=120),
    near=st.text(st.characters(exclude_categories=["Cs"]), max_size=120)
    | st.sampled_from(["LS7", "ls7 3ex", "LS7 3", "GIR 0AA", "EC1A 1BB", "0", "\x00"]),
)
def test_any_words_and_place_are_answered_with_the_page(search, pcn, q, near):
    if not Service.objects.exists():
        service(organisation(pcn), "Drop-in", "Advice", postcode="LS7 3EX")
    response = search(q=q, near=near)
    assert response.status_code == 200
    assert "Find a service" in response.content.decode()
