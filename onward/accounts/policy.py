"""Who may do what to which record: the one place that decides.

Views, the REST API and commands call these functions; none of them reads the role table
or filters querysets for access on its own. Lookups return the same `NotFound` for "does
not exist" and "you may not see it" (Zulip's rule), so an outsider learns nothing.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from onward.accounts import roles


class NotFound(Exception):
    """The record does not exist, or the user may not know that it does."""


def can(user, permission: str) -> bool:
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return user.role in roles.PERMISSIONS.get(permission, set())


def require(user, permission: str) -> None:
    if not can(user, permission):
        raise PermissionDenied(f"Your role may not do this ({permission}).")


def visible_cases(user) -> QuerySet:
    from onward.registry.models import Case

    if can(user, "registry.view"):
        return Case.objects.all()
    if _is_delegation(user):
        # A delegation sees the cases that have (or had) a submission to a pledge of its
        # country, and through relocation's selectors only the fields a submission shares.
        return Case.objects.filter(pk__in=visible_submissions(user).values("case_id"))
    return Case.objects.none()


def visible_persons(user) -> QuerySet:
    from onward.registry.models import Person

    if can(user, "registry.view"):
        return Person.objects.filter(merged_into__isnull=True)
    # Delegations read the members of their submitted cases only through relocation's
    # shared view (no phones, documents or notes), never as persons of the registry.
    return Person.objects.none()


def _is_delegation(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active
                and user.role == roles.DELEGATION and user.country)


def visible_pledges(user) -> QuerySet:
    """Staff and auditors see every pledge; a delegation only its own country's."""
    from onward.relocation.models import Pledge

    if _is_delegation(user):
        return Pledge.objects.filter(country=user.country)
    if can(user, "relocation.view"):
        return Pledge.objects.all()
    return Pledge.objects.none()


def visible_submissions(user) -> QuerySet:
    """Submissions to the pledges the user may see: a delegation never sees that a case
    was put to another country."""
    from onward.relocation.models import Submission

    if _is_delegation(user):
        return Submission.objects.filter(pledge__country=user.country)
    if can(user, "relocation.view"):
        return Submission.objects.all()
    return Submission.objects.none()


def get_case_for_user(user, case_id: str):
    try:
        return visible_cases(user).get(case_id=case_id)
    except Exception as exc:  # DoesNotExist, or a malformed id
        raise NotFound(f"No case {case_id!r}.") from exc


def get_person_for_user(user, person_id: str):
    try:
        return visible_persons(user).select_related("case").get(person_id=person_id)
    except Exception as exc:
        raise NotFound(f"No person {person_id!r}.") from exc
