"""Shared fixtures: personas, clients, and the rules for tests that need services.

Tests marked `postgres`, `redis` or `browser` skip with a reason on a machine
without that service, except under CI=true, where they fail: CI must prove them.
"""

import os
import shutil

import pytest
from django.conf import settings
from django.db import connection

from spl import roles
from tests.factories import MembershipFactory, PCNFactory, PracticeFactory, UserFactory
from tests.html_checks import check_html_response

CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = os.environ.get("SPL_CHROMIUM", "/usr/bin/chromium")


def _missing(marker):
    if marker == "postgres" and connection.vendor != "postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if marker == "redis" and not settings.REDIS_URL:
        return "needs Redis: set REDIS_URL=redis://..."
    if marker in ("browser", "screenshots") and not shutil.which(CHROMIUM):
        return f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


def pytest_sessionstart(session):
    if CI and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.exit("CI=true but DATABASE_URL is not PostgreSQL: CI must test on PostgreSQL", 3)
    if CI and not os.environ.get("REDIS_URL"):
        pytest.exit("CI=true but REDIS_URL is not set: CI must test with Redis", 3)


def pytest_runtest_setup(item):
    for marker in ("postgres", "redis", "browser", "screenshots"):
        if item.get_closest_marker(marker):
            reason = _missing(marker)
            if reason and CI:
                pytest.fail(f"{reason} (CI=true, so this test may not skip)", pytrace=False)
            elif reason:
                pytest.skip(reason)


@pytest.fixture(autouse=True)
def _unhashed_static_files_and_fast_passwords(settings):
    # Tests run with DEBUG off like production, but have no collectstatic manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Deliberately slow password hashing is for attackers, not for the test suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _every_page_has_unique_ids(monkeypatch):
    """Each HTML page the test client renders is checked for repeated ids."""
    from django.test import Client

    request = Client.request

    def checked_request(self, **kwargs):
        response = request(self, **kwargs)
        check_html_response(response)
        return response

    monkeypatch.setattr(Client, "request", checked_request)


@pytest.fixture(autouse=True)
def _empty_cache():
    # The public forms' rate-limit counters live in the cache (Redis in CI).
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def pcn(db):
    return PCNFactory(name="Riverside PCN")


@pytest.fixture
def other_pcn(db):
    return PCNFactory(name="Northgate PCN")


@pytest.fixture
def practice(pcn):
    return PracticeFactory(pcn=pcn, name="Riverside Medical Centre")


@pytest.fixture
def other_practice(other_pcn):
    return PracticeFactory(pcn=other_pcn, name="Northgate Family Practice")


@pytest.fixture
def link_worker(pcn):
    return UserFactory(full_name="Amira Khan", role=roles.LINK_WORKER, pcns=[pcn])


@pytest.fixture
def colleague(pcn):
    """Another link worker in the same PCN."""
    return UserFactory(full_name="Tom Evans", role=roles.LINK_WORKER, pcns=[pcn])


@pytest.fixture
def outsider(other_pcn):
    """A link worker in another PCN."""
    return UserFactory(full_name="Grace Obi", role=roles.LINK_WORKER, pcns=[other_pcn])


@pytest.fixture
def gp(practice):
    user = UserFactory(full_name="Dr Sam Patel", role=roles.REFERRER)
    MembershipFactory(user=user, pcn=practice.pcn, practice=practice)
    return user


@pytest.fixture
def practice_manager(practice):
    user = UserFactory(full_name="Priya Shah", role=roles.PRACTICE_MANAGER)
    MembershipFactory(user=user, pcn=practice.pcn, practice=practice)
    return user


@pytest.fixture
def supervisor(pcn):
    return UserFactory(full_name="Helen Jones", role=roles.SUPERVISOR, pcns=[pcn])


@pytest.fixture
def directory_manager(pcn):
    return UserFactory(full_name="Kwame Mensah", role=roles.DIRECTORY_MANAGER, pcns=[pcn])


@pytest.fixture
def commissioner(pcn, other_pcn):
    return UserFactory(full_name="Ruth Williams", role=roles.COMMISSIONER, pcns=[pcn, other_pcn])


@pytest.fixture
def administrator(db):
    return UserFactory(full_name="Alex Morgan", role=roles.ADMINISTRATOR, is_staff=True)


@pytest.fixture
def client_for(client):
    """Log a client in as a given user: `client_for(link_worker).get(...)`."""

    def login(user):
        client.force_login(user)
        return client

    return login


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (which never downloads a browser here)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    # No request may leave the machine (fonts come from assets.nhs.uk in production).
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        live_server.url) else route.abort())  # fmt: skip
    yield page
    context.close()
