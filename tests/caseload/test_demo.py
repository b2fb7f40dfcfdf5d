"""The demo caseloads: what `seed_demo` promises a link worker trying SPL."""

import pytest
from django.core.management import call_command

from caseload.flags import of as flags_of
from caseload.models import (
    Case,
    CaseStatus,
    Connection,
    ConnectionStatus,
    MdtFlag,
    ProviderMessage,
    ReferBack,
    SafeguardingConcern,
    WellbeingMeasure,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def cases_of(email):
    return Case.objects.filter(link_worker__email=email)


def test_the_demo_link_worker_has_about_forty_open_cases_in_every_open_status(seeded):
    open_cases = cases_of("linkworker@example.org").open()
    assert 30 <= open_cases.count() <= 45
    assert set(open_cases.values_list("status", flat=True)) == {
        CaseStatus.CONTACTING,
        CaseStatus.ACTIVE,
        CaseStatus.ON_HOLD,
    }


def test_the_second_link_worker_has_a_smaller_caseload(seeded):
    amira = cases_of("linkworker@example.org").open().count()
    assert 0 < cases_of("linkworker2@example.org").open().count() < amira


def test_someone_is_on_the_waiting_list(seeded):
    assert Case.objects.waiting().exists()


def test_connections_are_in_every_state(seeded):
    states = set(Connection.objects.values_list("status", flat=True))
    assert states == set(ConnectionStatus.values)


def test_a_provider_has_answered_through_their_link(seeded):
    assert Connection.objects.filter(history__by_provider=True).exists()


def test_the_demo_emails_to_providers_are_history(seeded):
    assert ProviderMessage.objects.exists()
    assert not ProviderMessage.objects.filter(sent_at__isnull=True).exists()


def test_there_is_a_concern_a_refer_back_and_an_mdt_flag(seeded):
    assert SafeguardingConcern.objects.filter(closed_at__isnull=True).count() == 1
    assert ReferBack.objects.filter(acknowledged_at__isnull=True).exists()
    assert MdtFlag.objects.filter(discussed_at__isnull=True).exists()


def test_seeding_again_makes_no_more_connections(seeded):
    before = Connection.objects.count()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Connection.objects.count() == before


def test_people_supported_have_wellbeing_measures(seeded):
    timepoints = set(WellbeingMeasure.objects.values_list("timepoint", flat=True))
    assert timepoints == {"baseline", "review", "discharge"}
    assert any(row["baseline_due"] for row in flags_of(Case.objects.open()).values())
