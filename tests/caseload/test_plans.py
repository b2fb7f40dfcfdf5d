"""Personalised care and support plans: drafts, agreed versions, nothing agreed
ever overwritten."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from caseload import plans, services
from caseload.flags import of as flags_of
from caseload.models import Case, GoalStatus, Plan
from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(practice, link_worker):
    referral = ReferralFactory(patient__registered_practice=practice)
    case = services.allocate(referral=referral, to=link_worker, by=link_worker)
    return services.person_agreed(case=case, by=link_worker)


def agreed_plan(case, by):
    plans.save_details(
        case=case, by=by, what_matters="Getting out of the house", strengths="Loves gardening",
        needs=["loneliness"], review_on=datetime.date(2027, 2, 1),
    )  # fmt: skip
    plans.add_goal(case=case, by=by, description="Join a group", by_when=None)
    plans.add_action(case=case, by=by, who="Amira", what="Find a gardening club")
    return plans.agree(case=case, by=by)


def test_agreeing_numbers_the_plan_with_who_and_when(case, link_worker):
    plan = agreed_plan(case, link_worker)
    assert (plan.number, plan.agreed_by) == (1, link_worker)
    assert plan.agreed_at is not None


def test_a_plan_needs_what_matters_and_a_goal_to_be_agreed(case, link_worker):
    plans.add_goal(case=case, by=link_worker, description="Join a group")
    with pytest.raises(ValidationError, match="what matters"):
        plans.agree(case=case, by=link_worker)


def test_changing_an_agreed_plan_starts_a_draft_from_it(case, link_worker):
    first = agreed_plan(case, link_worker)
    draft = plans.draft(case=case, by=link_worker)
    assert draft.pk != first.pk
    assert draft.is_draft
    assert draft.what_matters == "Getting out of the house"
    assert [goal.description for goal in draft.goals.all()] == ["Join a group"]
    assert [action.what for action in draft.actions.all()] == ["Find a gardening club"]


def test_nothing_agreed_is_overwritten(case, link_worker):
    first = agreed_plan(case, link_worker)
    plans.save_details(
        case=case, by=link_worker, what_matters="Seeing my grandchildren", strengths="",
        needs=["loneliness"], review_on=None,
    )  # fmt: skip
    goal = plans.draft(case=case, by=link_worker).goals.get()
    plans.update_goal(goal=goal, by=link_worker, status=GoalStatus.ACHIEVED, progress="Joined")
    second = plans.agree(case=case, by=link_worker)
    first.refresh_from_db()
    assert first.what_matters == "Getting out of the house"
    assert first.goals.get().status == GoalStatus.NOT_STARTED
    assert (second.number, second.goals.get().status) == (2, GoalStatus.ACHIEVED)


def test_a_goal_of_an_agreed_plan_cannot_change(case, link_worker):
    plan = agreed_plan(case, link_worker)
    with pytest.raises(ValidationError, match="cannot change"):
        plans.update_goal(
            goal=plan.goals.get(), by=link_worker, status=GoalStatus.ACHIEVED, progress=""
        )


def test_the_database_holds_one_draft_per_case(case, link_worker):
    plans.draft(case=case, by=link_worker)
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.create(case=case)


def test_needs_are_kept_in_the_lists_order(case, link_worker):
    plan = plans.save_details(
        case=case, by=link_worker, what_matters="x", strengths="",
        needs=["housing", "loneliness"], review_on=None,
    )  # fmt: skip
    assert plan.needs == ["loneliness", "housing"]


def test_unknown_needs_are_refused(case, link_worker):
    with pytest.raises(ValidationError):
        plans.save_details(
            case=case, by=link_worker, what_matters="x", strengths="", needs=["magic"],
            review_on=None,
        )  # fmt: skip


# The plan page


def url(case):
    return f"/caseload/cases/{case.pk}/plan/"


def test_the_plan_page_is_scoped(client_for, case, outsider, pcn):
    assert client_for(outsider).get(url(case)).status_code == 404


def test_a_plan_is_written_and_agreed_on_its_page(client_for, case, link_worker):
    client = client_for(link_worker)
    client.post(url(case), {"form": "draft"})
    client.post(
        url(case),
        {"form": "details", "what_matters": "Getting out of the house", "strengths": "",
         "needs": ["loneliness"]},
    )  # fmt: skip
    client.post(url(case), {"form": "goal", "goal-description": "Join a walking group"})
    client.post(
        url(case), {"form": "action", "action-who": "Amira", "action-what": "Call Ramblers"}
    )
    response = client.post(url(case), {"form": "agree"}, follow=True)
    assert "Plan version 1 agreed" in response.content.decode()
    plan = case.plans.get()
    assert (plan.number, plan.what_matters, plan.goals.get().description) == (
        1,
        "Getting out of the house",
        "Join a walking group",
    )


def test_a_goal_without_words_says_what_to_enter_and_keeps_the_date(client_for, case, link_worker):
    client = client_for(link_worker)
    client.post(url(case), {"form": "draft"})
    response = client.post(
        url(case),
        {"form": "goal", "goal-description": "", "goal-by_when_day": "1",
         "goal-by_when_month": "3", "goal-by_when_year": "2027"},
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter the goal" in page
    assert 'value="2027"' in page


def test_agreeing_without_a_goal_says_why(client_for, case, link_worker):
    client = client_for(link_worker)
    client.post(url(case), {"form": "draft"})
    client.post(url(case), {"form": "details", "what_matters": "Company", "strengths": ""})
    response = client.post(url(case), {"form": "agree"})
    page = response.content.decode()
    assert response.status_code == 400
    # In the error summary, linked to the goal's field, and next to that field.
    assert '<a href="#id_goal-description">Add at least one goal before agreeing' in page
    assert page.count("Add at least one goal before agreeing the plan") == 2
    assert "<title>Error: Support plan:" in page
    assert not case.plans.filter(number__isnull=False).exists()


def test_agreeing_without_what_matters_says_so_next_to_it(client_for, case, link_worker):
    client = client_for(link_worker)
    client.post(url(case), {"form": "draft"})
    client.post(url(case), {"form": "details", "what_matters": "", "strengths": "Kind"})
    client.post(url(case), {"form": "goal", "goal-description": "Join a walking group"})
    page = client.post(url(case), {"form": "agree"}).content.decode()
    assert '<a href="#id_what_matters">Write what matters to the person' in page
    assert page.count("Write what matters to the person before agreeing the plan") == 2
    assert "Kind</textarea>" in page  # what was saved is still shown


def test_an_agreed_version_stays_readable(client_for, case, link_worker):
    agreed_plan(case, link_worker)
    plans.save_details(
        case=case, by=link_worker, what_matters="Something new", strengths="", needs=[],
        review_on=None,
    )  # fmt: skip
    page = client_for(link_worker).get(f"{url(case)}1/").content.decode()
    assert "Getting out of the house" in page
    assert "Something new" not in page


def test_viewing_the_plan_is_audited(client_for, case, link_worker):
    from spl.models import AuditEvent

    client_for(link_worker).get(url(case))
    assert AuditEvent.objects.filter(action="view", patient_id=str(case.patient.pk)).exists()


def test_a_version_shows_what_changed_since_the_one_before(client_for, case, link_worker):
    agreed_plan(case, link_worker)
    plans.save_details(
        case=case, by=link_worker, what_matters="Seeing my grandchildren",
        strengths="Loves gardening", needs=["loneliness"], review_on=datetime.date(2027, 2, 1),
    )  # fmt: skip
    goal = plans.draft(case=case, by=link_worker).goals.get()
    plans.update_goal(goal=goal, by=link_worker, status=GoalStatus.ACHIEVED, progress="Joined")
    plans.add_goal(case=case, by=link_worker, description="Volunteer at the food bank")
    plans.agree(case=case, by=link_worker)
    page = " ".join(client_for(link_worker).get(f"{url(case)}2/").content.decode().split())
    assert "What changed since version 1" in page
    assert "Getting out of the house" in page and "Seeing my grandchildren" in page
    assert "Achieved: Joined" in page
    assert "Goal: Volunteer at the food bank" in page
    assert "Strengths" not in page.split("What changed")[1].split("The plan")[0]


def test_changes_are_empty_between_identical_versions(case, link_worker):
    first = agreed_plan(case, link_worker)
    plans.draft(case=case, by=link_worker)
    second = plans.agree(case=case, by=link_worker)
    assert plans.changes(first, second) == []


def test_the_persons_copy_is_a_pdf_of_their_plan_in_plain_words(client_for, case, link_worker):
    import io

    import pypdf

    agreed_plan(case, link_worker)
    response = client_for(link_worker).get(f"{url(case)}1/pdf/")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="support-plan-1.pdf"'
    text = " ".join(
        " ".join(page.extract_text().split())
        for page in pypdf.PdfReader(io.BytesIO(response.content)).pages
    )
    assert "Your support plan" in text
    assert "What matters to you Getting out of the house" in text
    assert "Join a group" in text
    assert "Amira Khan" in text
    assert case.patient.full_name in text


def test_the_pdf_is_scoped_and_audited(client_for, case, link_worker, outsider):
    from spl.models import AuditEvent

    agreed_plan(case, link_worker)
    assert client_for(outsider).get(f"{url(case)}1/pdf/").status_code == 404
    client_for(link_worker).get(f"{url(case)}1/pdf/")
    assert AuditEvent.objects.filter(object_type="caseload.plan", action="view").exists()


# Reviews and goals in the caseload's flags


def flags(case):
    return SimpleNamespace(**flags_of(Case.objects.filter(pk=case.pk))[case.pk])


def test_a_plan_review_date_that_has_come_flags_the_case(case, link_worker):
    plans.save_details(
        case=case, by=link_worker, what_matters="x", strengths="", needs=[],
        review_on=datetime.date.today(),
    )  # fmt: skip
    plans.add_goal(case=case, by=link_worker, description="A goal")
    assert not flags(case).review_due  # a draft's review date does not count
    plans.agree(case=case, by=link_worker)
    assert flags(case).review_due


def test_a_goal_past_its_date_and_not_done_flags_the_case(case, link_worker):
    plans.save_details(
        case=case, by=link_worker, what_matters="x", strengths="", needs=[], review_on=None
    )
    plans.add_goal(
        case=case, by=link_worker, description="Late goal", by_when=datetime.date(2026, 1, 1)
    )
    plans.agree(case=case, by=link_worker)
    assert flags(case).goals_overdue
    goal = plans.draft(case=case, by=link_worker).goals.get()
    plans.update_goal(goal=goal, by=link_worker, status=GoalStatus.ACHIEVED, progress="")
    plans.agree(case=case, by=link_worker)
    assert not flags(case).goals_overdue  # only the latest version counts


def test_an_action_past_its_date_and_not_done_flags_the_case(case, link_worker):
    plans.save_details(
        case=case, by=link_worker, what_matters="x", strengths="", needs=[], review_on=None
    )
    plans.add_goal(case=case, by=link_worker, description="A goal")
    plans.add_action(
        case=case, by=link_worker, who="Amira", what="Ring the café",
        by_when=datetime.date(2026, 1, 1),
    )  # fmt: skip
    plans.agree(case=case, by=link_worker)
    assert flags(case).goals_overdue
    action = plans.draft(case=case, by=link_worker).actions.get()
    plans.set_action_done(action=action, by=link_worker, done=True)
    plans.agree(case=case, by=link_worker)
    assert not flags(case).goals_overdue


def test_an_action_is_marked_done_on_the_plan_page(client_for, case, link_worker):
    plans.add_action(case=case, by=link_worker, who="Amira", what="Ring the café")
    action = plans.draft(case=case, by=link_worker).actions.get()
    response = client_for(link_worker).post(url(case), {"form": f"done-action-{action.pk}"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.done


def test_a_version_shows_an_action_done_since_the_one_before(case, link_worker):
    agreed_plan(case, link_worker)
    plans.add_action(case=case, by=link_worker, who="Amira", what="Ring the café")
    first = plans.agree(case=case, by=link_worker)
    action = plans.draft(case=case, by=link_worker).actions.get(what="Ring the café")
    plans.set_action_done(action=action, by=link_worker, done=True)
    second = plans.agree(case=case, by=link_worker)
    assert ("Action", "", "Amira: Ring the café (done)") in plans.changes(first, second)


def test_a_plan_carries_its_case_practice(case, link_worker):
    plan = plans.draft(case=case, by=link_worker)
    plan.refresh_from_db()
    assert plan.practice_id == case.practice_id
