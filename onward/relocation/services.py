"""Writes of relocation: pledges, and every step of a case through the workflow.

Each function is atomic, checks the actor's permission first, locks before it reads what
it decides on, and writes its history and audit entries in the same transaction. Every
step accepts `at` (a datetime, default now) so that history can be recorded as it
happened. Bad input raises `ValidationError` naming each field (or, for many cases at
once, each case) at fault, and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onward import bounds
from onward.accounts.policy import require
from onward.accounts.scope import scope_refusals
from onward.audit.actor import acting_user
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record
from onward.conflicts import Conflict
from onward.registry import validation
from onward.registry.models import Case, SpecificNeed
from onward.registry.services import StaleEdit
from onward.relocation import workflow
from onward.relocation.models import (
    CapacityDimension,
    Pledge,
    PledgeCapacity,
    PledgeChange,
    RelocationCase,
    State,
)
from onward.relocation.workflow import StaleState, Step

__all__ = [
    "StaleState",
    "case_transition",
    "cases_transition_bulk",
    "cases_submit_bulk",
    "case_identify",
    "case_assess",
    "case_submit",
    "case_resubmit",
    "submission_accept",
    "submission_reject",
    "submission_decide",
    "information_answer",
    "case_withdraw",
    "case_hold",
    "case_release",
    "cases_readiness_follow",
    "case_depart",
    "case_undepart",
    "pledge_create",
    "pledge_update",
]


# --- The workflow ------------------------------------------------------------------------


@transaction.atomic
def case_transition(
    *,
    actor,
    case: Case,
    action: str,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
    **params,
) -> Step:
    """Moves one case by `action` if the table allows it from the case's state, the actor's
    role may make it and every guard passes; otherwise refuses and changes nothing.

    `params`: pledge, reason, category, priority, kind, note, on (see workflow.ACTIONS).
    `expected_version`: the version the user saw; a case that moved since is refused
    (StaleState) instead of being moved twice.
    """
    step = Step(case=case, action=action, at=at, expected_version=expected_version, **params)
    return workflow.run(actor=actor, action=action, steps=[step])[0]


@transaction.atomic
def cases_transition_bulk(*, actor, action: str, cases, at=None, **params) -> list[Step]:
    """The same action for many cases, all or nothing. `at` is one datetime, or a dict
    {case pk: datetime}; other params apply to every case, or per case as a dict keyed by
    case pk when named with a `_by_case` suffix (e.g. `reason_by_case`).

    When any case cannot go, raises ValidationError({case_id: [why, …]}) listing every
    case at fault, and changes nothing."""
    per_case = {k[: -len("_by_case")]: v for k, v in params.items() if k.endswith("_by_case")}
    common = {k: v for k, v in params.items() if not k.endswith("_by_case")}
    steps = []
    for case in cases:
        when = at.get(case.pk) if isinstance(at, dict) else at
        own = {k: v[case.pk] for k, v in per_case.items() if case.pk in v}
        steps.append(Step(case=case, action=action, at=when, **{**common, **own}))
    if not steps:
        return []
    return workflow.run(actor=actor, action=action, steps=steps)


@transaction.atomic
def cases_submit_bulk(*, actor, cases, pledge: Pledge, at=None) -> list[Step]:
    """Submits many assessed cases to one pledge in one step: all go, or none does and the
    ValidationError lists each case that cannot go and why."""
    if not cases:
        raise ValidationError({"cases": _("Select at least one case.")})
    return cases_transition_bulk(actor=actor, action="submit", cases=cases, at=at, pledge=pledge)


def case_identify(*, actor, case, at=None):
    return case_transition(actor=actor, case=case, action="identify", at=at)


def case_assess(*, actor, case, category: str, priority: str, at=None):
    return case_transition(
        actor=actor, case=case, action="assess", at=at, category=category, priority=priority
    )


def case_submit(*, actor, case, pledge, at=None):
    return case_transition(actor=actor, case=case, action="submit", at=at, pledge=pledge)


def case_resubmit(*, actor, case, pledge, at=None):
    return case_transition(actor=actor, case=case, action="resubmit", at=at, pledge=pledge)


def submission_accept(*, actor, case, at=None, reason: str = ""):
    """Accepts the case's open submission. The pledge's row is locked before its accepted
    usage is counted, so accepted persons (and every other dimension) never exceed the
    capacity, even when two users accept at the same moment."""
    return case_transition(actor=actor, case=case, action="accept", at=at, reason=reason)


DECISIONS = {
    "accepted": "accept",
    "rejected": "reject",
    "deferred": "defer",
    "info_requested": "request_info",
}


def submission_decide(
    *,
    actor,
    submission,
    decision: str,
    reason: str = "",
    at=None,
    members: list[str] | None = None,
    question: str = "",
    on: dt.date | None = None,
    expected_version: int | None = None,
):
    """A delegation's (or an administrator's) decision on one submission, as countries
    give them (Handbook 4.10): accepted (the whole case, or only `members`, a list of
    person ids: a split decision), rejected (with a reason), deferred (with a reason and,
    optionally, the date `on` it will decide by) or more information requested
    (`question`, needed by `on`). The submission must still await a decision; a
    deferral and a request for information keep it so."""
    if decision not in DECISIONS:
        raise ValidationError(
            {"decision": _("Accept (all or some members), reject, defer or request information.")}
        )
    if submission.decision != "":
        raise Conflict(
            {
                "submission": _("This submission was already decided (%(decision)s).")
                % {"decision": submission.get_decision_display().lower()}
            }
        )
    params: dict[str, Any] = {"reason": reason}
    if decision == "accepted" and members is not None:
        params["members"] = list(members)
    if decision in ("deferred", "info_requested"):
        params["on"] = on
    if decision == "info_requested":
        params["question"] = question
    return case_transition(
        actor=actor,
        case=submission.case,
        action=DECISIONS[decision],
        at=at,
        expected_version=expected_version,
        **params,
    )


def information_answer(*, actor, case, answer: str, at=None, expected_version=None):
    """The officer's answer to the country's request for information: the submission
    goes back to the country, awaiting its decision."""
    return case_transition(
        actor=actor,
        case=case,
        action="answer_info",
        at=at,
        answer=answer,
        expected_version=expected_version,
    )


def submission_reject(*, actor, case, reason: str, at=None):
    return case_transition(actor=actor, case=case, action="reject", at=at, reason=reason)


def case_withdraw(*, actor, case, reason: str, at=None):
    return case_transition(actor=actor, case=case, action="withdraw", at=at, reason=reason)


def case_hold(*, actor, case, reason: str, at=None):
    return case_transition(actor=actor, case=case, action="hold", at=at, reason=reason)


def case_release(*, actor, case, at=None):
    return case_transition(actor=actor, case=case, action="release", at=at)


def cases_readiness_follow(*, actor, verdicts: dict, at=None) -> list[Step]:
    """Moves accepted cases to ready, and ready cases back to accepted, as onward.readiness
    computed them: `verdicts` is {case: (ready, why)}. The only way in or out of ready
    besides a transfer: never by hand. Cases already where readiness puts them are left
    alone; `at` is one datetime or {case pk: datetime}."""
    steps = []
    states = dict(
        RelocationCase.objects.filter(case__in=[c.pk for c in verdicts]).values_list(
            "case_id", "state"
        )
    )
    for case, (ready, why) in verdicts.items():
        state = states.get(case.pk)
        if (state, ready) not in ((State.ACCEPTED, True), (State.READY, False)):
            continue
        when = at.get(case.pk) if isinstance(at, dict) else at
        steps.append(Step(case=case, action="mark_ready" if ready else "unready", at=when))
        steps[-1].ready, steps[-1].reason = ready, why
    done = []
    with transaction.atomic():
        for action in ("mark_ready", "unready"):
            mine = [s for s in steps if s.action == action]
            if mine:
                done += workflow.run(
                    actor=actor,
                    action=action,
                    steps=mine,
                    internal=True,
                    follows_readiness=True,
                )
    return done


def _departure_at(case: Case, on: dt.date) -> dt.datetime:
    """A departure is dated by its day; the history needs an instant: noon that day, or
    just after the case became ready if that was later the same day."""
    # Not later than now: a transfer confirmed on the morning of its day left by then.
    at = min(timezone.make_aware(dt.datetime.combine(on, dt.time(12))), timezone.now())
    entered = (
        RelocationCase.objects.filter(case_id=case.pk)
        .values_list("state_entered_at", flat=True)
        .first()
    )
    if entered and timezone.localtime(entered).date() == on and entered > at:
        at = entered
    return at


def case_depart(*, case: Case, actor, on: dt.date) -> None:
    """Moves a case that is ready for departure to departed: the only way to reach that
    state, called by a transfer inside its own transaction. Counted in the pledge's
    departed figures from then on. Raises ValidationError for any case not ready."""
    with transaction.atomic():
        step = Step(case=case, action="depart", at=_departure_at(case, on), on=on)
        workflow.run(actor=actor, action="depart", steps=[step], internal=True)


def case_undepart(*, case: Case, actor, reason: str, at: dt.datetime | None = None) -> None:
    """Reverses a wrongly recorded departure: back to ready, by a reversing transition in
    the history (the departure stays recorded, never edited)."""
    with transaction.atomic():
        step = Step(case=case, action="undepart", at=at, reason=reason)
        workflow.run(actor=actor, action="undepart", steps=[step], internal=True)


# --- Pledges -------------------------------------------------------------------------------

PLEDGE_FIELDS = (
    "country",
    "name",
    "valid_from",
    "valid_to",
    "status",
    "max_case_size",
    "needs_served",
    "needs_not_served",
    "nationalities",
    "notes",
)


def _clean_pledge(data: dict, *, instance: Pledge | None = None) -> tuple[dict, dict]:
    """Raw values (a form, an API body) -> clean pledge fields and capacities
    {dimension: n}. On an update, fields not given keep their value. Every error at once."""
    merged = {k: getattr(instance, k) for k in PLEDGE_FIELDS} if instance else {}
    if instance is not None:
        merged["capacities"] = {c.dimension_id: c.capacity for c in instance.capacities.all()}
    merged.update({k: v for k, v in data.items() if k in (*PLEDGE_FIELDS, "capacities")})
    errors: dict[str, str | list[str]] = {}
    clean: dict[str, Any] = {}  # Pledge's fields, of several types
    try:
        clean["country"] = validation.parse_nationality(str(merged.get("country") or ""))
        if not clean["country"]:
            raise ValueError(_("A pledge needs its country (ISO 3166-1 alpha-3)."))
    except ValueError as exc:
        errors["country"] = str(exc)
    clean["name"] = " ".join(str(merged.get("name") or "").split())
    if not clean["name"]:
        errors["name"] = _("A pledge needs a name.")
    elif len(clean["name"]) > 120:
        errors["name"] = _("At most %(max)s characters.") % {"max": 120}
    for key in ("valid_from", "valid_to"):
        try:
            clean[key] = _date(merged.get(key))
        except ValueError:
            errors[key] = _("%(value)r is not a date (YYYY-MM-DD).") % {"value": merged.get(key)}
            continue
        try:
            if clean[key] is not None:
                bounds.check_planned_date(clean[key])
        except ValueError as exc:
            errors[key] = str(exc)
    if "valid_from" not in errors and clean.get("valid_from") is None:
        errors["valid_from"] = _("A pledge needs the first day it is valid.")
    if (
        not errors.keys() & {"valid_from", "valid_to"}
        and clean.get("valid_to")
        and clean["valid_to"] < clean["valid_from"]
    ):
        errors["valid_to"] = _("The pledge cannot end before it starts.")
    clean["status"] = merged.get("status") or Pledge.Status.OPEN
    if clean["status"] not in Pledge.Status.values:
        errors["status"] = _("%(value)r is not a pledge status.") % {"value": clean["status"]}
    raw_size = merged.get("max_case_size")
    try:
        clean["max_case_size"] = int(raw_size) if raw_size not in (None, "") else None
        if clean["max_case_size"] is not None and not 1 <= clean["max_case_size"] <= 1000:
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        errors["max_case_size"] = _(
            "A whole number of persons, from 1 to 1000 (or empty: no limit)."
        )
    known = set(SpecificNeed.objects.values_list("code", flat=True))
    for key in ("needs_served", "needs_not_served"):
        clean[key] = _codes(merged.get(key))
        unknown = [c for c in clean[key] if c not in known]
        if unknown:
            errors[key] = _("Unknown specific-need codes: %(codes)s.") % {
                "codes": ", ".join(unknown)
            }
    clean["nationalities"] = []
    for code in _codes(merged.get("nationalities")):
        try:
            clean["nationalities"].append(validation.parse_nationality(code))
        except ValueError as exc:
            errors["nationalities"] = str(exc)
    clean["notes"] = str(merged.get("notes") or "").strip()
    capacities, cap_errors = {}, []
    dimensions = set(CapacityDimension.objects.filter(active=True).values_list("code", flat=True))
    for dim, raw in (merged.get("capacities") or {}).items():
        if raw in (None, ""):
            continue
        if dim not in dimensions:
            cap_errors.append(_("%(value)r is not a capacity dimension.") % {"value": dim})
            continue
        try:
            capacities[dim] = int(raw)
        except (TypeError, ValueError, OverflowError):
            cap_errors.append(_("%(dimension)s: a whole number, 0 or more.") % {"dimension": dim})
            continue
        try:
            bounds.check_count(capacities[dim])
        except ValueError as exc:
            cap_errors.append(f"{dim}: {exc}")
    if not cap_errors and "persons" not in capacities:
        cap_errors.append(_("A pledge needs its number of places (persons)."))
    if cap_errors:
        errors["capacities"] = cap_errors
    if errors:
        raise ValidationError(errors)
    return clean, capacities


def _date(raw) -> dt.date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, dt.date):
        return raw
    return dt.date.fromisoformat(str(raw))


def _codes(raw) -> list[str]:
    if isinstance(raw, str):
        raw = raw.replace(";", ",").split(",")
    return sorted({str(c).strip().upper() for c in raw or [] if str(c).strip()})


def _snapshot(pledge: Pledge, capacities: dict) -> dict:
    return {
        "country": pledge.country,
        "name": pledge.name,
        "valid_from": str(pledge.valid_from),
        "valid_to": str(pledge.valid_to or ""),
        "status": pledge.status,
        "max_case_size": pledge.max_case_size or "",
        "needs_served": pledge.needs_served,
        "needs_not_served": pledge.needs_not_served,
        "nationalities": pledge.nationalities,
        "notes": pledge.notes,
        **{f"capacity.{k}": v for k, v in sorted(capacities.items())},
    }


@transaction.atomic
def pledge_create(*, actor, data: dict, at: dt.datetime | None = None) -> Pledge:
    """A new pledge with its capacities (persons at least), its first history line and
    its audit entry, together."""
    require(actor, "relocation.manage_pledges")
    clean, capacities = _clean_pledge(data)
    at = at or timezone.now()
    user = acting_user(actor)
    pledge = Pledge.objects.create(**clean, created_at=at, created_by=user)
    PledgeCapacity.objects.bulk_create(
        [PledgeCapacity(pledge=pledge, dimension_id=d, capacity=n) for d, n in capacities.items()]
    )
    snapshot = _snapshot(pledge, capacities)
    PledgeChange.objects.create(
        pledge=pledge,
        at=at,
        actor=user,
        changes={k: ["", v] for k, v in snapshot.items() if v not in ("", [])},
        note="created",
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="pledge",
        object_id=pledge.pk,
        changes={k: ["", v] for k, v in snapshot.items() if v not in ("", [])},
    )
    return pledge


@transaction.atomic
def pledge_update(
    *,
    actor,
    pledge: Pledge,
    expected_version: int,
    changes: dict,
    at: dt.datetime | None = None,
    note: str = "",
) -> Pledge:
    """Changes a pledge's criteria, capacities, validity or status if nobody changed it
    since `expected_version` (StaleEdit otherwise). A capacity is never set below what is
    already accepted; the country never changes once the pledge has a submission (or a
    transfer); the change is a dated line of the pledge's history."""
    require(actor, "relocation.manage_pledges")
    locked = Pledge.objects.select_for_update().get(pk=pledge.pk)
    if locked.version != expected_version:
        raise StaleEdit(
            _(
                "Pledge %(locked)s was changed by someone else since you opened it. Reload it and apply your change again."
            )
            % {"locked": locked}
        )
    clean, capacities = _clean_pledge(changes, instance=locked)
    before = _snapshot(locked, {c.dimension_id: c.capacity for c in locked.capacities.all()})
    from onward.relocation.selectors import accepted_usage

    accepted = accepted_usage(locked)
    low = [
        _("%(dimension)s: %(n)s already accepted") % {"dimension": d, "n": accepted[d]}
        for d, n in capacities.items()
        if accepted.get(d, 0) > n
    ]
    if low:
        raise ValidationError(
            {
                "capacities": _("Capacity below what is accepted (%(low)s).")
                % {"low": "; ".join(low)}
            }
        )
    for key, value in clean.items():
        setattr(locked, key, value)
    # The country decides which delegation sees the pledge's submissions: frozen once
    # there are any (accounts/scope.py). Checked under the pledge's lock, which a
    # submission takes too, so none can slip in between.
    refused = scope_refusals(locked)
    if refused:
        raise ValidationError(refused)
    after = _snapshot(locked, capacities)
    diff = {
        k: [before.get(k, ""), after.get(k, "")]
        for k in before.keys() | after.keys()
        if before.get(k, "") != after.get(k, "")
    }
    if not diff:
        return locked
    locked.version += 1
    locked.save()
    PledgeCapacity.objects.filter(pledge=locked).exclude(dimension_id__in=capacities).delete()
    for dim, n in capacities.items():
        PledgeCapacity.objects.update_or_create(
            pledge=locked, dimension_id=dim, defaults={"capacity": n}
        )
    user = acting_user(actor)
    PledgeChange.objects.create(
        pledge=locked, at=at or timezone.now(), actor=user, changes=diff, note=note[:255]
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="pledge",
        object_id=locked.pk,
        changes=diff,
        detail=note,
    )
    return locked
