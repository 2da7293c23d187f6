"""The view side of the policy: a decorator for permissions, and the one way views fetch
a record (fetch and check together, healthchecks' rule)."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext

from onward.accounts import policy


def permission_required(permission: str | None = None):
    """Logged-in users only; with a permission, only roles that hold it (403 otherwise)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if permission and not policy.can(request.user, permission):
                raise PermissionDenied(
                    gettext("Your role may not open this page (%(permission)s).")
                    % {"permission": permission}
                )
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def record_or_404(request, getter, object_type: str, object_id):
    """Fetch and check in one step: `getter(user, id)` goes through the policy's door,
    which audits the refusal and raises NotFound for "not there" and "not yours" alike;
    that becomes a 404 here."""
    try:
        return getter(request.user, object_id)
    except policy.NotFound:
        raise Http404(f"No {object_type} {str(object_id)[:64]}.") from None


def case_or_404(request, case_id: str):
    return record_or_404(request, policy.get_case_for_user, "case", case_id)


def person_or_404(request, person_id: str):
    return record_or_404(request, policy.get_person_for_user, "person", person_id)
