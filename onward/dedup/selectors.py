"""Reads of duplicate pairs, and the registration-time check."""

import threading
import time

from django.db.models import Q, QuerySet

from onward.accounts.policy import can, get_for_user, require
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record
from onward.dedup import engine
from onward.dedup.models import DedupModel, DuplicatePair, Merge
from onward.dedup.records import as_record, registry_dataset, registry_records
from onward.registry.models import Person

UNRESOLVED = (DuplicatePair.Status.OPEN, DuplicatePair.Status.PENDING,
              DuplicatePair.Status.SKIPPED)


def review_queue(*, user, status: str = "open") -> QuerySet:
    """Pairs to review, most likely first."""
    require(user, "dedup.view")
    pairs = DuplicatePair.objects.select_related("person_a__case", "person_b__case")
    if status:
        pairs = pairs.filter(status=status)
    return pairs.order_by("-probability", "id")


def visible_pairs(user) -> QuerySet:
    if can(user, "dedup.view"):
        return DuplicatePair.objects.select_related("person_a__case", "person_b__case")
    return DuplicatePair.objects.none()


def get_pair_for_user(user, pair_id: int) -> DuplicatePair:
    pair = get_for_user(user, visible_pairs(user), "duplicate_pair", pair_id)
    # Both records are shown side by side: both reads are audited.
    for person in (pair.person_a, pair.person_b):
        audit_record(actor=user, action=AuditEntry.Action.VIEW, object_type="person",
                     object_id=person.person_id, detail=f"duplicate pair {pair.pk}")
    return pair


def get_merge_for_user(user, merge_id) -> Merge:
    visible = Merge.objects.all() if can(user, "dedup.view") else Merge.objects.none()
    return get_for_user(user, visible, "merge", merge_id)


def case_has_open_duplicates(case) -> bool:
    """Relocation refuses a case while any member has an unresolved possible duplicate."""
    members = case.members.values_list("pk", flat=True)
    return DuplicatePair.objects.filter(status__in=UNRESOLVED).filter(
        Q(person_a__in=members) | Q(person_b__in=members)).exists()


def name_evidence(pair: DuplicatePair) -> list[dict]:
    """For each name field: both spellings, and whether they are variants of one name."""
    rows = []
    for field in ("given_name", "family_name", "father_name"):
        a, b = getattr(pair.person_a, field), getattr(pair.person_b, field)
        same_key = bool(a and b and engine.name_key(a) == engine.name_key(b))
        rows.append({"field": field.replace("_", " "), "a": a, "b": b,
                     "level": (pair.levels.get(field) or "").replace("_", " "), "variant": same_key and a != b,
                     "similarity": round(engine.name_similarity(a, b), 2) if a and b else None})
    return rows


# --- registration-time check -------------------------------------------------------------

_index_lock = threading.Lock()
_index: dict = {"index": None, "built": 0.0, "count": -1}
# The index is rebuilt when it is older than this, or, for a registry small enough to
# rebuild in a blink, as soon as the registry's size changed.
INDEX_MAX_AGE = 300  # seconds
SMALL_REGISTRY = 50_000


def stored_model(pk: int | None = None):
    """(pk, model) of the newest whole-registry run's model, (None, None) when there is
    none; model None when it cannot be read.  With ``pk`` given, that row is loaded."""
    rows = DedupModel.objects.order_by("-created_at", "-id")
    if pk is not None:
        rows = rows.filter(pk=pk)
    row = rows.values("pk", "parameters").first()
    if row is None:
        return None, None
    try:
        return row["pk"], engine.model_from_dict(row["parameters"])
    except (ValueError, KeyError, TypeError):
        return row["pk"], None


def _newest_model_pk() -> int | None:
    return DedupModel.objects.order_by("-created_at", "-id").values_list("pk", flat=True).first()


def _registry_index():
    """The lookup index over the active registry.

    Rebuilt when older than INDEX_MAX_AGE, when a newer model was stored, or (for a
    registry small enough to rebuild in a blink) when the number of persons changed; a
    large registry is not counted on every call (a count of a million rows costs more
    than the lookup itself).  With a stored model nothing is fitted (seconds for a million
    persons); without one (the registry was never run) the model is fitted here, on a
    sample of the candidate pairs.
    """
    with _index_lock:
        index = _index["index"]
        model_pk = _newest_model_pk()
        stale = (index is None or time.monotonic() - _index["built"] > INDEX_MAX_AGE
                 or model_pk != _index.get("model"))
        if not stale and len(index.dataset) < SMALL_REGISTRY:
            stale = Person.objects.filter(merged_into__isnull=True, removed_at__isnull=True) \
                .count() != _index["count"]
        if not stale:
            return index
        model = stored_model(model_pk)[1] if model_pk is not None else None
        index = None
        if model is not None:
            try:
                index = engine.build_index(registry_dataset(), model=model)
            except ValueError:  # a stored model of another shape: fit afresh below
                index = None
        if index is None:
            records, _ = registry_records()
            index = engine.build_index(records) if len(records) > 1 else None
        count = len(index.dataset) if index is not None else 0
        _index.update(index=index, built=time.monotonic(), count=count, model=model_pk)
        return index


def likely_matches(*, user, person: dict, k: int = 5) -> list[dict]:
    """The registry's k persons most likely to be `person` (raw form values), with the
    evidence, for a clerk to see before saving."""
    require(user, "dedup.view")
    index = _registry_index()
    if index is None:
        return []
    record = as_record({**person, "person_id": "(new)", "birth_date": None})
    record["birth_date"] = str(person.get("birth_date") or "")
    matches = engine.top_matches(record, index, k=k,
                                 min_probability=engine.DEFAULT_REVIEW_THRESHOLD)
    found = {p.person_id: p for p in Person.objects.filter(
        person_id__in=[m.person_id for m in matches], merged_into__isnull=True,
        removed_at__isnull=True)
        .select_related("case")}
    return [{"person": found[m.person_id], "probability": m.probability, "levels": m.levels}
            for m in matches if m.person_id in found]
