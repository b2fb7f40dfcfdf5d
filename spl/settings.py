"""Settings for SPL.

Every difference between environments is an environment variable with a safe
default; `.env.example` lists them all. The defaults give a production-safe
configuration (DEBUG off) on an embedded SQLite database with no Redis, so that a
fresh clone runs with `make run`, which turns DEBUG on.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    if value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

# Required when DEBUG is off, but only where it is used: the web application and
# the Celery worker refuse to start without it (spl/startup.py), while commands
# that never sign anything (makemigrations, check, collectstatic) run without it,
# as Django's lazy validation of SECRET_KEY intends.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105

# The service's name, in page titles, the header and emails.
SERVICE_NAME = "Social prescribing"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Public address of the service, used in links that leave it (password reset emails
# are built from the request, this is for emails sent by background tasks).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "spl",
    "directory",
    "referrals",
    "caseload",
    "outcomes",
]

MIDDLEWARE = [
    "spl.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "spl.middleware.RequestUserMiddleware",
    "spl.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "spl.urls"
WSGI_APPLICATION = "spl.wsgi.application"

# Forms render through the templates, except a select (spl/renderers.py).
FORM_RENDERER = "spl.renderers.FormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "spl.context_processors.service",
            ],
        },
    },
]

# Database: an embedded SQLite file unless DATABASE_URL names another (PostgreSQL
# in production and CI).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast rather than hang a request (or the health check) on a dead server.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
        "DATABASE_CONNECT_TIMEOUT", 5
    )
    # Planner settings for this application's sessions (docs/benchmarks.md):
    # - random_page_cost 1.1, for a database on SSD or in memory (the default, 4,
    #   is for spinning disks): PostgreSQL then reads a page of a sorted list
    #   through its index rather than sorting every row (a deep ORUK page: 4 ms
    #   instead of 10).
    # - jit off: the JIT compiler pays off on long reports, not on pages; at a
    #   million referrals it added 1.5-2.5 s to list queries whose cost was
    #   overestimated. DATABASE_JIT=true turns it back on.
    planner = ["-c random_page_cost=1.1"]
    if not env_bool("DATABASE_JIT", False):
        planner.append("-c jit=off")
    DATABASES["default"]["OPTIONS"]["options"] = " ".join(planner)

# The case page's queries as prepared statements on PostgreSQL (spl/prepared.py).
# Turn off behind a pooler that gives each transaction whichever connection is
# free (PgBouncer in transaction mode without max_prepared_statements), where a
# statement prepared on one connection is unknown on the next.
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the Celery worker write to one file at once
    # (docs/decisions/0002-sqlite-default-postgresql-production.md). A write-ahead
    # log lets readers go on during a write; a transaction takes the write lock
    # when it begins, so a read followed by a write waits its turn for up to the
    # busy timeout instead of failing at once with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("DATABASE_BUSY_TIMEOUT", 20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "spl.User"
# ModelBackend, reading a user's permissions in one query (spl/backends.py).
AUTHENTICATION_BACKENDS = ["spl.backends.PermissionBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Password for the demo users that `manage.py seed_demo` creates.
SPL_DEMO_PASSWORD = os.environ.get("SPL_DEMO_PASSWORD", "spl-demo-password")

# Sessions end when the browser closes and after 8 hours of inactivity at most,
# a working day on a shared practice computer.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# HTTPS hardening: on whenever DEBUG is off. Behind a proxy that terminates TLS,
# set SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # load balancers probe over plain HTTP
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (os.environ["SECURE_PROXY_SSL_HEADER"], "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
# SPL is written in English only, so the translation machinery is off: Django's
# en-GB catalogue translates nothing, and looking a language up cost every
# reverse() and lazy string on a page (the case page 6 ms; decision 22).
# Dates and numbers still follow en-GB's formats (LANGUAGE_CODE).
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

CRISPY_ALLOWED_TEMPLATE_PACKS = ("nhsuk",)
CRISPY_TEMPLATE_PACK = "nhsuk"
CRISPY_FAIL_SILENTLY = not DEBUG

# Email: printed to the console unless EMAIL_HOST names an SMTP server.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Social prescribing <noreply@example.org>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The cache holds the public forms' rate-limit counters, so with several web
# processes it must be shared: Redis when REDIS_URL is set, otherwise memory in
# each process (enough for `make run`).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "spl",
        }
    }

# Public referral forms (/refer/ and /refer/agency/): referrals accepted from one
# client address per hour before a 429 page asks the person to wait or phone.
PUBLIC_REFERRALS_PER_HOUR = env_int("PUBLIC_REFERRALS_PER_HOUR", 20)
# Behind N proxies that each append to X-Forwarded-For, the client address is the
# Nth entry from the right. 0 (direct connections) uses the socket's address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Email domains inside the NHS. Emails to any other address carry a referral's
# reference and status only, never clinical detail.
NHS_EMAIL_DOMAINS = env_list("NHS_EMAIL_DOMAINS", "nhs.net,nhs.uk")

# Background work. With REDIS_URL, Celery uses Redis as broker. Without it, the
# embedded default is Kombu's filesystem transport: tasks are files in
# CELERY_DATA_DIR and wait there until a worker takes them (see
# docs/decisions/0003-embedded-task-broker.md).
CELERY_DATA_DIR = Path(os.environ.get("CELERY_DATA_DIR", BASE_DIR / "var" / "celery"))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "control_folder": str(CELERY_DATA_DIR / "control"),
        "store_processed": False,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Emails and other side effects run as tasks; CELERY_TASK_ALWAYS_EAGER runs them
# in the web process instead (the test suite uses it; the worker tests do not).
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_DATA_DIR / "beat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Every night at 03:15, delete expired sessions so the session table does not
    # grow without bound (Django does not clear them itself).
    "clear-expired-sessions": {
        "task": "spl.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=15),
    },
    # Every morning at 07:00, tell directory managers about quality checks that
    # expire within 30 days or have lapsed; each check is reported once per state.
    "notify-expiring-quality-checks": {
        "task": "directory.tasks.notify_expiring_quality_checks",
        "schedule": crontab(hour=7, minute=0),
    },
    # Every morning at 07:15, remind services that have not answered a referral
    # for 7 days, once, and mark those silent for 14 days "no response"
    # (caseload.connections), before the link workers' digest counts them.
    "chase-providers": {
        "task": "caseload.tasks.chase_providers",
        "schedule": crontab(hour=7, minute=15),
    },
    # Every morning at 06:00, make the reports that are due: each practice's for
    # the last whole month, each PCN's and commissioner's for the last whole
    # NHS quarter. Any that a stopped scheduler missed are made then too.
    "schedule-reports": {
        "task": "outcomes.tasks.schedule_reports",
        "schedule": crontab(hour=6, minute=0),
    },
    # Every weekday at 07:30, send each link worker one digest of what on their
    # caseload is due: counts and a link, never a name (caseload.reminders).
    "send-caseload-reminders": {
        "task": "caseload.tasks.send_daily_reminders",
        "schedule": crontab(hour=7, minute=30, day_of_week="mon-fri"),
    },
}

# Logs are plain lines on stderr with the request id; they carry ids, never
# names or NHS numbers, and a filter masks anything that looks like an NHS
# number or an email address as a second line of defence.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "spl.logging.RequestIdFilter"},
        "redact": {"()": "spl.logging.RedactPersonalDataFilter"},
    },
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "redact"],
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint logs each step of every PDF at INFO; its warnings (a
        # refused URL, say) still show.
        "weasyprint": {"level": "WARNING"},
    },
}
