"""Synthetic caseloads for the synthetic referrals (referrals.synthetic), for
benchmarks.

    generate(seed=1, now=None, log=None)

`manage.py generate_synthetic` calls it after the referrals. It reads back
every accepted referral that has no case and writes, as the caseload's
services would have: its case (opened at the acceptance, closed with the
referral), the status history and who held it, contacts, an agreed support
plan with goals and an action for most, and connections to the PCN's VCSE
services in the states their age makes likely, with their history.

Who holds a case: an open case goes to the first of its PCN's link workers
holding fewer than CASELOAD open cases, in the order they joined, so the demo's
linkworker@example.org is the first filled in the demo PCN, which is large;
SPL adds link workers to a PCN that needs more (`lw<n>.<pcn>@...`). A closed
case stays with whoever accepted the referral. A PCN with no service gets a
VCSE organisation with three (two take direct referrals).

Rows are written in bulk with ids assigned here, by referrals.synthetic.Writer
(COPY on PostgreSQL), in chunks; no audit events or emails are made.
"""

import datetime
import heapq
import random
import time
import uuid
from collections import defaultdict

from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from caseload import instruments
from caseload.models import (
    Case,
    CaseAssignment,
    CaseStatus,
    CaseStatusChange,
    CloseReason,
    Connection,
    ConnectionKind,
    ConnectionStatus,
    ConnectionStatusChange,
    Contact,
    ContactMode,
    ContactOutcome,
    Goal,
    GoalStatus,
    Plan,
    PlanAction,
    Timepoint,
    WellbeingMeasure,
)
from directory.models import Organisation, Service
from referrals.models import ReferralReason, ReferralStatusChange, Status
from referrals.synthetic import EMAIL_DOMAIN, UNUSABLE_PASSWORD, Writer
from spl import roles
from spl.models import Membership, Practice, User

CASELOAD = 250  # open cases a full-time link worker holds at most
CHUNK = 20_000  # cases written per transaction
PLANNED = 0.7  # of cases past their first fortnight, with an agreed plan
ON_HOLD = 0.04  # of open cases
CONTACT_EVERY = (7, 21)  # days between contacts with the person
GOALS = [
    "Join a walking group",
    "Sort out my benefits",
    "Get out of the house twice a week",
    "Meet people who have been through the same",
    "Find some volunteering",
    "Feel on top of my money",
]

CASE_COLUMNS = [
    "id", "referral_id", "practice_id", "link_worker_id", "status", "hold_reason",
    "resume_on", "opened_at", "closed_at", "close_reason", "closing_summary", "share_with_gp",
    "no_discharge_measure", "received_at", "first_contact_at", "swemwbs_baseline",
    "swemwbs_discharge", "ons4_baseline", "ons4_discharge", "last_contact_at",
    "unreached_contacts", "spoken_with",
]  # fmt: skip
STATUS_COLUMNS = ["id", "case_id", "from_status", "to_status", "by_id", "at", "note"]
ASSIGNMENT_COLUMNS = ["id", "case_id", "from_worker_id", "to_worker_id", "by_id", "at", "reason"]
CONTACT_COLUMNS = [
    "id", "case_id", "practice_id", "at", "mode", "duration_minutes", "outcome", "notes", "by_id",
]  # fmt: skip
PLAN_COLUMNS = [
    "id", "case_id", "practice_id", "number", "what_matters", "strengths", "needs", "review_on",
    "agreed_at", "agreed_by_id", "created_at",
]  # fmt: skip
GOAL_COLUMNS = ["id", "plan_id", "description", "by_when", "status", "progress"]
ACTION_COLUMNS = ["id", "plan_id", "who", "what", "by_when", "done"]
CONNECTION_COLUMNS = [
    "id", "case_id", "practice_id", "service_id", "kind", "need", "why", "capacity_reason",
    "share_contact_details", "message", "status", "provider_reason", "created_by_id",
    "created_at", "referred_at", "answered_at",
]  # fmt: skip
CONNECTION_HISTORY_COLUMNS = [
    "id", "connection_id", "from_status", "to_status", "by_id", "by_provider", "at", "note",
]  # fmt: skip
MEASURE_COLUMNS = [
    "id", "case_id", "instrument", "timepoint", "taken_on", "answers", "raw_score", "score",
    "recorded_by_id", "recorded_at",
]  # fmt: skip
MODELS = [
    Case, CaseStatusChange, CaseAssignment, Contact, Plan, Goal, PlanAction, Connection,
    ConnectionStatusChange, WellbeingMeasure,
]  # fmt: skip
MEASURED = 0.7  # of cases past their first week, with a baseline


def generate(*, seed=1, now=None, log=None):
    """Write the cases of every accepted referral without one. Returns a line
    saying what was made."""
    started = time.monotonic()
    log = log or (lambda message: None)
    now = now or timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    rng = random.Random(seed)  # noqa: S311 - repeatable benchmark data, not security
    accepted = list(
        ReferralStatusChange.objects.filter(
            to_status=Status.ACCEPTED,
            from_status=Status.AWAITING_TRIAGE,
            referral__case__isnull=True,
        )
        .order_by("at", "referral_id")
        .values_list(
            "referral_id",
            "at",
            "by_id",
            "referral__practice_id",
            "referral__status",
            "referral__received_at",
        )
    )
    closed_at = dict(
        ReferralStatusChange.objects.filter(
            to_status=Status.CLOSED, from_status=Status.ACCEPTED, referral__case__isnull=True
        ).values_list("referral_id", "at")
    )
    pcn_of = dict(Practice.objects.values_list("pk", "pcn_id"))
    with transaction.atomic():
        workers = _Workers.build(accepted, pcn_of, closed_at, now)
        services = _services(set(pcn_of.values()), now)
    log(f"{len(accepted):,} accepted referrals; {workers.added:,} link workers added")
    year = _Caseloads(rng, Writer(), workers, services, now=now)
    for start in range(0, len(accepted), CHUNK):
        chunk = accepted[start : start + CHUNK]
        reasons = defaultdict(list)
        for referral, reason in ReferralReason.objects.filter(
            referral_id__in=[row[0] for row in chunk]
        ).values_list("referral_id", "reason"):
            reasons[referral].append(reason)
        for referral, at, by, practice, status, received in chunk:
            year.case(
                referral,
                at,
                by,
                practice,
                pcn_of[practice],
                reasons[referral],
                closed_at.get(referral) if status == Status.CLOSED else None,
                received,
            )
        with transaction.atomic():
            year.writer.flush()
        if (start // CHUNK) % 10 == 9:
            log(f"{start + CHUNK:,} cases ({time.monotonic() - started:.0f} s)")
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), MODELS):
            cursor.execute(sql)
        if connection.vendor == "postgresql":
            tables = ", ".join(model._meta.db_table for model in MODELS)
            cursor.execute(f"ANALYZE {tables}")
    return (
        f"{year.counts['cases']:,} cases ({year.counts['open']:,} open), "
        f"{year.counts['contacts']:,} contacts, {year.counts['plans']:,} plans, "
        f"{year.counts['connections']:,} connections, {year.counts['measures']:,} wellbeing "
        f"measures in {time.monotonic() - started:.0f} s"
    )


class _Workers:
    """Who holds each case: the first of its PCN's link workers (in the order
    they joined) holding fewer than CASELOAD open cases when it opened, worked
    out over the year in the order cases opened, so that nobody ever holds
    more than CASELOAD at once and the demo link worker is the first filled.
    A PCN whose link workers are all full gets another, as it would hire."""

    def __init__(self, holder, added):
        self.holder, self.added = holder, added

    @classmethod
    def build(cls, accepted, pcn_of, closed_at, now):
        group = Group.objects.get(name=roles.ROLES[roles.LINK_WORKER].name)
        by_pcn = defaultdict(list)
        for pcn, user in (
            Membership.objects.filter(user__groups=group, user__is_active=True)
            .order_by("user_id")
            .values_list("pcn_id", "user_id")
        ):
            if user not in by_pcn[pcn]:
                by_pcn[pcn].append(user)
        # Each worker's open cases as a heap of when they end (never: the demo's).
        never = datetime.datetime.max.replace(tzinfo=datetime.UTC)
        ends = defaultdict(list)
        for worker, count in (
            Case.objects.open()
            .filter(link_worker__isnull=False)
            .values_list("link_worker")
            .annotate(count=Count("pk"))
            .order_by()
        ):
            ends[worker] = [never] * count
        slots = defaultdict(list)  # per PCN: a worker id, or a new worker's number
        holder = {}
        for referral, opened, _by, practice, _status, _received in accepted:
            pcn = pcn_of[practice]
            if pcn not in slots:
                slots[pcn] = list(by_pcn[pcn])
            workers = slots[pcn]
            for worker in workers:
                held = ends[_key(pcn, worker)]
                while held and held[0] <= opened:
                    heapq.heappop(held)
                if len(held) < CASELOAD:
                    break
            else:
                worker = f"new-{len(workers) - len(by_pcn[pcn]) + 1}"
                workers.append(worker)
                held = ends[_key(pcn, worker)]
            heapq.heappush(held, closed_at.get(referral) or never)
            holder[referral] = (pcn, worker)
        new = {
            (pcn, worker): User(
                email=f"lw{worker.removeprefix('new-')}.{pcn}@{EMAIL_DOMAIN}",
                full_name=f"Link Worker {worker.removeprefix('new-')}",
                job_title="Social prescribing link worker",
                password=UNUSABLE_PASSWORD,
                date_joined=now - datetime.timedelta(days=365),
            )
            for pcn, workers in slots.items()
            for worker in workers
            if isinstance(worker, str)
        }
        User.objects.bulk_create(new.values(), batch_size=1000)
        Membership.objects.bulk_create(
            [Membership(user=user, pcn_id=pcn) for (pcn, _), user in new.items()],
            batch_size=1000,
        )
        User.groups.through.objects.bulk_create(
            [User.groups.through(user=user, group=group) for user in new.values()],
            batch_size=1000,
        )
        return cls(
            {
                referral: new[slot].pk if isinstance(slot[1], str) else slot[1]
                for referral, slot in holder.items()
            },
            len(new),
        )

    def of(self, referral):
        return self.holder[referral]


def _key(pcn, worker):
    """A worker's key: their user id, or (PCN, "new-<n>") for one not yet saved."""
    return (pcn, worker) if isinstance(worker, str) else worker


def _services(pcns, now):
    """{pcn id: ([ids of services to refer to], [ids to signpost to])}, adding
    an organisation with three services to each PCN without a service."""
    have = set(Service.objects.values_list("organisation__pcn_id", flat=True))
    organisations, services = [], []
    for pcn in sorted(pcns - have):
        organisation = Organisation(
            id=uuid.uuid4(),
            pcn_id=pcn,
            name=f"Community Trust {pcn}",
            description="A local charity running groups and advice sessions.",
            assured_until=(now + datetime.timedelta(days=180)).date(),
            assured_on=(now - datetime.timedelta(days=185)).date(),
        )
        organisations.append(organisation)
        for name, access in [
            ("Walking group", Service.Access.DIRECT_REFERRAL),
            ("Money advice", Service.Access.DIRECT_REFERRAL),
            ("Community café", Service.Access.SIGNPOSTING),
        ]:
            direct = access == Service.Access.DIRECT_REFERRAL
            services.append(
                Service(
                    id=uuid.uuid4(),
                    organisation=organisation,
                    name=name,
                    description=f"{name} run by volunteers.",
                    access=access,
                    referral_email=f"referrals.{pcn}@{EMAIL_DOMAIN}" if direct else "",
                    capacity_updated_at=now,
                )
            )
    Organisation.objects.bulk_create(organisations, batch_size=1000)
    Service.objects.bulk_create(services, batch_size=1000)
    found = defaultdict(lambda: ([], []))
    for pk, pcn, access in Service.objects.filter(status=Service.Status.ACTIVE).values_list(
        "pk", "organisation__pcn_id", "access"
    ):
        found[pcn][access != Service.Access.DIRECT_REFERRAL].append(pk)
    return found


class _Caseloads:
    def __init__(self, rng, writer, workers, services, *, now):
        self.rng, self.writer, self.workers, self.services, self.now = (
            rng,
            writer,
            workers,
            services,
            now,
        )
        self.next_id = {
            model: (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
            for model in MODELS
        }
        self.cases = writer.table(Case, CASE_COLUMNS)
        self.history = writer.table(CaseStatusChange, STATUS_COLUMNS)
        self.assignments = writer.table(CaseAssignment, ASSIGNMENT_COLUMNS)
        self.contacts = writer.table(Contact, CONTACT_COLUMNS)
        self.plans = writer.table(Plan, PLAN_COLUMNS)
        self.goals = writer.table(Goal, GOAL_COLUMNS)
        self.actions = writer.table(PlanAction, ACTION_COLUMNS)
        self.connections = writer.table(Connection, CONNECTION_COLUMNS)
        self.connection_history = writer.table(ConnectionStatusChange, CONNECTION_HISTORY_COLUMNS)
        self.measures = writer.table(WellbeingMeasure, MEASURE_COLUMNS)
        self.counts = defaultdict(int)

    def _id(self, model):
        pk = self.next_id[model]
        self.next_id[model] = pk + 1
        return pk

    def case(self, referral, opened, accepted_by, practice, pcn, reasons, closed, received):
        rng, now = self.rng, self.now
        pk = self._id(Case)
        status, hold_reason, resume_on = CaseStatus.CLOSED, "", None
        worker = self.workers.of(referral)
        if closed is None:
            status = CaseStatus.ACTIVE
            if rng.random() < ON_HOLD and (now - opened).days > 14:
                status, hold_reason = CaseStatus.ON_HOLD, "In hospital"
                resume_on = (now + datetime.timedelta(days=rng.randint(-5, 21))).date()
            self.counts["open"] += 1
        until = closed or now
        by = worker or accepted_by
        first_contact = opened + datetime.timedelta(hours=rng.randint(2, 72))
        # The measures and contacts first, for what the case carries of them.
        measured = {}
        if (until - opened).days > 7 and rng.random() < MEASURED:
            measured = self._measures(pk, by, opened, closed)
        contacted = self._contacts(pk, practice, by, first_contact, until)
        self.cases.add(
            id=pk,
            referral_id=referral,
            practice_id=practice,
            link_worker_id=worker,
            status=status,
            hold_reason=hold_reason,
            resume_on=resume_on,
            opened_at=opened,
            closed_at=closed,
            close_reason=(
                rng.choice([CloseReason.GOALS_MET] * 3 + [CloseReason.PERSON_ENDED])
                if closed
                else ""
            ),
            closing_summary="Connected to local groups; feels less alone." if closed else "",
            share_with_gp=rng.choice(["full", "codes"]),
            received_at=received,
            first_contact_at=first_contact if first_contact < until else None,
            **measured,
            **contacted,
        )
        self.counts["cases"] += 1
        self._status(pk, "", CaseStatus.ACTIVE, accepted_by, opened, "Case opened")
        if status == CaseStatus.ON_HOLD:
            self._status(pk, CaseStatus.ACTIVE, status, worker, now - datetime.timedelta(days=3))
        if closed:
            self._status(pk, CaseStatus.ACTIVE, status, worker, closed, "Goals met")
        self.assignments.add(
            id=self._id(CaseAssignment),
            case_id=pk,
            to_worker_id=worker,
            by_id=accepted_by,
            at=opened,
            reason="",
        )
        if (until - opened).days > 14 and rng.random() < PLANNED:
            self._plan(pk, practice, by, opened, reasons)
        for number in range(rng.choice([0, 1, 1, 1, 2])):
            self._connection(pk, practice, by, pcn, opened, until, reasons, closed, number)

    def _measures(self, case, by, opened, closed):
        """SWEMWBS and ONS4 at baseline, and at discharge for most who finished:
        most a little better, some worse. Returns the case's copy of them
        (WellbeingMeasure.ON_THE_CASE): {field: score or answers}."""
        rng = self.rng
        baseline = rng.randint(12, 24)
        steps = [(Timepoint.BASELINE, opened + datetime.timedelta(days=7), baseline)]
        if closed and rng.random() < 0.8:
            steps.append(
                (Timepoint.DISCHARGE, closed, min(35, max(7, baseline + rng.randint(-3, 8))))
            )
        swemwbs = instruments.INSTRUMENTS[instruments.SWEMWBS]
        copied = {}
        for timepoint, at, raw in steps:
            base, extra = divmod(raw, len(swemwbs.items))
            answers = {item.key: base + (n < extra) for n, item in enumerate(swemwbs.items)}
            ons4 = {"satisfaction": raw // 3, "worthwhile": raw // 3 + 1,
                    "happiness": raw // 3, "anxiety": max(0, 10 - raw // 3)}  # fmt: skip
            for code, given, score in (
                (instruments.SWEMWBS, answers, instruments.SWEMWBS_METRIC[raw]),
                (instruments.ONS4, ons4, None),
            ):
                self.measures.add(
                    id=self._id(WellbeingMeasure), case_id=case, instrument=code,
                    timepoint=timepoint, taken_on=at.date(), answers=given,
                    raw_score=raw if score is not None else None, score=score,
                    recorded_by_id=by, recorded_at=at,
                )  # fmt: skip
                self.counts["measures"] += 1
                field, value = WellbeingMeasure.ON_THE_CASE[(code, timepoint)]
                copied[field] = score if value == "score" else given
        return copied

    def _status(self, case, from_status, to_status, by, at, note=""):
        self.history.add(
            id=self._id(CaseStatusChange),
            case_id=case,
            from_status=from_status,
            to_status=to_status,
            by_id=by,
            at=at,
            note=note,
        )

    def _contacts(self, case, practice, by, first, until):
        """Contacts from `first` until `until`, about one a fortnight. Returns what
        the case carries of them (Contact.save): {field: value}."""
        rng = self.rng
        at = first
        carried = {"last_contact_at": None, "unreached_contacts": 0, "spoken_with": False}
        while at < until:
            outcome = ContactOutcome.SPOKE if rng.random() < 0.9 else ContactOutcome.DID_NOT_ATTEND
            self.contacts.add(
                id=self._id(Contact),
                case_id=case,
                practice_id=practice,
                at=at,
                mode=rng.choice(
                    [
                        ContactMode.PHONE,
                        ContactMode.PHONE,
                        ContactMode.PRACTICE,
                        ContactMode.HOME_VISIT,
                    ]
                ),
                duration_minutes=rng.choice([15, 20, 30, 45]),
                outcome=outcome,
                notes="Talked through how the week went.",
                by_id=by,
            )
            self.counts["contacts"] += 1
            carried["last_contact_at"] = at
            carried["unreached_contacts"] += outcome != ContactOutcome.SPOKE
            carried["spoken_with"] |= outcome == ContactOutcome.SPOKE
            at += datetime.timedelta(days=rng.randint(*CONTACT_EVERY), hours=rng.randint(0, 8))
        return carried

    def _plan(self, case, practice, by, opened, reasons):
        rng = self.rng
        agreed = opened + datetime.timedelta(days=rng.randint(7, 14))
        pk = self._id(Plan)
        self.plans.add(
            id=pk,
            case_id=case,
            practice_id=practice,
            number=1,
            what_matters="Not feeling so alone.",
            strengths="Knows the area well.",
            needs=reasons,
            review_on=(agreed + datetime.timedelta(weeks=8)).date(),
            agreed_at=agreed,
            agreed_by_id=by,
            created_at=agreed,
        )
        self.counts["plans"] += 1
        for description in rng.sample(GOALS, 2):
            self.goals.add(
                id=self._id(Goal),
                plan_id=pk,
                description=description,
                by_when=(agreed + datetime.timedelta(weeks=rng.randint(4, 16))).date(),
                status=rng.choice(
                    [
                        GoalStatus.NOT_STARTED,
                        GoalStatus.IN_PROGRESS,
                        GoalStatus.IN_PROGRESS,
                        GoalStatus.ACHIEVED,
                    ]
                ),
                progress="",
            )
        self.actions.add(
            id=self._id(PlanAction),
            plan_id=pk,
            who="Link worker",
            what="Send the group's details",
            by_when=(agreed + datetime.timedelta(days=7)).date(),
            done=rng.random() < 0.8,
        )

    def _connection(self, case, practice, by, pcn, opened, until, reasons, closed, number):
        rng, now = self.rng, self.now
        made = opened + datetime.timedelta(days=rng.randint(7, 21) + 7 * number)
        if made >= until:
            return
        referable, signposting = self.services[pcn]
        refer = referable and (rng.random() < 0.6 or not signposting)
        if not (referable or signposting):
            return
        service = rng.choice(referable if refer else signposting)
        pk = self._id(Connection)
        age = (until - made).days
        steps = []  # (status, days after it was made, by the provider)
        if refer:
            answer = ConnectionStatus.ACCEPTED if rng.random() < 0.8 else ConnectionStatus.DECLINED
            if age < 7:
                pass
            elif rng.random() < 0.08 and age >= 14:
                steps.append((ConnectionStatus.NO_RESPONSE, 14, False))
            else:
                steps.append((answer, rng.randint(1, 6), True))
                if answer == ConnectionStatus.ACCEPTED and age > 21:
                    went = rng.random() < 0.8
                    steps.append(
                        (
                            ConnectionStatus.ATTENDED if went else ConnectionStatus.DID_NOT_ATTEND,
                            rng.randint(10, 20),
                            True,
                        )
                    )
        elif age > 21 and rng.random() < 0.6:
            steps.append((ConnectionStatus.ATTENDED, rng.randint(7, 21), False))
        if closed and (not steps or steps[-1][0] not in (ConnectionStatus.DECLINED,)):
            last = steps[-1][0] if steps else None
            if last not in (ConnectionStatus.ATTENDED, ConnectionStatus.DID_NOT_ATTEND):
                steps.append((ConnectionStatus.ENDED, age, False))
        first = ConnectionStatus.REFERRED if refer else ConnectionStatus.SUGGESTED
        status = steps[-1][0] if steps else first
        answered = next(
            (
                made + datetime.timedelta(days=days)
                for to, days, provider in steps
                if provider and to in (ConnectionStatus.ACCEPTED, ConnectionStatus.DECLINED)
            ),
            None,
        )
        self.connections.add(
            id=pk,
            case_id=case,
            practice_id=practice,
            service_id=service,
            kind=ConnectionKind.REFERRED if refer else ConnectionKind.SIGNPOSTED,
            need=reasons[0] if reasons else "other",
            why="Fits what matters to the person.",
            share_contact_details=bool(refer),
            status=status,
            provider_reason="Full until the spring" if status == ConnectionStatus.DECLINED else "",
            created_by_id=by,
            created_at=made,
            referred_at=made if refer else None,
            answered_at=answered,
        )
        self.counts["connections"] += 1
        before = ""
        for to, days, provider in [(first, 0, False), *steps]:
            self.connection_history.add(
                id=self._id(ConnectionStatusChange),
                connection_id=pk,
                from_status=before,
                to_status=to,
                by_id=None if provider or to == ConnectionStatus.NO_RESPONSE else by,
                by_provider=provider,
                at=min(made + datetime.timedelta(days=days), now),
                note="",
            )
            before = to
