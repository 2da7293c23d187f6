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


def visible_cases(user, *, removed: bool = False) -> QuerySet:
    """Cases the user may see. Removed cases (registered in error) are left out of lists,
    searches and figures; `removed=True` keeps them, for the one door to a record's page."""
    from onward.registry.models import Case

    cases = Case.objects.all() if removed else Case.objects.filter(removed_at__isnull=True)
    if can(user, "registry.view"):
        return cases
    if _is_delegation(user):
        # A delegation sees the cases that have (or had) a submission to a pledge of its
        # country, and through relocation's selectors only the fields a submission shares.
        return cases.filter(pk__in=visible_submissions(user).values("case_id"))
    return Case.objects.none()


def visible_persons(user, *, removed: bool = False) -> QuerySet:
    """Persons the user may see: never a merged duplicate; a removed person only with
    `removed=True` (their own page, which says they are removed)."""
    from onward.registry.models import Person

    if can(user, "registry.view"):
        persons = Person.objects.filter(merged_into__isnull=True)
        return persons if removed else persons.filter(removed_at__isnull=True)
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
        return visible_cases(user, removed=True).get(case_id=case_id)
    except Exception as exc:  # DoesNotExist, or a malformed id
        raise NotFound(f"No case {case_id!r}.") from exc


def get_person_for_user(user, person_id: str):
    try:
        return visible_persons(user, removed=True).select_related("case").get(
            person_id=person_id)
    except Exception as exc:
        raise NotFound(f"No person {person_id!r}.") from exc
