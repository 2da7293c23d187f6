"""Who acts: a signed-in user, or nobody in particular (a command run without --user, the
demo, a background job started by the system). Services take `actor` as given by their
caller (a request's user, possibly anonymous, or None) and store `acting_user(actor)`
wherever a record keeps who made it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from onward.accounts.models import User

    Actor = User | AnonymousUser | None


def acting_user(actor: Actor) -> User | None:
    """The user to record as the author: None for an anonymous or missing actor."""
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None
