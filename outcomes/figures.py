"""The dashboard's figures for a scope of referrals and cases and a period,
each an aggregate in SQL: the number of queries does not depend on the number
of referrals. Every figure is a list of rows that the page shows as a chart
and as a table."""

import statistics
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.db.models import (
    Avg,
    Count,
    F,
    IntegerField,
    Q,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, TruncMonth

from caseload import instruments
from caseload.models import (
    Case,
    CloseReason,
    Connection,
    ConnectionKind,
    ConnectionStatus,
    Contact,
    Plan,
)
from directory.models import QAStatus
from referrals.models import (
    Ethnicity,
    OrganisationType,
    Patient,
    Reason,
    Referral,
    ReferralReason,
    Route,
    Sex,
    Snomed,
    Status,
)

# IIF PC-01: people referred to social prescribing each year, as a share of
# the practice's registered list: the lower and upper thresholds.
IIF_LOWER, IIF_UPPER = 1.2, 1.6


@dataclass
class Figure:
    title: str
    rows: list = field(default_factory=list)  # (label, value) or (label, *values)
    unit: str = ""
    # The counts a figure's rates are worked out from, for the reports'
    # disclosure control (outcomes.suppression): {name: count}.
    counts: dict = field(default_factory=dict)


def dashboard(*, practices, services, period):
    """{name: figure} for the referrals and cases of `practices` (a list,
    already scoped to the user and the practice chosen) and for `services` in
    `period`. The practices are named by their ids: PostgreSQL plans a short
    list of ids far better than the subqueries of visible_to (a large PCN's
    quarter took 0.9 s that way at a million referrals)."""
    ids = [practice.pk for practice in practices]
    cases = Case.objects.filter(practice_id__in=ids)
    start, end = period.bounds
    received = Referral.objects.filter(_received(ids, start, end))
    figures = {}
    counted = _counted(received)
    figures.update(_activity(ids, start, end, counted))
    figures["decisions"] = _decisions(counted)
    figures["waiting"] = _waiting(ids, start, end)
    figures.update(_caseload(cases, ids, start, end))
    figures["iif"] = _iif(received, practices, period)
    figures.update(_reach(received, period))
    figures.update(_wellbeing(cases, start, end))
    figures.update(_vcse(ids, services, start, end))
    figures["unmet"] = _unmet(ids, start, end)
    return figures


def _during(ids, start, end, when):
    """Rows of the practices `ids` (their own `practice`: referrals, cases and
    what carries theirs, decision 17) whose `when` falls in [start, end)."""
    return Q(practice_id__in=ids, **{f"{when}__gte": start, f"{when}__lt": end})


def _received(ids, start, end):
    """The referrals of the practices `ids` received in [start, end) and not
    merged into another."""
    return _during(ids, start, end, "received_at") & ~Q(status=Status.MERGED)


def _counted(received):
    """The period's referrals counted by month, route, referring organisation
    type, status and code together: one read of them, a few hundred rows at
    most, which the activity and decision figures add up each way. Rows are
    counted, not ids, so that the index referral_practice_received, which has
    every column here but the id, is all PostgreSQL reads."""
    return [
        (month.date() if hasattr(month, "date") else month, *rest)
        for month, *rest in received.values_list(
            TruncMonth("received_at"),
            "route",
            "referrer_organisation_type",
            "status",
            "snomed_code",
        )
        .annotate(count=Count("*"))
        .order_by()
    ]


def _activity(ids, start, end, counted):
    by_month, types = {}, Counter()
    for month, route, organisation_type, _, _, count in sorted(counted, key=lambda row: row[0]):
        by_month.setdefault(month, dict.fromkeys(Route.values, 0))[route] += count
        types[organisation_type] += count
    # The reasons by their own practice and time of receipt: one range of the
    # index reason_practice_received per practice, rather than a look-up per
    # referral. The index holds the referral too, so the few merged
    # referrals' reasons are left out from the index alone (a large PCN's year
    # at a million referrals: 20 ms to 4).
    merged = Referral.objects.filter(_during(ids, start, end, "received_at"), status=Status.MERGED)
    reasons = dict(
        ReferralReason.objects.filter(_during(ids, start, end, "received_at"))
        .exclude(referral__in=merged)
        .values_list("reason")
        .annotate(count=Count("*"))
        .order_by()
    )
    return {
        "by_month": Figure(
            "Referrals received by month and route",
            [
                (
                    f"{month:%b %Y}",
                    [
                        *zip(Route.labels, routes.values(), strict=True),
                        ("All", sum(routes.values())),
                    ],
                )
                for month, routes in by_month.items()
            ],
        ),
        "by_reason": Figure(
            "Reasons for referral",
            [(label, reasons[value]) for value, label in Reason.choices if reasons.get(value)],
        ),
        "by_organisation": Figure(
            "Referring organisation",
            [(label, types[value]) for value, label in OrganisationType.choices if types.get(value)]
            + ([("Not given (self-referrals and GPs' own)", types[""])] if types.get("") else []),
        ),
    }


def _decisions(counted):
    total = accepted = declined = not_appropriate = waiting = 0
    for *_, status, code, count in counted:
        total += count
        accepted += count if code == Snomed.REFERRAL_TO_SOCIAL_PRESCRIBING else 0
        declined += count if code == Snomed.SOCIAL_PRESCRIBING_DECLINED else 0
        not_appropriate += count if status == Status.NOT_APPROPRIATE else 0
        waiting += count if status in (Status.AWAITING_TRIAGE, Status.ALLOCATED) else 0

    def share(count):
        return round(100 * count / total, 1) if total else None

    return Figure(
        "What happened to the referrals",
        [
            ("Referrals received", total, None),
            ("The person agreed to support", accepted, share(accepted)),
            ("The person declined", declined, share(declined)),
            ("Not appropriate", not_appropriate, share(not_appropriate)),
            ("Not decided yet", waiting, share(waiting)),
        ],
        unit="%",
    )


def _waiting(ids, start, end):
    """Days from a referral to the first contact with the person: median and
    90th percentile, over the period's referrals whose person was reached.

    Each case carries its referral's time of receipt and its first contact
    (decision 18), so this is one range of the index case_practice_received
    per practice (a merged referral never has a case: merging is a triage
    decision). A first contact dated before the period, so before the
    referral, is not a wait."""
    waits = (
        Case.objects.filter(_during(ids, start, end, "received_at"), first_contact_at__gte=start)
        .values("received_at", "first_contact_at")
        .order_by()
    )
    if connection.vendor == "postgresql":
        try:
            waits_sql, params = waits.query.sql_with_params()
        except EmptyResultSet:  # no practices
            people, median, p90 = 0, None, None
        else:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"""
                    SELECT COUNT(*),
                           percentile_cont(0.5) WITHIN GROUP (ORDER BY days),
                           percentile_cont(0.9) WITHIN GROUP (ORDER BY days)
                    FROM (
                        SELECT EXTRACT(EPOCH FROM first_contact_at - received_at) / 86400 AS days
                        FROM ({waits_sql}) waits
                    ) days
                    """,  # noqa: S608 (the queryset's own SQL, with parameters)
                    params,
                )
                people, median, p90 = cursor.fetchone()
    else:  # SQLite, for development: the same figures worked out here
        days = sorted(
            (first_at - received).total_seconds() / 86400
            for received, first_at in waits.values_list("received_at", "first_contact_at")
        )
        people = len(days)
        median = statistics.median(days) if days else None
        p90 = _percentile(days, 0.9) if days else None
    return Figure(
        "Days from referral to first contact",
        [
            ("People contacted", people),
            ("Median days", None if median is None else round(float(median), 1)),
            ("90th percentile, days", None if p90 is None else round(float(p90), 1)),
        ],
    )


def _percentile(values, fraction):
    """percentile_cont: linear between the closest ranks."""
    position = (len(values) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def _caseload(cases, ids, start, end):
    per_worker = (
        cases.open()
        .values_list("link_worker__full_name")
        .annotate(count=Count("pk"))
        .order_by("-count", "link_worker__full_name")
    )
    # By the contacts' own practice (caseload.models.CaseRecord): one range of
    # the index contact_practice_at per practice, not a probe per case.
    contacts = Contact.objects.filter(_during(ids, start, end, "at")).aggregate(
        contacts=Count("case"), cases=Count("case", distinct=True)
    )
    closed = dict(
        cases.filter(closed_at__gte=start, closed_at__lt=end)
        .values_list("close_reason")
        .annotate(count=Count("pk"))
        .order_by()
    )
    per_case = round(contacts["contacts"] / contacts["cases"], 1) if contacts["cases"] else None
    return {
        "per_worker": Figure(
            "Open cases per link worker (now)",
            [(name or "Waiting list", count) for name, count in per_worker],
        ),
        "contacts": Figure(
            "Contacts in the period",
            [
                ("Contacts", contacts["contacts"]),
                ("People contacted", contacts["cases"]),
                ("Contacts per person", per_case),
            ],
        ),
        "closures": Figure(
            "Cases closed, by reason",
            [(label, closed[value]) for value, label in CloseReason.choices if closed.get(value)],
        ),
    }


def _iif(received, practices, period):
    people = dict(
        received.values_list("practice").annotate(people=Count("patient", distinct=True)).order_by()
    )
    rows = []
    for practice in practices:
        count = people.get(practice.pk, 0)
        share = round(100 * count / practice.list_size, 2)
        rows.append((practice.name, count, practice.list_size, share))
    return Figure("IIF PC-01: people referred as a share of the registered list", rows, unit="%")


# Age bands of the people referred, (label, lowest age, highest age).
AGE_BANDS = [
    ("Under 18", 0, 17), ("18 to 24", 18, 24), ("25 to 34", 25, 34), ("35 to 44", 35, 44),
    ("45 to 54", 45, 54), ("55 to 64", 55, 64), ("65 to 74", 65, 74), ("75 to 84", 75, 84),
    ("85 and over", 85, 200),
]  # fmt: skip


def _years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _reach(received, period):
    """Who was referred: the people of the period's referrals, each once, by
    age at the period's end, sex and ethnicity."""
    on = period.last_day
    band = models.Case(
        *[
            models.When(
                date_of_birth__lte=_years_before(on, low),
                date_of_birth__gt=_years_before(on, high + 1),
                then=models.Value(low),
            )
            for _, low, high in AGE_BANDS
        ],
        output_field=IntegerField(),
    )
    # One read of the people: counted by band, sex and ethnicity together (at
    # most a few hundred rows), then added up each way here. `pk__in` the
    # referrals' patient ids counts each person once and reads each once (the
    # people joined to the referrals, made distinct and read again took 80 ms
    # for a large PCN's year at a million referrals; this takes 45).
    ages, sexes, ethnicities = Counter(), Counter(), Counter()
    for age, sex, ethnicity, count in (
        Patient.objects.filter(pk__in=received.values("patient_id"))
        .values_list(band, "sex", "ethnicity")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        ages[age] += count
        sexes[sex] += count
        ethnicities[ethnicity] += count
    return {
        "ages": Figure(
            "Age of the people referred",
            [(label, ages[low]) for label, low, _ in AGE_BANDS]
            + ([("Not known", ages[None])] if ages[None] else []),
        ),
        "sexes": Figure(
            "Sex of the people referred",
            [(label, sexes[value]) for value, label in Sex.choices if sexes.get(value)]
            + ([("Not recorded", sexes[""])] if sexes.get("") else []),
        ),
        "ethnicities": Figure(
            "Ethnicity of the people referred",
            [
                (label, ethnicities[value])
                for value, label in Ethnicity.choices
                if ethnicities.get(value)
            ]
            + ([("Not recorded", ethnicities[""])] if ethnicities.get("") else []),
        ),
    }


def _wellbeing(cases, start, end):
    """People whose support ended in the period with a baseline and a
    discharge measure: SWEMWBS change and ONS4 items before and after. The
    cases carry their baseline and discharge measures (decision 19), so this
    reads the period's closed cases from the index case_practice_closed alone."""
    ended = cases.filter(closed_at__gte=start, closed_at__lt=end).annotate(
        change=F("swemwbs_discharge") - F("swemwbs_baseline")
    )
    items = instruments.INSTRUMENTS[instruments.ONS4].items
    when = {"before": "baseline", "after": "discharge"}
    paired = Q(swemwbs_baseline__isnull=False, swemwbs_discharge__isnull=False)
    ons4_paired = Q(ons4_baseline__isnull=False, ons4_discharge__isnull=False)
    found = ended.aggregate(
        people=Count("pk", filter=paired),
        mean_before=Avg("swemwbs_baseline", filter=paired),
        mean_after=Avg("swemwbs_discharge", filter=paired),
        mean_change=Avg("change", filter=paired),
        improved=Count("pk", filter=paired & Q(change__gte=instruments.MEANINGFUL_SWEMWBS_CHANGE)),
        ons4_people=Count("pk", filter=ons4_paired),
        **{
            f"mean_{item.key}_{name}": Avg(
                Cast(KeyTextTransform(item.key, f"ons4_{timepoint}"), IntegerField()),
                filter=ons4_paired,
            )
            for item in items
            for name, timepoint in when.items()
        },
    )
    people = found["people"]

    def number(value):
        return None if value is None else round(float(value), 2)

    return {
        "swemwbs": Figure(
            "SWEMWBS: people with a baseline and a discharge measure",
            [
                ("People", people),
                ("Mean score at baseline", number(found["mean_before"])),
                ("Mean score at discharge", number(found["mean_after"])),
                ("Mean change", number(found["mean_change"])),
                ("Improved by 3 points or more", found["improved"]),
                (
                    "Share meaningfully improved, %",
                    round(100 * found["improved"] / people, 1) if people else None,
                ),
            ],
        ),
        "ons4": Figure(
            f"ONS4: mean answers before and after ({found['ons4_people']} people)",
            [
                (
                    item.short,
                    number(found[f"mean_{item.key}_before"]),
                    number(found[f"mean_{item.key}_after"]),
                )
                for item in items
            ],
        ),
    }


def _vcse(ids, services, start, end):
    """Connections made in the period, in one read: counted by need,
    organisation, kind and status together, then added up each way."""
    made = Connection.objects.filter(_during(ids, start, end, "created_at"))
    by_need, by_organisation, referred = Counter(), Counter(), Counter()
    for need, organisation, kind, status, count in (
        made.values_list("need", "service__organisation__name", "kind", "status")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        by_need[need] += count
        by_organisation[organisation] += count
        if kind == ConnectionKind.REFERRED:
            referred[status] += count
    answered = sum(
        referred[status]
        for status in (
            ConnectionStatus.ACCEPTED,
            ConnectionStatus.DECLINED,
            ConnectionStatus.ATTENDED,
            ConnectionStatus.DID_NOT_ATTEND,
        )
    )
    went_or_not = referred[ConnectionStatus.ATTENDED] + referred[ConnectionStatus.DID_NOT_ATTEND]
    rates = {
        "referred": sum(referred.values()),
        "answered": answered,
        "accepted": answered - referred[ConnectionStatus.DECLINED],
        "attended": referred[ConnectionStatus.ATTENDED],
        "went_or_not": went_or_not,
    }
    capacity = services.with_qa_status().aggregate(
        full=Count("pk", filter=Q(accepting_referrals=False) | Q(available_places=0)),
        lapsed=Count("pk", filter=Q(qa_status=QAStatus.LAPSED)),
    )

    def share(part, whole):
        return round(100 * part / whole, 1) if whole else None

    return {
        "connections_by_need": Figure(
            "Connections to services, by need",
            [(label, by_need[value]) for value, label in Reason.choices if by_need.get(value)],
        ),
        "connections_by_organisation": Figure(
            "Connections, by organisation (the ten most)",
            sorted(by_organisation.items(), key=lambda row: (-row[1], row[0]))[:10],
        ),
        "providers": Figure(
            "Referrals to services and their answers",
            [
                ("Referred", rates["referred"]),
                ("Accepted by the provider, %", share(rates["accepted"], rates["answered"])),
                (
                    "Attended, of those who went or did not, %",
                    share(rates["attended"], rates["went_or_not"]),
                ),
                ("Services at or over capacity now", capacity["full"]),
                ("Services with lapsed quality checks now", capacity["lapsed"]),
            ],
            counts=rates,
        ),
    }


def _unmet(ids, start, end):
    """Needs in plans agreed in the period for which no connection was made:
    a plan counts once for each need it names that its case has no connection
    for."""
    planned = Plan.objects.filter(_during(ids, start, end, "agreed_at"))
    if connection.vendor == "postgresql":
        # Each need a plan names, counted where its case has no connection for
        # it (the index connection_case_need): one pass over the plans, which
        # plan_practice_agreed holds with their needs. A filtered count and a
        # subquery per need took 40 ms for a large PCN's year at a million
        # referrals, 14 of them in building the query. The needs are a list of
        # values, not the plans' own arrays unnested, which PostgreSQL guesses
        # at 100 rows a plan and so reads every connection in the country.
        try:
            plans_sql, params = (
                planned.values("case_id", "needs").order_by().query.sql_with_params()
            )
        except EmptyResultSet:  # no practices
            unmet = {}
        else:
            made = connection.ops.quote_name(Connection._meta.db_table)
            needs = ", ".join(["(%s)"] * len(Reason.values))
            with connection.cursor() as cursor:
                cursor.execute(
                    f"""
                    SELECT named.need, COUNT(*)
                    FROM ({plans_sql}) plan
                    JOIN (VALUES {needs}) named (need) ON plan.needs ? named.need
                    WHERE NOT EXISTS (
                        SELECT 1 FROM {made} made
                        WHERE made.case_id = plan.case_id AND made.need = named.need
                    )
                    GROUP BY named.need
                    """,  # noqa: S608 (the queryset's own SQL, with parameters)
                    [*params, *Reason.values],
                )
                unmet = dict(cursor.fetchall())
    else:  # SQLite (no JSON containment), for development: worked out here
        needs, met = {}, {}
        for plan, named, connected in planned.values_list(
            "pk", "needs", "case__connections__need"
        ).order_by():
            needs[plan] = named
            met.setdefault(plan, set()).add(connected)
        unmet = Counter(
            need for plan, named in needs.items() for need in set(named) if need not in met[plan]
        )
    return Figure(
        "Needs in plans with no connection made",
        [(label, unmet[value]) for value, label in Reason.choices if unmet.get(value)],
    )
