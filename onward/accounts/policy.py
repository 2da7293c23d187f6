"""Who may do what to which record: the one place that decides.

Views, the REST API and commands call these functions; none of them reads the role table
or filters querysets for access on its own.

The one door: every scoped record is fetched through `get_for_user(user, visible, …)`,
with `visible` one of the `visible_*(user)` querysets. "Does not exist" and "you may not
see it" raise the same `NotFound`, and the door itself writes the `denied` audit entry,
so that no channel (web, API, command) can forget it (Zulip's `access_stream_by_id`).
"""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext, gettext_lazy

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record

# Record ids that no column can hold are "not there" (a bigint on PostgreSQL).
_MAX_PK = 2**63 - 1
_MAX_ID = 64


# What the API's 404 names (in the reader's language): the kinds of record looked up by id.
RECORD_NOUNS = {
    "appointment": gettext_lazy("appointment"),
    "block": gettext_lazy("block"),
    "case": gettext_lazy("case"),
    "case_country_link": gettext_lazy("country link"),
    "case_change": gettext_lazy("composition change"),
    "case_link": gettext_lazy("link between cases"),
    "consent": gettext_lazy("consent"),
    "document": gettext_lazy("document"),
    "dossier": gettext_lazy("dossier"),
    "duplicate pair": gettext_lazy("duplicate pair"),
    "import": gettext_lazy("import"),
    "incident": gettext_lazy("incident"),
    "job": gettext_lazy("job"),
    "match_run": gettext_lazy("matching run"),
    "merge": gettext_lazy("merge"),
    "mission": gettext_lazy("selection mission"),
    "person": gettext_lazy("person"),
    "pledge": gettext_lazy("pledge"),
    "roll_call": gettext_lazy("roll call"),
    "scoring_policy": gettext_lazy("scoring policy"),
    "site": gettext_lazy("site"),
    "submission": gettext_lazy("submission"),
    "task": gettext_lazy("task"),
    "transfer": gettext_lazy("transfer"),
}


def record_noun(object_type: str) -> str:
    noun = RECORD_NOUNS.get(object_type)
    return str(noun) if noun is not None else object_type.replace("_", " ")


def not_found_text(object_type: str, object_id) -> str:
    """ "No case C00042.": what the API answers for a record not there (or not yours)."""
    return gettext("No %(record)s %(id)s.") % {
        "record": record_noun(object_type),
        "id": str(object_id)[:64],
    }


class NotFound(Exception):
    """The record does not exist, or the user may not know that it does."""


def can(user, permission: str) -> bool:
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return user.role in roles.PERMISSIONS.get(permission, set())


def require(user, permission: str) -> None:
    if not can(user, permission):
        raise PermissionDenied(
            gettext("Your role may not do this (%(permission)s).") % {"permission": permission}
        )


def visible_cases(user, *, removed: bool = False) -> QuerySet:
    """Cases the user may see. Removed cases (registered in error) are left out of lists,
    searches and figures; `removed=True` keeps them, for the one door to a record's page."""
    from onward.registry.models import Case

    cases = Case.objects.all() if removed else Case.objects.filter(removed_at__isnull=True)
    if can(user, "registry.view"):
        return cases
    if is_delegation(user):
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


def is_delegation(user) -> bool:
    """A country's delegation: sees only what was submitted to its country's pledges, and
    figures only as shared outside the operation (small cells suppressed)."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and user.role == roles.DELEGATION
        and user.country
    )


def visible_pledges(user) -> QuerySet:
    """Staff and auditors see every pledge; a delegation only its own country's."""
    from onward.relocation.models import Pledge

    if is_delegation(user):
        return Pledge.objects.filter(country=user.country)
    if can(user, "relocation.view"):
        return Pledge.objects.all()
    return Pledge.objects.none()


def visible_submissions(user) -> QuerySet:
    """Submissions to the pledges the user may see: a delegation never sees that a case
    was put to another country."""
    from onward.relocation.models import Submission

    if is_delegation(user):
        return Submission.objects.filter(pledge__country=user.country)
    if can(user, "relocation.view"):
        return Submission.objects.all()
    return Submission.objects.none()


# --- The one door -----------------------------------------------------------------------


def deny(user, object_type: str, object_id, *, detail: str = "") -> None:
    """Records an attempt to reach a record that is not there or not the user's."""
    audit_record(
        actor=user,
        action=AuditEntry.Action.DENIED,
        object_type=object_type,
        object_id=str(object_id)[:64],
        detail=detail,
    )


def _id_value(visible: QuerySet, field: str, object_id):
    """The id as its column holds it, or None when no record can have it (a malformed or
    out-of-range id is simply not there)."""
    column = visible.model._meta.pk if field == "pk" else visible.model._meta.get_field(field)
    raw = str(object_id).strip()
    if not raw or len(raw) > _MAX_ID:
        return None
    try:
        value = column.to_python(raw)
    except ValidationError:
        return None
    if isinstance(value, int) and not 0 < value <= _MAX_PK:
        return None
    return value


def get_for_user(user, visible: QuerySet, object_type: str, object_id, *, field: str = "pk"):
    """The record of `visible` (a `visible_*(user)` queryset) whose `field` is
    `object_id`; otherwise NotFound, after a `denied` audit entry, whether the record is
    missing, malformed or outside the user's scope."""
    value = _id_value(visible, field, object_id)
    try:
        if value is None:
            raise ObjectDoesNotExist
        return visible.get(**{field: value})
    except ObjectDoesNotExist:
        deny(user, object_type, object_id)
        raise NotFound(not_found_text(object_type, object_id)) from None


def get_case_for_user(user, case_id: str):
    return get_for_user(user, visible_cases(user, removed=True), "case", case_id, field="case_id")


def get_person_for_user(user, person_id: str):
    return get_for_user(
        user,
        visible_persons(user, removed=True).select_related("case"),
        "person",
        person_id,
        field="person_id",
    )
