"""Reads of duplicate pairs, and the registration-time check."""

import datetime as dt
import json
import threading
import time

from django.db.models import Q, QuerySet
from django.utils import timezone

from onward.accounts import policy
from onward.accounts.policy import can, get_for_user, require
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record
from onward.dedup import engine, merging
from onward.dedup.models import DedupModel, DuplicatePair, Merge
from onward.dedup.records import as_record, registry_dataset, registry_records
from onward.registry.models import Note, Person, SpecificNeed

UNRESOLVED = (DuplicatePair.Status.OPEN, DuplicatePair.Status.PENDING, DuplicatePair.Status.SKIPPED)


def review_queue(*, user, status: str = "open") -> QuerySet:
    """Pairs to review, most likely first."""
    require(user, "dedup.view")
    pairs = DuplicatePair.objects.select_related("person_a__case", "person_b__case", "decided_by")
    if status:
        pairs = pairs.filter(status=status)
    return pairs.order_by("-probability", "id")


def visible_pairs(user) -> QuerySet:
    if can(user, "dedup.view"):
        return DuplicatePair.objects.select_related(
            "person_a__case", "person_b__case", "decided_by"
        )
    return DuplicatePair.objects.none()


def get_pair_for_user(user, pair_id: int) -> DuplicatePair:
    pair = get_for_user(user, visible_pairs(user), "duplicate_pair", pair_id)
    # Both records are shown side by side: both reads are audited.
    for person in (pair.person_a, pair.person_b):
        audit_record(
            actor=user,
            action=AuditEntry.Action.VIEW,
            object_type="person",
            object_id=person.person_id,
            detail=f"duplicate pair {pair.pk}",
        )
    return pair


def get_merge_for_user(user, merge_id) -> Merge:
    visible = Merge.objects.all() if can(user, "dedup.view") else Merge.objects.none()
    return get_for_user(user, visible, "merge", merge_id)


def case_has_open_duplicates(case) -> bool:
    """Relocation refuses a case while any member has an unresolved possible duplicate."""
    members = case.members.values_list("pk", flat=True)
    return (
        DuplicatePair.objects.filter(status__in=UNRESOLVED)
        .filter(Q(person_a__in=members) | Q(person_b__in=members))
        .exists()
    )


def name_evidence(pair: DuplicatePair) -> list[dict]:
    """For each name field: both spellings, and whether they are variants of one name."""
    rows = []
    for field in ("given_name", "family_name", "father_name"):
        a, b = getattr(pair.person_a, field), getattr(pair.person_b, field)
        same_key = bool(a and b and engine.name_key(a) == engine.name_key(b))
        rows.append(
            {
                "field": field.replace("_", " "),
                "a": a,
                "b": b,
                "level": (pair.levels.get(field) or "").replace("_", " "),
                "variant": same_key and a != b,
                "similarity": round(engine.name_similarity(a, b), 2) if a and b else None,
            }
        )
    return rows


# --- a pair side by side, field by field ---------------------------------------------------


def suggested_survivor(pair: DuplicatePair) -> Person:
    """The record a merge keeps unless the reviewer says otherwise: the principal of a case
    with other members (it cannot be merged away), else the one registered first."""
    for person in (pair.person_a, pair.person_b):
        if (
            person.relationship == "principal"
            and person.case.members.filter(merged_into__isnull=True).exclude(pk=person.pk).exists()
        ):
            return person
    return pair.person_a


def _case_side(user, person: Person) -> dict:
    notes = Note.objects.filter(case_id=person.case_id)
    if not can(user, "protection_notes.view"):
        notes = notes.exclude(kind=Note.Kind.PROTECTION)
    return {
        "person": person,
        "case": person.case,
        "notes": notes.count(),
        "members": person.case.members.filter(
            merged_into__isnull=True, removed_at__isnull=True
        ).count(),
    }


def _display(field: merging.MergeField, value, needs: dict[str, str]):
    if field.name == "specific_needs":
        return [f"{code} – {needs.get(code, code)}" for code in value]
    return value


def pair_comparison(*, user, pair: DuplicatePair) -> dict:
    """Both records field by field (every field of the person CSV contract), with the
    engine's evidence and, where they differ, the choice a merge makes by default when
    the suggested survivor stays. Reads of both records are audited by `get_pair_for_user`;
    the encrypted fields are shown as on the person page."""
    a, b = pair.person_a, pair.person_b
    state_a, state_b = merging.person_state(a), merging.person_state(b)
    keeper = suggested_survivor(pair)
    mine, theirs = (state_a, state_b) if keeper == a else (state_b, state_a)
    other = b if keeper == a else a
    needs = SpecificNeed.shown_labels()
    names = {row["field"]: row for row in name_evidence(pair)}
    rows = []
    for field in merging.FIELDS:
        choice = merging.default_choice(field, mine, theirs)
        ids = {
            merging.SURVIVOR: keeper.person_id,
            merging.MERGED: other.person_id,
            merging.BOTH: merging.BOTH,
        }
        name_row = names.get(field.name.replace("_", " "))
        rows.append(
            {
                "field": field,
                "sides": [
                    (_display(field, merging.shown(state_a, field), needs), a.person_id),
                    (_display(field, merging.shown(state_b, field), needs), b.person_id),
                ],
                "same": merging.part(state_a, field) == merging.part(state_b, field),
                # "both" where there are two values to hold (with one empty, it is the other)
                "joinable": bool(
                    field.joinable
                    and merging.shown(state_a, field)
                    and merging.shown(state_b, field)
                    and merging.part(state_a, field) != merging.part(state_b, field)
                ),
                "default": ids[choice],
                "level": (pair.levels.get(field.name) or "").replace("_", " "),
                "variant": bool(name_row and name_row["variant"]),
                "similarity": name_row["similarity"] if name_row else None,
            }
        )
    return {
        "rows": rows,
        "sides": [_case_side(user, a), _case_side(user, b)],
        "survivor": keeper.person_id,
    }


def decision_blocker(pair: DuplicatePair) -> str:
    """Why the pair cannot be decided now ('' when it can): decided already, or one of its
    records merged or removed since it was filed."""
    from onward.dedup.services import DECIDABLE

    if pair.status not in DECIDABLE:
        return ""  # the page says what was decided, by whom and when
    for person in (pair.person_a, pair.person_b):
        if person.merged_into_id:
            return (
                f"{person.person_id} was merged into another record since this pair "
                "was found: undo that merge to decide this pair."
            )
        if person.removed_at:
            return f"{person.person_id} is removed from the registry: restore it to decide."
    return ""


def merge_choices(merge: Merge) -> list[dict]:
    """What a merge kept, per field the two records differed on (names and ids only):
    [{label, kept: person id or "both"}]."""
    choices = merge.snapshot.get("choices") or {}
    whose = {
        merging.SURVIVOR: merge.survivor.person_id,
        merging.MERGED: merge.merged.person_id,
        merging.BOTH: "both",
    }
    changed = set(merge.snapshot.get("survivor_changed") or [])
    lost = {x["field"] for x in merge.snapshot.get("not_kept") or []}
    return [
        {"label": f.label, "kept": whose[choices[f.name]]}
        for f in merging.FIELDS
        if f.name in choices and (f.name in changed or f.name in lost)
    ]


# --- a survivor's merge history, and where a merged-away id leads --------------------------


def _merge_values(merge: Merge) -> dict | None:
    if not merge.record_values:
        return None
    return json.loads(merge.record_values)


def merge_history(*, user, person: Person) -> list[dict]:
    """The merges into this record (and out of it, when it was merged and the merge was
    undone), newest first. For a merge in force, every value it did not keep: the merged
    record's, and this record's own values it replaced. Showing them reads the merged
    record: audited as a read of it."""
    merges = (
        Merge.objects.filter(Q(survivor=person) | Q(merged=person), done_at__isnull=False)
        .select_related("survivor", "merged", "requested_by", "approved_by", "undone_by")
        .order_by("-done_at", "-pk")
    )
    history = []
    for merge in merges:
        entry = {
            "merge": merge,
            "into_this": merge.survivor_id == person.pk,
            "not_kept": [],
            "kept_edits": [
                merging.BY_NAME[n].label for n in merge.snapshot.get("undo_kept_edits") or []
            ],
        }
        if entry["into_this"] and not merge.undone_at:
            entry["not_kept"] = _not_kept(merge)
            audit_record(
                actor=user,
                action=AuditEntry.Action.VIEW,
                object_type="person",
                object_id=merge.merged.person_id,
                detail=f"merge history on {person.person_id}",
            )
        history.append(entry)
    return history


def _not_kept(merge: Merge) -> list[dict]:
    values = _merge_values(merge)
    if values is None:
        # Merged before merges chose fields: the survivor was left as it was, and the
        # merged record (unchanged while merged) holds what it did not take.
        survivor = merging.person_state(merge.survivor)
        values = {
            "survivor": survivor,
            "merged": merging.person_state(merge.merged),
            "result": survivor,
        }
    lost = merging.not_kept(values["survivor"], values["merged"], values["result"])
    needs = SpecificNeed.shown_labels()
    for x in lost:
        x["value"] = _display(merging.BY_NAME[x["field"]], x["value"], needs)
        x["of"] = (merge.merged if x["whose"] == merging.MERGED else merge.survivor).person_id
    return lost


MAX_CHAIN = 20  # a merged record merged again: never follow a loop for ever


def merged_away(*, user, person_id: str) -> dict | None:
    """Where a merged-away id leads: {survivor, steps [(from, into, when)], notice,
    merged_at}, the survivor being the record the chain of merges ends at; None when the id
    was not merged, or the survivor is not one the user may see (the caller then opens the
    id through the policy's door, which answers and audits it as any unknown id). Asked
    before the door, so that following a merged id is not logged as a refusal."""
    current = Person.objects.filter(
        person_id=str(person_id)[:32], merged_into__isnull=False
    ).first()
    if current is None:
        return None
    steps: list[tuple[str, str, dt.datetime | None]] = []
    seen: set[int] = set()
    while current.merged_into_id and current.pk not in seen and len(steps) < MAX_CHAIN:
        seen.add(current.pk)
        merge = (
            Merge.objects.filter(merged=current, done_at__isnull=False, undone_at__isnull=True)
            .order_by("-done_at")
            .first()
        )
        into = Person.objects.get(pk=current.merged_into_id)
        steps.append((current.person_id, into.person_id, merge.done_at if merge else None))
        current = into
    survivor = (
        policy.visible_persons(user, removed=True)
        .select_related("case")
        .filter(pk=current.pk)
        .first()
    )
    if survivor is None:
        return None
    notice = (
        "; ".join(
            f"{a} was merged into {b}"
            + (f" on {timezone.localdate(when):%Y-%m-%d}" if when else "")
            for a, b, when in steps
        )
        + "."
    )
    audit_record(
        actor=user,
        action=AuditEntry.Action.VIEW,
        object_type="person",
        object_id=steps[0][0],
        detail=f"merged into {survivor.person_id}: sent on to it",
    )
    return {"survivor": survivor, "steps": steps, "notice": notice, "merged_at": steps[0][2]}


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
        stale = (
            index is None
            or time.monotonic() - _index["built"] > INDEX_MAX_AGE
            or model_pk != _index.get("model")
        )
        if not stale and len(index.dataset) < SMALL_REGISTRY:
            stale = (
                Person.objects.filter(
                    merged_into__isnull=True, removed_at__isnull=True, anonymised_at__isnull=True
                ).count()
                != _index["count"]
            )
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
    matches = engine.top_matches(
        record, index, k=k, min_probability=engine.DEFAULT_REVIEW_THRESHOLD
    )
    found = {
        p.person_id: p
        for p in Person.objects.filter(
            person_id__in=[m.person_id for m in matches],
            merged_into__isnull=True,
            removed_at__isnull=True,
            anonymised_at__isnull=True,
        ).select_related("case")
    }
    return [
        {"person": found[m.person_id], "probability": m.probability, "levels": m.levels}
        for m in matches
        if m.person_id in found
    ]
