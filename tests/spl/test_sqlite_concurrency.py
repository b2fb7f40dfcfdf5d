"""With `make run`, the web server and the Celery worker are two processes writing
to one SQLite file. Each case runs Django in fresh processes on a temporary
SQLite file, whatever database the test suite itself uses (PostgreSQL in CI)."""

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

WRITERS = 4
TRANSACTIONS = 30

# A request that reads and then writes in one transaction, as a form post or an
# authenticated API call does. Every fifth one holds the write lock for 0.2 s, like
# a slow task. Without an immediate write transaction, the upgrade from reading to
# writing fails at once with "database is locked", whatever the busy timeout.
WRITER = """
import datetime, os, sys, time
import django
django.setup()
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

name, transactions = sys.argv[1], int(sys.argv[2])
expires = timezone.now() + datetime.timedelta(days=1)
Session.objects.exists()  # connect before the start, as a running server has
time.sleep(max(0.0, float(os.environ["START_AT"]) - time.time()))
for number in range(transactions):
    with transaction.atomic():
        Session.objects.filter(session_key__startswith=name).count()
        Session.objects.create(
            session_key=f"{name}-{number}", session_data="x", expire_date=expires
        )
        if number % 5 == 0:
            time.sleep(0.2)
"""


def sqlite_env(database):
    # Everything else (SECRET_KEY, CI's REDIS_URL...) passes through unchanged.
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_BUSY_TIMEOUT"}
    return {
        **env,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "spl.settings",
    }


def run_django(code, env):
    script = f"import django\ndjango.setup()\nfrom django.db import connection\n{code}"
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_writers_in_several_processes_at_once_all_succeed_on_sqlite(tmp_path):
    database = tmp_path / "spl.sqlite3"
    env = sqlite_env(database)
    # The sessions table alone: a full migrate would take most of the time allowed.
    create = run_django(
        "from django.contrib.sessions.models import Session\n"
        "with connection.schema_editor() as editor:\n"
        "    editor.create_model(Session)",
        env,
    )
    assert create.returncode == 0, create.stderr
    env["START_AT"] = str(time.time() + 3)  # time enough for every process to start

    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, f"writer{index}", str(TRANSACTIONS)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index in range(WRITERS)
    ]
    failures = []
    for writer in writers:
        _, stderr = writer.communicate(timeout=60)
        if writer.returncode != 0:
            failures.append(stderr.strip().rpartition("\n")[2])

    assert failures == []
    with sqlite3.connect(database) as check:
        (rows,) = check.execute("SELECT count(*) FROM django_session").fetchone()
    assert rows == WRITERS * TRANSACTIONS


def test_the_sqlite_database_keeps_a_write_ahead_log(tmp_path):
    # WAL lets readers go on while one process writes.
    result = run_django(
        "print(connection.cursor().execute('PRAGMA journal_mode').fetchone()[0])",
        sqlite_env(tmp_path / "spl.sqlite3"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "wal"


def test_a_sqlite_writer_waits_twenty_seconds_for_another_by_default(tmp_path):
    result = run_django(
        "print(connection.cursor().execute('PRAGMA busy_timeout').fetchone()[0])",
        sqlite_env(tmp_path / "spl.sqlite3"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "20000"
