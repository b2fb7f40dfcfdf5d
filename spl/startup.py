"""Checks made when a process that serves requests or runs tasks starts.

Settings load without SECRET_KEY so that management commands which never use
it work anywhere; the processes that sign sessions, CSRF tokens and password
reset links must not start without one.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def require_secret_key():
    try:
        key = settings.SECRET_KEY
    except ImproperlyConfigured:  # Django's own lazy check of an empty key
        key = ""
    if not key:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
