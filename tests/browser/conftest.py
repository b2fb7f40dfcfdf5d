import pytest

from directory import taxonomy
from directory.models import Taxonomy, TaxonomyTerm


@pytest.fixture(autouse=True)
def _taxonomy(transactional_db):
    """The social prescribing taxonomy, as migration 0002 seeds it: the flush after
    each live-server test (they run in real transactions) empties it."""
    taxonomy.seed_taxonomies(Taxonomy, TaxonomyTerm)
