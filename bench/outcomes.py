"""Time the outcomes dashboard and the quarterly report at 10,000 and a million
referrals.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/spl_bench \
        .venv/bin/python bench/outcomes.py [--sizes 10k,1m] [--rounds 20] [--sample 20]

Needs PostgreSQL. Uses the databases of bench/referral_pages.py (`prepare`),
made by `manage.py generate_synthetic` with caseloads, connections and
wellbeing measures. For each size it prints:

- the dashboard for the last whole NHS quarter and for the NHS year so far,
  as a supervisor of the demo's large Riverside PCN, of the largest synthetic
  PCN and of one of about the average size: median and 95th percentile of
  --rounds requests after 3 warm-up, and the queries;
- the Riverside PCN's quarterly report (PDF and CSV): the seconds to make it,
  then, made again with tracemalloc on (which slows Python), the peak of
  Python's memory while making it, and the process's peak resident memory;
- at the larger size, --sample PCNs' quarterly reports made by 2 worker
  processes at once (as 2 Celery workers would, one task per PCN), and from
  that how long all the PCNs would take.
"""

import argparse
import concurrent.futures
import logging
import os
import random
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# referral_pages sets Django up, as every bench script does.
import referral_pages as base
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection, connections
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outcomes import periods, reports
from outcomes.models import ReportRun
from referrals.models import Referral
from referrals.synthetic import UNUSABLE_PASSWORD
from spl import roles
from spl.models import PCN, Membership, User

SUPERVISOR = "supervisor@example.org"


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10k,1m", help="two sizes: the first is the base")
    parser.add_argument("--rounds", type=int, default=20, help="timed requests per page")
    parser.add_argument("--sample", type=int, default=20, help="PCNs' reports made at once")
    return parser.parse_args()


def supervisor_of(pcn):
    """A supervisor of `pcn`, made in the bench database if missing."""
    email = f"bench.supervisor.{pcn.ods_code.lower()}@synthetic.example.org"
    user = User.objects.filter(email__iexact=email).first() or User.objects.create(
        email=email, full_name="Bench Supervisor", password=UNUSABLE_PASSWORD
    )
    Membership.objects.get_or_create(user=user, pcn=pcn)
    user.groups.add(Group.objects.get(name=roles.ROLES[roles.SUPERVISOR].name))
    return user, Referral.objects.filter(practice__pcn=pcn).count()


def typical_supervisor():
    """A supervisor of a synthetic PCN of about the average size (800 referrals
    a year at a million)."""
    return supervisor_of(
        PCN.objects.filter(ods_code="U50001").first() or PCN.objects.get(ods_code="U00002")
    )


def largest_synthetic_supervisor():
    """A supervisor of the synthetic PCN with the most referrals: the largest
    PCN of the national data (the demo's large PCN aside)."""
    largest = (
        Referral.objects.exclude(practice__pcn__ods_code="U00001")
        .values("practice__pcn")
        .annotate(count=Count("pk"))
        .order_by("-count")
        .first()
    )
    return supervisor_of(PCN.objects.get(pk=largest["practice__pcn"]))


def dashboard(rounds, user):
    client = Client()
    client.force_login(user)
    today = timezone.localdate()
    last_quarter = reports.period_for(ReportRun.Kind.QUARTERLY, today)
    year = periods.nhs_year_of(today)
    results = {}
    for label, query in (
        ("PCN, last whole quarter", f"?period=q{periods.nhs_year_of(last_quarter.start)}-"
                                    f"{last_quarter.label[1]}"),
        ("PCN, NHS year so far", f"?period=y{year}"),
    ):  # fmt: skip
        url = f"/outcomes/dashboard/{query}"
        for _ in range(3):
            base.fetch(client, url)
        timings = []
        for _ in range(rounds):
            start = time.perf_counter()
            base.fetch(client, url)
            timings.append((time.perf_counter() - start) * 1000)
        with CaptureQueriesContext(connection) as queries:
            base.fetch(client, url)
        median, p95 = base.median_and_p95(timings)
        results[label] = (median, p95, len(queries))
    return results


def quarterly_report():
    """Make the large PCN's last quarterly report afresh, twice: timed, then
    with tracemalloc on, which makes Python about twice as slow, for the peak
    of its memory: (seconds, Python peak MB, PDF KB)."""
    period = reports.period_for(ReportRun.Kind.QUARTERLY, timezone.localdate())
    pcn = PCN.objects.get(ods_code="U00001")

    def make():
        ReportRun.objects.filter(kind="quarterly", pcn=pcn, period_start=period.start).delete()
        run = reports.ensure(kind="quarterly", period=period, pcn=pcn)
        reports.generate(run.pk)
        return run

    start = time.perf_counter()
    make()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    run = make()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    run.refresh_from_db()
    return seconds, peak / 2**20, len(bytes(run.pdf)) / 1024


def _make(run_id):
    connections.close_all()  # each process its own connection
    start = time.perf_counter()
    reports.generate(run_id)
    return time.perf_counter() - start


def fan_out(sample):
    """`sample` PCNs' quarterly reports by 2 processes: (wall s, mean s, PCNs)."""
    period = reports.period_for(ReportRun.Kind.QUARTERLY, timezone.localdate())
    pcns = list(PCN.objects.order_by("pk"))
    chosen = random.Random(1).sample(pcns, min(sample, len(pcns)))  # noqa: S311
    ReportRun.objects.filter(kind="quarterly", period_start=period.start, pcn__in=chosen).delete()
    runs = [reports.ensure(kind="quarterly", period=period, pcn=pcn).pk for pcn in chosen]
    connections.close_all()
    start = time.perf_counter()
    with concurrent.futures.ProcessPoolExecutor(2) as pool:
        each = list(pool.map(_make, runs))
    return time.perf_counter() - start, statistics.mean(each), len(pcns)


def main():
    args = arguments()
    if connection.vendor != "postgresql":
        sys.exit("bench/outcomes.py needs PostgreSQL: set DATABASE_URL")
    sizes = [base.parse_size(text) for text in args.sizes.split(",")]
    name = connection.settings_dict["NAME"]
    demo_db = f"{name}_demo"
    call_command("collectstatic", interactive=False, verbosity=0)
    logging.disable(logging.WARNING)
    for size, label in sizes:
        print(f"{name}_{label}: {base.prepare(demo_db, f'{name}_{label}', size)}", flush=True)
    for index, (_, label) in enumerate(sizes):
        base.use(f"{name}_{label}")
        print(f"\n{name}_{label}:")
        typical, referrals = typical_supervisor()
        largest, most = largest_synthetic_supervisor()
        large = Referral.objects.filter(practice__pcn__ods_code="U00001").count()
        for who, user in (
            (
                f"the demo's large PCN ({large:,} referrals)",
                User.objects.get(email=SUPERVISOR),
            ),
            (f"the largest synthetic PCN ({most:,} referrals)", largest),
            (f"a typical PCN ({referrals:,} referrals)", typical),
        ):
            for what, (median, p95, queries) in dashboard(args.rounds, user).items():
                print(f"  dashboard, {who}, {what}: median {median:.1f} ms, p95 {p95:.1f} ms, "
                      f"{queries} queries")  # fmt: skip
        seconds, peak, size_kb = quarterly_report()
        print(f"  quarterly report (Riverside): {seconds:.2f} s, Python peak {peak:.0f} MB, "
              f"PDF {size_kb:.0f} KB")  # fmt: skip
        if index == len(sizes) - 1:
            wall, mean, total = fan_out(args.sample)
            print(f"  {args.sample} PCNs' quarterly reports by 2 processes: {wall:.1f} s "
                  f"({mean:.2f} s each); all {total:,} PCNs: about "
                  f"{wall / args.sample * total / 60:.0f} minutes")  # fmt: skip
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nPeak resident memory of this process: {rss:.0f} MB; load {os.getloadavg()[0]:.2f}")
    print(base.machine_speed())


if __name__ == "__main__":
    main()
