"""The query string of the public ORUK API: reading parameters, filtering and
paging (docs/decisions/0007-oruk-api.md).

Readers take `request.GET` and return a clean value or raise BadParameter with
a message a developer can act on, which the view answers with a 400. Every
parameter is read before the database is asked anything. Parameters nobody
reads are ignored.
"""

import datetime
import json
import math
import re
import uuid
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.db.models import Q
from django.utils import timezone

from directory.models import Service, search_words

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 500
# Page numbers stay within a 32-bit integer, which every client can read.
MAX_PAGE = 2**31 - 1
MAX_AGE = 120
MAX_SEARCH_WORDS = 10

_DIGITS = re.compile(r"[0-9]{1,10}")
# "+01:00" in a query string arrives as " 01:00" when the client did not encode "+".
_UNENCODED_PLUS = re.compile(r"(T[0-9:.]+) ([0-9]{2}:?[0-9]{2})$")


class BadParameter(Exception):
    pass


# Reading --------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    number: int
    per_page: int


def page(query):
    return Page(
        number=_whole_number(query, "page", 1, 1, MAX_PAGE),
        per_page=_whole_number(query, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE),
    )


def boolean(query, name):
    value = query.get(name, "").strip().lower()
    if value in ("", "false", "0"):
        return False
    if value in ("true", "1"):
        return True
    raise BadParameter(f"{name} must be true or false")


def identifier(query, name):
    """A UUID, or None when the parameter is absent or empty."""
    value = query.get(name, "").strip()
    if not value:
        return None
    found = path_identifier(value)
    if found is None:
        raise BadParameter(f"{name} must be a UUID, like 3f7b145d-84af-42d7-8fae-eaca714b02b2")
    return found


def path_identifier(value):
    """The UUID in a URL path, or None if it is not one (nothing has that id)."""
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def age(query, name):
    if not query.get(name, "").strip():
        return None
    return _whole_number(query, name, None, 0, MAX_AGE)


def modified_after(query):
    """An aware datetime: a date means its start, a time without an offset UK time."""
    value = query.get("modified_after", "").strip()
    if not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(_UNENCODED_PLUS.sub(r"\1+\2", value))
    except ValueError:
        raise BadParameter(
            "modified_after must be an ISO 8601 date or date-time, "
            "like 2026-01-31 or 2026-01-31T09:30:00Z"
        ) from None
    moment = timezone.make_aware(moment) if timezone.is_naive(moment) else moment
    # The database compares in UTC, and the first and last hours of the calendar
    # in some offsets fall outside it ("0001-01-01T00:00:00+01:00").
    try:
        return moment.astimezone(datetime.UTC)
    except OverflowError:
        raise BadParameter(
            "modified_after must be a moment from 0001-01-01 to 9999-12-31 in UTC"
        ) from None


def output_format(query):
    value = query.get("format", "").strip().lower() or "json"
    if value not in ("json", "ndjson"):
        raise BadParameter("format must be json or ndjson")
    return value


def search(query):
    """`search`, as typed. PostgreSQL cannot compare text with a NUL in it."""
    value = query.get("search", "")
    if "\x00" in value:
        raise BadParameter("search must not contain NUL characters")
    return value


def _whole_number(query, name, default, lowest, highest):
    value = query.get(name, "").strip()
    if not value:
        return default
    if not _DIGITS.fullmatch(value) or not lowest <= int(value) <= highest:
        raise BadParameter(f"{name} must be a whole number from {lowest} to {highest}")
    return int(value)


# Filtering ------------------------------------------------------------------


def searched(rows, query, *fields):
    """`search` on organisations and taxonomies: rows with every word of it in
    one of the fields, in any case. (Services are found as /directory/ finds
    them: Service.objects.matching.)"""
    for word in search(query).split()[:MAX_SEARCH_WORDS]:
        rows = rows.filter(reduce(or_, (Q(**{f"{field}__icontains": word}) for field in fields)))
    return rows


def filtered_services(rows, query, *, via=""):
    """Services (or, with `via="service__"`, rows that belong to one) that meet
    the service filters in the query. `search` finds services by the same rule
    as /directory/ (Service.objects.matching), in the lists' own order.

    The ages describe the people a service is sought for: a service matches if
    it takes anyone from minimum_age to maximum_age (the ranges overlap), and a
    service without an age limit takes everyone.
    """
    given = [name for name in ("postcode", "proximity") if query.get(name, "").strip()]
    if given:
        raise BadParameter(
            f"{' and '.join(given)} {'is' if len(given) == 1 else 'are'} not supported: "
            "this directory cannot locate postcodes or measure distances"
        )
    term, taxonomy = identifier(query, "taxonomy_term_id"), identifier(query, "taxonomy_id")
    organisation, since = identifier(query, "organization_id"), modified_after(query)
    youngest, oldest = age(query, "minimum_age"), age(query, "maximum_age")
    if youngest is not None and oldest is not None and youngest > oldest:
        raise BadParameter("minimum_age must not be more than maximum_age")

    tagged = Service.taxonomy_terms.through.objects
    conditions = []
    if term:
        services = tagged.filter(taxonomyterm_id=term).values("service_id")
        conditions.append(Q(**{f"{via}pk__in": services}))
    if taxonomy:
        services = tagged.filter(taxonomyterm__taxonomy_id=taxonomy).values("service_id")
        conditions.append(Q(**{f"{via}pk__in": services}))
    if organisation:
        conditions.append(Q(**{f"{via}organisation_id": organisation}))
    if since:
        conditions.append(Q(**{f"{via}last_modified__gte": since}))
    if youngest is not None:
        no_limit = Q(**{f"{via}maximum_age__isnull": True})
        conditions.append(no_limit | Q(**{f"{via}maximum_age__gte": youngest}))
    if oldest is not None:
        no_limit = Q(**{f"{via}minimum_age__isnull": True})
        conditions.append(no_limit | Q(**{f"{via}minimum_age__lte": oldest}))
    if search_words(text := search(query)):
        conditions.append(Q(**{f"{via}pk__in": Service.objects.matching(text).values("pk")}))
    return rows.filter(reduce(and_, conditions)) if conditions else rows


def filtered_terms(rows, query):
    """Taxonomy terms: `taxonomy_id`, `parent_id`, and `top_only` for terms
    without a parent."""
    taxonomy, parent = identifier(query, "taxonomy_id"), identifier(query, "parent_id")
    if taxonomy:
        rows = rows.filter(taxonomy_id=taxonomy)
    if parent:
        rows = rows.filter(parent_id=parent)
    if boolean(query, "top_only"):
        rows = rows.filter(parent__isnull=True)
    return searched(rows, query, "name", "description")


# Paging ---------------------------------------------------------------------


def page_of(rows, page, serialise):
    """One page in the HSDS shape; a page past the last is empty, not an error."""
    total = rows.count()
    start = (page.number - 1) * page.per_page
    contents = []
    if start < total:
        contents = [serialise(row) for row in rows[start : start + page.per_page]]
    total_pages = math.ceil(total / page.per_page)
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page.number,
        "size": len(contents),
        "first_page": page.number == 1,
        "last_page": page.number >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def ndjson_lines(rows, serialise):
    """Every row, one JSON object a line, fetched in chunks."""
    for row in rows.iterator(chunk_size=200):
        yield json.dumps(serialise(row), separators=(",", ":")) + "\n"
