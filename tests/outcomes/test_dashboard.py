"""The outcomes dashboard on a small known dataset, with the figures worked out
by hand; who may see it; its queries."""

import datetime

import pytest
import time_machine

from caseload import instruments
from caseload.models import (
    Case,
    CaseStatus,
    CloseReason,
    Connection,
    Contact,
    Plan,
    WellbeingMeasure,
)
from outcomes import periods
from referrals.models import ReferralReason, Snomed, Status
from spl import roles
from tests.directory.factories import ServiceFactory
from tests.factories import PatientFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.datetime(2026, 11, 15, 12, tzinfo=datetime.UTC)
OCTOBER = "?period=m2026-10"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def at(day, hour=10):
    return datetime.datetime(2026, 10, day, hour, tzinfo=datetime.UTC)


def referral(practice, received, *, route="clinician", reasons=(), person=None, **fields):
    made = ReferralFactory(
        patient=PatientFactory(registered_practice=practice, **(person or {})),
        route=route,
        received_at=received,
        **fields,
    )
    for reason in reasons:
        ReferralReason.objects.create(referral=made, reason=reason)
    return made


def case_for(made, link_worker, *, first_contact_after_days, closed=None):
    case = Case.objects.create(
        referral=made,
        practice_id=made.practice_id,
        link_worker=link_worker,
        status=CaseStatus.CLOSED if closed else CaseStatus.ACTIVE,
        opened_at=made.received_at,
        closed_at=closed,
        close_reason=CloseReason.GOALS_MET if closed else "",
    )
    Contact.objects.create(
        case=case,
        at=made.received_at + datetime.timedelta(days=first_contact_after_days),
        mode="phone",
        outcome="spoke",
        by=link_worker,
    )
    return case


@pytest.fixture
def october(practice, link_worker):
    """Four referrals received in October 2026 and one in September."""
    accepted = referral(
        practice, at(2), reasons=["loneliness", "finance"], status=Status.ACCEPTED,
        snomed_code=Snomed.REFERRAL_TO_SOCIAL_PRESCRIBING,
        person={"date_of_birth": datetime.date(2000, 1, 1), "sex": "female", "ethnicity": "H"},
    )  # fmt: skip
    declined = referral(
        practice, at(5), route="self", reasons=["loneliness"], status=Status.DECLINED,
        snomed_code=Snomed.SOCIAL_PRESCRIBING_DECLINED,
    )  # fmt: skip
    referral(
        practice, at(9), route="agency", reasons=["housing"], status=Status.NOT_APPROPRIATE,
        referrer_organisation_type="pharmacy",
    )  # fmt: skip
    waiting = referral(practice, at(20), reasons=["bereavement"])
    referral(practice, datetime.datetime(2026, 9, 30, 12, tzinfo=datetime.UTC))
    supported = case_for(accepted, link_worker, first_contact_after_days=3, closed=at(28))
    case_for(waiting, link_worker, first_contact_after_days=7)
    _supported(supported, link_worker, practice)
    return {"accepted": accepted, "declined": declined}


def _supported(case, link_worker, practice):
    """Measures before and after, a plan of two needs, and two connections
    made for one of them."""
    for timepoint, raw, satisfaction in (("baseline", 18, 4), ("discharge", 24, 7)):
        measures(case, link_worker, timepoint, raw, satisfaction)
    Plan.objects.create(
        case=case, number=1, needs=["loneliness", "finance"], agreed_at=at(6), agreed_by=link_worker
    )
    service = ServiceFactory(organisation__pcn=practice.pcn, organisation__name="Riverside Trust")
    for kind, status in (("referred", "attended"), ("signposted", "suggested")):
        Connection.objects.create(
            case=case,
            service=service,
            kind=kind,
            need="loneliness",
            why="x",
            status=status,
            created_by=link_worker,
            created_at=at(8),
            referred_at=at(8) if kind == "referred" else None,
        )


def measures(case, link_worker, timepoint, raw, satisfaction):
    """A SWEMWBS measure of `raw` and an ONS4 one of `satisfaction` (the other
    items the same each time)."""
    WellbeingMeasure.objects.create(
        case=case,
        instrument="swemwbs",
        timepoint=timepoint,
        taken_on=datetime.date(2026, 10, 3),
        answers={},
        raw_score=raw,
        score=instruments.SWEMWBS_METRIC[raw],
        recorded_by=link_worker,
    )
    WellbeingMeasure.objects.create(
        case=case,
        instrument="ons4",
        timepoint=timepoint,
        taken_on=datetime.date(2026, 10, 3),
        answers={"satisfaction": satisfaction, "worthwhile": 5, "happiness": 6, "anxiety": 3},
        recorded_by=link_worker,
    )


def figures(client_for, user, query=OCTOBER):
    response = client_for(user).get(f"/outcomes/dashboard/{query}")
    assert response.status_code == 200
    return response.context["figures"]


def test_referrals_by_month_and_route(client_for, october, practice_manager):
    assert figures(client_for, practice_manager)["by_month"].rows == [
        (
            "Oct 2026",
            [
                ("GP or PCN clinician", 2),
                ("External agency", 1),
                ("Self-referral", 1),
                ("Another system (FHIR)", 0),
                ("All", 4),
            ],
        )
    ]


def test_what_happened_to_the_referrals(client_for, october, practice_manager):
    assert figures(client_for, practice_manager)["decisions"].rows == [
        ("Referrals received", 4, None),
        ("The person agreed to support", 1, 25.0),
        ("The person declined", 1, 25.0),
        ("Not appropriate", 1, 25.0),
        ("Not decided yet", 1, 25.0),
    ]


def test_reasons_and_referring_organisations(client_for, october, practice_manager):
    found = figures(client_for, practice_manager)
    assert found["by_reason"].rows == [
        ("Loneliness and isolation", 2),
        ("Finance, debt and benefits", 1),
        ("Housing", 1),
        ("Bereavement", 1),
    ]
    assert found["by_organisation"].rows == [
        ("Community pharmacy", 1),
        ("Not given (self-referrals and GPs' own)", 3),
    ]


def test_a_merged_referrals_reasons_are_not_counted(
    client_for, october, practice, practice_manager
):
    referral(
        practice, at(12), reasons=["carer"], status=Status.MERGED, merged_into=october["accepted"]
    )
    referral(practice, at(13), reasons=["carer"])
    assert ("Carer support", 1) in figures(client_for, practice_manager)["by_reason"].rows


def test_days_to_first_contact(client_for, october, practice_manager):
    # 3 and 7 days: median 5, 90th percentile 3 + 0.9 x 4 = 6.6.
    assert figures(client_for, practice_manager)["waiting"].rows == [
        ("People contacted", 2),
        ("Median days", 5.0),
        ("90th percentile, days", 6.6),
    ]


def test_caseloads_contacts_and_closures(client_for, october, practice_manager, link_worker):
    found = figures(client_for, practice_manager)
    assert found["per_worker"].rows == [(link_worker.full_name, 1)]
    assert found["contacts"].rows == [
        ("Contacts", 2),
        ("People contacted", 2),
        ("Contacts per person", 1.0),
    ]
    assert found["closures"].rows == [("Goals met", 1)]


def test_iif_share_of_the_list(client_for, october, practice_manager, practice):
    practice.list_size = 800
    practice.save()
    # 4 people referred in October out of 800: 0.5 %.
    assert figures(client_for, practice_manager)["iif"].rows == [(practice.name, 4, 800, 0.5)]


def test_an_nhs_quarter_runs_from_april(client_for, october, practice_manager):
    assert periods.quarter(2026, 3).start == datetime.date(2026, 10, 1)
    found = figures(client_for, practice_manager, "?period=q2026-3")
    assert found["decisions"].rows[0] == ("Referrals received", 4, None)


def dates(first, last):
    """The query for October `first` to October `last`."""
    return (
        f"?period=custom&start_day={first}&start_month=10&start_year=2026"
        f"&end_day={last}&end_month=10&end_year=2026"
    )


def test_dates_chosen_count_only_those_days(client_for, october, practice_manager):
    query = dates("1", "5")
    assert figures(client_for, practice_manager, query)["decisions"].rows[0][1] == 2


def test_dates_chosen_backwards_are_refused_next_to_the_field(client_for, practice_manager):
    query = dates("9", "5")
    response = client_for(practice_manager).get(f"/outcomes/dashboard/{query}")
    assert response.status_code == 400
    page = response.content.decode()
    assert "The last day must be the same as or after the first" in page
    # The dates are in a folded section: unfolded, so the error linked to is seen.
    assert '<details class="nhsuk-details" open>' in page


@pytest.mark.parametrize(
    ("field", "year", "message"),
    [
        ("start", "0026", "The first day must be in 2000 or later"),
        ("end", "9999", "The last day must be in 2027 or earlier"),
    ],
)
def test_dates_out_of_range_are_refused_next_to_the_field(
    client_for, practice_manager, field, year, message
):
    query = dates("1", "31").replace(f"{field}_year=2026", f"{field}_year={year}")
    response = client_for(practice_manager).get(f"/outcomes/dashboard/{query}")
    page = response.content.decode()
    assert response.status_code == 400
    assert f'<a href="#id_{field}_day">{message}</a>' in page
    assert f'value="{year}"' in page  # what was typed is kept


def test_another_pcns_referrals_are_not_counted(client_for, october, other_pcn):
    elsewhere = UserFactory(role=roles.SUPERVISOR, pcns=[other_pcn])
    assert figures(client_for, elsewhere)["decisions"].rows[0] == ("Referrals received", 0, None)


def test_the_supervisor_sees_the_pcn(client_for, october, supervisor):
    assert figures(client_for, supervisor)["decisions"].rows[0] == ("Referrals received", 4, None)


def test_anonymous_people_are_sent_to_log_in(client):
    response = client.get("/outcomes/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["link_worker", "commissioner", "gp"])
def test_other_roles_get_403(client_for, request, who):
    assert client_for(request.getfixturevalue(who)).get("/outcomes/dashboard/").status_code == 403


def test_the_page_names_no_one(client_for, october, practice_manager):
    page = client_for(practice_manager).get(f"/outcomes/dashboard/{OCTOBER}").content.decode()
    assert october["accepted"].patient.family_name not in page


# Session, user, permissions, the ids of the practices the user sees (read once:
# spl.querysets), the visible practices (form and rows), then the
# figures: the referrals (by month, route, organisation, status and code at
# once), reasons, waiting, open cases, contacts, closures, the IIF counts, the
# people (age, sex and ethnicity at once), the wellbeing measures (SWEMWBS and
# ONS4 at once), the connections (by need, organisation, kind and status at
# once), services' capacity, and the needs in plans with no connection made.
DASHBOARD_QUERIES = 17


def test_the_queries_do_not_grow_with_the_referrals(
    client_for, october, practice, practice_manager, link_worker, django_assert_num_queries
):
    client = client_for(practice_manager)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        client.get(f"/outcomes/dashboard/{OCTOBER}")
    for day in range(10, 20):
        made = referral(practice, at(day), route="fhir", reasons=["weight"])
        case_for(made, link_worker, first_contact_after_days=1)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        assert client.get(f"/outcomes/dashboard/{OCTOBER}").status_code == 200


def test_who_was_referred(client_for, october, practice_manager):
    found = figures(client_for, practice_manager)
    # Born 1 January 2000 (26 on 31 October 2026) and three born 12 April 1958 (68).
    assert [row for row in found["ages"].rows if row[1]] == [("25 to 34", 1), ("65 to 74", 3)]
    assert found["sexes"].rows == [("Female", 1), ("Not recorded", 3)]
    assert found["ethnicities"].rows == [("Asian or Asian British: Indian", 1), ("Not recorded", 3)]


def test_wellbeing_before_and_after(client_for, october, practice_manager):
    found = figures(client_for, practice_manager)
    # SWEMWBS raw 18 (17.43) to raw 24 (21.54): 4.11 points, a meaningful improvement.
    assert found["swemwbs"].rows == [
        ("People", 1),
        ("Mean score at baseline", 17.43),
        ("Mean score at discharge", 21.54),
        ("Mean change", 4.11),
        ("Improved by 3 points or more", 1),
        ("Share meaningfully improved, %", 100.0),
    ]
    assert found["ons4"].rows[0] == ("Life satisfaction", 4.0, 7.0)


def test_wellbeing_averages_the_people_with_both_measures(
    client_for, october, practice, practice_manager, link_worker
):
    # A second person: SWEMWBS raw 20 (18.59) to raw 24 (21.54), 2.95 points, not
    # meaningful; life satisfaction 6 to 8. A third with a baseline and a review
    # but no discharge measure is not counted.
    second, third = (
        case_for(referral(practice, at(3)), link_worker, first_contact_after_days=1, closed=at(27))
        for _ in range(2)
    )
    measures(second, link_worker, "baseline", 20, 6)
    measures(second, link_worker, "discharge", 24, 8)
    measures(third, link_worker, "baseline", 18, 2)
    measures(third, link_worker, "review", 28, 9)
    found = figures(client_for, practice_manager)
    assert found["swemwbs"].rows == [
        ("People", 2),
        ("Mean score at baseline", 18.01),  # (17.43 + 18.59) / 2
        ("Mean score at discharge", 21.54),
        ("Mean change", 3.53),  # (4.11 + 2.95) / 2
        ("Improved by 3 points or more", 1),
        ("Share meaningfully improved, %", 50.0),
    ]
    assert found["ons4"].title.endswith("(2 people)")
    assert found["ons4"].rows[0] == ("Life satisfaction", 5.0, 7.5)


def test_vcse_impact(client_for, october, practice_manager):
    found = figures(client_for, practice_manager)
    assert found["connections_by_need"].rows == [("Loneliness and isolation", 2)]
    assert found["connections_by_organisation"].rows == [("Riverside Trust", 2)]
    assert found["providers"].rows[:3] == [
        ("Referred", 1),
        ("Accepted by the provider, %", 100.0),
        ("Attended, of those who went or did not, %", 100.0),
    ]


def test_needs_with_no_connection(client_for, october, practice_manager):
    assert figures(client_for, practice_manager)["unmet"].rows == [
        ("Finance, debt and benefits", 1)
    ]


def test_services_at_capacity_and_with_lapsed_checks(client_for, october, practice_manager, pcn):
    ServiceFactory(organisation__pcn=pcn, accepting_referrals=False)
    ServiceFactory(organisation__pcn=pcn, available_places=0, maximum_places=10)
    ServiceFactory(
        organisation__pcn=pcn, organisation__assured_until=datetime.date(2026, 11, 1)
    )  # lapsed on 2 November
    assert figures(client_for, practice_manager)["providers"].rows[3:] == [
        ("Services at or over capacity now", 2),
        ("Services with lapsed quality checks now", 1),
    ]
