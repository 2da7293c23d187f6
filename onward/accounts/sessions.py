"""Whose sessions are whose: recorded at sign-in, so that they can be ended.

Django renews the session key at sign-in (no session fixation); Onward renews it again
when the second factor is passed, and records each key against its user, so that
deactivating a user ends every session they hold, on every computer.
"""

from importlib import import_module

from django.conf import settings
from django.utils import timezone

from onward.accounts.models import UserSession

SIGNED_IN_AT = "onward_signed_in_at"  # session key: when the password was accepted


def _store(session_key: str | None = None):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key)


def session_record(*, request, user) -> None:
    """At sign-in: note when (for the absolute timeout) and whose the session is."""
    now = timezone.now()
    request.session[SIGNED_IN_AT] = now.timestamp()
    if request.session.session_key is None:
        request.session.save()
    # Forget this user's sessions that have ended on their own (expired, or cleared).
    stale = [
        key
        for key in UserSession.objects.filter(user=user).values_list("session_key", flat=True)
        if not _store().exists(key)
    ]
    UserSession.objects.filter(session_key__in=stale).delete()
    UserSession.objects.update_or_create(
        session_key=request.session.session_key, defaults={"user": user, "signed_in_at": now}
    )


def session_renew(*, request) -> None:
    """A new key for the same session (after the second factor: a raise in privilege)."""
    old = request.session.session_key
    request.session.cycle_key()
    UserSession.objects.filter(session_key=old).update(session_key=request.session.session_key)


def session_forget(*, session_key: str | None) -> None:
    """At sign-out: the session is gone, so is its record."""
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def sessions_end_for_user(user) -> int:
    """Ends every session the user signed in with; returns how many were still open."""
    ended = 0
    records = UserSession.objects.filter(user=user)
    for key in records.values_list("session_key", flat=True):
        store = _store(key)
        if store.exists(key):
            store.delete(key)
            ended += 1
    records.delete()
    return ended
