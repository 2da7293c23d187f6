"""Who acts: a signed-in user, or nobody in particular (a command run without --user, the
demo, a background job started by the system). Services take `actor` as given by their
caller (a request's user, possibly anonymous, or None) and store `acting_user(actor)`
wherever a record keeps who made it.

Code that is not given an actor (a model signal: the admin saving a user, a library
deleting a lockout) asks `acting_user()` with no argument: the user of the request being
served (set by the audit middleware) or the one a command names (`acting_as`)."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from onward.accounts.models import User

    Actor = User | AnonymousUser | None

_CURRENT: Any = object()
# A getter, not the user: the request's user is read when first needed (lazily, as
# Django's AuthenticationMiddleware sets it).
_current_actor: contextvars.ContextVar[Callable[[], Any] | None] = contextvars.ContextVar(
    "onward_actor", default=None
)


def acting_user(actor: Actor = _CURRENT) -> User | None:
    """The user to record as the author: None for an anonymous or missing actor. With no
    argument: whoever acts now (the request's user, or a command's `acting_as`)."""
    if actor is _CURRENT:
        getter = _current_actor.get()
        actor = getter() if getter else None
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


@contextmanager
def acting_as(actor_or_getter):
    """Everything done inside is done by this user (a user, or a function returning one)."""
    getter = actor_or_getter if callable(actor_or_getter) else (lambda: actor_or_getter)
    token = _current_actor.set(getter)
    try:
        yield
    finally:
        _current_actor.reset(token)
