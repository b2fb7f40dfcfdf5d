"""The public ORUK API under any query string (Hypothesis): every endpoint, every
parameter it reads, with arbitrary text, huge numbers, NUL bytes, unicode and
repeated parameters. Whatever is asked, the answer is never a server error and
is always JSON: a 200 with the data, a 400 saying which parameter is wrong, or a
404 for an unknown id."""

import datetime
import json
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.directory.factories import (
    OrganisationFactory,
    ServiceFactory,
    TaxonomyTermFactory,
)

pytestmark = pytest.mark.django_db

BASE = "/api/oruk"
LISTS = ["services", "service_at_locations", "organizations", "taxonomies", "taxonomy_terms"]
# Every parameter directory/oruk_params.py reads, on any list (a list ignores
# those it does not read), and a name nobody reads.
PARAMETERS = [
    "page",
    "per_page",
    "format",
    "search",
    "full",
    "minimal",
    "full_service",
    "taxonomy_term_id",
    "taxonomy_id",
    "organization_id",
    "parent_id",
    "top_only",
    "modified_after",
    "minimum_age",
    "maximum_age",
    "postcode",
    "proximity",
    "colour",
]
HYPOTHESIS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Text a URL can carry: any character but the lone surrogates UTF-8 cannot encode.
CHARACTERS = st.characters(exclude_categories=["Cs"])
ANY_TEXT = st.text(CHARACTERS, max_size=40)
HUGE_NUMBERS = st.integers(min_value=-(10**40), max_value=10**40).map(str)
OFFSETS = st.builds(
    lambda minutes: datetime.timezone(datetime.timedelta(minutes=minutes)),
    st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1),
)
MOMENTS = st.one_of(
    st.datetimes(timezones=st.none() | OFFSETS).map(datetime.datetime.isoformat),
    st.dates().map(datetime.date.isoformat),
    # The calendar's first and last days, where offsets push the moment past its ends.
    st.builds(
        lambda day, offset: f"{day}T{offset}",
        st.sampled_from(["0001-01-01", "9999-12-31"]),
        st.sampled_from(["00:00:00+14:00", "23:59:59-12:00", "00:00:00 01:00", "12:00:00Z"]),
    ),
)
VALUES = st.one_of(
    ANY_TEXT,
    HUGE_NUMBERS,
    MOMENTS,
    st.uuids().map(str),
    st.sampled_from(["", " ", "\x00", "true", "false", "1", "0", "json", "ndjson", "LS1 4AP"]),
    st.text(st.sampled_from("0123456789\x00 +-%é"), max_size=12),
    # Long values: a URL as long as a server would take.
    CHARACTERS.map(lambda character: character * 3000),
)
# Each parameter given once or repeated, with any of those values.
QUERIES = st.dictionaries(
    st.sampled_from(PARAMETERS), st.lists(VALUES, min_size=1, max_size=3), max_size=6
)


@pytest.fixture
def directory(db):
    """A little of everything the lists publish."""
    organisation = OrganisationFactory(name="Leeds Debt Line")
    ServiceFactory(
        organisation=organisation,
        with_details=True,
        taxonomy_terms=[
            TaxonomyTermFactory(name="Debt advice"),
        ],
    )
    ServiceFactory(with_details=True, name="Walking group")


def assert_json(response):
    """Not a server error, and JSON however it came: a page, a stream or an error."""
    assert response.status_code < 500, response.status_code
    if response.streaming:
        assert response.status_code == 200
        assert response["Content-Type"] == "application/x-ndjson"
        for line in b"".join(response.streaming_content).splitlines():
            json.loads(line)
        return
    assert response["Content-Type"] == "application/json"
    body = response.json()
    if response.status_code != 200:
        assert response.status_code in (400, 404) and body["detail"], body
    assert response["Access-Control-Allow-Origin"] == "*"


@HYPOTHESIS
@given(path=st.sampled_from(LISTS), query=QUERIES)
def test_any_query_on_any_list_is_answered_in_json(client, directory, path, query):
    assert_json(client.get(f"{BASE}/{path}", query))


@HYPOTHESIS
@given(path=st.sampled_from(LISTS), text=ANY_TEXT, output=st.sampled_from(["json", "ndjson"]))
def test_any_search_text_on_any_list_is_answered_in_json(client, directory, path, text, output):
    assert_json(client.get(f"{BASE}/{path}", {"search": text, "format": output}))


@HYPOTHESIS
@given(path=st.sampled_from(LISTS), id=ANY_TEXT | st.uuids().map(str), query=QUERIES)
def test_any_id_and_query_on_any_detail_path_is_answered_in_json(
    client, directory, path, id, query
):
    assert_json(client.get(f"{BASE}/{path}/{quote(id, safe='')}", query))


@HYPOTHESIS
@given(path=st.sampled_from(LISTS), raw=st.text(st.characters(min_codepoint=32, max_codepoint=126)))
def test_any_raw_query_string_is_answered_in_json(client, directory, path, raw):
    """Unencoded '+', stray '%', '&' and '=' as a browser or script might send them."""
    assert_json(client.get(f"{BASE}/{path}?{raw.replace('#', '%23').replace(' ', '+')}"))


@HYPOTHESIS
@given(
    path=st.sampled_from(["services", "service_at_locations"]),
    moment=MOMENTS,
    output=st.sampled_from(["json", "ndjson"]),
)
def test_any_moment_for_modified_after_is_a_200_or_a_400(client, directory, path, moment, output):
    response = client.get(f"{BASE}/{path}", {"modified_after": moment, "format": output})
    assert response.status_code in (200, 400)
    assert_json(response)


@HYPOTHESIS
@given(
    path=st.sampled_from(LISTS),
    name=st.sampled_from(["page", "per_page", "minimum_age", "maximum_age"]),
    number=HUGE_NUMBERS,
)
def test_any_number_for_a_number_parameter_is_a_200_or_a_400(client, directory, path, name, number):
    response = client.get(f"{BASE}/{path}", {name: number})
    assert response.status_code in (200, 400)
    assert_json(response)
