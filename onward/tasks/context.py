"""The header's unread inbox count (docs/tasks.md)."""

from onward.accounts.policy import can
from onward.accounts.twofactor import second_factor_pending
from onward.tasks.selectors import unread_count


def inbox(request):
    """`inbox_unread`: the user's unread inbox entries, None for who has no inbox."""
    user = getattr(request, "user", None)
    if (
        not user
        or not user.is_authenticated
        or second_factor_pending(user)
        or not can(user, "tasks.view")
    ):
        return {"inbox_unread": None}
    return {"inbox_unread": unread_count(user)}
