"""Time the referral pages at demo size and at national size, beside their SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/spl_bench \
        .venv/bin/python bench/referral_pages.py [--size 1m] [--rounds 30] [--explain 3]

Needs PostgreSQL. The database in DATABASE_URL only names two others, which the
script makes and keeps: `<name>_demo` (spl_bench_demo), migrated and seeded with
the demo data, and `<name>_<size>` (spl_bench_1m), a copy of it (CREATE DATABASE
... TEMPLATE) with `manage.py generate_synthetic` on top (the referrals, then the
caseloads): --size referrals (default 1m, a million; "small" is 5,000, for CI)
in one PCN per 800 referrals (1,250 for a million), then VACUUM ANALYZE. The
generation is timed. The next run reuses both, migrated first, so a new index
is measured without generating again; --fresh makes them anew.

Then each page is requested, as the user shown, with Django's test client
under production settings (DEBUG off, manifest static files): 3 warm-up
requests, then --rounds timed ones (default 30), at each size. For each it
prints the median and 95th percentile wall time, the SQL queries per request,
and the floor: the request's slowest SELECT run again directly with a cursor
(median of --rounds runs), the least the page could take without changing that
query. --explain N prints EXPLAIN (ANALYZE, BUFFERS) of that query for the N
slowest pages at the larger size; --show-sql prints every query of one request.
Run it on a quiet machine; figures go in docs/benchmarks.md with the date,
machine and load.
"""

import argparse
import io
import logging
import math
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spl.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-" + "x" * 30)
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ["DEBUG"] = "false"  # as in production, whatever the shell says

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from referrals.models import Referral, Status  # noqa: E402
from spl.models import Practice, User  # noqa: E402

WARM_UP = 3
REFERRALS_PER_PCN = 800  # 1,250 PCNs for a million referrals a year
SMALL = 5_000
LINK_WORKER = "linkworker@example.org"
GP = "gp@example.org"
MANAGER = "manager@example.org"
ADMIN = "admin@example.org"
PAGE_SIZE = 25  # of the triage list (referrals.views.referral_list)
# (label, as, URL); {last}, {last_all} and {reference} are found in each database.
PAGES = [
    ("`/` (home)", LINK_WORKER, "/"),
    ("`/referrals/` (awaiting triage, page 1)", LINK_WORKER, "/referrals/"),
    ("`/referrals/?page=<last>`", LINK_WORKER, "/referrals/?page={last}"),
    ("`/referrals/?status=` (all, page 1)", LINK_WORKER, "/referrals/?status="),
    ("`/referrals/?status=&page=<last>`", LINK_WORKER, "/referrals/?status=&page={last_all}"),
    ("`/referrals/<ref>/` (no NHS number)", LINK_WORKER, "/referrals/{reference}/"),
    ("`/referrals/mine/`", GP, "/referrals/mine/"),
    ("`/referrals/coding/`", MANAGER, "/referrals/coding/"),
    ("`/refer/` (self-referral form)", None, "/refer/"),
    ("`/admin/referrals/referral/`", ADMIN, "/admin/referrals/referral/"),
]
WHO = {LINK_WORKER: "link worker", GP: "GP", MANAGER: "practice manager", ADMIN: "administrator"}


def parse_size(text):
    if text == "small":
        return SMALL, "small"
    number = text.lower().replace("_", "").replace(",", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(number[-1:], 1)
    size = int(float(number.rstrip("km")) * scale)
    if size % 1_000_000 == 0:
        return size, f"{size // 1_000_000}m"
    return size, f"{size // 1000}k" if size % 1000 == 0 else str(size)


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="1m", help="referrals: 1m, 100k, 20000 or small")
    parser.add_argument("--rounds", type=int, default=30, help="timed requests per page")
    parser.add_argument("--fresh", action="store_true", help="make both databases anew")
    parser.add_argument("--explain", type=int, default=0, metavar="N",
                        help="EXPLAIN the slowest query of the N slowest pages")  # fmt: skip
    parser.add_argument("--show-sql", action="store_true", help="print each page's queries")
    return parser.parse_args()


# Databases -----------------------------------------------------------------------


def use(name):
    """Point the default connection at another database (as Django's test runner does)."""
    connections.close_all()
    connection.settings_dict["NAME"] = name


def exists(name):
    use("postgres")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def create(name, template=None):
    use("postgres")
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {quote(name)}" + (f" TEMPLATE {quote(template)}"
                       if template else ""))  # fmt: skip


def drop(name):
    use("postgres")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")


def vacuum():
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum soon would: fresh statistics


def prepare(demo_db, big_db, size):
    """Make or reuse both databases; return what happened to the big one."""
    if not exists(demo_db):
        create(demo_db)
    use(demo_db)
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    vacuum()
    demo_referrals = Referral.objects.count()
    if exists(big_db):
        use(big_db)
        call_command("migrate", verbosity=0)
        held = Referral.objects.count() - demo_referrals
        if held != size:
            sys.exit(f"{big_db} holds {held} synthetic referrals, not {size}: use --fresh")
        vacuum()
        return f"reused ({held:,} synthetic referrals)"
    create(big_db, template=demo_db)
    use(big_db)
    pcns = max(2, round(size / REFERRALS_PER_PCN))
    started = time.monotonic()
    # The whole command: the referrals, then the caseloads (caseload.synthetic).
    call_command(
        "generate_synthetic", pcns=pcns, referrals=size, seed=1, stdout=_Indented(sys.stdout)
    )
    generated = time.monotonic() - started
    started = time.monotonic()
    vacuum()
    return (
        f"generated now in {generated:.0f} s, then VACUUM ANALYZE "
        f"{time.monotonic() - started:.0f} s"
    )


class _Indented(io.TextIOBase):
    """A command's output, indented under the line about its database."""

    def __init__(self, out):
        self.out = out

    def write(self, text):
        self.out.write("".join(f"  {line}" for line in text.splitlines(keepends=True)))
        self.out.flush()
        return len(text)


# Timing ----------------------------------------------------------------------------


def fetch(client, url):
    response = client.get(url)
    if response.status_code != 200:
        sys.exit(f"GET {url} answered {response.status_code}, not 200:\n{response.content[:500]}")
    return response


def machine_speed():
    """How fast this machine runs plain Python, to compare figures taken on
    different machines: the same VM size has run twice as slow in one session
    as in another."""
    start = time.perf_counter()
    sum(range(10**8))
    seconds = time.perf_counter() - start
    # PostgreSQL's cache: with the default 128 MB, a large PCN's rows are read
    # from the operating system's cache at every request.
    with connection.cursor() as cursor:
        cursor.execute("SHOW shared_buffers")
        (buffers,) = cursor.fetchone()
    return (
        f"Machine: sum(range(10**8)) in plain Python took {seconds:.2f} s; "
        f"PostgreSQL shared_buffers {buffers}"
    )


def median_and_p95(timings):
    timings = sorted(timings)
    return statistics.median(timings), timings[max(0, math.ceil(len(timings) * 0.95) - 1)]


def floor(sql, rounds):
    """The query run directly: median ms of `rounds` runs, rows fetched."""
    timings = []
    with connection.cursor() as cursor:
        for _ in range(rounds):
            start = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def timed(client, url, rounds, warm_up=WARM_UP):
    """The ms of `rounds` requests after `warm_up` untimed ones."""
    for _ in range(warm_up):
        fetch(client, url)
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        fetch(client, url)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def summary(client, url, timings, rounds, show_sql):
    """The median and 95th percentile of `timings`; the queries of one more
    request, and the floor: its slowest SELECT run `rounds` times directly."""
    # Queries as the page sends them unprepared: a prepared one (spl.prepared)
    # is captured with placeholders ($1), which cannot be run again directly.
    with (
        override_settings(DATABASE_PREPARED_STATEMENTS=False),
        CaptureQueriesContext(connection) as queries,
    ):
        fetch(client, url)
    if show_sql:
        print(url)
        for query in queries.captured_queries:
            print(f"  [{float(query['time']) * 1000:.1f} ms] {query['sql']}")
    # Only a SELECT (or a WITH ... SELECT, as caseload.flags runs) can be run
    # again without changing anything (not the audit INSERT).
    selects = [
        q for q in queries.captured_queries if q["sql"].lstrip().startswith(("SELECT", "WITH"))
    ]
    slowest = max(selects, key=lambda query: float(query["time"]))["sql"] if selects else None
    median, p95 = median_and_p95(timings)
    return {
        "median": median,
        "p95": p95,
        "queries": len(queries),
        "floor": floor(slowest, rounds) if slowest else 0.0,
        "sql": slowest,
    }


def measure(client, url, rounds, show_sql):
    return summary(client, url, timed(client, url, rounds), rounds, show_sql)


def targets():
    """The values that fill in PAGES' URLs in this database, and a description."""
    link_worker = User.objects.get(email=LINK_WORKER)
    visible = Referral.objects.visible_to(link_worker)
    awaiting, everything = visible.filter(status=Status.AWAITING_TRIAGE).count(), visible.count()
    no_number = visible.filter(patient__nhs_number="").order_by("-received_at")
    referral = no_number.filter(status=Status.AWAITING_TRIAGE).first() or no_number.first()
    gp = User.objects.get(email=GP)
    values = {
        "last": max(1, math.ceil(awaiting / PAGE_SIZE)),
        "last_all": max(1, math.ceil(everything / PAGE_SIZE)),
        "reference": referral.reference,
    }
    described = (
        f"{Referral.objects.count():,} referrals, {Practice.objects.count():,} practices; "
        f"the link worker sees {everything:,}, {awaiting:,} awaiting triage; the GP made "
        f"{Referral.objects.filter(referred_by=gp).count():,}; <ref> is {referral.reference} "
        f"({referral.get_status_display().lower()})"
    )
    return values, described


def measure_all(rounds, show_sql):
    values, described = targets()
    results = []
    for _label, email, url in PAGES:
        client = Client()
        if email:
            client.force_login(User.objects.get(email=email))
        results.append(measure(client, url.format(**values), rounds, show_sql))
    return results, described


def explain(sql):
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def main():
    args = arguments()
    if connection.vendor != "postgresql":
        sys.exit(
            f"bench/referral_pages.py needs PostgreSQL, not {connection.vendor}: set "
            "DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/spl_bench"
        )
    size, label = parse_size(args.size)
    base = connection.settings_dict["NAME"]
    demo_db, big_db = f"{base}_demo", f"{base}_{label}"
    started = time.monotonic()
    call_command("collectstatic", interactive=False, verbosity=0)  # as a deployment does
    logging.disable(logging.WARNING)  # seeding logs every record it creates
    if args.fresh:
        drop(big_db)
        drop(demo_db)
    print(f"{big_db}: {prepare(demo_db, big_db, size)}", flush=True)
    logging.disable(logging.NOTSET)

    measured = {}
    for name in (demo_db, big_db):
        use(name)
        measured[name] = measure_all(args.rounds, args.show_sql)
        print(f"{name}: {measured[name][1]}", flush=True)
    load = os.getloadavg()[0]
    print(
        f"\nPostgreSQL {connection.pg_version // 10000}; {args.rounds} requests a page after "
        f"{WARM_UP} warm-up; load average {load:.2f}; {time.monotonic() - started:.0f} s in all\n"
    )
    print(
        f"| page | as | demo median ms | {label} median ms | {label} p95 ms | growth "
        f"| floor ms ({label}) | queries (demo / {label}) |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    demo, big = measured[demo_db][0], measured[big_db][0]
    for (label_, email, _), small_page, big_page in zip(PAGES, demo, big, strict=True):
        print(
            f"| {label_} | {WHO.get(email, 'anonymous')} | {small_page['median']:.1f} "
            f"| {big_page['median']:.1f} | {big_page['p95']:.1f} "
            f"| ×{big_page['median'] / small_page['median']:.1f} | {big_page['floor']:.1f} "
            f"| {small_page['queries']} / {big_page['queries']} |"
        )
    slowest = sorted(zip(PAGES, big, strict=True), key=lambda pair: -pair[1]["median"])
    for (label_, _, _), page in slowest[: args.explain]:
        print(f"\n{label_}: {page['median']:.1f} ms; its slowest query:\n\n{page['sql']}\n")
        print(explain(page["sql"]))


if __name__ == "__main__":
    main()
