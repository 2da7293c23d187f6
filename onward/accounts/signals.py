"""Sign-in bookkeeping that must happen whichever path signs in or deactivates a user
(the login page, the admin's login, a test's force_login; the admin form, a command)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver

from onward.accounts.models import User
from onward.accounts.sessions import session_forget, session_record, sessions_end_for_user
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record


@receiver(user_logged_in)
def _record_session(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        session_record(request=request, user=user)


@receiver(user_logged_out)
def _forget_session(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        session_forget(session_key=request.session.session_key)


@receiver(post_save, sender=User)
def _end_sessions_of_inactive_user(sender, instance, **kwargs):
    """A deactivated user is signed out everywhere at once. (A bulk `update()` skips this
    signal; Django still refuses an inactive user's session on its next request.)"""
    if instance.is_active:
        return
    ended = sessions_end_for_user(instance)
    if ended:
        audit_record(actor=None, actor_name="", action=AuditEntry.Action.SESSIONS_ENDED,
                     object_type="user", object_id=instance.username,
                     detail=f"account deactivated: {ended} open session(s) ended")
