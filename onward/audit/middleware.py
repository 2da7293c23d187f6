"""Carries who and where a request comes from to the audit service, without threading
the request through every service call."""

import contextvars
import functools
import ipaddress
import re
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings

from onward.audit.actor import acting_as

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy's id may look like (nginx's $request_id is 32 hex digits): anything else,
# or a header from a client that is not the proxy, is replaced by our own.
REQUEST_ID_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")


@dataclass(frozen=True)
class RequestMeta:
    ip: str | None
    path: str
    channel: str
    request_id: str | None = None


OUTSIDE_REQUESTS = RequestMeta(None, "", "cli")
_current: contextvars.ContextVar[RequestMeta | None] = contextvars.ContextVar(
    "onward_request_meta", default=None
)


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
    """The client's address, as the audit log and the sign-in lockout count it.

    REMOTE_ADDR, unless that is a proxy we trust (settings.ONWARD_TRUSTED_PROXIES, from
    FORWARDED_ALLOW_IPS, which gunicorn reads too): then the address that proxy saw,
    the last one of X-Forwarded-For. Anything before it was written by the client, and
    the header of a client that reaches the server directly is never read
    (docs/operations.md, "Deploy")."""
    remote = request.META.get("REMOTE_ADDR") or None
    if remote and _is_trusted_proxy(remote, tuple(settings.ONWARD_TRUSTED_PROXIES)):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            pass  # no header, or not an address: the proxy's own is all we know
    return remote


@functools.lru_cache(maxsize=64)
def _is_trusted_proxy(address: str, trusted: tuple[str, ...]) -> bool:
    if "*" in trusted:
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(entry, strict=False) for entry in trusted)


def request_id_for(request) -> str:
    """The id that ties a request's audit entries, its log lines and the proxy's log
    together: the trusted proxy's X-Request-ID when it sent a sane one, else a new one."""
    remote = request.META.get("REMOTE_ADDR") or ""
    given = request.META.get("HTTP_X_REQUEST_ID", "").strip()
    if (
        given
        and REQUEST_ID_RE.fullmatch(given)
        and remote
        and _is_trusted_proxy(remote, tuple(settings.ONWARD_TRUSTED_PROXIES))
    ):
        return given
    return uuid.uuid4().hex


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = "api" if request.path.startswith("/api/") else "web"
        request.request_id = request_id_for(request)
        token = _current.set(
            RequestMeta(client_ip(request), request.path[:255], channel, request.request_id)
        )
        try:
            with acting_as(lambda: getattr(request, "user", None)):
                response = self.get_response(request)
                if response.status_code == 403:
                    _audit_refusal(request)
        finally:
            _current.reset(token)
        response[REQUEST_ID_HEADER] = request.request_id
        return response


def _audit_refusal(request) -> None:
    """Every 403, whoever raised it (a role's missing permission, the second factor still
    due, a CSRF failure, a delegation asking for another country's figures): one `denied`
    entry with the path, here where every answer passes, so that no view can forget it."""
    from onward.audit.models import AuditEntry
    from onward.audit.services import audit_record

    audit_record(
        actor=getattr(request, "user", None),
        action=AuditEntry.Action.DENIED,
        object_type="request",
        detail=f"403 {request.method} {request.path}",
    )
