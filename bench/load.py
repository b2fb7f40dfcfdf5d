"""Load test through gunicorn on loopback: public self-referrals end to end, and
link workers' triage list, at rising concurrency.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/spl_bench_1m \\
    REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/load.py [--seconds 10] [--levels 1,2,4,8] [--workers 3]

DATABASE_URL names a migrated PostgreSQL database with the demo data (the
million of bench/referral_pages.py, `spl_bench_1m`, or `spl_bench_demo`). It is
left as it was: the test runs on a copy (CREATE DATABASE ... TEMPLATE), dropped
at the end. gunicorn serves the copy with production settings (DEBUG off) and
--workers sync workers (docker-compose runs 3) on a free loopback port, with the
public referral rate limit lifted (every request comes from 127.0.0.1) and
database connections kept for 60 s, as docker-compose.yml deploys it (without,
each request opens one: 45 self-referrals a second instead of 80). This
process is the clients: at each level, that many threads repeat a scenario for
--seconds (and at most --max times in all):

- **self-referral**: GET /refer/, POST the form (a practice already found, as
  after "Find practice"), GET the confirmation it redirects to, which shows
  the reference. A flow counts as acknowledged when the confirmation shows one.
- **triage list**: each thread logs in once as a demo link worker, then GETs
  /referrals/.

Prints, for each scenario and level, the flows (or requests) completed, their
rate, median and 95th percentile time, and errors (any unexpected status, a
missing reference or a network error); then checks that the referrals stored
are exactly those acknowledged. Exits non-zero on any error or mismatch.
Figures go in docs/benchmarks.md.
"""

import argparse
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "spl-demo-password"  # noqa: S105 - the demo users' published password
LINK_WORKER = "linkworker@example.org"
PRACTICE = "Riverside Medical Centre"  # a demo practice: referrals go to the demo PCN
REFERENCE = re.compile(rb"SPL-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}")
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """One client: its cookies, over a new connection per request (gunicorn's
    sync workers close each one)."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, fields=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location", ""), content

    def form_token(self, path):
        status, _, content = self.request("GET", path)
        found = CSRF.search(content)
        if status != 200 or not found:
            raise Failure(f"GET {path}: {status}")
        return found.group(1).decode()


class Failure(Exception):
    pass


def self_referral(port, practice_id, number):
    browser = Browser(port)
    token = browser.form_token("/refer/")
    fields = {
        "csrfmiddlewaretoken": token,
        "given_name": "Load",
        "family_name": f"Tester{number}",
        "date_of_birth_day": str(1 + number % 28),
        "date_of_birth_month": str(1 + number % 12),
        "date_of_birth_year": str(1940 + number % 60),
        "postcode": "LS7 3EX",
        "practice_search": "Riverside",
        "registered_practice": str(practice_id),
        "phone": "07700 900123",
        "email": "",
        "preferred_contact_method": "phone",
        "nhs_number": "",
        "reasons": ["loneliness"],
        "notes": "",
        "consent_to_contact": "on",
        "website": "",
    }
    status, location, _ = browser.request("POST", "/refer/", fields)
    if status != 302 or not location.endswith("/refer/sent/"):
        raise Failure(f"POST /refer/: {status}")
    status, _, content = browser.request("GET", "/refer/sent/")
    found = REFERENCE.search(content)
    if status != 200 or not found:
        raise Failure(f"GET /refer/sent/: {status}, no reference")
    return found.group(0).decode()


def logged_in(port):
    browser = Browser(port)
    token = browser.form_token("/accounts/login/")
    fields = {"csrfmiddlewaretoken": token, "username": LINK_WORKER, "password": PASSWORD}
    status, _, _ = browser.request("POST", "/accounts/login/", fields)
    if status != 302:
        raise Failure(f"login: {status}")
    return browser


def triage_list(browser):
    status, _, content = browser.request("GET", "/referrals/")
    if status != 200 or b"nhsuk-table" not in content:
        raise Failure(f"GET /referrals/: {status}")


def run_level(threads, seconds, most, work, setup=None):
    """Run `work(state, number)` in `threads` threads until `seconds` pass or
    `most` runs start; returns (times, results, errors)."""
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    started = [0]
    times, results, errors = [], [], []

    def client():
        try:
            state = setup() if setup else None
        except (Failure, OSError) as error:
            with lock:
                errors.append(str(error))
            return
        while time.monotonic() < deadline:
            with lock:
                if started[0] >= most:
                    return
                started[0] += 1
                number = started[0]
            begin = time.perf_counter()
            try:
                result = work(state, number)
            except (Failure, OSError, http.client.HTTPException) as error:
                with lock:
                    errors.append(str(error))
                continue
            with lock:
                times.append(time.perf_counter() - begin)
                results.append(result)

    begin = time.monotonic()
    cpu = time.process_time()
    pool = [threading.Thread(target=client) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.monotonic() - begin
    return times, results, errors, elapsed, time.process_time() - cpu


def row(label, threads, times, errors, elapsed, cpu):
    """A line of the table; the clients' CPU is this process's share of the
    machine's cores over the level."""
    share = f"{cpu / (elapsed * os.cpu_count()):.0%}"
    if not times:
        return f"| {label} | {threads} | 0 | 0.0 | – | – | {len(errors)} | {share} |"
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
    return (
        f"| {label} | {threads} | {len(times)} | {len(times) / elapsed:.1f} "
        f"| {statistics.median(times) * 1000:.0f} | {p95 * 1000:.0f} | {len(errors)} | {share} |"
    )


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(port, server):
    for _ in range(300):
        if server.poll() is not None:
            sys.exit("gunicorn stopped before it served a request")
        try:
            status, _, _ = Browser(port).request("GET", "/health/")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit("gunicorn did not answer /health/ within 30 s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--levels", default="1,2,4,8")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--max", type=int, default=5000, help="runs per level at most")
    args = parser.parse_args()
    levels = [int(level) for level in args.levels.split(",")]

    source = urllib.parse.urlparse(os.environ.get("DATABASE_URL", ""))
    if source.scheme not in ("postgres", "postgresql"):
        sys.exit("Set DATABASE_URL to a migrated PostgreSQL database with the demo data.")
    original = source.path.lstrip("/")
    copy = f"{original}_load"
    admin = source._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{copy}"')
        started = time.monotonic()
        db.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{original}"')
        print(f"{copy}: a copy of {original} in {time.monotonic() - started:.0f} s")
    url = source._replace(path=f"/{copy}").geturl()
    try:
        run(args, levels, url)
    finally:
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')


def run(args, levels, url):
    with psycopg.connect(url) as db:
        practice_id = db.execute(
            "SELECT id FROM spl_practice WHERE name = %s ORDER BY id LIMIT 1", [PRACTICE]
        ).fetchone()[0]
        before = db.execute("SELECT max(id) FROM referrals_referral").fetchone()[0] or 0
    port = free_port()
    env = os.environ | {
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "load-test-only-secret-key-" + "x" * 30),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "DATABASE_CONN_MAX_AGE": "60",  # as docker-compose.yml deploys it
        "PUBLIC_REFERRALS_PER_HOUR": "1000000",
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "gunicorn", "spl.wsgi:application", "--log-level", "warning"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(args.workers)]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603
    acknowledged, failed = [], 0
    try:
        wait_until_up(port, server)
        load = os.getloadavg()[0]
        print(
            f"gunicorn: {args.workers} sync workers on 127.0.0.1:{port}; up to "
            f"{args.seconds:g} s and {args.max} runs a level; load average {load:.2f}\n"
        )
        print(
            "| scenario | clients | completed | per second | median ms | p95 ms | errors "
            "| clients' CPU |"
        )
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for threads in levels:
            times, references, errors, elapsed, cpu = run_level(
                threads, args.seconds, args.max, lambda _, n: self_referral(port, practice_id, n)
            )
            acknowledged += references
            failed += len(errors)
            print(row("self-referral", threads, times, errors, elapsed, cpu), flush=True)
            for error in sorted(set(errors))[:3]:
                print(f"    {error}")
        for threads in levels:
            times, _, errors, elapsed, cpu = run_level(
                threads,
                args.seconds,
                args.max,
                lambda browser, _: triage_list(browser),
                setup=lambda: logged_in(port),
            )
            failed += len(errors)
            print(row("triage list", threads, times, errors, elapsed, cpu), flush=True)
            for error in sorted(set(errors))[:3]:
                print(f"    {error}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    with psycopg.connect(url) as db:
        stored = [
            reference
            for (reference,) in db.execute(
                "SELECT reference FROM referrals_referral WHERE id > %s", [before]
            )
        ]
    same = sorted(stored) == sorted(acknowledged)
    print(
        f"\nAcknowledged {len(acknowledged)} referrals, stored {len(stored)}: "
        + ("the same references." if same else "NOT THE SAME.")
    )
    if failed or not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
