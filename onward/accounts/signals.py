"""Bookkeeping that must happen whichever path signs in, changes or deactivates a user
(the login page, the admin's forms and actions, a command, a test's force_login, a
library such as django-axes): sessions, and the audit of every change of access."""

import getpass

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from onward.accounts.models import User
from onward.accounts.sessions import session_forget, session_record, sessions_end_for_user
from onward.audit.actor import acting_user
from onward.audit.middleware import request_meta
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record

# What decides what a user may reach; a change of any is an audit entry with who made it.
ACCESS_FIELDS = ("role", "country", "is_staff", "is_superuser", "is_active", "password")


@receiver(user_logged_in)
def _record_session(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        session_record(request=request, user=user)


@receiver(user_logged_out)
def _forget_session(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        session_forget(session_key=request.session.session_key)


def _by_whom(actor) -> str:
    """Who did it, for the entry's detail: the command line names the operating system's
    account, since no signed-in user stands behind it."""
    if actor is not None:
        return f"by {actor.username}"
    if request_meta().channel == "cli":
        try:
            return f"by the command line (system user {getpass.getuser()})"
        except (KeyError, OSError):
            return "by the command line"
    return "by nobody signed in"


@receiver(pre_save, sender=User)
def _access_before(sender, instance, update_fields=None, **kwargs):
    """The stored access fields, to compare after the save (no query when the save names
    only other fields, such as the login's `last_login`)."""
    instance._access_before = None
    if instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(ACCESS_FIELDS):
        return
    instance._access_before = User.objects.filter(pk=instance.pk).values(*ACCESS_FIELDS).first()


@receiver(post_save, sender=User)
def _audit_access_change(sender, instance, created, **kwargs):
    actor = acting_user()
    if created:
        changes = {f: ["", getattr(instance, f)] for f in ACCESS_FIELDS if f != "password"}
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            object_type="user",
            object_id=instance.username,
            changes=changes,
            detail=f"account created {_by_whom(actor)}",
        )
        return
    before = getattr(instance, "_access_before", None)
    if not before:
        return
    changes = {
        f: [before[f], getattr(instance, f)]
        for f in ACCESS_FIELDS
        if f != "password" and before[f] != getattr(instance, f)
    }
    notes = []
    if before["password"] != instance.password:
        changes["password"] = ["(hidden)", "(changed)"]  # never the hash
        notes.append(
            "password set by another user"
            if actor and actor.pk != instance.pk
            else "password changed by the user"
            if actor
            else "password set"
        )
    if changes.get("is_active") == [True, False]:
        notes.append("deactivated")
    elif changes.get("is_active") == [False, True]:
        notes.append("reactivated")
    if changes:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="user",
            object_id=instance.username,
            changes=changes,
            detail=f"{', '.join(notes) or 'access changed'} {_by_whom(actor)}",
        )


@receiver(post_save, sender=User)
def _end_sessions_of_inactive_user(sender, instance, **kwargs):
    """A deactivated user is signed out everywhere at once. (A bulk `update()` skips this
    signal; Django still refuses an inactive user's session on its next request.)"""
    if instance.is_active:
        return
    ended = sessions_end_for_user(instance)
    if ended:
        audit_record(
            actor=acting_user(),
            action=AuditEntry.Action.SESSIONS_ENDED,
            object_type="user",
            object_id=instance.username,
            detail=f"account deactivated: {ended} open session(s) ended",
        )


@receiver(post_delete, sender=AccessAttempt)
def _audit_unlock(sender, instance, **kwargs):
    """A lock lifted before its time (`onward axes_reset_username`, the admin deleting the
    access attempt): who unlocked whom. django-axes also deletes attempts whose cool-off has
    passed, and a user's failures at their next good sign-in: neither lifts a lock early,
    so neither is an unlock."""
    held = instance.failures_since_start >= settings.AXES_FAILURE_LIMIT
    expired = instance.attempt_time <= timezone.now() - settings.AXES_COOLOFF_TIME
    if not held or expired:
        return
    actor = acting_user()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UNLOCKED,
        object_type="user",
        object_id=(instance.username or "")[:64],
        detail=(
            f"sign-in lock lifted {_by_whom(actor)} (from {instance.ip_address or 'any address'})"
        )[:255],
    )
