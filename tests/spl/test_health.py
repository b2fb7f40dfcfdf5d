import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_health_reports_ok_without_login(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_health_reports_the_embedded_broker_without_redis(client, settings):
    settings.REDIS_URL = ""
    assert client.get("/health/").json()["broker"] == "embedded"


@pytest.mark.redis
@pytest.mark.django_db
def test_health_reports_redis_ok(client):
    assert client.get("/health/").json()["broker"] == "ok"


@pytest.mark.django_db
def test_health_reports_an_unreachable_redis(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["broker"] == "unreachable"


@pytest.mark.django_db
def test_health_is_not_cached(client):
    assert "no-cache" in client.get("/health/")["Cache-Control"]


def test_health_is_503_when_the_database_is_unreachable():
    # A separate process whose database is a PostgreSQL server that is not there:
    # the real driver fails to connect, as it would in an outage.
    script = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/health/', secure=True); print(r.status_code); print(r.content.decode())"
    )
    env = {
        "PATH": os.environ["PATH"],
        "SECRET_KEY": "x" * 50,
        "DJANGO_SETTINGS_MODULE": "spl.settings",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/spl",
        "DATABASE_CONNECT_TIMEOUT": "2",
        "ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    status, body = result.stdout.split("\n", 1)
    assert status == "503", result.stderr
    assert json.loads(body) == {
        "status": "unavailable",
        "database": "unreachable",
        "broker": "embedded",
    }
