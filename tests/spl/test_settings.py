"""Settings are read from the environment at import time, so each case runs
Django in a fresh process with exactly the environment it describes."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "SECRET_KEY": "a-long-random-production-secret-key-8d7f6a5s4d3f2g1h0j9k8l7z6x5c4v",
    "ALLOWED_HOSTS": "spl.example.nhs.uk",
    "DATABASE_URL": "postgres://spl@db.example.nhs.uk:5432/spl",
    "REDIS_URL": "redis://redis.example.nhs.uk:6379/0",
}


def run_django(code, **env):
    """Run `code` after django.setup() with only the given environment variables."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.isupper() or key in ("PATH", "HOME", "LANG", "SYSTEMROOT")
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="spl.settings")
    script = f"import django, json; django.setup(); from django.conf import settings; {code}"
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def setting(name, **env):
    result = run_django(f"print(json.dumps(str(settings.{name})))", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_debug_is_off_by_default():
    assert setting("DEBUG", SECRET_KEY="x" * 50) == "False"


def run_without_environment(*args):
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "spl.settings"},
        capture_output=True,
        text=True,
        timeout=60,  # a worker that wrongly starts would otherwise run for ever
    )


def test_management_commands_that_need_no_key_run_without_one():
    # Django validates SECRET_KEY lazily so that commands like these work
    # anywhere, e.g. in CI or a container image build.
    result = run_without_environment("manage.py", "makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_the_web_application_refuses_to_start_without_a_key_when_debug_is_off():
    result = run_without_environment("-c", "import spl.wsgi")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_the_asgi_application_refuses_to_start_without_a_key_when_debug_is_off():
    result = run_without_environment("-c", "import spl.asgi")
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_the_celery_worker_refuses_to_start_without_a_key_when_debug_is_off():
    result = run_without_environment(
        "-m", "celery", "--app", "spl", "worker", "--pool", "solo", "--loglevel", "ERROR"
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_check_deploy_fails_without_a_key():
    result = run_without_environment("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout


def test_debug_runs_without_a_secret_key():
    assert setting("DEBUG", DEBUG="true") == "True"


def test_database_defaults_to_a_sqlite_file_in_the_project():
    engine = setting("DATABASES['default']['ENGINE']", DEBUG="true")
    name = setting("DATABASES['default']['NAME']", DEBUG="true")
    assert engine == "django.db.backends.sqlite3"
    assert name == str(ROOT / "db.sqlite3")


def test_database_url_selects_postgresql():
    engine = setting("DATABASES['default']['ENGINE']", **PRODUCTION)
    assert engine == "django.db.backends.postgresql"


def test_broker_is_the_embedded_filesystem_queue_without_redis():
    assert setting("CELERY_BROKER_URL", DEBUG="true") == "filesystem://"


def test_redis_url_selects_redis_as_broker():
    assert setting("CELERY_BROKER_URL", **PRODUCTION) == PRODUCTION["REDIS_URL"]


def test_email_is_printed_to_the_console_without_an_smtp_host():
    backend = setting("EMAIL_BACKEND", DEBUG="true")
    assert backend == "django.core.mail.backends.console.EmailBackend"


def test_email_host_selects_smtp():
    backend = setting("EMAIL_BACKEND", DEBUG="true", EMAIL_HOST="smtp.example.nhs.uk")
    assert backend == "django.core.mail.backends.smtp.EmailBackend"


def test_a_malformed_boolean_is_refused_with_its_name():
    result = run_django("pass", DEBUG="maybe")
    assert "DEBUG must be true or false" in result.stderr


def test_check_deploy_is_clean_under_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **PRODUCTION},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_postgresql_pages_run_without_the_jit_compiler():
    options = setting(
        "DATABASES['default']['OPTIONS']", DEBUG="true", DATABASE_URL="postgres://x@localhost/x"
    )
    assert "-c jit=off" in options


def test_the_jit_compiler_can_be_turned_back_on():
    options = setting(
        "DATABASES['default']['OPTIONS']",
        DEBUG="true",
        DATABASE_URL="postgres://x@localhost/x",
        DATABASE_JIT="true",
    )
    assert "jit" not in options


def test_postgresql_plans_for_storage_on_ssd():
    options = setting(
        "DATABASES['default']['OPTIONS']", DEBUG="true", DATABASE_URL="postgres://x@localhost/x"
    )
    assert "-c random_page_cost=1.1" in options


def test_dates_keep_british_formats_without_translation():
    code = (
        "from django.utils import formats; "
        "print(json.dumps([settings.USE_I18N, formats.get_format('DATE_FORMAT'), "
        "formats.get_format('DATE_INPUT_FORMATS')[0]]))"
    )
    result = run_django(code, SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [False, "j M Y", "%d/%m/%Y"]
