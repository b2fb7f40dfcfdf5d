"""The triage form reveals "Merge into" with the merge choice (issue 9, point 14)."""

import pytest

from tests.factories import PatientFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def test_merge_into_sits_in_the_conditional_block_of_the_merge_choice(
    client_for, link_worker, practice
):
    patient = PatientFactory(registered_practice=practice)
    ReferralFactory(patient=patient)
    second = ReferralFactory(patient=patient)
    page = client_for(link_worker).get(second.get_absolute_url()).content.decode()
    merge = page.index('value="merge"')
    block = page.index('class="nhsuk-radios__conditional nhsuk-radios__conditional--hidden"')
    select = page.index('name="merge_into"')
    note = page.index('name="note"')
    assert merge < block < select < note
    assert 'data-aria-controls="conditional-id_decision_3"' in page
