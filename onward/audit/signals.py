from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from onward import bounds
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_record(
        actor=user, action=AuditEntry.Action.LOGIN, object_type="user", object_id=user.username
    )


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(
            actor=user,
            action=AuditEntry.Action.LOGOUT,
            object_type="user",
            object_id=user.username,
            detail=getattr(request, "onward_logout_reason", ""),
        )


def typed_username(value) -> tuple[str, str]:
    """What a sign-in form was typed as a username, fit for the audit log: hidden and
    control characters shown as \\uXXXX, and cut to a username's length (an attacker's
    10,000 characters must not stop the failure from being recorded). Returns the name
    and, when it was cut, a detail saying how long it was."""
    name = bounds.escape_hidden(str(value or ""))
    if len(name) <= bounds.USERNAME_MAX:
        return name, ""
    return name[: bounds.USERNAME_MAX - 1] + "…", f"typed username of {len(name):,} characters, cut"


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    name, detail = typed_username(credentials.get("username", ""))
    audit_record(
        actor=None,
        actor_name=name,
        action=AuditEntry.Action.LOGIN_FAILED,
        object_type="user",
        object_id=name,
        detail=detail,
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address=None, **kwargs):
    """django-axes locked the username: the lock itself, and each try while it holds."""
    name, _cut = typed_username(username)
    failures = getattr(request, "axes_failures_since_start", None)
    if failures == settings.AXES_FAILURE_LIMIT:
        detail = f"locked after {failures} failed sign-ins"
    else:
        detail = "sign-in refused: the account is locked"
    audit_record(
        actor=None,
        actor_name=name,
        action=AuditEntry.Action.LOCKED_OUT,
        object_type="user",
        object_id=name,
        detail=detail,
    )
