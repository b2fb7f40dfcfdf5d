"""What the health endpoint reports: can we reach the database and the broker?"""

from django.conf import settings
from django.db import DatabaseError, connection


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def broker_status() -> str:
    """'ok' or 'unreachable' for Redis; 'embedded' for the filesystem queue."""
    if not settings.REDIS_URL:
        return "embedded"
    # Only a deployment with Redis loads its client.
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2
        )
        return "ok" if client.ping() else "unreachable"
    except redis.RedisError:
        return "unreachable"
