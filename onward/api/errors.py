"""Errors as structured JSON with the field at fault:
`{"error": "...", "fields": {"birth_date": ["..."]}}`.

Messages are in the request's language (Accept-Language, or the signed-in user's
preference: onward.accounts.middleware.UserPreferencesMiddleware), DRF's own included.

An exception none of these knows is left to Django (logged with its traceback), whose
handler500 (onward/web/errors.py) answers `/api/` paths with `{"error": "Server error.",
"reference": ...}`: never a trace."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from onward.accounts.policy import NotFound
from onward.conflicts import Conflict
from onward.registry.services import StaleEdit


def _fields(exc: ValidationError) -> dict:
    return exc.message_dict if hasattr(exc, "error_dict") else {"non_field": exc.messages}


def exception_handler(exc, context):
    if isinstance(exc, Conflict):
        # Well-formed input that the record's state refuses (onward/conflicts.py).
        return Response(
            {
                "error": " ".join(m for ms in _fields(exc).values() for m in ms),
                "fields": _fields(exc),
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, ValidationError):
        return Response(
            {"error": _("Invalid input."), "fields": _fields(exc)},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, StaleEdit):
        return Response(
            {"error": str(exc), "fields": {"version": [str(exc)]}}, status=status.HTTP_409_CONFLICT
        )
    if isinstance(exc, NotFound):
        return Response({"error": str(exc)}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, PermissionDenied):
        return Response(
            {"error": str(exc) or _("You may not do this.")}, status=status.HTTP_403_FORBIDDEN
        )
    response = drf_handler(exc, context)
    if response is not None:
        if isinstance(exc, exceptions.ValidationError) and isinstance(response.data, dict):
            response.data = {"error": _("Invalid input."), "fields": response.data}
        elif isinstance(response.data, dict) and "detail" in response.data:
            response.data = {"error": str(response.data["detail"])}
    return response
