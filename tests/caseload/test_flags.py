"""The caseload's flags, "today" and "your year so far", worked out from a known
set of cases at a fixed time; its filters and its search."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from caseload import services
from caseload.flags import of as flags_of
from caseload.models import Case, CaseStatus, ContactMode, ContactOutcome
from tests.factories import PatientFactory, ReferralFactory

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 11, 30, 10, 0, tzinfo=datetime.UTC)


def words(response):
    """The page's text with every run of white space as one space."""
    return " ".join(response.content.decode().split())


def at(days_ago):
    return NOW - datetime.timedelta(days=days_ago)


@pytest.fixture
def caseload(practice, link_worker):
    """Five cases of Amira's, each in a known state on 30 November 2026."""
    made = {}
    with time_machine.travel(at(40), tick=False):

        def new(name, **patient):
            patient = PatientFactory(registered_practice=practice, family_name=name, **patient)
            referral = ReferralFactory(patient=patient)
            made[name] = services.allocate(referral=referral, to=link_worker, by=link_worker)
            return made[name]

        unreached = new("Unreached")
        quiet = new("Quiet")
        paused = new("Paused")
        fresh = new("Fresh")
        new("Silent")  # opened 40 days ago, never contacted
    for days in (30, 29, 28):
        services.record_contact(
            case=unreached, by=link_worker, mode=ContactMode.PHONE,
            outcome=ContactOutcome.UNABLE_TO_CONTACT, at=at(days),
        )  # fmt: skip
    for case, days in ((quiet, 20), (paused, 3), (fresh, 1)):
        services.record_contact(
            case=case, by=link_worker, mode=ContactMode.PHONE,
            outcome=ContactOutcome.SPOKE, at=at(days),
        )  # fmt: skip
        services.person_agreed(case=case, by=link_worker)
    with time_machine.travel(at(10), tick=False):
        services.put_on_hold(
            case=paused, by=link_worker, reason="In hospital", resume_on=at(2).date()
        )
    return made


def flagged(flag):
    with time_machine.travel(NOW, tick=False):
        found = [pk for pk, row in flags_of(Case.objects.all()).items() if row[flag]]
        return sorted(
            Case.objects.filter(pk__in=found).values_list(
                "referral__patient__family_name", flat=True
            )
        )


def test_no_contact_for_14_days(caseload):
    # "Unreached" was last tried 28 days ago; "Silent" was opened 40 days ago.
    assert flagged("no_recent_contact") == ["Quiet", "Silent", "Unreached"]


def test_the_case_carries_its_last_contact_to_the_microsecond(caseload, link_worker):
    case = caseload["Fresh"]
    moment = NOW - datetime.timedelta(hours=5, microseconds=123457)
    services.record_contact(
        case=case, by=link_worker, mode=ContactMode.PHONE, outcome=ContactOutcome.SPOKE, at=moment
    )
    case.refresh_from_db()
    assert case.last_contact_at == moment


def test_the_rows_come_the_longest_open_first(caseload):
    newest = Case.objects.latest("pk")
    Case.objects.filter(pk=newest.pk).update(opened_at=NOW - datetime.timedelta(days=400))
    with time_machine.travel(NOW, tick=False):
        found = list(flags_of(Case.objects.all()))
    assert found == list(Case.objects.order_by("opened_at", "pk").values_list("pk", flat=True))
    assert found[0] == newest.pk and len(found) > 1


def test_unable_to_contact_after_three_attempts(caseload):
    assert flagged("unable_to_contact") == ["Unreached"]


def test_on_hold_past_its_resume_date(caseload):
    assert flagged("resume_overdue") == ["Paused"]


def test_today_counts_what_is_due(client_for, caseload, link_worker):
    with time_machine.travel(NOW, tick=False):
        page = words(client_for(link_worker).get("/caseload/"))
    assert "1 on hold past the date to resume" in page
    assert "1 not reached after 3 attempts" in page
    assert "3 with no contact for 14 days" in page


def test_the_flag_filter_lists_only_those_cases(client_for, caseload, link_worker):
    with time_machine.travel(NOW, tick=False):
        page = client_for(link_worker).get("/caseload/?flag=resume_overdue").content.decode()
    assert "Paused" in page
    assert "Quiet" not in page


def test_the_year_so_far_counts_people_reached_and_contacts(client_for, caseload, link_worker):
    with time_machine.travel(NOW, tick=False):
        page = words(client_for(link_worker).get("/caseload/"))
    assert "Since 1 April 2026: 3 people supported and 6 contacts recorded" in page


def test_search_by_name_is_a_post(client_for, caseload, link_worker):
    response = client_for(link_worker).post("/caseload/", {"q": "quiet"})
    page = response.content.decode()
    assert "Jo Quiet" in page
    assert "Jo Fresh" not in page


def test_search_by_nhs_number(client_for, caseload, link_worker):
    number = caseload["Fresh"].patient.nhs_number
    typed = f"{number[:3]} {number[3:6]} {number[6:]}"
    page = client_for(link_worker).post("/caseload/", {"q": typed}).content.decode()
    assert "Jo Fresh" in page
    assert "Jo Quiet" not in page


def test_an_empty_search_says_what_to_enter(client_for, caseload, link_worker):
    page = client_for(link_worker).post("/caseload/", {"q": ""}).content.decode()
    assert "Enter a name or an NHS number" in page


def test_putting_on_hold_needs_a_future_date(caseload, link_worker):
    with pytest.raises(ValidationError, match="in the future"):
        services.put_on_hold(
            case=caseload["Fresh"],
            by=link_worker,
            reason="Away",
            resume_on=datetime.date.today(),
        )


def test_resuming_makes_the_case_active_again(caseload, link_worker):
    services.resume(case=caseload["Paused"], by=link_worker)
    case = Case.objects.get(pk=caseload["Paused"].pk)
    assert (case.status, case.resume_on, case.hold_reason) == (CaseStatus.ACTIVE, None, "")


def test_the_hold_form_keeps_what_was_typed(client_for, caseload, link_worker):
    case = caseload["Fresh"]
    response = client_for(link_worker).post(
        f"/caseload/cases/{case.pk}/hold/",
        {"hold-reason": "Gone to stay with family", "hold-resume_on_day": "1",
         "hold-resume_on_month": "1", "hold-resume_on_year": "2020"},
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 400
    assert "The date to resume must be in the future" in page
    assert "Gone to stay with family" in page
