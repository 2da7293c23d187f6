"""Writes of matching: scoring policies, case-country links, match runs (start, solve,
lock/forbid, re-solve) and accepting a run's proposals as submissions.

Each function is atomic, checks the actor's permission first, locks before it reads what
it decides on, and writes its audit entry in the same transaction. Bad input raises
`ValidationError` naming each field (or each case) at fault and changes nothing.

A run's inputs are built once (`run_inputs_build`) and stored with it; solving, a
re-solve (a child run with the same inputs, new locks/forbids and the parent's warm
start) and `matchrun_reproduce` all start from those stored inputs, never from the
live registry, so a run can be solved again and give the same objective.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from onward.accounts.policy import require
from onward.audit.actor import acting_user
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record
from onward.conflicts import Conflict
from onward.matching import scoring
from onward.matching.engine import WarmStart, check, solve
from onward.matching.inputs import (
    Progress,
    inputs_indexes,
    pin_arrays,
    pins_next,
    problem_from_inputs,
    run_inputs_build,
)
from onward.matching.models import (
    CaseCountryLink,
    MatchAcceptance,
    MatchPin,
    MatchRun,
    ScoringPolicy,
    pack,
)
from onward.registry import validation
from onward.registry.models import Case
from onward.registry.services import StaleEdit
from onward.relocation.models import Pledge
from onward.relocation.selectors import pledge_figures
from onward.relocation.services import cases_submit_bulk

PERMISSION = "matching.run"
DEFAULT_POLICY_NAME = "Standard"


# --- Scoring policies ------------------------------------------------------------------------


def _known_needs() -> set[str]:
    from onward.registry.models import SpecificNeed

    return set(SpecificNeed.objects.values_list("code", flat=True))


@transaction.atomic
def policy_create(*, actor, name: str, weights: dict, note: str = "") -> ScoringPolicy:
    """A new named policy, version 1. A name is one policy: its versions follow it."""
    require(actor, PERMISSION)
    name = " ".join(str(name or "").split())
    errors: dict = {}
    if not name:
        errors["name"] = _("A policy needs a name.")
    elif len(name) > 80:
        errors["name"] = _("At most 80 characters.")
    elif ScoringPolicy.objects.filter(name=name).exists():
        errors["name"] = _("A policy named %(name)r exists: edit it to make a new version.") % {
            "name": name
        }
    try:
        clean = scoring.clean_weights(weights or {}, known_needs=_known_needs())
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    policy = ScoringPolicy.objects.create(
        name=name,
        version=1,
        weights=clean,
        note=note[:255],
        created_by=acting_user(actor),
        created_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="scoring_policy",
        object_id=policy.pk,
        changes={"weights": ["", clean]},
        detail=f"{policy} {note}".strip(),
    )
    return policy


@transaction.atomic
def policy_update(
    *, actor, policy: ScoringPolicy, expected_version: int, weights: dict, note: str = ""
) -> ScoringPolicy:
    """Edits a policy by making its next version (the old one is kept, runs point at the
    version they used). Refused as stale if a newer version exists than the one read."""
    require(actor, PERMISSION)
    current = (
        ScoringPolicy.objects.select_for_update().filter(name=policy.name, current=True).first()
    )
    if current is None or current.version != expected_version:
        raise StaleEdit(
            _(
                "Policy %(name)s was changed by someone else (now version %(value)s). Reload it and apply your change again."
            )
            % {"name": policy.name, "value": current.version if current else "?"}
        )
    clean = scoring.clean_weights(weights or {}, known_needs=_known_needs())
    if clean == current.weights:
        return current
    current.current = False
    current.save(update_fields=["current"])
    new = ScoringPolicy.objects.create(
        name=current.name,
        version=current.version + 1,
        weights=clean,
        note=note[:255],
        previous=current,
        created_by=acting_user(actor),
        created_at=timezone.now(),
    )
    diff = _weights_diff(current.weights, clean)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="scoring_policy",
        object_id=new.pk,
        changes=diff,
        detail=f"{current} → v{new.version} {note}",
    )
    return new


def _weights_diff(old: dict, new: dict) -> dict:
    flat: dict[str, dict[str, Any]] = {}
    for side, weights in (("old", old), ("new", new)):
        for key, value in weights.items():
            items = value.items() if isinstance(value, dict) else [("", value)]
            for sub, v in items:
                flat.setdefault(f"{key}.{sub}".rstrip("."), {})[side] = v
    return {
        k: [v.get("old", ""), v.get("new", "")]
        for k, v in flat.items()
        if v.get("old") != v.get("new")
    }


def policy_default() -> ScoringPolicy:
    """The current version of the standard policy, created (by nobody, with the default
    weights) the first time a run needs one."""
    policy = ScoringPolicy.objects.filter(name=DEFAULT_POLICY_NAME, current=True).first()
    if policy is None:
        policy = ScoringPolicy.objects.create(
            name=DEFAULT_POLICY_NAME,
            version=1,
            weights=scoring.clean_weights({}),
            note="default weights",
            created_at=timezone.now(),
        )
        audit_record(
            actor=None,
            actor_name="system",
            action=AuditEntry.Action.CREATE,
            object_type="scoring_policy",
            object_id=policy.pk,
            detail=str(policy),
        )
    return policy


# --- Family links and stated preferences -----------------------------------------------------


@transaction.atomic
def case_link_add(*, actor, case: Case, country: str, kind: str, note: str = "") -> CaseCountryLink:
    """Records that a case has family in a country, or prefers it. One open link per
    (case, country, kind)."""
    require(actor, PERMISSION)
    errors = {}
    try:
        country = validation.parse_nationality(str(country or ""))
        if not country:
            raise ValueError(_("Give the country (ISO 3166-1 alpha-3)."))
    except ValueError as exc:
        errors["country"] = str(exc)
    if kind not in CaseCountryLink.Kind.values:
        errors["kind"] = _("Family in country, or stated preference.")
    if errors:
        raise ValidationError(errors)
    Case.objects.select_for_update().get(pk=case.pk)
    if CaseCountryLink.objects.filter(
        case=case, country=country, kind=kind, ended_at__isnull=True
    ).exists():
        raise ValidationError(
            {
                "country": _("Case %(case)s already has this link to %(country)s.")
                % {"case": case.case_id, "country": country}
            }
        )
    link = CaseCountryLink.objects.create(
        case=case,
        country=country,
        kind=kind,
        note=note.strip()[:255],
        created_by=acting_user(actor),
        created_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="case",
        object_id=case.case_id,
        changes={f"country_link.{kind}": ["", country]},
        detail=f"{_english(link.get_kind_display)}: {country}",
    )
    return link


@transaction.atomic
def case_link_end(*, actor, link: CaseCountryLink) -> CaseCountryLink:
    """Ends a link (kept, with who ended it and when)."""
    require(actor, PERMISSION)
    link = CaseCountryLink.objects.select_for_update().select_related("case").get(pk=link.pk)
    if link.ended_at is not None:
        raise ValidationError({"link": _("This link was already ended.")})
    link.ended_at, link.ended_by = timezone.now(), acting_user(actor)
    link.save(update_fields=["ended_at", "ended_by"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="case",
        object_id=link.case.case_id,
        changes={f"country_link.{link.kind}": [link.country, ""]},
        detail=f"ended {_english(link.get_kind_display).lower()}: {link.country}",
    )
    return link


# --- Starting and solving a run --------------------------------------------------------------


@transaction.atomic
def run_start(
    *,
    actor,
    policy: ScoringPolicy | None = None,
    time_limit: float = 60.0,
    gap: float = 1e-4,
    predictions: dict | None = None,
    note: str = "",
) -> MatchRun:
    """Queues a match over the cases ready for submission and the open pledges, as a
    background job ("match"); the inputs are read when the job starts and kept."""
    require(actor, PERMISSION)
    errors = {}
    if not 1 <= float(time_limit) <= 3600:
        errors["time_limit"] = _("From 1 to 3600 seconds.")
    if not 0 <= float(gap) < 1:
        errors["gap"] = _("A fraction from 0 (optimal) to below 1.")
    if policy is not None and not policy.current:
        errors["policy"] = _("%(policy)s is an old version: choose the current one.") % {
            "policy": policy
        }
    if errors:
        raise ValidationError(errors)
    policy = policy or policy_default()
    run = MatchRun.objects.create(
        policy=policy,
        policy_snapshot=policy.snapshot(),
        note=note[:255],
        time_limit=float(time_limit),
        gap_target=float(gap),
        created_by=acting_user(actor),
        created_at=timezone.now(),
        inputs=pack({"pending_predictions": predictions}) if predictions else b"",
    )
    _enqueue(run, actor)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="match_run",
        object_id=run.pk,
        detail=f"started with {policy}",
    )
    return run


def _enqueue(run: MatchRun, actor) -> None:
    from onward.jobs.services import job_enqueue

    run.job = job_enqueue(kind="match", actor=acting_user(actor), params={"run": run.pk})
    run.save(update_fields=["job"])


def run_execute(*, run: MatchRun, progress: Progress | None = None) -> dict:
    """Solves a queued run (what the "match" job does): builds its inputs (a root run)
    or takes its parent's (a re-solve), solves with its locks and forbids (warm-started
    from the parent), checks the plan against the stored problem, stores the result.
    A failure is recorded on the run and raised."""
    say = progress or (lambda *a, **k: None)
    run = MatchRun.objects.get(pk=run.pk)
    if run.status == MatchRun.Status.DONE:  # solved by an attempt whose worker then died
        return run_summary(run)
    MatchRun.objects.filter(pk=run.pk).update(status=MatchRun.Status.RUNNING)
    try:
        # Three short transactions, the solve outside any: a long solve never holds a
        # lock (on SQLite a write transaction would stop every other writer).
        run = MatchRun.objects.select_related("parent").get(pk=run.pk)
        # A root run builds its inputs once: an attempt after a worker's death reuses them.
        if run.parent_id is None and not run.inputs_sha256:
            pending = run.inputs_data().get("pending_predictions")
            say(0, 4, "reading cases and pledges")
            with transaction.atomic():
                inputs = run_inputs_build(
                    weights=run.policy_snapshot["weights"], predictions=pending, progress=say
                )
                _store_inputs(run, inputs)
        inputs = run.inputs_data()
        warm = _warm_of(run.parent) if run.parent is not None else None
        result = _solve(run, inputs, warm=warm, progress=say)
        with transaction.atomic():
            summary = _store_result(run, inputs, result)
            audit_record(
                actor=run.created_by,
                action=AuditEntry.Action.UPDATE,
                object_type="match_run",
                object_id=run.pk,
                changes={"status": [MatchRun.Status.QUEUED, MatchRun.Status.DONE]},
                detail=f"solved: objective {run.objective:.6g}, gap {run.gap:.3%}",
            )
    except Exception as exc:
        MatchRun.objects.filter(pk=run.pk).update(
            status=MatchRun.Status.FAILED, error=_error_text(exc), finished_at=timezone.now()
        )
        raise
    say(
        4,
        4,
        f"proposal ready: {summary['assigned']} of {summary['cases']} cases placed"
        if summary["assigned"]
        else f"nothing placed: 0 of {summary['cases']} cases",
    )
    return summary


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)[:2000]
    return str(exc)[:2000]


def _store_inputs(run: MatchRun, inputs: dict) -> None:
    blob = pack(inputs)
    run.inputs, run.inputs_sha256 = blob, hashlib.sha256(blob).hexdigest()
    run.n_cases, run.n_pledges = len(inputs["cases"]), len(inputs["pledges"])
    run.n_pairs = len(inputs["score"])
    run.save(update_fields=["inputs", "inputs_sha256", "n_cases", "n_pledges", "n_pairs"])


def _warm_of(parent: MatchRun) -> WarmStart | None:
    w = parent.result_data().get("warm")
    if not w:
        return None
    return WarmStart(
        case=np.array(w["case"], dtype=np.int64),
        pledge=np.array(w["pledge"], dtype=np.int64),
        duals=np.array(w["duals"], dtype=float),
        assignment=np.array(w["assignment"], dtype=np.int64),
    )


def _solve(run: MatchRun, inputs: dict, *, warm=None, progress: Progress | None = None):
    problem = problem_from_inputs(inputs)
    problem.validate()
    locks, forbids = pin_arrays(run, inputs)
    say = progress or (lambda *a, **k: None)
    if not problem.n_cases or not problem.n_pledges:
        return None
    say(
        2,
        4,
        f"solving {problem.n_cases} cases × {problem.n_pledges} pledges, "
        f"{len(problem.score)} allowed pairs",
    )
    try:
        result = solve(
            problem,
            locks=locks if len(locks) else None,
            forbids=forbids if len(forbids) else None,
            time_limit=run.time_limit,
            gap=run.gap_target,
            warm=warm,
            progress=lambda msg: say(2, 4, msg),
        )
    except ValueError as exc:  # an impossible lock: refused by the engine
        raise ValidationError({"locks": str(exc)}) from exc
    broken = check(
        problem, result.assignment, locks if len(locks) else None, forbids if len(forbids) else None
    )
    if broken:  # never store a plan that breaks a rule
        raise RuntimeError("The engine's plan breaks rules: " + "; ".join(broken[:5]))
    return result


def _nan_none(values) -> list:
    return [
        None if (isinstance(v, float) and math.isnan(v)) else v for v in np.asarray(values).tolist()
    ]


def _store_result(run: MatchRun, inputs: dict, result) -> dict:
    n_cases = len(inputs["cases"])
    if result is None:
        data: dict[str, Any] = {"assignment": [-1] * n_cases, "explanation": None, "warm": None}
        run.objective = run.bound = run.gap = run.seconds = 0.0
        run.solver_status, run.stats = "optimal", {}
    else:
        e = result.explanation
        data = {
            "assignment": result.assignment.tolist(),
            "explanation": {
                "score": _nan_none(e.score),
                "alt_pledge": e.alt_pledge.tolist(),
                "alt_score": _nan_none(e.alt_score),
                "block_pledge": e.block_pledge.tolist(),
                "block_dim": e.block_dim.tolist(),
                "shadow_price": e.shadow_price.tolist(),
            },
            "duals": result.duals.tolist(),
            "warm": {
                "case": result.warm.case.tolist(),
                "pledge": result.warm.pledge.tolist(),
                "duals": result.warm.duals.tolist(),
                "assignment": result.warm.assignment.tolist(),
            },
        }
        run.objective, run.bound, run.gap = result.objective, result.bound, result.gap
        run.seconds, run.solver_status = round(result.seconds, 3), result.status
        run.stats = {k: v for k, v in result.stats.items() if k != "history"}
    run.result = pack(data)
    run.n_assigned = sum(1 for p in data["assignment"] if p >= 0)
    run.status, run.finished_at, run.error = MatchRun.Status.DONE, timezone.now(), ""
    run.save()
    return run_summary(run, n_cases)


def run_summary(run: MatchRun, n_cases: int | None = None) -> dict:
    """What the "match" job reports of a solved run."""
    n_cases = run.n_cases if n_cases is None else n_cases
    return {
        "run": run.pk,
        "cases": n_cases,
        "assigned": run.n_assigned,
        "objective": run.objective,
        "bound": run.bound,
        "gap": run.gap,
        "status": run.solver_status,
    }


# --- Locks, forbids, re-solve ----------------------------------------------------------------


@transaction.atomic
def pin_set(*, actor, run: MatchRun, case_id: str, pledge_id: int, kind: str) -> MatchPin:
    """Sets a lock, a forbid or a release of (case, pledge) for the run's next re-solve.
    A lock must be on an allowed pair; locks may not exceed a pledge's capacity."""
    require(actor, PERMISSION)
    run = MatchRun.objects.select_for_update().get(pk=run.pk)
    if run.status != MatchRun.Status.DONE:
        raise Conflict({"run": _("Locks and forbids are set on a solved run.")})
    if kind not in MatchPin.Kind.values:
        raise ValidationError({"kind": _("Lock, forbid or release.")})
    inputs = run.inputs_data()
    case_ix, pledge_ix = inputs_indexes(inputs)
    by_id = {c["case_id"]: (c["pk"], i) for i, c in enumerate(inputs["cases"])}
    errors = {}
    if case_id not in by_id:
        errors["case"] = _("Case %(case)s is not in this run.") % {"case": case_id}
    try:
        pledge_pk = int(pledge_id)
        if pledge_pk not in pledge_ix:
            raise ValueError
    except (TypeError, ValueError):
        errors["pledge"] = _("Pledge %(pledge)s is not in this run.") % {"pledge": pledge_id}
    if errors:
        raise Conflict(errors)  # what the run holds, not the form of the request
    case_pk, ci = by_id[case_id]
    pi = pledge_ix[pledge_pk]
    allowed = set(zip(inputs["pair_case"], inputs["pair_pledge"], strict=True))
    current = pins_next(run)
    if kind == MatchPin.Kind.LOCK:
        if (ci, pi) not in allowed:
            raise ValidationError(
                {
                    "pledge": _(
                        "Case %(case)s may not go to %(pledge)s: the pair is "
                        "not allowed by the pledge's criteria."
                    )
                    % {"case": case_id, "pledge": inputs["pledges"][pi]["name"]}
                }
            )
        trial = {
            **{k: v for k, v in current.items() if not (k[0] == case_pk and v == kind)},
            (case_pk, pledge_pk): kind,
        }
        _check_lock_capacity(trial, inputs, case_ix, pledge_ix)
    elif kind == MatchPin.Kind.RELEASE and (case_pk, pledge_pk) not in current:
        raise ValidationError(
            {"pledge": _("Case %(case)s has no lock or forbid there.") % {"case": case_id}}
        )
    MatchPin.objects.filter(run=run, case_id=case_pk, pledge_id=pledge_pk, draft=True).delete()
    if kind == MatchPin.Kind.LOCK:
        MatchPin.objects.filter(run=run, case_id=case_pk, kind=kind, draft=True).delete()
    pin = MatchPin.objects.create(
        run=run,
        case_id=case_pk,
        pledge_id=pledge_pk,
        kind=kind,
        draft=True,
        created_by=acting_user(actor),
        created_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="match_run",
        object_id=run.pk,
        changes={f"pin.{case_id}.{pledge_pk}": [current.get((case_pk, pledge_pk), ""), kind]},
        detail=f"{kind} {case_id} → pledge {pledge_pk} for the next re-solve",
    )
    return pin


def _check_lock_capacity(pins: dict, inputs: dict, case_ix: dict, pledge_ix: dict) -> None:
    dims = inputs["dimensions"]
    used: dict[int, list[int]] = {}
    for (case_pk, pledge_pk), kind in pins.items():
        if kind != MatchPin.Kind.LOCK:
            continue
        row = used.setdefault(pledge_ix[pledge_pk], [0] * len(dims))
        for d, n in enumerate(inputs["cases"][case_ix[case_pk]]["use"]):
            row[d] += n
    for pi, row in used.items():
        cap = inputs["pledges"][pi]["capacity"]
        over = [
            _("%(dimension)s %(used)s of %(capacity)s")
            % {"dimension": dims[d], "used": row[d], "capacity": cap[d]}
            for d in range(len(dims))
            if row[d] > cap[d]
        ]
        if over:
            raise ValidationError(
                {
                    "pledge": _("Locked cases would exceed %(pledge)s: %(over)s.")
                    % {"pledge": inputs["pledges"][pi]["name"], "over": ", ".join(over)}
                }
            )


@transaction.atomic
def run_resolve(*, actor, run: MatchRun, time_limit: float | None = None) -> MatchRun:
    """A child run: the parent's inputs and policy, the locks and forbids set on the
    parent's page, warm-started from the parent's solution; queued as a "match" job."""
    require(actor, PERMISSION)
    run = MatchRun.objects.select_for_update().get(pk=run.pk)
    if run.status != MatchRun.Status.DONE:
        raise ValidationError({"run": _("Only a solved run can be re-solved.")})
    inputs = run.inputs_data()
    case_ix, pledge_ix = inputs_indexes(inputs)
    pins = pins_next(run)
    _check_lock_capacity(pins, inputs, case_ix, pledge_ix)
    child = MatchRun.objects.create(
        policy=run.policy,
        policy_snapshot=run.policy_snapshot,
        parent=run,
        note=f"re-solve of run {run.pk}",
        time_limit=float(time_limit or run.time_limit),
        gap_target=run.gap_target,
        inputs=run.inputs,
        inputs_sha256=run.inputs_sha256,
        n_cases=run.n_cases,
        n_pledges=run.n_pledges,
        n_pairs=run.n_pairs,
        created_by=acting_user(actor),
        created_at=timezone.now(),
    )
    MatchPin.objects.bulk_create(
        [
            MatchPin(
                run=child,
                case_id=c,
                pledge_id=p,
                kind=k,
                created_by=acting_user(actor),
                created_at=child.created_at,
            )
            for (c, p), k in sorted(pins.items())
        ]
    )
    _enqueue(child, actor)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="match_run",
        object_id=child.pk,
        detail=(
            f"re-solve of run {run.pk}: {sum(k == 'lock' for k in pins.values())} "
            f"locks, {sum(k == 'forbid' for k in pins.values())} forbids"
        ),
    )
    return child


def matchrun_reproduce(run: MatchRun) -> dict:
    """Solves `run` again from its stored inputs, policy, locks and forbids (and its
    parent's warm start): the figures of both solves, for an audit."""
    inputs = run.inputs_data()
    warm = _warm_of(run.parent) if run.parent is not None else None
    result = _solve(run, inputs, warm=warm)
    objective = 0.0 if result is None else float(result.objective)
    stored = run.result_data().get("assignment", [])
    again = [-1] * len(inputs["cases"]) if result is None else result.assignment.tolist()
    return {
        "run": run.pk,
        "stored_objective": run.objective,
        "objective": objective,
        "bound": None if result is None else float(result.bound),
        "same_objective": run.objective is not None
        and math.isclose(objective, run.objective, rel_tol=1e-9, abs_tol=1e-9),
        "same_plan": stored == again,
        "inputs_sha256": run.inputs_sha256,
    }


# --- Accepting proposals ---------------------------------------------------------------------


@transaction.atomic
def run_accept(*, actor, run: MatchRun, pledge_ids=None) -> dict[int, list[str]]:
    """Turns the run's proposals for the chosen pledges (default: every pledge with
    proposals not yet accepted) into submissions through the relocation workflow, all in
    one step: if any case cannot go (no longer assessed, criteria, capacity taken since
    the run), nothing is submitted and the ValidationError lists every case at fault.

    Locks, as the workflow does: the cases (by pk), then the pledges (by pk).
    Returns {pledge pk: [case ids submitted]}."""
    require(actor, PERMISSION)
    run = MatchRun.objects.select_for_update().get(pk=run.pk)
    if run.status != MatchRun.Status.DONE:
        raise Conflict({"run": _("This run has no proposal to accept.")})
    inputs, assignment = run.inputs_data(), run.result_data().get("assignment", [])
    proposals: dict[int, list[int]] = {}
    for ci, pi in enumerate(assignment):
        if pi >= 0:
            proposals.setdefault(inputs["pledges"][pi]["pk"], []).append(inputs["cases"][ci]["pk"])
    done = set(run.acceptances.values_list("pledge_id", flat=True))
    if pledge_ids is None:
        chosen = sorted(set(proposals) - done)
    else:
        chosen = sorted({int(p) for p in pledge_ids})
    errors: dict[str, list[str]] = {}
    for pk in chosen:
        if pk in done:
            errors[f"pledge {pk}"] = [
                _("This run's proposals for this pledge were already accepted.")
            ]
        elif pk not in proposals:
            errors[f"pledge {pk}"] = [_("This run proposes no case for this pledge.")]
    if not proposals and not errors:
        errors["pledges"] = [
            ngettext(
                "This run placed none of its %(n)s case: there is nothing to accept.",
                "This run placed none of its %(n)s cases: there is nothing to accept.",
                len(assignment),
            )
            % {"n": len(assignment)}
        ]
    elif not chosen and not errors:
        errors["pledges"] = [_("Nothing left to accept in this run.")]
    if errors:
        # Each refusal here is the run's (or a pledge's) state, never the input's form.
        raise Conflict(errors)
    case_pks = sorted(pk for p in chosen for pk in proposals[p])
    cases = {
        c.pk: c for c in Case.objects.select_for_update().filter(pk__in=case_pks).order_by("pk")
    }
    pledges = {
        p.pk: p for p in Pledge.objects.select_for_update().filter(pk__in=chosen).order_by("pk")
    }
    _check_capacity_now(pledges, {p: proposals[p] for p in chosen}, errors)
    submitted: dict[int, list[str]] = {}
    for pk in chosen:
        batch = [cases[c] for c in proposals[pk]]
        try:
            with transaction.atomic():  # a savepoint: collect every pledge's refusals
                cases_submit_bulk(actor=actor, cases=batch, pledge=pledges[pk])
        except ValidationError as exc:
            _merge_refusals(errors, exc, batch)
        else:
            submitted[pk] = [c.case_id for c in batch]
    if errors:
        raise Conflict(errors)
    now = timezone.now()
    for pk, ids in submitted.items():
        MatchAcceptance.objects.create(
            run=run, pledge_id=pk, case_ids=ids, accepted_by=acting_user(actor), accepted_at=now
        )
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="match_run",
            object_id=run.pk,
            changes={f"accepted.pledge.{pk}": ["", len(ids)]},
            detail=f"accepted {len(ids)} proposals for {pledges[pk]}",
        )
    return submitted


def _check_capacity_now(pledges: dict, proposals: dict, errors: dict) -> None:
    """Under the pledges' locks: the proposals still fit what is left (capacity − accepted
    − awaiting decision), counted with each case's use as it is now."""
    from onward.relocation.usage import cases_usage

    for pk, pledge in pledges.items():
        figures = pledge_figures(pledge)
        usage = cases_usage(proposals[pk])
        over = []
        for dim, f in figures.items():
            if f["capacity"] is None:
                continue
            need = sum(u.get(dim, 0) for u in usage.values())
            left = f["capacity"] - f["accepted"] - f["pending"]
            if need > left:
                over.append(
                    _("%(dimension)s: %(left)s left, the proposals need %(need)s")
                    % {"dimension": dim, "left": left, "need": need}
                )
        if over:
            errors[f"pledge {pk}"] = [
                _("%(pledge)s has less room than when the run was made (%(over)s).")
                % {"pledge": pledge, "over": "; ".join(over)}
            ]


def _merge_refusals(errors: dict, exc: ValidationError, batch: list[Case]) -> None:
    """The workflow keys its refusals by case id for several cases, by field for one."""
    messages = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    if len(batch) == 1:
        key = batch[0].case_id
        errors.setdefault(key, []).extend(
            f"{field}: {m}" if field and field != "__all__" else m
            for field, msgs in messages.items()
            for m in msgs
        )
    else:
        for key, msgs in messages.items():
            errors.setdefault(key, []).extend(msgs)


def _english(label) -> str:
    """A choice's label as the audit log keeps it: in English, whoever reads the page."""
    with override("en"):
        return str(label())
