from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from onward.audit.models import AuditEntry
from onward.audit.services import audit_record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_record(actor=user, action=AuditEntry.Action.LOGIN, object_type="user",
                 object_id=user.username)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action=AuditEntry.Action.LOGOUT, object_type="user",
                     object_id=user.username,
                     detail=getattr(request, "onward_logout_reason", ""))


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    name = str(credentials.get("username", ""))[:150]
    audit_record(actor=None, actor_name=name, action=AuditEntry.Action.LOGIN_FAILED,
                 object_type="user", object_id=name)


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address=None, **kwargs):
    """django-axes locked the username: the lock itself, and each try while it holds."""
    name = str(username or "")[:150]
    failures = getattr(request, "axes_failures_since_start", None)
    if failures == settings.AXES_FAILURE_LIMIT:
        detail = f"locked after {failures} failed sign-ins"
    else:
        detail = "sign-in refused: the account is locked"
    audit_record(actor=None, actor_name=name, action=AuditEntry.Action.LOCKED_OUT,
                 object_type="user", object_id=name, detail=detail)
