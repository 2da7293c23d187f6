"""Carries who and where a request comes from to the audit service, without threading
the request through every service call."""

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestMeta:
    ip: str | None
    path: str
    channel: str


OUTSIDE_REQUESTS = RequestMeta(None, "", "cli")
_current: contextvars.ContextVar[RequestMeta | None] = contextvars.ContextVar(
    "onward_request_meta", default=None)


def request_meta() -> RequestMeta:
    """Who and where the current request comes from; `cli` outside any request."""
    return _current.get() or OUTSIDE_REQUESTS


@contextmanager
def request_meta_as(meta: RequestMeta):
    """Work done later on a request's behalf (a background job) is audited as that
    request's: its channel and address."""
    token = _current.set(meta)
    try:
        yield
    finally:
        _current.reset(token)


def client_ip(request) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a proxy we trust
    # rewrites it, and the proxy setup is the deployment's business (docs/operations.md).
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = "api" if request.path.startswith("/api/") else "web"
        token = _current.set(RequestMeta(client_ip(request), request.path[:255], channel))
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
