"""Property-based tests of the FHIR API: whatever a sender puts in any element the
mapper reads (wrong types, NUL bytes, huge or deeply nested values), whatever it
reads back and whatever headers it sends, the answer is FHIR and never a 5xx."""

import contextlib
import json
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.referrals.test_fhir import URL, bundle, get, new_sender, post, service_request

pytestmark = pytest.mark.django_db
FAST = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def sender(db):
    return new_sender()


def _paths(value, at=()):
    """The path (keys and indexes) of every element inside a JSON value."""
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        yield (*at, key)
        if isinstance(item, dict | list):
            yield from _paths(item, (*at, key))


# Every element of the examples: each is one the mapper reads, or holds one.
EXAMPLE_PRACTICE = SimpleNamespace(ods_code="Y00011")
REQUEST_PATHS = sorted(_paths(service_request(EXAMPLE_PRACTICE)), key=str)
BUNDLE_PATHS = sorted(_paths(bundle(EXAMPLE_PRACTICE)), key=str)


def _nested(depth):
    value = "deep"
    for level in range(depth):
        value = [value] if level % 2 else {"a": value}
    return value


ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3)
    ),
    max_leaves=12,
)
NASTY = st.one_of(
    ANY_JSON,
    st.text(alphabet=st.sampled_from("\x00a1 -/#é\ud800"), max_size=20),
    st.sampled_from([1_000, 100_000, 3_000_000]).map(lambda size: "x" * size),
    st.sampled_from([2**31, 2**63, -(2**63) - 1, 10**300, 10**4000]),
    st.integers(min_value=1, max_value=500).map(_nested),
)


def _set(body, path, value):
    *parents, last = path
    holder = body
    for key in parents:
        holder = holder[key]
    holder[last] = value
    return body


def assert_fhir_answer(response):
    assert response.status_code < 500, response.content[:300]
    assert response["Content-Type"] == "application/fhir+json"
    if response.status_code >= 400:
        assert response.json()["resourceType"] == "OperationOutcome"


@FAST
@given(changes=st.lists(st.tuples(st.sampled_from(REQUEST_PATHS), NASTY), min_size=1, max_size=3))
def test_any_value_in_any_element_of_a_service_request_is_answered_in_fhir(
    client, sender, practice, changes
):
    body = service_request(practice)
    for path, value in changes:
        # An earlier change may have replaced what held this element.
        with contextlib.suppress(KeyError, IndexError, TypeError):
            _set(body, path, value)
    assert_fhir_answer(post(client, json.dumps(body), sender))


@FAST
@given(path=st.sampled_from(BUNDLE_PATHS), value=NASTY)
def test_any_value_in_any_element_of_a_bundle_is_answered_in_fhir(
    client, sender, practice, path, value
):
    body = _set(bundle(practice), path, value)
    assert_fhir_answer(post(client, json.dumps(body), sender))


@FAST
@given(body=st.binary(max_size=200))
def test_any_bytes_are_answered_in_fhir(client, sender, body):
    assert_fhir_answer(post(client, body, sender))


@FAST
@given(reference=st.text(max_size=40) | st.sampled_from(["SPL-AAAA-BBBB\x00", "\x00", ".."]))
def test_reading_any_reference_is_answered_in_fhir(client, sender, reference):
    response = get(client, quote(reference, safe=""), sender)
    assert_fhir_answer(response)
    assert response.status_code == 404


LATIN_1 = st.text(alphabet=st.characters(max_codepoint=255), max_size=60)


@FAST
@given(authorization=LATIN_1, content_type=LATIN_1)
def test_any_headers_are_answered_in_fhir(client, practice, authorization, content_type):
    response = client.post(
        URL,
        data=json.dumps(service_request(practice)),
        content_type=content_type,
        HTTP_AUTHORIZATION=authorization,
    )
    assert_fhir_answer(response)


@FAST
@given(
    method=st.sampled_from(["get", "post", "put", "patch", "delete", "head", "options"]),
    path=st.text(max_size=40),
)
def test_any_method_on_any_path_under_the_api_is_answered_in_fhir(client, sender, method, path):
    response = getattr(client, method)(
        f"/api/fhir/{quote(path)}", HTTP_AUTHORIZATION=f"Bearer {sender.token}"
    )
    assert response.status_code < 500
    if method != "head":  # a HEAD answer has headers only
        assert_fhir_answer(response)
