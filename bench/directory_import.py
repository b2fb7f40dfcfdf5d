"""Time bulk imports into the directory: a CSV file and an ORUK feed of ROWS services.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/spl_bench_import \
        .venv/bin/python bench/directory_import.py

Uses the PostgreSQL database in DATABASE_URL (it refuses SQLite): migrates it
and seeds the demo data, then imports a generated CSV file of ROWS services
(default 1000) over ROWS / 5 organisations into the demo's first PCN, each row
with a place, a phone number and a need, as the demo directory manager. It
imports the same file again (nothing changes), then does the same with an Open
Referral UK feed of ROWS services, each with an organisation, a place, a
schedule and a contact. Prints the wall time and SQL queries of each import.
Everything it imports is rolled back at the end, so it can run again on the
same database (and after bench/directory.py, as `make bench` runs it).

PLAIN=1 imports without the importer's record cache and checks, as plain
Django would (bench/plain_import.py), for the comparison in docs/benchmarks.md.
"""

import io
import json
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spl.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-" + "x" * 30)

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from directory.importing import import_file  # noqa: E402
from directory.importing.csv_file import NAMES  # noqa: E402
from spl.models import PCN, User  # noqa: E402

ROWS = int(os.environ.get("ROWS", "1000"))
NAMESPACE = uuid.UUID("0b9f7a52-3f0e-4f4c-9a59-2f4f3c0d1e77")


def csv_bytes():
    import csv

    out = io.StringIO()
    writer = csv.DictWriter(out, NAMES)
    writer.writeheader()
    for number in range(ROWS):
        writer.writerow({
            "service_name": f"Bench service {number}",
            "service_description": "Weekly group for adults",
            "organisation_name": f"Bench organisation {number % (ROWS // 5 or 1)}",
            "organisation_description": "A Leeds charity",
            "needs": "loneliness", "activities": "social_groups",
            "location_name": "Community hall", "address_1": f"{number} High Street",
            "city": "Leeds", "postcode": "LS1 4AP", "phone": "0113 496 0000",
        })  # fmt: skip
    return out.getvalue().encode()


def oruk_bytes():
    def uid(*parts):
        return str(uuid.uuid5(NAMESPACE, "/".join(map(str, parts))))

    contents = []
    for number in range(ROWS):
        organisation = number % (ROWS // 5 or 1)
        contents.append({
            "id": uid("service", number), "name": f"Feed service {number}",
            "description": "Advice drop-in", "status": "active",
            "organization": {"id": uid("organisation", organisation),
                             "name": f"Feed organisation {organisation}",
                             "description": "An advice charity"},
            "schedules": [{"id": uid("schedule", number), "byday": "MO,WE",
                           "opens_at": "10:00:00", "closes_at": "12:00:00"}],
            "contacts": [{"id": uid("contact", number), "name": "Reception"}],
            "service_at_locations": [{"id": uid("at", number), "location": {
                "id": uid("location", number), "name": "Advice centre",
                "addresses": [{"id": uid("address", number), "address_1": f"{number} Town St",
                               "city": "Leeds", "postal_code": "LS12 1UB"}]}}],
        })  # fmt: skip
    return json.dumps({"contents": contents}).encode()


def timed(label, data, pcn, by):
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        start = time.perf_counter()
        report = import_file(io.BytesIO(data), pcn=pcn, by=by)
        seconds = time.perf_counter() - start
    counts = report.counts()
    assert report.imported, report.rejected[:3] or report.errors
    print(
        f"| {label} | {ROWS} | {seconds:.1f} | {queries / ROWS:.1f} "
        f"| {counts['created']} | {counts['unchanged']} |"
    )


def main():
    if os.environ.get("PLAIN"):
        # Imported only when asked for: it stands in for the importer's own parts.
        import plain_import

        from directory.importing import engine

        engine.Records, engine.Checks = plain_import.Records, plain_import.Checks
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a scratch PostgreSQL database: figures are for PostgreSQL.")
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    pcn = PCN.objects.order_by("pk").first()
    by = User.objects.get(email="directory@example.org")
    print("| import | rows | seconds | SQL queries per row | created | unchanged |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    # Everything imported is rolled back at the end, so each run starts afresh.
    with transaction.atomic():
        data = csv_bytes()
        timed("CSV, first import", data, pcn, by)
        timed("CSV, same file again", data, pcn, by)
        data = oruk_bytes()
        timed("ORUK, first import", data, pcn, by)
        timed("ORUK, same file again", data, pcn, by)
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
