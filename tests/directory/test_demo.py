"""The directory's demo data: Leeds organisations and services in every QA state."""

import re
from collections import Counter

import pytest

from directory import demo, taxonomy
from directory.models import (
    ChangeRecord,
    Contact,
    CostOption,
    Language,
    Location,
    Organisation,
    QAStatus,
    QualityCheck,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from spl import demo as spl_demo

pytestmark = pytest.mark.django_db

MODELS = [
    Organisation,
    Location,
    Service,
    ServiceAtLocation,
    Schedule,
    Contact,
    CostOption,
    Language,
    ServiceArea,
    QualityCheck,
    ChangeRecord,
]


@pytest.fixture
def seeded():
    spl_demo.seed(password="a-demo-password")
    demo.seed()


def snapshot():
    rows = {model.__name__: model.objects.count() for model in MODELS}
    rows["modified"] = sorted(
        str(value) for value in Service.objects.values_list("id", "last_modified")
    ) + sorted(str(value) for value in Organisation.objects.values_list("id", "last_modified"))
    rows["terms"] = Service.taxonomy_terms.through.objects.count()
    return rows


def test_seeding_twice_creates_and_changes_nothing(seeded):
    first = snapshot()
    assert "0 organisations created now" in demo.seed()
    assert snapshot() == first


def test_the_demo_has_22_organisations_in_one_pcn_and_13_in_the_other(seeded):
    pcns = Counter(Organisation.objects.values_list("pcn__ods_code", flat=True))
    assert pcns == {"U00001": 22, "U00002": 13}


def test_the_demo_has_organisations_in_every_qa_state(seeded):
    statuses = set(Organisation.objects.with_qa_status().values_list("qa_status", flat=True))
    assert statuses == set(QAStatus.values)


def test_the_demo_summary_counts_organisations_in_each_qa_state(seeded):
    summary = demo.seed()
    statuses = list(Organisation.objects.with_qa_status().values_list("qa_status", flat=True))
    assert f"{statuses.count(QAStatus.LAPSED)} lapsed" in summary
    assert f"{Service.objects.count()} services" in summary


def test_four_demo_checks_have_been_renewed(seeded):
    assert QualityCheck.objects.count() - QualityCheck.objects.current().count() == 4


def test_demo_services_cover_every_need_and_activity(seeded):
    used = set(Service.taxonomy_terms.through.objects.values_list("taxonomyterm_id", flat=True))
    every = {
        taxonomy.term_id(scheme, code)
        for scheme in taxonomy.TAXONOMIES
        for code, _, _ in scheme["terms"]
    }
    assert every <= used


def test_demo_services_offer_signposting_and_direct_referral(seeded):
    assert set(Service.objects.values_list("access", flat=True)) == set(Service.Access.values)
    assert not Service.objects.filter(access=Service.Access.DIRECT_REFERRAL, referral_email="")


def test_some_demo_services_are_not_accepting_referrals(seeded):
    assert Service.objects.filter(accepting_referrals=False).exists()
    assert Service.objects.filter(accepting_referrals=True, waiting_time_weeks__gt=0).exists()


def test_36_of_the_42_demo_services_are_free(seeded):
    assert (Service.objects.filter(fees="").count(), Service.objects.count()) == (36, 42)


def test_every_demo_service_says_when_its_capacity_was_updated(seeded):
    assert not Service.objects.filter(capacity_updated_at=None).exists()


def test_demo_phone_numbers_are_ofcom_drama_numbers_for_leeds(seeded):
    phones = list(Contact.objects.values_list("phone", flat=True))
    assert len(phones) == Service.objects.count()
    assert all(re.fullmatch(r"0113 496 0\d{3}", phone) for phone in phones)
    assert len(set(phones)) == len(phones)


def test_demo_locations_are_in_leeds(seeded):
    postcodes = Location.objects.values_list("postcode", flat=True)
    assert all(re.fullmatch(r"LS\d{1,2} \d[A-Z]{2}", postcode) for postcode in postcodes)


def test_demo_records_have_their_creation_in_the_change_history(seeded):
    created = ChangeRecord.objects.filter(action="create", object_type="directory.organisation")
    assert created.count() == Organisation.objects.count()


def test_seeding_restores_the_taxonomy_when_a_flush_removed_it():
    # `manage.py flush`, and the live-server tests, empty every table, including
    # the taxonomy the migration seeded.
    TaxonomyTerm.objects.all().delete()
    Taxonomy.objects.all().delete()
    spl_demo.seed(password="a-demo-password")
    demo.seed()
    assert TaxonomyTerm.objects.filter(code="finance").count() == 1
    assert Service.objects.filter(taxonomy_terms__code="finance").exists()
