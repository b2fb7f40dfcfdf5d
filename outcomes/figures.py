"""The dashboard's figures for a scope of referrals and cases and a period,
each an aggregate in SQL: the number of queries does not depend on the number
of referrals. Every figure is a list of rows that the page shows as a chart
and as a table."""

import statistics
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, F, Func, Min, Q
from django.db.models.functions import TruncMonth

from caseload.models import CloseReason, Contact
from referrals.models import (
    OrganisationType,
    Reason,
    ReferralReason,
    Route,
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


def dashboard(*, referrals, cases, practices, period):
    """{name: figure} for `referrals` and `cases` (querysets already scoped to
    the user and the practice chosen) in `period`."""
    start, end = period.bounds
    received = referrals.filter(received_at__gte=start, received_at__lt=end).exclude(
        status=Status.MERGED
    )
    figures = {}
    figures.update(_activity(received))
    figures.update(_decisions(received))
    figures["waiting"] = _waiting(cases.filter(referral__in=received))
    figures.update(_caseload(cases, start, end))
    figures["iif"] = _iif(received, practices, period)
    return figures


def _activity(received):
    by_month, months = {}, []
    for row in (
        received.values(month=TruncMonth("received_at"), route_code=F("route"))
        .annotate(count=Count("pk"))
        .order_by("month")
    ):
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        if month not in by_month:
            by_month[month] = dict.fromkeys(Route.values, 0)
            months.append(month)
        by_month[month][row["route_code"]] = row["count"]
    reasons = dict(
        ReferralReason.objects.filter(referral__in=received)
        .values_list("reason")
        .annotate(count=Count("pk"))
        .order_by()
    )
    types = dict(
        received.values_list("referrer_organisation_type").annotate(count=Count("pk")).order_by()
    )
    return {
        "by_month": Figure(
            "Referrals received by month and route",
            [
                (
                    f"{month:%b %Y}",
                    [
                        *zip(Route.labels, by_month[month].values(), strict=True),
                        ("All", sum(by_month[month].values())),
                    ],
                )
                for month in months
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


def _decisions(received):
    counts = received.aggregate(
        total=Count("pk"),
        accepted=Count("pk", filter=Q(snomed_code=Snomed.REFERRAL_TO_SOCIAL_PRESCRIBING)),
        declined=Count("pk", filter=Q(snomed_code=Snomed.SOCIAL_PRESCRIBING_DECLINED)),
        not_appropriate=Count("pk", filter=Q(status=Status.NOT_APPROPRIATE)),
        waiting=Count("pk", filter=Q(status__in=[Status.AWAITING_TRIAGE, Status.ALLOCATED])),
    )
    total = counts["total"]

    def share(count):
        return round(100 * count / total, 1) if total else None

    return {
        "decisions": Figure(
            "What happened to the referrals",
            [
                ("Referrals received", total, None),
                ("The person agreed to support", counts["accepted"], share(counts["accepted"])),
                ("The person declined", counts["declined"], share(counts["declined"])),
                ("Not appropriate", counts["not_appropriate"], share(counts["not_appropriate"])),
                ("Not decided yet", counts["waiting"], share(counts["waiting"])),
            ],
            unit="%",
        )
    }


class _Percentile(Func):
    """PostgreSQL's percentile_cont over days (an ordered-set aggregate)."""

    contains_aggregate = True
    template = "percentile_cont(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"


def _waiting(cases):
    """Days from a referral to the first contact with the person: median and
    90th percentile, over the cases of the period's referrals reached."""
    first = cases.annotate(first_at=Min("contacts__at")).filter(first_at__isnull=False)
    if connection.vendor == "postgresql":
        days = Func(
            F("first_at") - F("referral__received_at"),
            function="EXTRACT",
            template="EXTRACT(EPOCH FROM %(expressions)s) / 86400",
        )
        row = first.aggregate(
            people=Count("pk"),
            median=_Percentile(days, fraction=0.5),
            p90=_Percentile(days, fraction=0.9),
        )
        median, p90, people = row["median"], row["p90"], row["people"]
    else:  # SQLite, for development: the same figures worked out here
        waits = sorted(
            (first_at - received).total_seconds() / 86400
            for first_at, received in first.values_list("first_at", "referral__received_at")
        )
        people = len(waits)
        median = statistics.median(waits) if waits else None
        p90 = _percentile(waits, 0.9) if waits else None
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


def _caseload(cases, start, end):
    per_worker = (
        cases.open()
        .values_list("link_worker__full_name")
        .annotate(count=Count("pk"))
        .order_by("-count", "link_worker__full_name")
    )
    contacts = Contact.objects.filter(case__in=cases, at__gte=start, at__lt=end).aggregate(
        contacts=Count("pk"), cases=Count("case", distinct=True)
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
