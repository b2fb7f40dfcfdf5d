"""What is known about the request being served, for logs and the audit trail."""

import uuid
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: uuid.UUID
    ip_address: str | None
    user_id: int | None = None


_current: ContextVar[RequestContext | None] = ContextVar("spl_request", default=None)


def current_request() -> RequestContext | None:
    return _current.get()


def set_current_request(context: RequestContext | None):
    return _current.set(context)


def reset_current_request(token) -> None:
    _current.reset(token)
