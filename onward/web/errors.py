"""Error responses that tell the user what happened and nothing more.

With DEBUG off an error never shows a traceback, an exception message or a setting:
pages get a plain page, `/api/` paths the API's JSON error shape (`{"error": ...}`), so a
script never has to parse HTML. A server error carries a short reference that is also
written to the log, next to the traceback Django logs, so a support request can be traced.
"""

import logging
import secrets

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger("onward.errors")


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _bad_request_reason(exception) -> str:
    """What was wrong, when it is about the request's size (Django's own limits): the
    sender can act on it, and it tells nothing of the server."""
    from django.conf import settings
    from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent

    if getattr(exception, "public_reason", ""):
        return exception.public_reason
    if isinstance(exception, RequestDataTooBig):
        return f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes."
    if isinstance(exception, TooManyFieldsSent):
        return f"The request has more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} fields."
    return ""


def bad_request(request, exception):
    reason = _bad_request_reason(exception)
    if _is_api(request):
        return JsonResponse({"error": reason or _("Bad request.")}, status=400)
    return render(request, "400.html", {"reason": reason}, status=400)


def permission_denied(request, exception):
    # The reason (which permission) is not shown: the role's limits are in the docs.
    if _is_api(request):
        return JsonResponse({"error": _("You may not do this.")}, status=403)
    return render(request, "403.html", status=403)


def page_not_found(request, exception):
    # The message is not shown either: "No case 'C001234'" echoes what was probed.
    if _is_api(request):
        return JsonResponse({"error": _("Not found.")}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    """No request context (no context processors, no database): the error may be the
    database itself."""
    reference = secrets.token_hex(6)
    logger.error("Server error, reference %s: %s %s", reference, request.method, request.path)
    if _is_api(request):
        return JsonResponse({"error": _("Server error."), "reference": reference}, status=500)
    page = loader.get_template("500.html").render({"reference": reference})
    return HttpResponse(page, status=500)
