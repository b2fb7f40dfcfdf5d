"""Time the VCSE directory, its pages and its public ORUK API, with many services.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/spl_bench_dir \
        .venv/bin/python bench/directory.py

Uses the PostgreSQL database in DATABASE_URL (it refuses SQLite): migrates it,
seeds the demo data, then tops the directory up to SERVICES active services
(default 5000) across ORGANISATIONS bench organisations (default 500) in the
demo PCNs. Each bench service has one to three taxonomy terms, a location, a
schedule and a contact, with a mix of ages, capacity and quality assurance.
The bench rows have fixed ids, so running again creates nothing new, and a
smaller SERVICES removes the bench services above it. Then VACUUM ANALYZE, as
autovacuum would do soon after such a load.

Then it requests each URL REPEATS times (default 200) after 10 warm-up
requests, anonymously for the API and as the demo link worker for the pages,
and prints median and 95th percentile wall time and the SQL queries per
request as a markdown table. Every response must be a 200. SHOW_SQL=1 also
prints each request's SQL. Run it on a quiet machine; figures go in
docs/benchmarks.md with the date, machine and database.
"""

import datetime
import logging
import os
import random
import re
import statistics
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spl.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-" + "x" * 30)
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from directory import taxonomy  # noqa: E402
from directory.models import (  # noqa: E402
    Contact,
    Location,
    Organisation,
    QualityCheck,
    Schedule,
    Service,
    ServiceAtLocation,
)
from spl.models import PCN, User  # noqa: E402

REPEATS = int(os.environ.get("REPEATS", "200"))
SERVICES = int(os.environ.get("SERVICES", "5000"))
ORGANISATIONS = int(os.environ.get("ORGANISATIONS", "500"))
SHOW_SQL = os.environ.get("SHOW_SQL", "") not in ("", "0")
WARM_UP = 10
LINK_WORKER = "linkworker@example.org"
NEED = "finance"  # the need searched for by term id (API) and code (pages)
REQUESTS = [
    # (label for the table, who, URL)
    ("`GET /api/oruk/services` (first page of 50)", None, "/api/oruk/services"),
    ("`GET /api/oruk/services?page=50`", None, "/api/oruk/services?page=50"),
    ("`GET /api/oruk/services?search=advice`", None, "/api/oruk/services?search=advice"),
    (
        f"`GET /api/oruk/services?taxonomy_term_id=<{NEED}>`",
        None,
        "/api/oruk/services?taxonomy_term_id={need_id}",
    ),
    ("`GET /api/oruk/services/<id>`", None, "/api/oruk/services/{service}"),
    ("`/directory/` (first page of 20)", LINK_WORKER, "/directory/"),
    ("`/directory/?q=walking`", LINK_WORKER, "/directory/?q=walking"),
    (
        f"`/directory/?need={NEED}&accepting=on`",
        LINK_WORKER,
        f"/directory/?need={NEED}&accepting=on",
    ),
    ("`/directory/?page=100`", LINK_WORKER, "/directory/?page=100"),
    ("`/directory/services/<id>/`", LINK_WORKER, "/directory/services/{service}/"),
]

# Bench data ------------------------------------------------------------------

NAMESPACE = uuid.UUID("5b0e9a52-3c1d-4f7e-a8d6-2e4b9c7f1a03")
BENCH_DOMAIN = ".bench.example.org"  # the bench organisations' websites end with it
AREAS = [
    ("Armley", "LS12"), ("Beeston", "LS11"), ("Bramley", "LS13"), ("Chapeltown", "LS7"),
    ("Cross Gates", "LS15"), ("Garforth", "LS25"), ("Harehills", "LS8"), ("Headingley", "LS6"),
    ("Holbeck", "LS11"), ("Horsforth", "LS18"), ("Hunslet", "LS10"), ("Kirkstall", "LS5"),
    ("Moortown", "LS17"), ("Morley", "LS27"), ("Pudsey", "LS28"), ("Roundhay", "LS8"),
    ("Seacroft", "LS14"), ("Chapel Allerton", "LS7"), ("Meanwood", "LS6"), ("Burley", "LS4"),
    ("Richmond Hill", "LS9"), ("Woodhouse", "LS2"), ("City Centre", "LS1"),
    ("Stanningley", "LS28"), ("Gipton", "LS9"),
]  # fmt: skip
KINDS = [
    "Community Trust", "Advice Centre", "Wellbeing Network", "Arts Collective", "Walking Club",
    "Carers' Group", "Food Bank", "Men's Shed", "Befriending Scheme", "Garden Project",
    "Community Association", "Women's Centre", "Youth and Family Project", "Tenants' Association",
    "Peer Support Network", "Sports Club", "Learning Centre", "Volunteer Centre",
    "Lunch Club", "Counselling Service",
]  # fmt: skip
# (name, description, needs, activities): each service takes one need and up to
# two activities of its kind, so one to three terms.
KINDS_OF_SERVICE = [
    ("Walking group", "A friendly led walk at an easy pace on flat paths, then a cuppa.",
     ("physical_activity", "loneliness"), ("physical_activity", "social_groups")),
    ("Walking football", "Football without running, for every fitness level.",
     ("physical_activity", "weight"), ("physical_activity", "social_groups")),
    ("Debt and benefits advice", "One-to-one advice on debts, benefit claims and budgeting.",
     ("finance",), ("advice",)),
    ("Housing advice drop-in", "Advice on repairs, rent arrears and eviction notices.",
     ("housing", "finance"), ("advice",)),
    ("Telephone befriending", "A weekly friendly phone call from a trained volunteer.",
     ("loneliness",), ("befriending",)),
    ("Community garden sessions", "Grow fruit and vegetables with others; tools provided.",
     ("mental_wellbeing", "physical_activity"), ("gardening", "volunteering")),
    ("Carers' support group", "Meet other carers, with information and a break.",
     ("carer", "loneliness"), ("peer_support", "advice")),
    ("Bereavement café", "Tea and a chat with others who have lost someone.",
     ("bereavement",), ("peer_support", "talking_therapy")),
    ("Arts for wellbeing", "Painting, printmaking and clay in a small group.",
     ("mental_wellbeing",), ("arts",)),
    ("Chair-based exercise", "Seated exercise to music for strength and balance.",
     ("physical_activity", "long_term_condition"), ("physical_activity",)),
    ("Healthy eating group", "Cooking on a budget and eating well, with a weekly weigh-in.",
     ("weight",), ("learning", "peer_support")),
    ("Employment support", "Help with CVs, applications and interviews.",
     ("employment",), ("advice", "learning")),
    ("Lunch club", "A hot two-course lunch and good company.",
     ("loneliness",), ("social_groups",)),
    ("Listening service", "Time with a trained listener, in person or by phone.",
     ("mental_wellbeing", "bereavement"), ("talking_therapy",)),
    ("Peer support for long-term pain", "Share ways of living well with a long-term condition.",
     ("long_term_condition",), ("peer_support",)),
    ("Volunteering opportunities", "Find a volunteering role that suits you.",
     ("employment", "loneliness"), ("volunteering",)),
    ("Food pantry", "A members' pantry that makes the weekly shop go further.",
     ("finance",), ("social_groups",)),
    ("Singing for better breathing", "Breathing exercises and songs for lung conditions.",
     ("long_term_condition",), ("arts", "peer_support")),
]  # fmt: skip
SCHEDULES = [
    ("MO,TU,WE,TH,FR", "09:30", "16:30", ""), ("TU,TH", "10:00", "12:00", ""),
    ("WE", "10:30", "11:30", "Meet at the park gates"), ("FR", "12:00", "14:00", ""),
    ("MO", "13:30", "15:00", "Term time only"), ("SA", "10:00", "13:00", ""),
    ("TH", "18:00", "19:30", "12-week course"),
]  # fmt: skip
AGES = [(18, None), (18, None), (None, None), (50, None), (60, None), (16, 25), (0, 18), (18, 65)]


def _id(*parts):
    return uuid.uuid5(NAMESPACE, "/".join(str(part) for part in parts))


def _organisation_index(n, organisations):
    """Every organisation gets a service first; after that a few run many."""
    if n < organisations:
        return n
    share = random.Random(n).random() ** 2  # noqa: S311 - benchmark data, not secrets
    return int(share * organisations)


def _organisation_rows(n, pcns, today, manager):
    """Bench organisation `n`, its location and its quality checks."""
    rng = random.Random(f"organisation/{n}")  # noqa: S311
    area, district = AREAS[n % len(AREAS)]
    name = f"{area} {KINDS[(n // len(AREAS)) % len(KINDS)]}"
    if n >= len(AREAS) * len(KINDS):
        name += f" {n // (len(AREAS) * len(KINDS)) + 1}"
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    # QA: half assured, then expiring within 30 days, lapsed and not assured.
    state = rng.choices(["assured", "expiring", "lapsed", "none"], [50, 15, 15, 20])[0]
    until = {
        "assured": today + datetime.timedelta(days=rng.randint(31, 330)),
        "expiring": today + datetime.timedelta(days=rng.randint(1, 30)),
        "lapsed": today - datetime.timedelta(days=rng.randint(1, 200)),
        "none": None,
    }[state]
    kinds = list(QualityCheck.Kind)
    if until is None:  # some kinds checked, never all of them
        kinds = kinds[: rng.randint(0, len(kinds) - 1)]
    checks = []
    for position, kind in enumerate(kinds):
        # The earliest expiry sets assured_until; the rest run on further.
        expires_on = (until or today) + datetime.timedelta(
            days=0 if position == 0 else rng.randint(1, 120)
        )
        checked_on = min(expires_on - datetime.timedelta(days=365), today)
        checks.append((kind, checked_on, expires_on))
    organisation = Organisation(
        id=_id("organisation", n),
        pcn=pcns[n % len(pcns)],
        name=name,
        description=f"A {KINDS[(n // len(AREAS)) % len(KINDS)].lower()} in {area}, Leeds.",
        email=f"hello@{slug}{BENCH_DOMAIN}",
        website=f"https://{slug}{BENCH_DOMAIN}/",
        charity_number=str(1_150_000 + n) if rng.random() < 0.7 else "",
        assured_until=until if len(checks) == len(QualityCheck.Kind) else None,
        assured_on=max((c[1] for c in checks), default=None),
        assurer=manager if checks else None,
    )
    location = Location(
        id=_id("location", n),
        address_id=_id("address", n),
        organisation=organisation,
        name=f"{area} Community Centre",
        address_1=f"{1 + n % 120} {area} Road",
        city="Leeds",
        postcode=f"{district} {1 + n % 9}{'ABDEFGHJLNPQRSTUWXYZ'[n % 20]}{'ABDEFGHJLN'[n % 10]}",
        latitude=Decimal("53.800000") + Decimal(n % 97) / 1000,
        longitude=Decimal("-1.550000") + Decimal(n % 89) / 1000,
        accessibility="Step-free access and an accessible toilet" if n % 3 else "",
    )
    quality_checks = [
        QualityCheck(
            organisation=organisation,
            kind=kind,
            checked_by=manager,
            checked_on=checked_on,
            expires_on=expires_on,
            evidence="Seen by the directory manager",
        )
        for kind, checked_on, expires_on in checks
    ]
    return organisation, location, quality_checks


def _service_rows(n, organisation_n, now):
    """Bench service `n` of organisation `organisation_n`, and what it has."""
    rng = random.Random(f"service/{n}")  # noqa: S311
    name, description, needs, activities = KINDS_OF_SERVICE[n % len(KINDS_OF_SERVICE)]
    area = AREAS[organisation_n % len(AREAS)][0]
    terms = [taxonomy.term_id(taxonomy.NEEDS, rng.choice(needs))] + [
        taxonomy.term_id(taxonomy.ACTIVITIES, code)
        for code in rng.sample(activities, rng.randint(0, len(activities)))
    ]
    minimum_age, maximum_age = rng.choice(AGES)
    direct = rng.random() < 0.3
    places = rng.random() < 0.25
    maximum = rng.randint(8, 40) if places else None
    waiting = rng.choice([None, None, 0, 1, 2, 4, 8, 12])
    service = Service(
        id=_id("service", n),
        organisation_id=_id("organisation", organisation_n),
        name=f"{name}, {area}",
        description=description,
        email=f"service{n}@bench.example.org",
        eligibility="Adults living in Leeds" if minimum_age == 18 else "",
        minimum_age=minimum_age,
        maximum_age=maximum_age,
        fees=rng.choice(["", "", "", "£2 a session", "£3.50 for lunch"]),
        access=Service.Access.DIRECT_REFERRAL if direct else Service.Access.SIGNPOSTING,
        referral_email=f"referrals{n}@bench.example.org" if direct else "",
        accepting_referrals=rng.random() < 0.85,
        waiting_time_weeks=waiting,
        available_places=rng.randint(0, maximum) if places else None,
        maximum_places=maximum,
        capacity_updated_at=now - datetime.timedelta(days=rng.randint(0, 90))
        if places or waiting is not None
        else None,
    )
    days, opens, closes, when = rng.choice(SCHEDULES)
    children = [
        ServiceAtLocation(
            id=_id("service_at_location", n),
            service=service,
            location_id=_id("location", organisation_n),
        ),
        Schedule(
            id=_id("schedule", n),
            service=service,
            byday=days,
            description=when,
            opens_at=datetime.time.fromisoformat(opens),
            closes_at=datetime.time.fromisoformat(closes),
        ),
        Contact(
            id=_id("contact", n),
            phone_id=_id("phone", n),
            service=service,
            title="Enquiries",
            email=f"hello{n}@bench.example.org",
            phone=f"0113 496 0{n % 900 + 100:03d}",  # Ofcom's drama numbers
        ),
    ]
    tagged = [
        Service.taxonomy_terms.through(service_id=service.id, taxonomyterm_id=term)
        for term in terms
    ]
    return service, children, tagged


@transaction.atomic
def top_up():
    """Bring the directory to SERVICES active services; return how many were added
    and how many removed."""
    bench = Service.objects.filter(organisation__website__endswith=BENCH_DOMAIN + "/")
    demo_active = Service.objects.active().exclude(pk__in=bench.values("pk")).count()
    wanted = max(0, SERVICES - demo_active)
    wanted_ids = {_id("service", n): n for n in range(wanted)}
    # A smaller SERVICES than last time: remove the bench services above it.
    removed = bench.exclude(pk__in=list(wanted_ids)).delete()[1].get("directory.Service", 0)

    today, now = timezone.localdate(), timezone.now()
    manager = User.objects.get(email="directory@example.org")
    pcns = list(PCN.objects.filter(ods_code__in=["U00001", "U00002"]).order_by("ods_code"))
    have = set(
        Organisation.objects.filter(
            pk__in=[_id("organisation", n) for n in range(ORGANISATIONS)]
        ).values_list("pk", flat=True)
    )
    organisations, locations, checks = [], [], []
    for n in range(ORGANISATIONS):
        if _id("organisation", n) not in have:
            organisation, location, quality_checks = _organisation_rows(n, pcns, today, manager)
            organisations.append(organisation)
            locations.append(location)
            checks += quality_checks
    Organisation.objects.bulk_create(organisations, ignore_conflicts=True)
    Location.objects.bulk_create(locations, ignore_conflicts=True)
    QualityCheck.objects.bulk_create(checks)

    have = set(Service.objects.filter(pk__in=list(wanted_ids)).values_list("pk", flat=True))
    services, children, tagged = [], {}, []
    for n in sorted(n for pk, n in wanted_ids.items() if pk not in have):
        service, its_children, its_terms = _service_rows(
            n, _organisation_index(n, ORGANISATIONS), now
        )
        services.append(service)
        for child in its_children:
            children.setdefault(type(child), []).append(child)
        tagged += its_terms
    Service.objects.bulk_create(services, batch_size=1000, ignore_conflicts=True)
    for model, rows in children.items():
        model.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    Service.taxonomy_terms.through.objects.bulk_create(
        tagged, batch_size=1000, ignore_conflicts=True
    )
    return len(services), removed


def prepare():
    if connection.vendor != "postgresql":
        sys.exit(
            f"bench/directory.py needs PostgreSQL, not {connection.vendor}: set DATABASE_URL "
            "to a scratch database, e.g. postgres://postgres@127.0.0.1:5432/spl_bench_dir"
        )
    logging.disable(logging.WARNING)  # seeding logs every record it creates
    call_command("collectstatic", interactive=False, verbosity=0)  # as a deployment does
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    added, removed = top_up()
    logging.disable(logging.NOTSET)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum soon would: fresh statistics
    return added, removed


# Timing ----------------------------------------------------------------------


def fetch(client, url):
    response = client.get(url)
    if response.status_code != 200:
        sys.exit(f"GET {url} answered {response.status_code}, not 200:\n{response.content[:500]}")
    return response


def describe(response):
    """What the response found, to check the benchmark measures real results."""
    if response["Content-Type"].startswith("application/json"):
        data = response.json()
        if "total_items" in data:
            return f"{data['total_items']} services, {data['size']} on this page"
        return f"service {data['name']!r}"
    found = re.search(rb'id="results">([0-9]+) service', response.content)
    return f"{found.group(1).decode()} services" if found else "a service page"


def measure(client, url):
    for _ in range(WARM_UP):
        fetch(client, url)
    timings = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fetch(client, url)
        timings.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response = fetch(client, url)
    if SHOW_SQL:
        for query in queries.captured_queries:
            print(f"  [{query['time']}s] {query['sql']}")
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    return statistics.median(timings), p95, len(queries), describe(response)


def main():
    added, removed = prepare()
    active = Service.objects.active().count()
    organisations = Organisation.objects.count()
    need_id = taxonomy.term_id(taxonomy.NEEDS, NEED)
    service = Service.objects.active().filter(pk=_id("service", 0)).first()
    service = service or Service.objects.active().order_by("name", "id").first()
    print(
        f"database: {connection.vendor} {connection.pg_version // 10000}; {active} active "
        f"services ({added} added, {removed} removed now) in {organisations} organisations; "
        f"{REPEATS} requests each after {WARM_UP} warm-up"
    )
    rows, found = [], []
    for label, email, url in REQUESTS:
        client = Client()
        if email:
            client.force_login(User.objects.get(email=email))
        url = url.format(need_id=need_id, service=service.pk)
        if SHOW_SQL:
            print(url)
        median, p95, queries, what = measure(client, url)
        rows.append(
            f"| {label} | {'link worker' if email else 'anonymous'} "
            f"| {median:.1f} | {p95:.1f} | {queries} |"
        )
        found.append(f"  {url}: {what}")
    print()
    print("| request | as | median ms | p95 ms | SQL queries |")
    print("| --- | --- | ---: | ---: | ---: |")
    print("\n".join(rows))
    print()
    print("What each request found:")
    print("\n".join(found))


if __name__ == "__main__":
    main()
