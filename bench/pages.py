"""Time the main pages in-process with Django's test client.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/spl_bench .venv/bin/python bench/pages.py

Uses the database in DATABASE_URL (migrated and seeded with the demo data, then
PRACTICES extra practices), logs in as a demo user and requests each page
REPEATS times after a warm-up. Prints median and 95th percentile wall time and
the number of SQL queries per request. Run it on a quiet machine; figures go in
docs/benchmarks.md with the date, machine and database.
"""

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

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from spl.models import PCN, Practice, User  # noqa: E402

REPEATS = int(os.environ.get("REPEATS", "200"))
PRACTICES = int(os.environ.get("PRACTICES", "500"))
PAGES = [
    ("linkworker@example.org", "/"),
    ("linkworker@example.org", "/practices/"),
    ("linkworker@example.org", "/practices/?page=10"),
    ("manager@example.org", "/practices/{practice}/"),
    ("manager@example.org", "/practices/{practice}/edit/"),
    (None, "/accounts/login/"),
    (None, "/health/"),
]


def prepare():
    call_command("collectstatic", interactive=False, verbosity=0)  # as a deployment does
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    pcn = PCN.objects.get(ods_code="U00001")
    missing = PRACTICES - Practice.objects.filter(ods_code__startswith="B").count()
    Practice.objects.bulk_create(
        Practice(name=f"Bench Surgery {n}", ods_code=f"B{n:05d}", pcn=pcn, list_size=5000 + n)
        for n in range(PRACTICES - missing, PRACTICES)
    )


def measure(client, url):
    for _ in range(10):
        assert client.get(url).status_code == 200, url
    timings = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], len(queries)


def main():
    prepare()
    practice = Practice.objects.get(ods_code="Y00011").pk
    count = Practice.objects.count()
    print(f"database: {connection.vendor}; {count} practices; {REPEATS} requests a page")
    print(f"{'page':<34} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for email, url in PAGES:
        client = Client()
        if email:
            client.force_login(User.objects.get(email=email))
        url = url.format(practice=practice)
        median, p95, queries = measure(client, url)
        print(f"{url:<34} {median:>10.1f} {p95:>8.1f} {queries:>8}")


if __name__ == "__main__":
    main()
