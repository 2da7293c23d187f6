"""Duplicate detection in the registry: runs, decisions, merges and unmerges.

No merge is silent: the engine proposes pairs, a person decides. A merge gives the
survivor, field by field, the values the reviewer chose (`merging.py`: an empty value never
wins over a non-empty one by default), hides the merged record (it is kept, linked to the
survivor through `merged_into`), corrects the population ledger (the duplicate never was a
second resident), and keeps both records' values (encrypted) so that every value not kept
stays readable and an unmerge restores both records exactly. A merge touching two different cases
needs a second reviewer (ONWARD_DEDUP_SECOND_REVIEWER, on by default).
"""

import json
import time
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from onward.accounts.policy import require
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record
from onward.dedup import engine, merging
from onward.dedup.engine.parallel import in_process
from onward.dedup.models import DedupModel, DuplicatePair, Merge
from onward.dedup.records import registry_records
from onward.movements.models import LedgerEntry
from onward.refusals import Told, define
from onward.registry.models import Case, Person
from onward.registry.search import person_search_keys
from onward.vault.fields import hide_encrypted

# A pair can be decided (again) in these states; merged, pending and different are decided.
DECIDABLE = (DuplicatePair.Status.OPEN, DuplicatePair.Status.SKIPPED, DuplicatePair.Status.UNMERGED)


@contextmanager
def _mapper():
    """Where the engine's parts run: on the Dask cluster of ONWARD_DEDUP_SCHEDULER when
    one is set (the clusters are the same), else in this process."""
    if not settings.ONWARD_DEDUP_SCHEDULER:
        yield in_process
        return
    from onward.dedup.distributed import cluster_mapper

    with cluster_mapper(scheduler=settings.ONWARD_DEDUP_SCHEDULER) as mapper:
        yield mapper


# The whole-registry job's progress (onward/refusals.py `Told`): the engine's stages.
SCORING = define("dedup.scoring", gettext_noop("Scoring %(n)s persons"))
STAGES = {
    "blocking": define("dedup.blocking", gettext_noop("Finding candidate pairs")),
    "comparing": define("dedup.comparing", gettext_noop("Comparing candidate pairs")),
    "clustering": define("dedup.clustering", gettext_noop("Grouping duplicates")),
}


def _ordered(pk1: int, pk2: int) -> tuple[int, int]:
    return (pk1, pk2) if pk1 < pk2 else (pk2, pk1)


def dedup_run_registry(*, actor, progress=None) -> dict:
    """Scores the whole registry and files every pair above the review threshold.

    Pairs already decided (different persons, merged) keep their decision: a re-run never
    proposes them again. Open pairs get their new score.
    """
    require(actor, "dedup.run")
    started = time.monotonic()
    records, pks = registry_records()
    if progress:
        progress(0, None, Told(SCORING, n=len(records)))

    def engine_progress(stage: str, done: int, total: int) -> None:
        if progress:
            progress(done, total, Told(STAGES[stage]) if stage in STAGES else stage)

    result = None
    if len(records) > 1:
        with _mapper() as mapper:
            result = engine.dedup(records, progress=engine_progress, mapper=mapper)
    filed = 0
    if result is not None:
        filed = _file_pairs(result, pks)
        _store_model(result.model, len(records))
    summary = {
        "records": len(records),
        "candidate_pairs": int(len(result.ia)) if result is not None else 0,
        "pairs_above_threshold": int((result.probability >= result.threshold).sum())
        if result is not None
        else 0,
        "pairs_filed_for_review": filed,
        "threshold": engine.DEFAULT_THRESHOLD,
        "review_threshold": engine.DEFAULT_REVIEW_THRESHOLD,
        "seconds": round(time.monotonic() - started, 2),
    }
    audit_record(
        actor=actor,
        action="create",
        object_type="dedup_run",
        detail=" ".join(f"{k}={v}" for k, v in summary.items()),
    )
    return summary


KEEP_MODELS = 3


@transaction.atomic
def _store_model(model, records: int) -> DedupModel:
    """Keep the run's fitted model for the registration-time check (newest first; the
    last few are kept so a bad run can be looked into)."""
    stored = DedupModel.objects.create(records=records, parameters=engine.model_to_dict(model))
    old = DedupModel.objects.values_list("pk", flat=True)[KEEP_MODELS:]
    DedupModel.objects.filter(pk__in=list(old)).delete()
    return stored


@transaction.atomic
def _file_pairs(result, pks: dict[str, int]) -> int:
    import numpy as np

    keep = np.nonzero(result.probability >= result.review_threshold)[0]
    existing = {(p.person_a_id, p.person_b_id): p for p in DuplicatePair.objects.all()}
    new, changed = [], []
    for k in keep.tolist():
        pair = result.scored_pair(k)
        a, b = _ordered(pks[pair.a], pks[pair.b])
        old = existing.get((a, b))
        if old is None:
            new.append(
                DuplicatePair(
                    person_a_id=a,
                    person_b_id=b,
                    probability=pair.probability,
                    weight=pair.weight,
                    levels=pair.levels,
                )
            )
        elif old.status == DuplicatePair.Status.OPEN:
            old.probability, old.weight, old.levels = pair.probability, pair.weight, pair.levels
            changed.append(old)
    DuplicatePair.objects.bulk_create(new, batch_size=2000)
    DuplicatePair.objects.bulk_update(changed, ["probability", "weight", "levels"], batch_size=2000)
    return len(new) + len(changed)


def _lock_pair(pair_id: int, expected_version: int | None) -> DuplicatePair:
    pair = DuplicatePair.objects.select_for_update().get(pk=pair_id)
    if expected_version is not None and pair.version != expected_version:
        raise ValidationError(
            {"pair": _("Someone decided this pair since you opened it. Reload it.")}
        )
    return pair


def _decide(pair: DuplicatePair, actor, status: str) -> None:
    pair.status, pair.decided_by, pair.decided_at = status, actor, timezone.now()
    pair.version += 1
    pair.save()


@transaction.atomic
def pair_mark_different(*, actor, pair_id: int, expected_version: int | None = None):
    """Two different persons: remembered, so the pair is never proposed again."""
    require(actor, "dedup.review")
    pair = _lock_pair(pair_id, expected_version)
    if pair.status not in DECIDABLE:
        raise ValidationError(
            {
                "pair": _("This pair is already %(status)s.")
                % {"status": pair.get_status_display().lower()}
            }
        )
    _decide(pair, actor, DuplicatePair.Status.DIFFERENT)
    _audit_pair(actor, pair, "different persons")
    return pair


@transaction.atomic
def pair_skip(*, actor, pair_id: int):
    require(actor, "dedup.review")
    pair = _lock_pair(pair_id, None)
    if pair.status == DuplicatePair.Status.OPEN:
        _decide(pair, actor, DuplicatePair.Status.SKIPPED)
        _audit_pair(actor, pair, "skipped")
    return pair


@transaction.atomic
def pair_merge(
    *,
    actor,
    pair_id: int,
    survivor_person_id: str,
    keep: dict | None = None,
    expected_version: int | None = None,
) -> Merge:
    """Same person: `survivor` stays, the other is merged into it.

    `keep` says, per field where the records differ (`merging.FIELDS`), whose value the
    survivor keeps: a person id of the pair, or "both" for specific needs and their
    details. A field left out gets the default, which never drops a non-empty value for an
    empty one (`merging.default_choice`). Every value not kept stays on the merge and on
    the survivor's page. If the two records are in different cases and a second reviewer
    is required, the merge waits (status pending) for another reviewer's `merge_approve`,
    which applies these same choices.
    """
    require(actor, "dedup.review")
    pair = _lock_pair(pair_id, expected_version)
    if pair.status not in DECIDABLE:
        raise ValidationError(
            {
                "pair": _("This pair is already %(status)s.")
                % {"status": pair.get_status_display().lower()}
            }
        )
    a, b = _lock_persons(pair.person_a_id, pair.person_b_id)
    if survivor_person_id not in (a.person_id, b.person_id):
        raise ValidationError(
            {"survivor": _("The survivor must be one of the pair's two persons.")}
        )
    survivor, merged = (a, b) if a.person_id == survivor_person_id else (b, a)
    _check_mergeable(survivor, merged)
    states = _readable_states(survivor, merged)
    choices = merging.resolve_choices(
        keep or {},
        survivor_id=survivor.person_id,
        merged_id=merged.person_id,
        survivor=states[0],
        merged=states[1],
    )
    merging.merge_result(*states, choices)  # refuses now what could not be applied later
    merge = Merge.objects.create(
        pair=pair,
        survivor=survivor,
        merged=merged,
        requested_by=actor,
        snapshot={"choices": choices},
    )
    if survivor.case_id != merged.case_id and getattr(
        settings, "ONWARD_DEDUP_SECOND_REVIEWER", True
    ):
        _decide(pair, actor, DuplicatePair.Status.PENDING)
        _audit_pair(
            actor,
            pair,
            f"merge of {merged.person_id} into {survivor.person_id} "
            "requested; needs a second reviewer",
        )
        return merge
    return _merge_apply(merge, actor, survivor=survivor, merged=merged)


@transaction.atomic
def merge_approve(*, actor, merge_id: int) -> Merge:
    require(actor, "dedup.review")
    merge = Merge.objects.select_for_update().select_related("pair").get(pk=merge_id)
    if merge.pair.status != DuplicatePair.Status.PENDING or merge.done_at:
        raise ValidationError({"merge": _("This merge is not waiting for approval.")})
    if merge.requested_by_id == actor.pk:
        raise PermissionDenied(_("A second reviewer must be someone other than who asked."))
    merge.approved_by = actor
    locked = {p.pk: p for p in _lock_persons(merge.survivor_id, merge.merged_id)}
    survivor, merged = locked[merge.survivor_id], locked[merge.merged_id]
    _check_mergeable(survivor, merged)
    return _merge_apply(merge, actor, survivor=survivor, merged=merged)


def _lock_persons(*pks: int) -> list[Person]:
    """Lock the persons' cases, then the persons, each in key order.

    Registration, removal and movements lock a case before its members; taking the
    rows in that same order here means two transactions never wait on each other in
    a cycle (PostgreSQL would abort one of them with a deadlock).
    """
    cases = Person.objects.filter(pk__in=pks).values_list("case_id", flat=True)
    list(Case.objects.select_for_update().filter(pk__in=list(cases)).order_by("pk"))
    return list(Person.objects.select_for_update().filter(pk__in=pks).order_by("pk"))


def _check_mergeable(survivor: Person, merged: Person) -> None:
    if survivor.merged_into_id or merged.merged_into_id:
        raise ValidationError({"pair": _("One of these records is already merged.")})
    if survivor.removed_at or merged.removed_at:
        raise ValidationError(
            {
                "pair": _(
                    "One of these records is removed from the registry: "
                    "restore it first, or decide the pair otherwise."
                )
            }
        )
    if merged.departure_date:
        raise ValidationError(
            {
                "pair": _("%(person)s has a recorded departure: correct it first, then merge.")
                % {"person": merged.person_id}
            }
        )
    others = merged.case.members.filter(merged_into__isnull=True).exclude(pk=merged.pk)
    if merged.relationship == "principal" and others.exists():
        raise ValidationError(
            {
                "pair": _(
                    "%(person)s is the principal applicant of case %(case)s, "
                    "which has other members: make one of them principal first, or keep "
                    "%(person)s as the survivor."
                )
                % {"person": merged.person_id, "case": merged.case.case_id}
            }
        )


def _readable_states(survivor: Person, merged: Person) -> tuple[dict, dict]:
    """Both records' states. A value that cannot be decrypted cannot be compared, kept
    or shown in the history: the merge waits until its key is loaded."""
    states = merging.person_state(survivor), merging.person_state(merged)
    for person, state in zip((survivor, merged), states, strict=True):
        fields = merging.unreadable(state)
        if fields:
            raise ValidationError(
                {
                    "pair": _(
                        "%(person)s: %(fields)s cannot "
                        "be read with the keys loaded; load the key before merging."
                    )
                    % {
                        "person": person.person_id,
                        "fields": ", ".join(f.replace("_", " ") for f in fields),
                    }
                }
            )
    return states


def _survivor_write(survivor: Person, state: dict, fields) -> dict:
    """Writes the fields of `state` on the locked survivor: the search keys follow the
    names, the version moves on. Returns the audit diff (values as shown)."""
    before = merging.person_state(survivor)
    merging.state_apply(survivor, state, fields)
    survivor.search_keys = person_search_keys(survivor)
    survivor.version += 1
    survivor.save()
    return {f.name: [merging.shown(before, f), merging.shown(state, f)] for f in fields}


def _merge_apply(merge: Merge, actor, *, survivor: Person, merged: Person) -> Merge:
    """Applies a requested merge: the survivor takes the chosen values, the merged record
    is hidden behind it, its case closes if nobody is left in it, and its arrival in the
    ledger is reversed. Everything needed to undo it is kept on the merge."""
    pair = merge.pair
    before_s, before_m = _readable_states(survivor, merged)
    # A merge asked for before merges chose fields gets the defaults.
    choices = merge.snapshot.get("choices") or merging.resolve_choices(
        {},
        survivor_id=survivor.person_id,
        merged_id=merged.person_id,
        survivor=before_s,
        merged=before_m,
    )
    result = merging.merge_result(before_s, before_m, choices)
    changed = [f for f in merging.FIELDS if merging.part(before_s, f) != merging.part(result, f)]
    diff = _survivor_write(survivor, result, changed) if changed else {}
    lost = merging.not_kept(before_s, before_m, result)
    case = Case.objects.select_for_update().get(pk=merged.case_id)
    alone = not case.members.filter(merged_into__isnull=True).exclude(pk=merged.pk).exists()
    arrival = LedgerEntry.objects.filter(
        person=merged, kind=LedgerEntry.Kind.ARRIVAL, reversed_by__isnull=True
    ).first()
    # The duplicate never was a second resident: reverse its arrival in the ledger.
    arrived_on = arrival.date if arrival else merged.arrival_date
    undo = (
        LedgerEntry.objects.create(
            person=merged,
            date=arrived_on,
            kind=LedgerEntry.Kind.MERGED,
            delta=-1,
            reverses=arrival,
            recorded_by=actor,
            note=f"merged into {survivor.person_id}",
        )
        if arrived_on
        else None
    )
    merge.record_values = json.dumps(
        {"survivor": before_s, "merged": before_m, "result": result}, sort_keys=True
    )
    merge.snapshot = {
        **merge.snapshot,
        "choices": choices,
        "merged_version": merged.version,
        "case_status": case.status,
        "case_version": case.version,
        "case_closed": alone and case.status == Case.Status.OPEN,
        "ledger_entry": undo.pk if undo else None,
        "survivor_changed": [f.name for f in changed],
        "not_kept": [
            {
                "field": x["field"],
                "of": (merged if x["whose"] == merging.MERGED else survivor).person_id,
            }
            for x in lost
        ],
    }
    merged.merged_into = survivor
    merged.version += 1
    merged.save(update_fields=["merged_into", "version", "updated_at"])
    if merge.snapshot["case_closed"]:
        # A re-registration's own single-person case has nobody left in it.
        case.status, case.version = Case.Status.CLOSED, case.version + 1
        case.save(update_fields=["status", "version", "updated_at"])
    merge.done_at = timezone.now()
    merge.save()
    _decide(pair, actor, DuplicatePair.Status.MERGED)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="person",
        object_id=merged.person_id,
        changes={"merged_into": ["", survivor.person_id]},
        detail=f"merged into {survivor.person_id} (pair {pair.pk})",
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="person",
        object_id=survivor.person_id,
        changes=hide_encrypted(Person, diff),
        detail=_merge_detail(merged, lost),
    )
    return merge


def _merge_detail(merged: Person, lost: list[dict]) -> str:
    """The survivor's audit line: which values the reviewer chose not to keep (names of
    fields only: the audit log is not encrypted)."""
    whose = {merging.SURVIVOR: "this record", merging.MERGED: merged.person_id}
    detail = f"merged {merged.person_id} into this record"
    if lost:
        detail += "; not kept (in the merge history): " + ", ".join(
            f"{x['label'].lower()} of {whose[x['whose']]}" for x in lost
        )
    return detail


@transaction.atomic
def merge_undo(*, actor, merge_id: int) -> Merge:
    """Restores both records exactly as before the merge, and the ledger with them.

    The survivor gets back every value the merge changed, its search keys with them; a
    field someone edited after the merge keeps that edit (and the undo says so), since
    restoring it would silently overwrite a later correction. The version only moves on:
    a form opened on the merged state is stale after the undo.
    """
    require(actor, "dedup.review")
    merge = Merge.objects.select_for_update().select_related("pair").get(pk=merge_id)
    if not merge.done_at or merge.undone_at:
        raise ValidationError({"merge": _("Only a merge that was applied can be undone.")})
    locked = {p.pk: p for p in _lock_persons(merge.survivor_id, merge.merged_id)}
    survivor, merged = locked[merge.survivor_id], locked[merge.merged_id]
    if survivor.anonymised_at or merged.anonymised_at:
        raise ValidationError(
            {
                "merge": _(
                    "Retention has anonymised these records: the values an undo needs are gone."
                )
            }
        )
    if merged.merged_into_id != survivor.pk:
        raise ValidationError(
            {
                "merge": _("%(merged)s is no longer merged into %(survivor)s.")
                % {"merged": merged.person_id, "survivor": survivor.person_id}
            }
        )
    snap = merge.snapshot
    restored, edited = _survivor_restore(merge, survivor, actor)
    merged.merged_into = None
    merged.version += 1
    merged.save(update_fields=["merged_into", "version", "updated_at"])
    if snap.get("case_closed"):
        case = Case.objects.select_for_update().get(pk=merged.case_id)
        case.status, case.version = snap["case_status"], case.version + 1
        case.save(update_fields=["status", "version", "updated_at"])
    if snap.get("ledger_entry"):
        wrong = LedgerEntry.objects.get(pk=snap["ledger_entry"])
        LedgerEntry.objects.create(
            person=merged,
            date=wrong.date,
            kind=LedgerEntry.Kind.CORRECTION,
            delta=-wrong.delta,
            reverses=wrong,
            recorded_by=actor,
            note="merge undone",
        )
    merge.undone_at, merge.undone_by = timezone.now(), actor
    merge.snapshot = {**snap, "undo_restored": restored, "undo_kept_edits": edited}
    merge.save()
    _decide(merge.pair, actor, DuplicatePair.Status.UNMERGED)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="person",
        object_id=merged.person_id,
        changes={"merged_into": [survivor.person_id, ""]},
        detail=f"merge undone (pair {merge.pair_id})",
    )
    return merge


def _survivor_restore(merge: Merge, survivor: Person, actor) -> tuple[list[str], list[str]]:
    """Puts back the survivor's values from before the merge (see `merge_undo`)."""
    if not merge.record_values:
        return [], []  # a merge from before merges chose fields changed nothing on it
    values = json.loads(merge.record_values)
    current = merging.person_state(survivor)
    restore, edited = merging.undo_plan(values["survivor"], values["result"], current)
    diff = _survivor_write(survivor, values["survivor"], restore) if restore else {}
    detail = f"merge of {merge.merged.person_id} undone"
    if edited:
        detail += "; kept the edits made since the merge: " + ", ".join(
            merging.BY_NAME[name].label.lower() for name in edited
        )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="person",
        object_id=survivor.person_id,
        changes=hide_encrypted(Person, diff),
        detail=detail,
    )
    return [f.name for f in restore], edited


def _audit_pair(actor, pair: DuplicatePair, what: str) -> None:
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="duplicate_pair",
        object_id=str(pair.pk),
        detail=what,
    )


def pairs_file_from_registration(*, actor, person: Person, matches: list[dict]) -> int:
    """A clerk saved a new person despite likely matches: the pairs go to the review queue
    rather than being forgotten."""
    filed = 0
    for match in matches:
        a, b = _ordered(person.pk, match["person"].pk)
        _pair, created = DuplicatePair.objects.get_or_create(
            person_a_id=a,
            person_b_id=b,
            defaults={
                "probability": match["probability"],
                "weight": 0.0,
                "levels": match["levels"],
                "source": "registration",
            },
        )
        filed += created
    if filed:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            object_type="duplicate_pair",
            object_id=person.person_id,
            detail=f"{filed} possible duplicate(s) filed at registration",
        )
    return filed
