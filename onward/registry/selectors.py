"""Reads of the registry, always through the policy's visible_* querysets."""

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from onward.accounts.policy import can, visible_cases, visible_persons
from onward.audit.services import audit_read, audit_record
from onward.registry import codes
from onward.registry.search import identifier_lookup, person_search


def _age_band_filter(band: str, today: dt.date) -> Q:
    low, high = (int(x) for x in band.split("-"))
    # Born after today-(high+1) years and on or before today-low years.
    oldest = today.replace(year=today.year - high - 1)
    youngest = today.replace(year=today.year - low)
    return Q(birth_date__gt=oldest, birth_date__lte=youngest)


def _audit_list(user, object_type: str, filters: dict) -> None:
    """A list shows personal data too: who searched for what is recorded, once a query."""
    shown = {k: v for k, v in filters.items() if v}
    audit_record(
        actor=user,
        action="view",
        object_type=object_type,
        detail=" ".join(f"{k}={v}" for k, v in shown.items()) or "all",
    )


def person_list(
    *,
    user,
    q: str = "",
    sex: str = "",
    nationality: str = "",
    need: str = "",
    age_band: str = "",
    case_status: str = "",
) -> QuerySet:
    """The persons a list page or the API shows; the query is audited as a view."""
    filters = {
        "q": q,
        "sex": sex,
        "nationality": nationality,
        "need": need,
        "age_band": age_band,
        "case_status": case_status,
    }
    _audit_list(user, "person_list", filters)
    return persons_filtered(user=user, **filters)


def persons_filtered(
    *,
    user,
    q: str = "",
    sex: str = "",
    nationality: str = "",
    need: str = "",
    age_band: str = "",
    case_status: str = "",
) -> QuerySet:
    """The same persons, within the user's scope, with no audit entry of its own: for a
    caller that writes the one entry the read deserves (an export records its filters)."""
    persons = visible_persons(user).select_related("case")
    # Names in any spelling (Mohammad = Muhammad = محمد), ids and documents typed whole.
    persons = person_search(persons, q)
    if sex:
        persons = persons.filter(sex=sex)
    if nationality:
        persons = persons.filter(nationality=nationality.upper())
    if need:
        persons = persons.filter(specific_needs__code=need)
    if age_band and age_band in age_band_choices():
        persons = persons.filter(_age_band_filter(age_band, timezone.localdate()))
    if case_status:
        persons = persons.filter(case__status=case_status)
    return persons.order_by("person_id")


def person_lookup(*, user, document_number: str = "", phone: str = "") -> QuerySet:
    """Persons with exactly this document number or phone (either), for a user who may
    read the registry. Audited like a search, without the identifier itself: the audit
    log is not encrypted, so it records which kind of identifier was looked up and which
    persons were found."""
    persons = identifier_lookup(
        visible_persons(user).select_related("case"), document_number=document_number, phone=phone
    )
    persons = persons.order_by("person_id")
    found = list(persons.values_list("person_id", flat=True)[: LOOKUP_AUDIT_IDS + 1])
    kinds = [k for k, v in (("document_number", document_number), ("phone", phone)) if v]
    shown = ", ".join(found[:LOOKUP_AUDIT_IDS]) + (" …" if len(found) > LOOKUP_AUDIT_IDS else "")
    audit_record(
        actor=user,
        action="view",
        object_type="person_lookup",
        detail=f"by {' or '.join(kinds) or 'nothing'}: {shown or 'no match'}"[:255],
    )
    return persons


LOOKUP_AUDIT_IDS = 10


def case_list(
    *, user, q: str = "", status: str = "", need: str = "", nationality: str = ""
) -> QuerySet:
    """The cases a list page or the API shows; the query is audited as a view."""
    filters = {"q": q, "status": status, "need": need, "nationality": nationality}
    _audit_list(user, "case_list", filters)
    return cases_filtered(user=user, **filters)


def cases_filtered(
    *, user, q: str = "", status: str = "", need: str = "", nationality: str = ""
) -> QuerySet:
    """The same cases, within the user's scope, with no audit entry of its own (see
    `persons_filtered`)."""
    cases = visible_cases(user).annotate(size=Count("members", distinct=True))
    for word in q.split():
        cases = cases.filter(
            Q(case_id__iexact=word)
            | Q(members__given_name__icontains=word)
            | Q(members__family_name__icontains=word)
        )
    if status:
        cases = cases.filter(status=status)
    if need:
        cases = cases.filter(members__specific_needs__code=need)
    if nationality:
        cases = cases.filter(members__nationality=nationality.upper())
    return cases.distinct().order_by("case_id")


def age_band_choices() -> dict[str, str]:
    return {f"{lo}-{hi}": (f"{lo}–{hi}" if hi < 200 else f"{lo}+") for lo, hi in codes.AGE_BANDS}


def person_detail(*, user, person):
    """The person as the user may see them; the read is audited."""
    audit_read(actor=user, obj=person)
    return person


def case_detail(*, user, case) -> dict:
    audit_read(actor=user, obj=case)
    notes = case.notes.select_related("author")
    if not can(user, "protection_notes.view"):
        notes = notes.exclude(kind="protection")
    members = list(case.members.filter(merged_into__isnull=True).prefetch_related("specific_needs"))
    # Removed members stay reachable from their case, listed apart from the household.
    return {
        "case": case,
        "members": [m for m in members if not m.removed_at],
        "removed_members": [m for m in members if m.removed_at],
        "notes": list(notes),
    }
