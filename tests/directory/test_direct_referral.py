"""The one rule for referring someone directly to a service (Service.direct_referral_barrier):
only a running service that takes direct referrals, is accepting them and is assured
or expiring. Time is frozen; the boundaries are those of the QA status."""

import datetime

import pytest
import time_machine

from directory.models import Service
from tests.directory.factories import OrganisationFactory, ServiceFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 21)


def barrier(assured_until=TODAY + datetime.timedelta(days=200), **fields):
    organisation = OrganisationFactory(assured_until=assured_until)
    fields = {"access": "direct_referral", "referral_email": "refer@nhs.net"} | fields
    made = ServiceFactory(organisation=organisation, **fields)
    with time_machine.travel(TODAY):
        return Service.objects.with_qa_status().get(pk=made.pk).direct_referral_barrier()


def test_an_assured_running_service_accepting_referrals_can_be_referred_to():
    assert barrier() == ""


def test_assurance_running_out_today_still_counts():
    assert barrier(assured_until=TODAY) == ""


def test_assurance_that_ran_out_yesterday_is_lapsed():
    assert barrier(assured_until=TODAY - datetime.timedelta(days=1)) == (
        "Its quality assurance has lapsed, so it cannot take direct referrals."
    )


def test_an_organisation_never_fully_checked_is_not_assured():
    assert barrier(assured_until=None) == (
        "Its quality assurance is not complete, so it cannot take direct referrals."
    )


def test_a_signposting_service_takes_no_direct_referrals():
    assert barrier(access="signposting", referral_email="") == (
        "It does not take direct referrals: the person contacts it themselves."
    )


def test_a_closed_service_takes_no_referrals():
    assert barrier(status=Service.Status.TEMPORARILY_CLOSED) == "It is temporarily closed."


def test_a_service_not_accepting_referrals_takes_none():
    assert barrier(accepting_referrals=False) == "It is not accepting new referrals now."


def test_the_service_page_offers_the_referral_address_only_without_a_barrier(
    client_for, link_worker, pcn
):
    organisation = OrganisationFactory(pcn=pcn, assured_until=datetime.date(2099, 1, 1))
    full = ServiceFactory(
        organisation=organisation,
        access="direct_referral",
        referral_email="refer@nhs.net",
        accepting_referrals=False,
    )
    page = client_for(link_worker).get(full.get_absolute_url()).content.decode()
    assert "It is not accepting new referrals now. You can tell the person about it." in page
    assert "mailto:refer@nhs.net" not in page


def test_the_rule_reads_the_qa_status_itself_without_the_annotation():
    organisation = OrganisationFactory(assured_until=TODAY - datetime.timedelta(days=1))
    made = ServiceFactory(
        organisation=organisation, access="direct_referral", referral_email="refer@nhs.net"
    )
    with time_machine.travel(TODAY):
        assert "lapsed" in Service.objects.get(pk=made.pk).direct_referral_barrier()


def test_search_results_tag_a_lapsed_direct_referral_service_as_signposting(
    client_for, link_worker, pcn
):
    organisation = OrganisationFactory(pcn=pcn, assured_until=datetime.date(2020, 1, 1))
    ServiceFactory(
        organisation=organisation, access="direct_referral", referral_email="refer@nhs.net"
    )
    page = client_for(link_worker).get("/directory/").content.decode()
    assert ">Signposting</strong>" in page
    assert ">Direct referral</strong>" not in page
