"""Demo caseloads, after the demo referrals (seed_demo runs apps in order).

Every accepted demo referral has its case, opened when it was accepted; in
the demo PCN, three referrals awaiting triage are allocated: one to each demo
link worker, with attempts to contact the person, and one to the waiting list.
Safe to run again: it changes nothing the second time.
"""

import datetime

from django.db import transaction

from caseload import services
from caseload.models import Case, CaseStatus, CaseStatusChange, ContactMode, ContactOutcome
from referrals.models import Referral, Status
from spl.models import PCN, User

DEMO_PCN = "U00001"


@transaction.atomic
def seed():
    opened = _cases_of_accepted_referrals()
    allocated = _allocations()
    return f"{opened} cases opened for accepted referrals, {allocated} referrals allocated"


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
