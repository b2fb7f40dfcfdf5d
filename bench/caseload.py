"""Time the caseload pages at 10,000 and at a million referrals, beside their SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/spl_bench \
        .venv/bin/python bench/caseload.py [--sizes 10k,1m] [--rounds 30]

Needs PostgreSQL. Uses the databases of bench/referral_pages.py (its
`prepare`): `<name>_demo`, and `<name>_10k` and `<name>_1m` made from it by
`manage.py generate_synthetic`, which gives every accepted referral its case,
contacts, plan and connections (caseload/synthetic.py), so that the demo link
worker holds 250 open cases at both sizes. Reused when they exist; made (and
timed) when not.

Each page is requested as the user shown with Django's test client under
production settings, the two sizes taking turns: --block timed requests at one
size (after 7 warm-up ones on a new connection), then at the other, until each
has made --rounds. This machine's speed drifts by a third over minutes, and
turns put the drift on both sizes alike, so the growth is the page's, not the
machine's. For each it prints the median and 95th percentile, the queries per
request, and the floor: the request's slowest SELECT run again directly
(median of --rounds runs).
"""

import argparse
import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# referral_pages sets Django up, as every bench script does.
import referral_pages as base
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test import Client

from caseload.models import Case, CaseStatus
from spl.models import User

LINK_WORKER = "linkworker@example.org"
SUPERVISOR = "supervisor@example.org"
PAGES = [
    ("`/caseload/` (page 1 of the open cases)", LINK_WORKER, "/caseload/"),
    ("`/caseload/?page=<last>`", LINK_WORKER, "/caseload/?page={last}"),
    ("`/caseload/?flag=no_recent_contact`", LINK_WORKER, "/caseload/?flag=no_recent_contact"),
    ("`/caseload/team/`", SUPERVISOR, "/caseload/team/"),
    ("`/caseload/waiting/`", LINK_WORKER, "/caseload/waiting/"),
    ("`/caseload/cases/<id>/` (the busiest case)", LINK_WORKER, "/caseload/cases/{case}/"),
]
WHO = {LINK_WORKER: "link worker", SUPERVISOR: "supervisor"}
PROCESS_WARM_UP = 10  # requests of every page at each size before any is timed
# Each turn opens a new connection, where a server's is kept open
# (DATABASE_CONN_MAX_AGE). The case page's queries are prepared the second time
# a connection runs them and PostgreSQL plans them once for all after five runs
# (spl/prepared.py), so the first seven requests of a turn are not timed.
CONNECTION_WARM_UP = 7


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10k,1m", help="two sizes: the first is the base")
    parser.add_argument("--rounds", type=int, default=30, help="timed requests per page")
    parser.add_argument("--block", type=int, default=10, help="requests at a size per turn")
    return parser.parse_args()


def targets():
    worker = User.objects.get(email=LINK_WORKER)
    held = Case.objects.filter(link_worker=worker).open()
    # The link worker's open case with the most on it: contacts and connections.
    busiest = (
        held.exclude(status=CaseStatus.CONTACTING)
        .annotate(things=Count("contacts", distinct=True) + Count("connections", distinct=True))
        .order_by("-things", "pk")
        .first()
    )
    count = held.count()
    values = {"last": max(1, -(-count // 25)), "case": busiest.pk}
    described = (
        f"{Case.objects.count():,} cases, {Case.objects.open().count():,} open; the link worker "
        f"holds {count:,} open cases; the busiest has {busiest.contacts.count()} contacts and "
        f"{busiest.connections.count()} connections"
    )
    return values, described


def measure_all(databases, rounds, block):
    """{database: [each page's summary]}, the databases taking turns."""
    values = {}
    for name in databases:
        base.use(name)
        values[name], described = targets()
        print(f"{name}: {described}", flush=True)
    # A server's process has served many requests before the ones that count:
    # Python specialises the code it runs often, and the first page timed by a
    # fresh process took 8 ms longer than the same page timed after it.
    for name in databases:
        base.use(name)
        for _label, email, url in PAGES:
            base.timed(logged_in(email), url.format(**values[name]), PROCESS_WARM_UP)
    results = {name: [] for name in databases}
    block = min(block, rounds)
    for _label, email, url in PAGES:
        timings = {name: [] for name in databases}
        while len(timings[databases[0]]) < rounds:
            for name in databases:
                base.use(name)
                client = logged_in(email)
                timings[name] += base.timed(
                    client, url.format(**values[name]), block, CONNECTION_WARM_UP
                )
        for name in databases:
            base.use(name)
            page = url.format(**values[name])
            results[name].append(
                base.summary(logged_in(email), page, timings[name][:rounds], rounds, False)
            )
    return results


def logged_in(email):
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def main():
    args = arguments()
    if connection.vendor != "postgresql":
        sys.exit("bench/caseload.py needs PostgreSQL: set DATABASE_URL")
    sizes = [base.parse_size(text) for text in args.sizes.split(",")]
    name = connection.settings_dict["NAME"]
    demo_db = f"{name}_demo"
    started = time.monotonic()
    call_command("collectstatic", interactive=False, verbosity=0)
    logging.disable(logging.WARNING)
    for size, label in sizes:
        print(f"{name}_{label}: {base.prepare(demo_db, f'{name}_{label}', size)}", flush=True)
    logging.disable(logging.NOTSET)
    names = [f"{name}_{label}" for _size, label in sizes]
    results = measure_all(names, args.rounds, args.block)
    measured = [results[name] for name in names]
    (_, small), (_, big) = sizes
    print(
        f"\nPostgreSQL {connection.pg_version // 10000}; {args.rounds} requests a page at each "
        f"size, in turns of {args.block} after {CONNECTION_WARM_UP} warm-up; load average "
        f"{os.getloadavg()[0]:.2f}; {time.monotonic() - started:.0f} s in all. "
        f"{base.machine_speed()}\n"
    )
    print(
        f"| page | as | {small} median ms | {big} median ms | {big} p95 ms | growth "
        f"| floor ms ({big}) | ×floor | queries ({small} / {big}) |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for (label, email, _), one, other in zip(PAGES, *measured, strict=True):
        print(
            f"| {label} | {WHO[email]} | {one['median']:.1f} | {other['median']:.1f} "
            f"| {other['p95']:.1f} | ×{other['median'] / one['median']:.2f} "
            f"| {other['floor']:.1f} | ×{other['median'] / max(other['floor'], 0.01):.0f} "
            f"| {one['queries']} / {other['queries']} |"
        )


if __name__ == "__main__":
    main()
