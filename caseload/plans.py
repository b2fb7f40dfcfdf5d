"""Personalised care and support plans: a case's draft and its agreed versions.

Everything changes the case's one draft: `draft` makes it when there is none,
from the latest agreed version (its goals and actions too), so nothing agreed
is ever overwritten. `agree` numbers the draft as the next version, with who
agreed it and when. Each function takes values and the acting user, runs in
one transaction, and audits the change with the person.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from caseload.models import Case, Goal, GoalStatus, Plan, PlanAction
from referrals.models import Reason
from spl import audit


def latest(case):
    """The latest agreed version of the case's plan, or None."""
    return case.plans.filter(number__isnull=False).order_by("-number").first()


@transaction.atomic
def draft(*, case, by):
    """The case's draft plan, started from the latest agreed version when there
    is no draft yet."""
    case = _open_case(case)
    existing = case.plans.filter(number__isnull=True).first()
    if existing is not None:
        return existing
    agreed = latest(case)
    plan = Plan(case=case)
    if agreed is not None:
        plan.what_matters, plan.strengths = agreed.what_matters, agreed.strengths
        plan.needs, plan.review_on = list(agreed.needs), agreed.review_on
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:  # started at the same moment by someone else
        return case.plans.get(number__isnull=True)
    if agreed is not None:
        Goal.objects.bulk_create(
            Goal(
                plan=plan,
                description=goal.description,
                by_when=goal.by_when,
                status=goal.status,
                progress=goal.progress,
            )
            for goal in agreed.goals.all()
        )
        PlanAction.objects.bulk_create(
            PlanAction(
                plan=plan,
                who=action.who,
                what=action.what,
                by_when=action.by_when,
                done=action.done,
            )
            for action in agreed.actions.all()
        )
    audit.record(by, audit.CREATE, plan, patient=case.referral.patient)
    return plan


@transaction.atomic
def save_details(*, case, by, what_matters, strengths, needs, review_on):
    plan = draft(case=case, by=by)
    unknown = set(needs) - set(Reason.values)
    if unknown:
        raise ValidationError("Choose needs from the list", code="needs")
    plan.what_matters, plan.strengths = what_matters.strip(), strengths.strip()
    plan.needs, plan.review_on = [value for value in Reason.values if value in needs], review_on
    plan.save(update_fields=["what_matters", "strengths", "needs", "review_on"])
    audit.record(by, audit.UPDATE, plan, patient=case.referral.patient)
    return plan


@transaction.atomic
def add_goal(*, case, by, description, by_when=None):
    plan = draft(case=case, by=by)
    goal = Goal(plan=plan, description=description.strip(), by_when=by_when)
    goal.full_clean()
    goal.save()
    audit.record(by, audit.UPDATE, plan, patient=case.referral.patient)
    return goal


@transaction.atomic
def update_goal(*, goal, by, status, progress):
    """A goal of the draft: its status and progress notes."""
    goal = _draft_item(Goal, goal)
    if status not in GoalStatus.values:
        raise ValidationError("Choose the goal's status", code="status")
    goal.status, goal.progress = status, progress.strip()
    goal.save(update_fields=["status", "progress"])
    audit.record(by, audit.UPDATE, goal.plan, patient=goal.plan.case.referral.patient)
    return goal


@transaction.atomic
def add_action(*, case, by, who, what, by_when=None):
    plan = draft(case=case, by=by)
    action = PlanAction(plan=plan, who=who.strip(), what=what.strip(), by_when=by_when)
    action.full_clean()
    action.save()
    audit.record(by, audit.UPDATE, plan, patient=case.referral.patient)
    return action


@transaction.atomic
def set_action_done(*, action, by, done):
    """An action of the draft is done, or not after all."""
    action = _draft_item(PlanAction, action)
    action.done = done
    action.save(update_fields=["done"])
    audit.record(by, audit.UPDATE, action.plan, patient=action.plan.case.referral.patient)
    return action


@transaction.atomic
def remove(*, item, by):
    """Take a goal or an action off the draft."""
    item = _draft_item(type(item), item)
    item.delete()
    audit.record(by, audit.UPDATE, item.plan, patient=item.plan.case.referral.patient)


@transaction.atomic
def agree(*, case, by):
    """The person and the link worker agree the draft: it becomes the next
    numbered version."""
    case = _open_case(case)
    plan = case.plans.select_for_update().filter(number__isnull=True).first()
    if plan is None:
        raise ValidationError("There is no draft plan to agree", code="no_draft")
    if not plan.what_matters.strip():
        raise ValidationError(
            "Write what matters to the person before agreeing the plan", code="no_what_matters"
        )
    if not plan.goals.exists():
        raise ValidationError("Add at least one goal before agreeing the plan", code="no_goal")
    previous = latest(case)
    plan.number = previous.number + 1 if previous else 1
    plan.agreed_at, plan.agreed_by = timezone.now(), by
    plan.save(update_fields=["number", "agreed_at", "agreed_by"])
    audit.record(by, audit.UPDATE, plan, patient=case.referral.patient)
    return plan


def _open_case(case):
    case = Case.objects.select_for_update().select_related("referral__patient").get(pk=case.pk)
    if not case.is_open:
        raise ValidationError("This case is closed", code="closed")
    return case


def _draft_item(model, item):
    # The case first, locked, so that agreeing the plan waits for this change.
    _open_case(item.plan.case)
    item = model.objects.select_related("plan__case__referral__patient").get(pk=item.pk)
    if not item.plan.is_draft:
        raise ValidationError("An agreed plan cannot change: change the draft", code="agreed")
    if not item.plan.case.is_open:
        raise ValidationError("This case is closed", code="closed")
    return item


def changes(older, newer):
    """What changed from one version of a plan to a later one, in words: a list
    of (what, before, after), before or after empty for a goal or action
    added or taken off. Goals and actions are matched by their words."""
    found = []
    for field in ("what_matters", "strengths", "review_on"):
        before, after = getattr(older, field), getattr(newer, field)
        if before != after:
            label = Plan._meta.get_field(field).verbose_name
            found.append((label[:1].upper() + label[1:], _shown(before), _shown(after)))
    if older.needs != newer.needs:
        found.append(
            ("Areas of need", ", ".join(older.need_labels()), ", ".join(newer.need_labels()))
        )
    old_goals = {goal.description: goal for goal in older.goals.all()}
    new_goals = {goal.description: goal for goal in newer.goals.all()}
    for description in sorted(old_goals.keys() | new_goals.keys()):
        before, after = _goal(old_goals.get(description)), _goal(new_goals.get(description))
        if before != after:
            found.append((f"Goal: {description}", before, after))
    old_actions = {str(action) for action in older.actions.all()}
    new_actions = {str(action) for action in newer.actions.all()}
    for action in sorted(old_actions - new_actions):
        found.append(("Action", action, ""))
    for action in sorted(new_actions - old_actions):
        found.append(("Action", "", action))
    return found


def _shown(value):
    if value is None:
        return ""
    return value.strftime("%-d %B %Y") if hasattr(value, "strftime") else value


def _goal(goal):
    if goal is None:
        return ""
    return goal.get_status_display() + (f": {goal.progress}" if goal.progress else "")
