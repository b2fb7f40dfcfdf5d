"""Reporting periods: a month, an NHS quarter (April to June is Q1), an NHS
year (April to March) or dates chosen, each as [start, end) dates."""

import datetime
from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class Period:
    start: datetime.date  # the first day
    end: datetime.date  # the day after the last
    label: str

    @property
    def bounds(self):
        """(start, end) as aware datetimes at midnight, for filtering times."""
        return tuple(
            timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
            for day in (self.start, self.end)
        )

    @property
    def last_day(self):
        return self.end - datetime.timedelta(days=1)


def month(year, number):
    start = datetime.date(year, number, 1)
    end = datetime.date(year + number // 12, number % 12 + 1, 1)
    return Period(start, end, f"{start:%B %Y}")


def nhs_year_of(day):
    """The NHS year a day falls in, by the year it starts."""
    return day.year if day.month >= 4 else day.year - 1


def quarter(year, number):
    """Quarter `number` (1 to 4) of the NHS year starting in April `year`."""
    first_month = 4 + 3 * (number - 1)
    start = datetime.date(year + (first_month - 1) // 12, (first_month - 1) % 12 + 1, 1)
    after = first_month + 3
    end = datetime.date(year + (after - 1) // 12, (after - 1) % 12 + 1, 1)
    return Period(
        start,
        end,
        f"Q{number} {year}/{(year + 1) % 100:02d} ({start:%b} to "
        f"{end - datetime.timedelta(days=1):%b %Y})",
    )


def nhs_year(year):
    return Period(
        datetime.date(year, 4, 1), datetime.date(year + 1, 4, 1), f"{year}/{(year + 1) % 100:02d}"
    )


def custom(first_day, last_day):
    return Period(
        first_day,
        last_day + datetime.timedelta(days=1),
        f"{first_day:%-d %B %Y} to {last_day:%-d %B %Y}",
    )


def quarter_of(day):
    year = nhs_year_of(day)
    return quarter(year, (day.month - 4) % 12 // 3 + 1)


def choices(today):
    """The periods offered, newest first, grouped: (group, [(value, label)])."""
    year = nhs_year_of(today)
    months, day = [], today.replace(day=1)
    for _ in range(12):
        months.append((f"m{day:%Y-%m}", month(day.year, day.month).label))
        day = (day - datetime.timedelta(days=1)).replace(day=1)
    quarters, current = [], quarter_of(today)
    for _ in range(8):
        number = int(current.label[1])
        start_year = nhs_year_of(current.start)
        quarters.append((f"q{start_year}-{number}", current.label))
        current = quarter_of(current.start - datetime.timedelta(days=1))
    years = [(f"y{y}", nhs_year(y).label) for y in range(year, year - 3, -1)]
    return [
        ("Months", months),
        ("NHS quarters", quarters),
        ("NHS years", years),
        ("Dates", [("custom", "Dates you choose")]),
    ]


def parse(value):
    """The Period a choice's value names, or None."""
    try:
        if value.startswith("m"):
            year, number = map(int, value[1:].split("-"))
            return month(year, number)
        if value.startswith("q"):
            year, number = map(int, value[1:].split("-"))
            return quarter(year, number) if 1 <= number <= 4 else None
        if value.startswith("y"):
            return nhs_year(int(value[1:]))
    except ValueError:
        return None
    return None
