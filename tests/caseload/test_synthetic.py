"""Synthetic caseloads for the benchmarks (caseload/synthetic.py), at a small size."""

import datetime
import itertools

import pytest
from django.db.models import Count, F, Max, Q

from caseload import synthetic as caseload_synthetic
from caseload.models import (
    CONNECTION_MOVES,
    Case,
    CaseStatus,
    Connection,
    ConnectionStatus,
    Contact,
    ContactOutcome,
    Plan,
    WellbeingMeasure,
)
from referrals import synthetic
from referrals.models import Referral, ReferralStatusChange, Status
from spl import demo

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 11, 21, tzinfo=datetime.UTC)
CASELOAD = 20


@pytest.fixture
def generated(db, monkeypatch):
    demo.seed(password="a-demo-password-for-the-tests")
    synthetic.generate(pcns=4, referrals=1500, seed=7, now=NOW)
    monkeypatch.setattr(caseload_synthetic, "CASELOAD", CASELOAD)
    return caseload_synthetic.generate(seed=7, now=NOW)


def test_every_accepted_referral_has_its_case(generated):
    accepted = ReferralStatusChange.objects.filter(to_status=Status.ACCEPTED).values("referral")
    assert Case.objects.count() == Referral.objects.filter(pk__in=accepted).count() > 0


def test_a_case_is_open_while_its_referral_is_accepted(generated):
    assert not Case.objects.open().exclude(referral__status=Status.ACCEPTED).exists()
    assert (
        not Case.objects.filter(status=CaseStatus.CLOSED)
        .exclude(referral__status=Status.CLOSED)
        .exists()
    )


def test_no_link_worker_holds_more_than_a_caseload(generated):
    held = Case.objects.open().values("link_worker").annotate(count=Count("pk"))
    assert max(row["count"] for row in held) == CASELOAD
    assert not Case.objects.open().filter(link_worker__isnull=True).exists()


def test_the_demo_link_worker_is_filled_first(generated):
    amira = Case.objects.open().filter(link_worker__email="linkworker@example.org")
    assert amira.count() == CASELOAD


def test_cases_have_contacts_plans_and_connections(generated):
    assert Contact.objects.count() > Case.objects.count()
    assert Plan.objects.filter(number=1, goals__isnull=False).exists()
    assert Connection.objects.exists()


def test_each_connection_got_where_it_is_by_allowed_moves(generated):
    for connection in Connection.objects.prefetch_related("history"):
        steps = [change.to_status for change in connection.history.all()]
        assert steps[-1] == connection.status
        for before, after in itertools.pairwise(steps):
            assert after in CONNECTION_MOVES[ConnectionStatus(before)]


def test_running_it_again_adds_nothing(generated):
    before = Case.objects.count()
    caseload_synthetic.generate(seed=7, now=NOW)
    assert Case.objects.count() == before


def test_nobody_ever_held_more_than_a_caseload_at_once(generated):
    events = []
    for worker, opened, closed in Case.objects.values_list("link_worker", "opened_at", "closed_at"):
        events.append((opened, 1, worker))
        if closed:
            events.append((closed, -1, worker))
    held, most = {}, 0
    for _, change, worker in sorted(events, key=lambda event: (event[0], event[1])):
        held[worker] = held.get(worker, 0) + change
        most = max(most, held[worker])
    assert most == CASELOAD


def test_people_have_wellbeing_measures_before_and_after(generated):
    assert set(WellbeingMeasure.objects.values_list("timepoint", flat=True)) == {
        "baseline",
        "discharge",
    }


def test_contacts_plans_and_connections_carry_their_case_practice(generated):
    for model in (Contact, Plan, Connection):
        assert model.objects.exists()
        assert not model.objects.exclude(practice=F("case__practice")).exists()


def test_cases_carry_what_their_contacts_say(generated):
    expected = Case.objects.annotate(
        latest=Max("contacts__at"),
        unreached=Count("contacts", filter=~Q(contacts__outcome=ContactOutcome.SPOKE)),
        spoke=Count("contacts", filter=Q(contacts__outcome=ContactOutcome.SPOKE)),
    )
    rows = list(
        expected.values_list(
            "last_contact_at", "latest", "unreached_contacts", "unreached", "spoken_with", "spoke"
        )
    )
    assert rows and any(row[1] for row in rows)
    for last, latest, unreached, counted, spoken, spoke in rows:
        assert (last, unreached, spoken) == (latest, counted, spoke > 0)
