"""Property-based tests of the pages anyone can use without logging in: the
self-referral and agency forms, logging in and resetting a password. Whatever is
sent in any field (any text, NUL bytes, huge values, several values for one field,
text where a date part, a choice or a checkbox belongs), the answer is never a 5xx."""

import re
from urllib.parse import quote

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import PASSWORD, UserFactory
from tests.referrals.test_public_referrals import AGENCY, SELF, agency_data, self_data

pytestmark = pytest.mark.django_db
FAST = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
LOGIN = "/accounts/login/"
PASSWORD_RESET = "/accounts/password-reset/"
# What a public page may answer: the page again, a refusal, the rate limit or onwards.
ANSWERS = (200, 302, 400, 429)

NASTY = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.sampled_from("\x00a1 -/@é"), max_size=12),
    # Huge: past every max_length, and past DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB).
    st.sampled_from([1_000, 100_000, 3_000_000]).map(lambda size: "9" * size),
    # Several values where the form expects one (and none: the field is left out).
    st.lists(st.text(max_size=10), max_size=4),
    # Wrong types, as a browser or a script would send them: always text.
    st.integers().map(str),
    st.sampled_from(["on", "off", "true", "1e400", "NaN", "-1", "0", "[]", "{}", "None"]),
)


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    # The limit has its own tests: here every example must reach the form.
    settings.PUBLIC_REFERRALS_PER_HOUR = 1_000_000


def field_names(client, url, baseline):
    """The names a browser could send from the page, with the baseline's and one the
    form does not know."""
    page = client.get(url).content.decode()
    return sorted({*re.findall(r'name="([^"]+)"', page), *baseline, "unexpected"})


def changed(baseline, data, names):
    body = dict(baseline)
    for _ in range(data.draw(st.integers(min_value=1, max_value=3), label="changes")):
        body[data.draw(st.sampled_from(names), label="field")] = data.draw(NASTY, label="value")
    return body


def test_the_baselines_are_valid_submissions(client, practice):
    """So that a change to one field reaches everything past the form's checks."""
    assert client.post(SELF, self_data(practice)).status_code == 302
    assert client.post(AGENCY, agency_data(practice)).status_code == 302


@FAST
@given(data=st.data())
def test_any_self_referral_is_never_a_server_error(client, practice, data):
    baseline = self_data(practice)
    body = changed(baseline, data, field_names(client, SELF, baseline))
    assert client.post(SELF, body).status_code in ANSWERS


@FAST
@given(data=st.data())
def test_any_agency_referral_is_never_a_server_error(client, practice, data):
    baseline = agency_data(practice)
    body = changed(baseline, data, field_names(client, AGENCY, baseline))
    assert client.post(AGENCY, body).status_code in ANSWERS


@pytest.fixture
def user(db):
    return UserFactory(email="jo@example.org")


@FAST
@given(data=st.data())
def test_any_login_is_never_a_server_error(client, user, data):
    client.logout()
    baseline = {"username": user.email, "password": PASSWORD}
    body = changed(baseline, data, field_names(client, LOGIN, baseline))
    assert client.post(LOGIN, body).status_code in ANSWERS


@FAST
@given(data=st.data())
def test_any_password_reset_request_is_never_a_server_error(client, user, data):
    baseline = {"email": user.email}
    body = changed(baseline, data, field_names(client, PASSWORD_RESET, baseline))
    assert client.post(PASSWORD_RESET, body).status_code in ANSWERS


@FAST
@given(data=st.data())
def test_any_new_password_from_a_reset_link_is_never_a_server_error(client, user, data):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    user.refresh_from_db()  # an earlier example may have changed the password
    link = f"/accounts/reset/{uid}/{default_token_generator.make_token(user)}/"
    page = client.get(link, follow=True)
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link
    baseline = {"new_password1": "a-brand-new-passphrase-2026"}
    baseline["new_password2"] = baseline["new_password1"]
    body = changed(baseline, data, field_names(client, form_url, baseline))
    assert client.post(form_url, body).status_code in ANSWERS


@FAST
@given(uid=st.text(max_size=30), token=st.text(max_size=50), password=NASTY)
def test_any_reset_link_is_never_a_server_error(client, user, uid, token, password):
    link = f"/accounts/reset/{quote(uid, safe='')}/{quote(token, safe='')}/"
    assert client.get(link).status_code in (*ANSWERS, 404)
    body = {"new_password1": password, "new_password2": password}
    assert client.post(link, body).status_code in (*ANSWERS, 404)
