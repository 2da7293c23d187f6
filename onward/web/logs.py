"""The server log: a refused request is one line.

Django logs a refusal it raised as an exception (403 PermissionDenied, 400 BadRequest and
every SuspiciousOperation: a foreign Host header, a forged session, too many fields) with
its traceback. A traceback says nothing about a client's mistake and buries the server
errors (5xx) that do need one: `OneLineRefusal` drops it from every record of a 4xx
answer, names the method and path where Django's message does not, and the request's id
(X-Request-ID, onward/audit/middleware.py) that its audit entries carry too.

It is a filter on the loggers Django writes refusals to (`REFUSAL_LOGGERS`, set in
settings.LOGGING), not on a handler, so that the record itself is one line wherever it
goes: the console, a file or syslog handler an operator adds, the tests' caplog.
"""

import logging

# Django names its security logger after the exception: "django.security.<class name>".
SUSPICIOUS_OPERATIONS = (
    "SuspiciousOperation",
    "SuspiciousMultipartForm",
    "SuspiciousFileOperation",
    "DisallowedHost",
    "DisallowedRedirect",
    "TooManyFieldsSent",
    "TooManyFilesSent",
    "RequestDataTooBig",
    "InvalidSessionKey",
    "SuspiciousSession",
    "DisallowedModelAdminLookup",
    "DisallowedModelAdminToField",
)
REFUSAL_LOGGERS = (
    "django.request",
    "django.security.csrf",
    *(f"django.security.{name}" for name in SUSPICIOUS_OPERATIONS),
)


class OneLineRefusal(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is None or status >= 500:
            return True
        record.exc_info = None
        record.exc_text = None
        request = getattr(record, "request", None)
        message = record.getMessage()
        path = getattr(request, "path", "")
        if path and path not in message:
            message = f"{message} ({getattr(request, 'method', '')} {path})"
        request_id = getattr(request, "request_id", None)
        if request_id:  # the audit entry of the refusal holds the same id
            message = f"{message} [request {request_id}]"
        record.msg, record.args = f"{status} {message}", ()
        return True
