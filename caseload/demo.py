"""Demo caseloads, after the demo referrals (seed_demo runs apps in order).

Every accepted demo referral has its case, opened when it was accepted; in
the demo PCN, three referrals awaiting triage are allocated: one to each demo
link worker, with attempts to contact the person, and one to the waiting list.
Then the demo link worker's caseload is made to look lived in (`_day_to_day`):
support that ended months ago is closed, open cases have contacts, some agreed
plans (two with a second version), a few are with Tom Evans, two on hold, one
has an open safeguarding concern, one is referred back to the demo GP and two
are flagged for the next MDT meeting. People are connected to the demo
directory's services in every state a connection can be in, providers'
answers included; the emails those would have sent are marked sent. People
supported have wellbeing measures: a baseline (ONS4 and SWEMWBS) after the
first conversation, reviews, and a discharge measure for most who finished.
Safe to run again: it changes nothing the second time.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from caseload import connections, instruments, measures, plans, services
from caseload.models import (
    Case,
    CaseStatus,
    CaseStatusChange,
    CloseReason,
    Connection,
    ConnectionKind,
    ConnectionStatus,
    Contact,
    ContactMode,
    ContactOutcome,
    GoalStatus,
    Plan,
    ProviderMessage,
    SafeguardingCategory,
)
from directory.models import Service
from referrals.models import Notification, Referral, Status, Urgency
from spl.models import PCN, User

DEMO_PCN = "U00001"


@transaction.atomic
def seed():
    opened = _cases_of_accepted_referrals()
    allocated = _allocations()
    lived_in = _day_to_day()
    return f"{opened} cases opened for accepted referrals, {allocated} referrals allocated" + (
        f", {lived_in}" if lived_in else ""
    )


def _cases_of_accepted_referrals():
    """Open the case of each accepted referral that has none (a demo database
    made before the caseload), and date every such case from the acceptance,
    which the demo referrals backdate."""
    opened = 0
    accepted = Referral.objects.filter(status=Status.ACCEPTED).select_related("case")
    for referral in accepted.prefetch_related("history__by"):
        decision = [c for c in referral.history.all() if c.to_status == Status.ACCEPTED][-1]
        case = getattr(referral, "case", None)
        if case is None:
            case = services.open_for_accepted(referral=referral, by=decision.by)
            opened += 1
        if case.opened_at != decision.at:
            Case.objects.filter(pk=case.pk).update(opened_at=decision.at)
            CaseStatusChange.objects.filter(case=case).update(at=decision.at)
            case.assignments.update(at=decision.at)
    return opened


def _allocations():
    pcn = PCN.objects.filter(ods_code=DEMO_PCN).first()
    if pcn is None or Case.objects.filter(practice__pcn=pcn, referral__status=Status.ALLOCATED):
        return 0
    waiting = Referral.objects.filter(practice__pcn=pcn, status=Status.AWAITING_TRIAGE).order_by(
        "received_at", "pk"
    )[:3]
    amira = User.objects.get(email="linkworker@example.org")
    tom = User.objects.get(email="linkworker2@example.org")
    supervisor = User.objects.get(email="supervisor@example.org")
    plan = [(amira, 3), (tom, 1), (None, 0)]
    for referral, (to, attempts) in zip(waiting, plan, strict=False):
        case = services.allocate(referral=referral, to=to, by=supervisor)
        for day in range(attempts):
            services.record_contact(
                case=case,
                by=to,
                at=referral.received_at + datetime.timedelta(days=day + 1, hours=2),
                mode=ContactMode.PHONE,
                outcome=ContactOutcome.UNABLE_TO_CONTACT,
                notes="No answer. Left a voicemail with my name and number.",
            )
        assert case.status == CaseStatus.CONTACTING
    return len(waiting)


# Support that began longer ago than this has ended.
ENDED_AFTER_DAYS = 75
GOALS = [
    ("Join a walking group", "Going on Tuesdays"),
    ("Sort out my benefits", "Appointment booked with Citizens Advice"),
    ("Get out of the house twice a week", ""),
    ("Meet people who have lost someone too", "Tried the bereavement café once"),
    ("Find some volunteering", ""),
]
WHAT_MATTERS = [
    "Not feeling so alone since my wife died.",
    "Getting my money sorted so I can stop worrying.",
    "Being well enough to look after my grandchildren.",
    "Getting back to the allotment.",
]


def _day_to_day():
    pcn = PCN.objects.filter(ods_code=DEMO_PCN).first()
    if pcn is None or Plan.objects.filter(case__practice__pcn=pcn).exists():
        return ""
    rng = random.Random(12)  # noqa: S311 - demo data, not security
    amira = User.objects.get(email="linkworker@example.org")
    tom = User.objects.get(email="linkworker2@example.org")
    gp = User.objects.get(email="gp@example.org")
    supervisor = User.objects.get(email="supervisor@example.org")
    now = timezone.now()
    held = list(
        Case.objects.filter(link_worker=amira, status=CaseStatus.ACTIVE)
        .select_related("referral")
        .order_by("opened_at", "pk")
    )
    ended = [case for case in held if (now - case.opened_at).days > ENDED_AFTER_DAYS]
    open_cases = [case for case in held if case not in ended]
    referable, signposting = _demo_services(pcn)
    for index, case in enumerate(ended):
        final = {}
        if signposting and index % 2 == 0:
            went = _connect(case, signposting[index % len(signposting)], amira, days_ago=None)
            final[went.pk] = ConnectionStatus.ATTENDED if index % 4 == 0 else ConnectionStatus.ENDED
        services.close(
            case=case,
            by=amira,
            reason=rng.choice([CloseReason.GOALS_MET] * 4 + [CloseReason.PERSON_ENDED]),
            summary="Connected to community groups; feels more confident and less isolated.",
            final=final,
        )
        ended_at = case.opened_at + datetime.timedelta(days=rng.randint(60, 110))
        Case.objects.filter(pk=case.pk).update(
            closed_at=min(ended_at, now - datetime.timedelta(days=rng.randint(1, 10)))
        )
    # The closing emails are history: mark them sent, as the demo referrals do.
    Notification.objects.filter(referral__case__in=ended, sent_at__isnull=True).update(sent_at=now)
    for index, case in enumerate(open_cases):
        days_open = max((now - case.opened_at).days, 1)
        # Every seventh has had no contact for a while, to show the flag.
        last = rng.randint(15, 40) if index % 7 == 0 else rng.randint(0, 12)
        for days_ago in sorted({min(days_open, last + gap) for gap in (0, 9, 21)}, reverse=True):
            Contact.objects.create(
                case=case,
                at=now - datetime.timedelta(days=days_ago, hours=rng.randint(1, 6)),
                mode=rng.choice([ContactMode.PHONE, ContactMode.PRACTICE, ContactMode.HOME_VISIT]),
                outcome=ContactOutcome.SPOKE,
                duration_minutes=rng.choice([15, 20, 30, 45]),
                notes="Talked through how the week went.",
                by=amira,
            )
    for index, case in enumerate(open_cases[:12]):
        _agreed_plan(case, amira, rng, review_due=index == 2, goal_overdue=index == 3)
    for case in open_cases[:2]:  # reviewed since: a second version
        draft = plans.draft(case=case, by=amira)
        first = draft.goals.order_by("pk").first()
        plans.update_goal(goal=first, by=amira, status=GoalStatus.IN_PROGRESS, progress="Started")
        plans.agree(case=case, by=amira)
    for case in open_cases[-8:]:
        services.reassign(case=case, to=tom, by=supervisor, reason="Balancing caseloads")
    mine = open_cases[12:-8]
    services.put_on_hold(
        case=mine[0],
        by=amira,
        reason="In hospital",
        resume_on=now.date() + datetime.timedelta(days=10),
    )
    services.put_on_hold(
        case=mine[1],
        by=amira,
        reason="Away with family",
        resume_on=now.date() + datetime.timedelta(days=1),
    )
    Case.objects.filter(pk=mine[1].pk).update(resume_on=now.date() - datetime.timedelta(days=3))
    services.raise_concern(
        case=mine[2],
        by=amira,
        category=SafeguardingCategory.SELF_NEGLECT,
        what_happened="Little food in the house and the heating off on a home visit.",
        action_taken="Talked it through with the person; agreed to call the practice.",
        escalated_to="practice_lead",
        follow_up_on=now.date() + datetime.timedelta(days=2),
    )
    gp_practice = gp.memberships.get().practice_id
    for_gp = next((case for case in mine[3:] if case.practice_id == gp_practice), None)
    if for_gp is not None:
        services.refer_back(
            case=for_gp,
            by=amira,
            to=gp,
            reason="Breathless walking to the shops; asked to see the GP.",
            urgency=Urgency.ROUTINE,
        )
    next_week = now.date() + datetime.timedelta(days=7)
    for case in mine[4:6]:
        services.flag_for_mdt(
            case=case, by=amira, reason="Housing and low mood together", meeting_on=next_week
        )
    taken = _measures(ended, open_cases, amira, rng)
    made = _connections(open_cases[:9], amira, referable, signposting)
    # The emails of the demo's connections are history, as its referrals' are.
    ProviderMessage.objects.filter(sent_at__isnull=True).update(sent_at=now)
    return (
        f"{len(ended)} cases closed and {len(open_cases)} brought to life, "
        f"{made} connections to services, {taken} wellbeing measures"
    )


def _measures(ended, open_cases, by, rng):
    """Baselines for the people supported, reviews for some, and discharge
    measures for most of those who finished: most feel better, some do not."""
    taken = 0
    for index, case in enumerate([*ended, *open_cases[:30]]):
        finished = case in ended
        start = case.opened_at.date() + datetime.timedelta(days=7)
        if start > timezone.localdate():
            continue
        baseline = rng.randint(14, 22)
        steps = [("baseline", start, baseline)]
        if index % 3 == 0 or finished:
            steps.append(
                ("review", start + datetime.timedelta(days=42), baseline + rng.randint(-1, 4))
            )
        if finished and index % 5:
            gain = rng.choice([-2, 1, 3, 4, 5, 6, 8])
            steps.append(("discharge", start + datetime.timedelta(days=70), baseline + gain))
        for timepoint, taken_on, raw in steps:
            if taken_on > timezone.localdate():
                continue
            swemwbs = _answers(instruments.INSTRUMENTS[instruments.SWEMWBS], min(raw, 35))
            ons4 = {
                "satisfaction": min(10, raw // 3),
                "worthwhile": min(10, raw // 3 + 1),
                "happiness": min(10, raw // 3),
                "anxiety": max(0, 10 - raw // 3),
            }
            for code, answers in ((instruments.SWEMWBS, swemwbs), (instruments.ONS4, ons4)):
                measures.record(
                    case=case, by=by, instrument=code, timepoint=timepoint,
                    taken_on=taken_on, answers=answers,
                )  # fmt: skip
                taken += 1
    return taken


def _answers(instrument, raw):
    """Answers to a summed instrument adding up to `raw`, spread evenly."""
    count = len(instrument.items)
    base, extra = divmod(raw, count)
    return {item.key: base + (n < extra) for n, item in enumerate(instrument.items)}


def _demo_services(pcn):
    """The PCN's services that can be referred to now, and those that signpost."""
    found = list(
        Service.objects.filter(organisation__pcn=pcn)
        .active()
        .with_qa_status()
        .prefetch_related("taxonomy_terms")
    )
    referable = [service for service in found if not service.direct_referral_barrier()]
    signposting = [service for service in found if service.access == Service.Access.SIGNPOSTING]
    return referable, signposting


def _connections(cases, by, referable, signposting):
    """Connections in every state: (days since it was made, how it goes)."""
    if not referable or not signposting:
        return 0
    story = [
        (20, ConnectionKind.REFERRED, ["accept", "attended"]),  # the provider answered twice
        (3, ConnectionKind.REFERRED, []),  # waiting for the provider
        (6, ConnectionKind.REFERRED, ["accept"]),  # waiting for the person to go
        (16, ConnectionKind.REFERRED, ["no_response"]),
        (9, ConnectionKind.REFERRED, ["decline"]),
        (12, ConnectionKind.SIGNPOSTED, []),
        (25, ConnectionKind.REFERRED, ["accept", "did_not_attend"]),
        (30, ConnectionKind.SIGNPOSTED, ["attended"]),
        (40, ConnectionKind.SIGNPOSTED, ["ended"]),
    ]
    made = 0
    for index, (case, (days_ago, kind, steps)) in enumerate(zip(cases, story, strict=False)):
        pool = referable if kind == ConnectionKind.REFERRED else signposting
        need = case.referral.reasons.all()[0].reason
        fits = [s for s in pool if need in {term.code for term in s.taxonomy_terms.all()}]
        service = (fits or pool)[index % len(fits or pool)]
        connection = _connect(case, service, by, days_ago=days_ago, kind=kind)
        for step in steps:
            if step == "accept":
                connections.provider_answer(connection=connection, accepted=True)
            elif step == "decline":
                connections.provider_answer(
                    connection=connection,
                    accepted=False,
                    reason="Our group is full until the spring. Try the Tuesday café meanwhile.",
                )
            elif step == "no_response":
                connections.chase_providers()
            elif step in ("attended", "did_not_attend") and connection.is_referral:
                connections.provider_attendance(connection=connection, attended=step == "attended")
            else:
                connections.move(connection=connection, to=step, by=by)
        _spread(connection, days_ago)
        made += 1
    return made


def _spread(connection, days_ago):
    """Date each step after the first a few days after the one before: no
    provider answers on the day the demo is loaded."""
    steps = list(connection.history.order_by("at", "pk"))[1:]
    for number, change in enumerate(steps, start=1):
        at = timezone.now() - datetime.timedelta(days=max(days_ago - 4 * number, 0), hours=2)
        type(change).objects.filter(pk=change.pk).update(at=at)
        if change.by_provider and change.to_status in (
            ConnectionStatus.ACCEPTED,
            ConnectionStatus.DECLINED,
        ):
            Connection.objects.filter(pk=connection.pk).update(answered_at=at)


def _connect(case, service, by, *, days_ago, kind=ConnectionKind.SIGNPOSTED):
    """Connect `case` to `service`, dated `days_ago` (None: a week after it opened)."""
    connection = connections.connect(
        case=case,
        service=service,
        by=by,
        kind=kind,
        need=case.referral.reasons.all()[0].reason,
        why=f"{service.name} fits what matters to the person.",
        share_contact_details=True,
        message="Happy to be phoned in the mornings.",
    )
    at = (
        case.opened_at + datetime.timedelta(days=7)
        if days_ago is None
        else timezone.now() - datetime.timedelta(days=days_ago)
    )
    Connection.objects.filter(pk=connection.pk).update(
        created_at=at, referred_at=at if connection.is_referral else None
    )
    connection.history.update(at=at)
    connection.refresh_from_db()
    return connection


def _agreed_plan(case, by, rng, *, review_due=False, goal_overdue=False):
    plans.save_details(
        case=case,
        by=by,
        what_matters=rng.choice(WHAT_MATTERS),
        strengths="Knows the area well; a neighbour pops in most days.",
        needs=[reason.reason for reason in case.referral.reasons.all()],
        review_on=timezone.localdate()
        + datetime.timedelta(days=-2 if review_due else rng.randint(7, 40)),
    )
    for description, progress in rng.sample(GOALS, 2):
        days = -5 if goal_overdue else rng.randint(10, 60)
        goal = plans.add_goal(
            case=case,
            by=by,
            description=description,
            by_when=timezone.localdate() + datetime.timedelta(days=days),
        )
        if progress:
            plans.update_goal(goal=goal, by=by, status=GoalStatus.IN_PROGRESS, progress=progress)
    plans.add_action(case=case, by=by, who="Amira (link worker)", what="Send the group's details")
    plans.agree(case=case, by=by)
