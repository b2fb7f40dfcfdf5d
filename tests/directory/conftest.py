import os
from pathlib import Path

import pytest

from tests.conftest import CI

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def standards_dir():
    """The shared standards folder (SPL_STANDARDS_DIR, by default ../shared/standards
    beside the repository). Tests that need it skip without it, except under
    CI=true, where they fail: CI must check the API against the standard."""
    folder = Path(os.environ.get("SPL_STANDARDS_DIR", REPO.parent / "shared" / "standards"))
    if not (folder / "oruk" / "schemas" / "open_api.json").is_file():
        reason = f"needs the ORUK schemas at {folder}/oruk/schemas (set SPL_STANDARDS_DIR)"
        if CI:
            pytest.fail(f"{reason} (CI=true, so this test may not skip)", pytrace=False)
        pytest.skip(reason)
    return folder
