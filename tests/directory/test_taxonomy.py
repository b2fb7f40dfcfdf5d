import pytest

from directory.models import TaxonomyTerm
from referrals.models import Reason

pytestmark = pytest.mark.django_db


def test_every_referral_reason_but_other_is_a_need_category():
    needs = set(
        TaxonomyTerm.objects.filter(taxonomy__name="Social prescribing needs").values_list(
            "code", flat=True
        )
    )
    assert needs == set(Reason.values) - {"other"}


def test_activity_types_are_seeded():
    activities = TaxonomyTerm.objects.filter(taxonomy__name="Social prescribing activities")
    assert {"arts", "gardening", "befriending", "peer_support", "advice", "volunteering"} <= set(
        activities.values_list("code", flat=True)
    )
