import ipaddress
import logging
import uuid
from dataclasses import replace

from django.conf import settings
from django.utils.cache import add_never_cache_headers

from spl.request_context import (
    RequestContext,
    current_request,
    reset_current_request,
    set_current_request,
)

logger = logging.getLogger("spl.request")


def _request_id(request) -> uuid.UUID:
    # Honour an id from the load balancer so one request can be followed across
    # services; anything that is not a UUID is ignored.
    try:
        return uuid.UUID(request.headers.get("X-Request-ID", ""))
    except ValueError:
        return uuid.uuid4()


def client_ip(request) -> str | None:
    """The client's address: the socket's, or behind TRUSTED_PROXY_COUNT proxies the
    entry they added to X-Forwarded-For (entries further left can be forged)."""
    address = request.META.get("REMOTE_ADDR", "")
    if settings.TRUSTED_PROXY_COUNT:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= settings.TRUSTED_PROXY_COUNT:
            address = forwarded[-settings.TRUSTED_PROXY_COUNT]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


class RequestContextMiddleware:
    """Gives each request an id (echoed in X-Request-ID) and makes it available to
    logs and the audit trail for the duration of the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        context = RequestContext(request_id=_request_id(request), ip_address=client_ip(request))
        request.id = context.request_id
        token = set_current_request(context)
        try:
            response = self.get_response(request)
        finally:
            reset_current_request(token)
        response["X-Request-ID"] = str(context.request_id)
        return response


class RequestUserMiddleware:
    """Adds the user's id (never their name) to the request context once known."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        context = current_request()
        if context and request.user.is_authenticated:
            token = set_current_request(replace(context, user_id=request.user.pk))
            try:
                return self.get_response(request)
            finally:
                reset_current_request(token)
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages for a signed-in user, and answers to a form someone sent, may hold
    personal data: no browser or proxy may keep a copy (`Cache-Control: no-store`).
    A response that sets its own caching (the health check, static files) keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        personal = request.user.is_authenticated or request.method == "POST"
        if personal and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
