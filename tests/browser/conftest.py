import pytest

from directory import taxonomy
from directory.models import Taxonomy, TaxonomyTerm
from tests.browser import axe

AXE = pytest.StashKey[axe.AxeChecker]()


@pytest.fixture(autouse=True)
def _taxonomy(transactional_db):
    """The social prescribing taxonomy, as migration 0002 seeds it: the flush after
    each live-server test (they run in real transactions) empties it."""
    taxonomy.seed_taxonomies(Taxonomy, TaxonomyTerm)


@pytest.fixture
def page(page, request):
    """The page of tests/conftest.py, with axe-core checking every page it shows."""
    request.node.stash[AXE] = axe.install(page)
    return page


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A journey that passed fails if axe-core found a WCAG A or AA violation on
    any page it visited, the page it ended on included."""
    outcome = yield  # raises, as the test did, if the test failed
    checker = item.stash.get(AXE, None)
    if checker:
        checker.check()
        if checker.failed:
            pytest.fail(
                "axe-core found accessibility problems (WCAG 2.2 A and AA):\n" + checker.report(),
                pytrace=False,
            )
    return outcome
