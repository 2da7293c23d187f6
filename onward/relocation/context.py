"""The menu's "Reviews" count (docs/relocation.md, the submission review)."""

from onward.accounts.policy import can
from onward.accounts.twofactor import second_factor_pending
from onward.relocation.review import reviews_to_decide_count


def reviews(request):
    """`reviews_waiting`: the recommendations waiting for this user's decision, for whoever
    holds the reviewing permission (None for anyone else: no entry, no query)."""
    user = getattr(request, "user", None)
    if (
        not user
        or not user.is_authenticated
        or second_factor_pending(user)
        or not can(user, "relocation.review")
    ):
        return {"reviews_waiting": None}
    return {"reviews_waiting": reviews_to_decide_count(user)}
