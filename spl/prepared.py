"""Prepared statements for the page opened most often (the case page): on
PostgreSQL, its queries are planned once per connection rather than at every
request (docs/decisions/0023-the-case-page-uses-prepared-statements.md).

    @plan_once
    def case_detail(request, pk): ...

Only the decorated view's queries are prepared. Elsewhere SPL keeps Django's
default, client-side binding and a plan for every query, because a plan made
once, without the query's values, cannot use a partial index nor size an IN
list (the caseload list took longer with one), and because binding on the
server limits a query to 65,535 values, which bulk inserts exceed.
"""

from functools import wraps

from django.conf import settings
from django.db import connection
from django.db.backends.postgresql.base import ServerBindingCursor

# The second time a connection runs the same SQL, psycopg prepares it: a
# connection used for one request only (DATABASE_CONN_MAX_AGE=0) prepares
# nothing and pays nothing. After five runs PostgreSQL plans it once for all.
PREPARE_AFTER = 1


def plan_once(view):
    """Run the view's queries as prepared statements where SPL's settings
    allow it (PostgreSQL, and DATABASE_PREPARED_STATEMENTS not off)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if connection.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS:
            return view(request, *args, **kwargs)
        connection.ensure_connection()
        raw = connection.connection
        before = raw.cursor_factory, raw.prepare_threshold
        # psycopg prepares only what it binds on the server.
        raw.cursor_factory, raw.prepare_threshold = ServerBindingCursor, PREPARE_AFTER
        try:
            return view(request, *args, **kwargs)
        finally:
            raw.cursor_factory, raw.prepare_threshold = before

    return wrapper
