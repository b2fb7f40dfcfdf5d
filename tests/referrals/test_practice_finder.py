"""The public forms find a GP practice from what the person types, without
JavaScript and without listing every practice in the country (issue 11)."""

import pytest

from referrals.models import Referral
from spl.models import Practice
from tests.factories import PracticeFactory
from tests.referrals.test_public_referrals import AGENCY, SELF, agency_data, self_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def practices(pcn, other_pcn):
    return [
        PracticeFactory(pcn=pcn, name="Riverside Medical Centre", town="Leeds", postcode="LS1 4AP"),
        PracticeFactory(pcn=pcn, name="Bridge Street Surgery", town="Leeds", postcode="LS2 7UE"),
        PracticeFactory(pcn=other_pcn, name="Hillside Surgery", town="Otley", postcode="LS21 1AA"),
    ]


def find(client, url, search, **data):
    return client.post(url, {**data, "practice_search": search, "find_practice": "1"})


def offered(response):
    return [p.name for p in response.context["form"].fields["registered_practice"].queryset]


def test_a_practice_is_found_by_a_word_of_its_name(client, practices):
    assert offered(find(client, SELF, "bridge")) == ["Bridge Street Surgery"]


def test_practices_are_found_by_town(client, practices):
    assert offered(find(client, SELF, "leeds")) == [
        "Bridge Street Surgery",
        "Riverside Medical Centre",
    ]


def test_a_practice_is_found_by_postcode_typed_loosely(client, practices):
    assert offered(find(client, SELF, "ls21 1aa")) == ["Hillside Surgery"]


def test_finding_nothing_says_so(client, practices):
    response = find(client, SELF, "Nowhere Surgery")
    assert offered(response) == []
    assert "No GP practice matches “Nowhere Surgery”" in response.content.decode()


def test_finding_keeps_everything_typed_and_shows_no_errors(client, practices):
    response = find(client, SELF, "bridge", given_name="Jo", notes="Best after 2pm")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="Jo"' in page and "Best after 2pm" in page
    assert "There is a problem" not in page
    assert Referral.objects.count() == 0


def test_the_list_is_short_however_many_practices_match(client, pcn):
    PracticeFactory.create_batch(30, pcn=pcn, town="Leeds")
    assert len(offered(find(client, SELF, "leeds"))) == 10


def test_sending_with_a_search_but_no_choice_asks_to_select(client, practices):
    data = self_data(practices[0], registered_practice="", practice_search="leeds")
    page = client.post(SELF, data).content.decode()
    assert "Select your GP practice" in page or "Enter the name, town or postcode" in page
    assert 'name="registered_practice"' in page
    assert Referral.objects.count() == 0


def test_sending_a_search_that_matches_nothing_puts_the_message_at_the_search(client, practices):
    data = self_data(practices[0], registered_practice="", practice_search="zzz")
    page = client.post(SELF, data).content.decode()
    assert 'href="#id_practice_search"' in page
    assert "No GP practice matches “zzz”" in page


def test_sending_with_nothing_typed_asks_for_the_practice(client, practices):
    data = self_data(practices[0], registered_practice="", practice_search="")
    page = client.post(SELF, data).content.decode()
    assert "Enter the name, town or postcode of your GP practice" in page


def test_a_chosen_practice_sends_the_referral(client, practices):
    data = self_data(practices[1], practice_search="bridge")
    assert client.post(SELF, data).status_code == 302
    assert Referral.objects.get().patient.registered_practice == practices[1]


def test_an_unknown_practice_id_is_an_error_not_a_500(client, practices):
    data = self_data(practices[0], registered_practice="99999999999999999999")
    response = client.post(SELF, data)
    assert response.status_code == 200
    assert Referral.objects.count() == 0


def test_the_agency_form_finds_the_persons_practice_too(client, practices):
    response = find(client, AGENCY, "riverside", **agency_data(practices[0]))
    assert offered(response) == ["Riverside Medical Centre"]


def test_the_form_page_reads_no_practices(client, practices, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        client.get(SELF)
    assert Practice.objects.count() == 3


@pytest.mark.parametrize("search", ["x" * 100_000, "riverside\x00", "%" * 60_000, "a " * 500])
def test_any_search_text_is_answered_not_a_500(client, practices, search):
    assert find(client, SELF, search).status_code == 200
