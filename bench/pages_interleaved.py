"""Time bench/pages.py's pages on two or more checkouts, taking turns.

    git worktree add ../spl-before 1962133
    .venv/bin/python bench/pages_interleaved.py \\
        before=../spl-before:postgres://postgres@127.0.0.1:5432/spl_bench_before \\
        now=.:postgres://postgres@127.0.0.1:5432/spl_bench_now [--rounds 15] [--block 20]

Each NAME=CHECKOUT:DATABASE_URL starts a process running that checkout's code on
that database, where bench/pages.py has already run in that checkout (so the
database is migrated and seeded, and the static files collected). Each process
logs in and warms up as bench/pages.py does; then, for each page, the
processes take turns at --block requests until each has made --rounds blocks.
A machine whose speed drifts during a run (another job starting, the CPU
clocking down) then slows every checkout alike, where runs of bench/pages.py
one after the other can differ by a third. Prints each page's median time in
each checkout and its change against the first. Figures go in
docs/benchmarks.md.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

PAGES = [
    ("linkworker@example.org", "/"),
    ("linkworker@example.org", "/practices/"),
    ("linkworker@example.org", "/practices/?page=10"),
    ("manager@example.org", "/practices/{practice}/"),
    ("manager@example.org", "/practices/{practice}/edit/"),
    (None, "/accounts/login/"),
]


def serve():
    """In a checkout: answer "<page> <requests>" lines with the timings, in ms."""
    sys.path.insert(0, os.getcwd())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spl.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-" + "x" * 30)
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")

    import django

    django.setup()

    from django.test import Client

    from spl.models import Practice, User

    practice = Practice.objects.get(ods_code="Y00011").pk
    pages = []
    for email, url in PAGES:
        client = Client()
        if email:
            client.force_login(User.objects.get(email=email))
        url = url.format(practice=practice)
        for _ in range(10):
            assert client.get(url).status_code == 200, url
        pages.append((client, url))
    print("ready", flush=True)
    for line in sys.stdin:
        page, requests = map(int, line.split())
        client, url = pages[page]
        timings = []
        for _ in range(requests):
            start = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        print(json.dumps(timings), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkouts", nargs="+", metavar="NAME=CHECKOUT:DATABASE_URL")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--block", type=int, default=20)
    options = parser.parse_args()
    servers = {}
    for spec in options.checkouts:
        name, _, rest = spec.partition("=")
        checkout, _, database = rest.partition(":")
        # This script again, in a checkout named on the command line.
        servers[name] = subprocess.Popen(  # noqa: S603
            [sys.executable, str(Path(__file__).resolve()), "--serve"],
            cwd=checkout,
            env={**os.environ, "DATABASE_URL": database},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert servers[name].stdout.readline().strip() == "ready", f"{name} did not start"
    timings = {name: [[] for _ in PAGES] for name in servers}
    for round_ in range(options.rounds):
        for page in range(len(PAGES)):
            # Alternate who goes first, so that no checkout always follows another.
            names = list(servers) if round_ % 2 == 0 else list(reversed(servers))
            for name in names:
                servers[name].stdin.write(f"{page} {options.block}\n")
                servers[name].stdin.flush()
                timings[name][page] += json.loads(servers[name].stdout.readline())
    for server in servers.values():
        server.stdin.close()
        server.wait()
    names = list(servers)
    print(f"{options.rounds * options.block} requests a page in each checkout; median ms")
    print(f"{'page':<30}" + "".join(f"{name:>16}" for name in names))
    for page, (_, url) in enumerate(PAGES):
        medians = [statistics.median(timings[name][page]) for name in names]
        cells = [f"{medians[0]:>16.2f}"] + [
            f"{median:>8.2f} {(median / medians[0] - 1) * 100:>+6.1f}%" for median in medians[1:]
        ]
        print(f"{url:<30}" + "".join(cells))


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve()
    else:
        main()
