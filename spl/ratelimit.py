"""A fixed-window rate limit per client address, kept in the cache.

    if ratelimit.exceeded(request, "public-referral", limit=20, period=3600): ...

Each call counts one attempt. With several web processes the cache must be shared
(Redis: see CACHES in settings), or each process counts on its own.
"""

import time

from django.core.cache import cache

from spl.middleware import client_ip


def exceeded(request, scope, *, limit, period):
    """Count this request for its client address; True once more than `limit`
    requests were counted in the current `period` seconds."""
    window = int(time.time() // period)
    key = f"ratelimit:{scope}:{client_ip(request) or 'unknown'}:{window}"
    # add() is a no-op when the key exists, so of two racing first requests
    # neither resets the other's count; incr() is atomic in Redis.
    cache.add(key, 0, timeout=period)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=period)
        count = 1
    return count > limit
