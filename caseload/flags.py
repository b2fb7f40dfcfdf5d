"""What a caseload row says and is filtered by, worked out from the contacts,
plans and dates at each request, never stored (so never stale). What the flags
need of a case's contacts (the latest, those that did not reach the person,
whether any did) the case carries, as the contacts are added (decision 21).

`of(cases)` gives, for every case of a queryset, the longest open first, in
one query:

- `no_recent_contact`: open, and nothing recorded for NO_CONTACT_DAYS
  (counted from the opening while there is no contact yet);
- `unable_to_contact`: still contacting after ATTEMPTS_BEFORE_CLOSING
  attempts, so closing is offered;
- `resume_overdue`: on hold past the date it was to resume;
- `safeguarding`: a safeguarding concern is open, and
  `safeguarding_follow_up`: one's follow-up date has come;
- `awaiting_reply`: referred back to a clinician who has not replied;
- `review_due`: the agreed plan's review date has come (`plan_review_on`);
- `goals_overdue`: a goal or an action of the latest agreed plan is past its
  date and not done;
- `provider_no_response`: a service referred to has not answered in
  PROVIDER_NO_RESPONSE_DAYS (caseload.connections);
- `baseline_due`: the link worker has spoken with the person and no baseline
  wellbeing measure is recorded.

The query is SQL written here rather than built with the ORM: as fifteen
annotated subqueries, Django took 12 ms to build it for a caseload of 250
before PostgreSQL ran it in 13 ms, and PostgreSQL ran the subqueries that a
flag and a column share twice. Here each case's latest agreed plan is found
once, and the flags worked out from it and from what the case carries
(docs/benchmarks.md, issue 12). The cases themselves still come from a
queryset, so scoping stays where it is everywhere else. The SQL runs on
PostgreSQL and SQLite alike.
"""

import datetime

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.utils import timezone

from caseload.models import (
    ATTEMPTS_BEFORE_CLOSING,
    NO_CONTACT_DAYS,
    OPEN_CASE_STATUSES,
    Case,
    CaseStatus,
    Connection,
    ConnectionStatus,
    Goal,
    GoalStatus,
    Plan,
    PlanAction,
    ReferBack,
    SafeguardingConcern,
    Timepoint,
    WellbeingMeasure,
)
from spl.sql import table_names

# What is due on a caseload, by the flag that says it: the one list that the
# caseload's Today and the daily digest both show.
DUE = {
    "follow_ups": "safeguarding_follow_up",
    "reviews": "review_due",
    "goals": "goals_overdue",
    "to_resume": "resume_overdue",
    "unreached": "unable_to_contact",
    "no_contact": "no_recent_contact",
    "no_response": "provider_no_response",
    "baselines": "baseline_due",
}

FLAGS = (*Case.ROW_FLAGS, "safeguarding_follow_up")
CASE_COLUMNS = (
    "id", "status", "opened_at", "resume_on", "link_worker_id", "practice_id",
    "last_contact_at", "unreached_contacts", "spoken_with",
)  # fmt: skip

# {cases}: the cases' own SELECT (CASE_COLUMNS); the other names are tables.
# Values are %s parameters, in the order of `_params`.
SQL = """
WITH held AS ({cases}),
agreed AS (
    -- Joined to the cases held below, which PostgreSQL then looks up one by one
    -- (no IN (held) here: that scanned the held cases again for every plan).
    SELECT plan.case_id, plan.id, plan.review_on FROM {plan} plan
    WHERE plan.number = (
        SELECT MAX(later.number) FROM {plan} later WHERE later.case_id = plan.case_id
    )
),
facts AS (
    SELECT held.id, held.link_worker_id, held.practice_id, held.status, held.opened_at,
           held.resume_on,
           held.last_contact_at,
           held.unreached_contacts AS attempts,
           held.spoken_with AS spoke,
           agreed.review_on AS plan_review_on,
           EXISTS (
               SELECT 1 FROM {goal} goal WHERE goal.plan_id = agreed.id
               AND goal.status IN (%s, %s) AND goal.by_when < %s
           ) OR EXISTS (
               SELECT 1 FROM {action} action WHERE action.plan_id = agreed.id
               AND NOT action.done AND action.by_when < %s
           ) AS goals_overdue,
           EXISTS (
               SELECT 1 FROM {concern} concern
               WHERE concern.case_id = held.id AND concern.closed_at IS NULL
           ) AS safeguarding,
           EXISTS (
               SELECT 1 FROM {concern} concern
               WHERE concern.case_id = held.id AND concern.closed_at IS NULL
               AND concern.follow_up_on <= %s
           ) AS safeguarding_follow_up,
           EXISTS (
               SELECT 1 FROM {refer_back} refer_back
               WHERE refer_back.case_id = held.id AND refer_back.acknowledged_at IS NULL
           ) AS awaiting_reply,
           EXISTS (
               SELECT 1 FROM {connection} connection
               WHERE connection.case_id = held.id AND connection.status = %s
           ) AS provider_no_response,
           EXISTS (
               SELECT 1 FROM {measure} measure
               WHERE measure.case_id = held.id AND measure.timepoint = %s
           ) AS has_baseline
    FROM held
    LEFT JOIN agreed ON agreed.case_id = held.id
)
SELECT id, link_worker_id, practice_id, status,
       safeguarding, safeguarding_follow_up, awaiting_reply, goals_overdue,
       provider_no_response,
       status IN (%s, %s, %s)
           AND COALESCE(last_contact_at, opened_at) < %s AS no_recent_contact,
       status = %s AND attempts >= %s AS unable_to_contact,
       status = %s AND resume_on < %s AS resume_overdue,
       status IN (%s, %s, %s) AND plan_review_on <= %s AS review_due,
       status IN (%s, %s, %s) AND spoke AND NOT has_baseline AS baseline_due
FROM facts
-- No moment is returned: psycopg reads a timestamp through Django's loader, in
-- Python, at 5 microseconds each (500 were 2.5 ms of a caseload page).
ORDER BY opened_at, id
"""


def of(cases, today=None):
    """{case id: {"link_worker_id", "practice_id", "status", and each flag}} for
    every case of the queryset `cases`, the longest open first."""
    today = today or timezone.localdate()
    since = timezone.now() - datetime.timedelta(days=NO_CONTACT_DAYS)
    selected = cases.order_by().values(*CASE_COLUMNS)
    try:
        cases_sql, cases_params = selected.query.sql_with_params()
    except EmptyResultSet:  # none(), or pk__in of no rows
        return {}
    tables = table_names(
        plan=Plan, goal=Goal, action=PlanAction, concern=SafeguardingConcern,
        refer_back=ReferBack, connection=Connection, measure=WellbeingMeasure,
    )  # fmt: skip
    sql = SQL.format(cases=cases_sql, **tables)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*cases_params, *_params(today, since)])
        names = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
    # Each row by the names of the SQL's last SELECT, the case's id apart.
    return {row[0]: _converted(dict(zip(names[1:], row[1:], strict=True))) for row in rows}


def _params(today, since):
    day = connection.ops.adapt_datefield_value(today)
    moment = connection.ops.adapt_datetimefield_value(since)
    return [
        GoalStatus.NOT_STARTED, GoalStatus.IN_PROGRESS, day, day,
        day,
        ConnectionStatus.NO_RESPONSE,
        Timepoint.BASELINE,
        *OPEN_CASE_STATUSES, moment,
        CaseStatus.CONTACTING, ATTEMPTS_BEFORE_CLOSING,
        CaseStatus.ON_HOLD, day,
        *OPEN_CASE_STATUSES, day,
        *OPEN_CASE_STATUSES,
    ]  # fmt: skip


def _converted(row):
    """PostgreSQL gives booleans; SQLite gives 0 or 1 (or None where a
    comparison met a NULL)."""
    for flag in FLAGS:
        row[flag] = bool(row[flag])
    return row


def due_in(flags):
    """DUE counted over rows of `of()` (the caseload's Today)."""
    return {name: sum(1 for row in flags.values() if row[flag]) for name, flag in DUE.items()}
