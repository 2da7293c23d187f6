"""The relocation workflow of a case: one state machine, its table as data.

`TABLE` maps (from_state, action) to a `Transition`: the state it leads to, the permission
(a code of `accounts/roles.py`) a user needs to make it, the guards that must all pass,
and the effects it has besides changing the state. Anything not in the table is refused.
`run()` is the one engine that applies it, for one case or many at once (all or nothing);
`services.py` calls it, nothing else changes a case's relocation state.

Every step is dated (`at`, default now, so that history can be backfilled), appended to
the case's history (`CaseTransition`) and audited, in the caller's transaction.

Locking (Zulip's rule, always in this order): the registry `Case` rows of the batch, by
primary key, then the pledges involved, by primary key. Counting a pledge's accepted
usage happens only after its row is locked, so two acceptances never overrun it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from onward.accounts import policy
from onward.audit.actor import acting_user
from onward.audit.models import AuditEntry
from onward.audit.services import audit_records
from onward.conflicts import Conflict
from onward.registry.models import Case
from onward.relocation import guards as external_guards
from onward.relocation.models import (
    CaseTransition,
    Category,
    InformationRequest,
    Pledge,
    Priority,
    Recommendation,
    RelocationCase,
    State,
    Submission,
    SubmissionReview,
)
from onward.relocation.review import latest_reviews
from onward.relocation.usage import CaseProfile, cases_profile, usage_from_members

S = State
RETURN = "(return)"  # to_state of `release`: the state the case was in before its hold
FUTURE_SLACK = dt.timedelta(minutes=5)


class StaleState(Exception):
    """The case moved on since the user looked at it; nothing was changed."""


# --- One step: a case, an action, and what the guards and effects need ---------------------


@dataclass
class Step:
    case: Case
    action: str
    at: dt.datetime | None = None
    pledge: Pledge | None = None
    reason: str = ""
    category: str = ""
    priority: str = ""
    kind: str = ""
    note: str = ""
    on: dt.date | None = None
    # Readiness as onward.readiness computed it for the step's date (mark_ready / unready):
    ready: bool | None = None
    members: list[str] | None = None  # accept: the person ids accepted (a split decision)
    question: str = ""  # request_info: what the country asks
    answer: str = ""  # answer_info: the officer's answer
    # submit / resubmit: the officer's reason to submit apart from linked cases
    separately: str = ""
    expected_version: int | None = None
    # Loaded by the engine under lock:
    rc: RelocationCase | None = None
    profile: CaseProfile | None = None
    open_submission: Submission | None = None
    refused_by: set[int] = field(default_factory=set)  # pledges that rejected the case
    open_request: InformationRequest | None = None  # the country's question not answered yet
    # Set by the engine:
    row: Transition | None = None
    from_state: str = ""
    to_state: str = ""
    submission: Submission | None = None
    info_request: InformationRequest | None = None  # asked or answered by this step
    apart_from: list[str] = field(default_factory=list)  # linked cases submitted apart

    @property
    def state(self) -> str:
        return self.rc.state if self.rc else S.NOT_IDENTIFIED


@dataclass
class Batch:
    """What the steps of one run share: the actor, the locked pledges, running totals."""

    actor: object
    now: dt.datetime
    accepted: dict[int, dict[str, int]] = field(default_factory=dict)
    capacities: dict[int, dict[str, int]] = field(default_factory=dict)
    duplicates: set[int] = field(default_factory=set)  # cases held by the duplicate guard
    reviews: dict[int, SubmissionReview] = field(default_factory=dict)  # latest, per case pk
    interviewed: set[int] = field(default_factory=set)  # cases whose interview is complete
    # Live links of the batch's cases, with the pledges each linked case is at already
    links: dict[int, list[dict]] = field(default_factory=dict)
    # The pledge each case of this batch is being submitted to (together in one run)
    submitting: dict[int, int] = field(default_factory=dict)
    # A consequence of a readiness fact (follows_readiness): the role check was the fact's.
    follows_readiness: bool = False


Guard = Callable[[Step, Batch], "tuple[str, str] | None"]  # (field, message) when refused


# --- Guards -------------------------------------------------------------------------------


def case_is_open(step, batch):
    if step.case.removed_at:
        return "case", _("Case %(case)s is removed from the registry.") % {
            "case": step.case.case_id
        }
    if step.case.status != Case.Status.OPEN:
        return "case", _("Case %(case)s is closed.") % {"case": step.case.case_id}


def case_has_members(step, batch):
    if not step.profile.usage["persons"]:
        return "case", _("Case %(case)s has no member present.") % {"case": step.case.case_id}


def assessment_given(step, batch):
    if step.category not in Category.values:
        return "category", _("Choose the submission category.")
    if step.priority not in Priority.values:
        return "priority", _("Choose the priority: emergency, urgent or normal.")


def reason_given(step, batch):
    if not step.reason.strip():
        return "reason", _("Give a reason.")


def pledge_given(step, batch):
    if step.pledge is None:
        return "pledge", _("Choose a pledge.")


def _pledge_of(step):
    return step.pledge or (step.open_submission and step.open_submission.pledge)


def pledge_is_open(step, batch):
    """Its status: a pledge under consideration or closed takes nothing."""
    pledge = _pledge_of(step)
    if pledge and pledge.status != Pledge.Status.OPEN:
        return "pledge", _("Pledge %(pledge)s is %(status)s: it takes no cases (%(validity)s).") % {
            "pledge": pledge,
            "status": pledge.get_status_display().lower(),
            "validity": pledge.validity,
        }


def pledge_is_valid_on_date(step, batch):
    """Its dates: an open pledge takes cases only within its validity, derived from the
    step's date (so a pledge past its end is closed without anyone closing it)."""
    pledge = _pledge_of(step)
    if pledge and pledge.status == Pledge.Status.OPEN:
        standing = pledge.standing_on(timezone.localtime(step.at).date())
        if not standing.takes_cases:
            return "pledge", _("Pledge %(pledge)s %(reason)s; it takes no cases.") % {
                "pledge": pledge,
                "reason": standing.reason,
            }


def case_size_within_pledge_limit(step, batch):
    pledge, size = step.pledge, step.profile.usage["persons"]
    if pledge and pledge.max_case_size and size > pledge.max_case_size:
        return "pledge", _(
            "Case %(case)s has %(size)s persons; pledge %(pledge)s takes cases of at most %(max)s."
        ) % {"case": step.case.case_id, "size": size, "pledge": pledge, "max": pledge.max_case_size}


def needs_served_by_pledge(step, batch):
    pledge = step.pledge
    if pledge and pledge.needs_not_served:
        unserved = sorted(step.profile.needs & set(pledge.needs_not_served))
        if unserved:
            return "pledge", _(
                "Pledge %(pledge)s cannot serve the specific needs %(needs)s of case %(case)s."
            ) % {"pledge": pledge, "needs": ", ".join(unserved), "case": step.case.case_id}


def nationalities_accepted_by_pledge(step, batch):
    pledge = step.pledge
    if pledge and pledge.nationalities:
        others = sorted(step.profile.nationalities - set(pledge.nationalities))
        if others:
            return "pledge", _(
                "Pledge %(pledge)s takes nationals of %(nationalities)s only; "
                "case %(case)s has %(others)s."
            ) % {
                "pledge": pledge,
                "nationalities": ", ".join(pledge.nationalities),
                "case": step.case.case_id,
                "others": ", ".join(others),
            }


def no_open_submission(step, batch):
    if step.open_submission is not None:
        return "case", _("Case %(case)s already has an open submission (to %(pledge)s).") % {
            "case": step.case.case_id,
            "pledge": step.open_submission.pledge,
        }


def no_unresolved_duplicate(step, batch):
    if step.case.pk in batch.duplicates:
        return "case", _(
            "Case %(case)s has a possible duplicate that is not "
            "resolved yet: resolve it in the duplicates queue first."
        ) % {"case": step.case.case_id}


def consent_on_file(step, batch):
    refusal = external_guards.consent_refusal(step.case, step.pledge, timezone.localdate(step.at))
    if refusal:
        return "case", refusal


def interview_completed(step, batch):
    """UNHCR Resettlement Handbook 4.4: every member attends the resettlement interview;
    the case is assessed only once it is completed (interviews.interview_complete)."""
    if step.case.pk not in batch.interviewed:
        return "interview", _(
            "Case %(case)s cannot be assessed before its resettlement "
            "interview is completed with every member present or the absence recorded "
            "with a reason."
        ) % {"case": step.case.case_id}


def recommendation_approved(step, batch):
    """Handbook 4.7: a reviewing officer approves the recommendation before anything
    reaches a pledge (review.py); the case's latest review counts."""
    review, case_id = batch.reviews.get(step.case.pk), step.case.case_id
    rule = _("a second user with the reviewing role must approve a recommendation to submit")
    if review is None:
        return "review", _("Case %(case)s has no recommendation yet: %(rule)s.") % {
            "case": case_id,
            "rule": rule,
        }
    if review.recommendation != Recommendation.RECOMMEND:
        return "review", _('Case %(case)s\'s latest review is "%(review)s": %(rule)s.') % {
            "case": case_id,
            "review": Recommendation(review.recommendation).label.lower(),
            "rule": rule,
        }
    if not review.is_approved:
        return "review", _(
            "Case %(case)s's recommendation is not approved yet: %(rule)s, never the recommender."
        ) % {"case": case_id, "rule": rule}


LINKED_RULE = "linked cases (family unity, dependency) are submitted together to the same pledge"


def linked_cases_together(step, batch):
    """Handbook 4.7: linked cases are submitted together. Each live link's other case is
    submitted in this same run to the same pledge, or already submitted or decided there;
    otherwise refused, unless the officer records a reason to submit it separately (kept on
    the submission and in the audit entry, with the linked cases it went apart from)."""
    pledge = step.pledge
    if pledge is None:
        return None
    apart = [
        link
        for link in batch.links.get(step.case.pk, [])
        if batch.submitting.get(link["pk"]) != pledge.pk and pledge.pk not in link["pledges"]
    ]
    step.apart_from = [link["case_id"] for link in apart]
    if not apart or step.separately.strip():
        return None
    named = ", ".join(f"{link['case_id']} ({link['kind'].lower()})" for link in apart)
    return "linked", (
        f"Case {step.case.case_id} is linked to case {named}, not submitted together to "
        f"pledge {pledge} nor already submitted or decided there: {LINKED_RULE}. Submit "
        "them together, or give a reason to submit this case separately."
    )


def not_refused_by_this_pledge(step, batch):
    if step.pledge and step.pledge.pk in step.refused_by:
        return "pledge", _(
            "Pledge %(pledge)s already rejected case %(case)s: resubmit to another pledge."
        ) % {"pledge": step.pledge, "case": step.case.case_id}


def has_open_submission(step, batch):
    if step.open_submission is None:
        return "case", _("Case %(case)s has no open submission.") % {"case": step.case.case_id}


def decider_may_decide_for_pledge(step, batch):
    """A delegation decides only for its own country's pledges (views 404 before this)."""
    actor, sub = batch.actor, step.open_submission
    if sub and policy.is_delegation(actor) and sub.pledge.country != actor.country:
        return "pledge", _("This submission is to another country's pledge.")


def _split_members(step) -> list[str]:
    """The members a split decision accepts (sorted), or [] when it is the whole case."""
    chosen = sorted(set(step.members or ()))
    return [] if set(chosen) == set(step.profile.members) else chosen


def _acceptance_usage(step) -> dict[str, int]:
    """What the acceptance takes of the pledge: the whole case, or the members accepted."""
    chosen = _split_members(step)
    if not chosen:
        return step.profile.usage
    # Unknown ids are refused by members_of_the_case; not counted meanwhile.
    return usage_from_members(
        [set(step.profile.members[p]) for p in chosen if p in step.profile.members]
    )


def members_of_the_case(step, batch):
    """A split decision names members present in the case, at least one."""
    if step.members is None:
        return None
    if not step.members:
        return "members", _("Choose at least one member to accept (or accept the whole case).")
    unknown = sorted(set(step.members) - set(step.profile.members))
    if unknown:
        return "members", _("Not members present in case %(case)s: %(ids)s.") % {
            "case": step.case.case_id,
            "ids": ", ".join(unknown),
        }


def information_request_given(step, batch):
    if not step.question.strip():
        return "question", _("Say what information the country needs.")
    if step.on is None:
        return "on", _("Give the date the information is needed by.")
    if step.on < timezone.localtime(step.at).date():
        return "on", _("%(date)s is before the request (%(asked)s).") % {
            "date": step.on,
            "asked": timezone.localtime(step.at).date(),
        }


def has_open_request(step, batch):
    if step.open_request is None:
        return "case", _("Case %(case)s has no request for information to answer.") % {
            "case": step.case.case_id
        }


def answer_given(step, batch):
    if not step.answer.strip():
        return "answer", _("Give the answer to the country's request.")


def deferral_date_valid(step, batch):
    if step.on is not None and step.on < timezone.localtime(step.at).date():
        return "on", _("A deferral until %(date)s is before the decision itself.") % {
            "date": step.on
        }


def pledge_has_capacity(step, batch):
    sub = step.open_submission
    if sub is None:
        return None
    accepted = batch.accepted[sub.pledge_id]
    usage = _acceptance_usage(step)
    over = []
    for dim, capacity in batch.capacities[sub.pledge_id].items():
        needed = usage.get(dim, 0)
        if needed and accepted.get(dim, 0) + needed > capacity:
            over.append(
                _("%(dimension)s: %(taken)s of %(capacity)s taken, the case needs %(needed)s")
                % {
                    "dimension": dim,
                    "taken": accepted.get(dim, 0),
                    "capacity": capacity,
                    "needed": needed,
                }
            )
    if over:
        return "pledge", _("Pledge %(pledge)s has no room for case %(case)s (%(over)s).") % {
            "pledge": sub.pledge,
            "case": step.case.case_id,
            "over": "; ".join(over),
        }


def readiness_says_ready(step, batch):
    if step.ready is not True:
        return "case", _("Case %(case)s is not ready for departure: %(why)s.") % {
            "case": step.case.case_id,
            "why": step.reason or _("readiness was not computed"),
        }


def readiness_says_not_ready(step, batch):
    if step.ready is not False:
        return "case", _("Case %(case)s is still ready for departure.") % {
            "case": step.case.case_id
        }


def departure_date_given(step, batch):
    if step.on is None:
        return "on", _("Give the date of departure.")
    if step.on > timezone.localdate(batch.now):
        return "on", _("%(date)s is in the future.") % {"date": step.on}


def hold_remembers_state(step, batch):
    if not step.rc.return_state:
        return "case", _("The state to return to is not known.")


# --- Effects (besides the state change, the history row and the audit entry) -------------


def create_record(step, batch):
    step.rc = RelocationCase(
        case=step.case, state=S.NOT_IDENTIFIED, state_entered_at=step.at, version=0
    )


def record_assessment(step, batch):
    step.rc.category, step.rc.priority = step.category, step.priority
    step.rc.interviewed_on = timezone.localtime(step.at).date()


def open_submission(step, batch):
    step.submission = Submission(
        case=step.case,
        pledge=step.pledge,
        category=step.rc.category,
        priority=step.rc.priority,
        usage=step.profile.usage,
        submitted_at=step.at,
        submitted_by=acting_user(batch.actor),
        separate_reason=(step.separately.strip() or None) if step.apart_from else None,
        separate_from=(step.apart_from or None) if step.separately.strip() else None,
    )


def _decide(step, batch, decision):
    sub = step.open_submission
    sub.decision, sub.decided_at, sub.decided_by = decision, step.at, acting_user(batch.actor)
    sub.reason = step.reason.strip()
    step.submission = sub


def accept_submission(step, batch):
    _decide(step, batch, Submission.Decision.ACCEPTED)
    # Counted as it is now, under the lock: the whole case, or the members accepted.
    step.submission.usage = _acceptance_usage(step)
    step.submission.accepted_members = _split_members(step) or None
    totals = batch.accepted[step.submission.pledge_id]
    for dim, n in step.submission.usage.items():
        totals[dim] = totals.get(dim, 0) + n


def defer_submission(step, batch):
    """Deferred: the submission stays open and pending (not a refusal), with the date the
    country gave, if any; the reason is the history row's."""
    step.submission = step.open_submission
    step.submission.deferred_until = step.on


def ask_information(step, batch):
    step.submission = step.open_submission
    step.info_request = InformationRequest(
        submission=step.open_submission,
        case=step.case,
        question=step.question.strip(),
        due_on=step.on,
        asked_by=acting_user(batch.actor),
        asked_at=step.at,
    )


def answer_information(step, batch):
    step.submission = step.open_submission
    request = step.open_request
    request.answer = step.answer.strip()
    request.answered_by, request.answered_at = acting_user(batch.actor), step.at
    step.info_request = request


def reject_submission(step, batch):
    _decide(step, batch, Submission.Decision.REJECTED)


def withdraw_submission(step, batch):
    _decide(step, batch, Submission.Decision.WITHDRAWN)


def remember_state(step, batch):
    step.rc.return_state = step.rc.state


def forget_state(step, batch):
    step.rc.return_state = ""


def record_departure(step, batch):
    step.submission = step.open_submission
    step.submission.departed_on = step.on


def reverse_departure(step, batch):
    step.submission = step.open_submission
    step.submission.departed_on = None


# --- The table ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    code: str
    label: str
    needs: tuple[str, ...] = ()  # the inputs a form or API call must give
    internal: bool = False  # only through a service of another app (transfers)


ACTIONS = {
    a.code: a
    for a in [
        Action("identify", gettext_noop("Identify for relocation")),
        Action("assess", gettext_noop("Record assessment"), ("category", "priority")),
        Action("submit", gettext_noop("Submit to a pledge"), ("pledge",)),
        Action("accept", gettext_noop("Accept")),
        Action("reject", gettext_noop("Reject"), ("reason",)),
        Action("defer", gettext_noop("Defer the decision"), ("reason",)),
        Action("request_info", gettext_noop("Request more information"), ("question", "on")),
        Action("answer_info", gettext_noop("Answer the request for information"), ("answer",)),
        Action("withdraw", gettext_noop("Withdraw"), ("reason",)),
        Action("resubmit", gettext_noop("Resubmit to another pledge"), ("pledge",)),
        # Never by hand: onward.readiness moves a case as its requirements are met.
        Action("mark_ready", gettext_noop("Ready for departure (readiness)"), internal=True),
        Action("unready", gettext_noop("No longer ready (readiness)"), internal=True),
        Action("hold", gettext_noop("Put on hold"), ("reason",)),
        Action("release", gettext_noop("Release from hold")),
        Action("depart", gettext_noop("Departed (transfer)"), ("on",), internal=True),
        Action(
            "undepart", gettext_noop("Reverse a departure (transfer)"), ("reason",), internal=True
        ),
    ]
}


@dataclass(frozen=True)
class Transition:
    to_state: str
    permission: str
    guards: tuple[Guard, ...] = ()
    effects: tuple[Callable, ...] = ()


_SUBMIT_GUARDS = (
    pledge_given,
    pledge_is_open,
    pledge_is_valid_on_date,
    case_size_within_pledge_limit,
    needs_served_by_pledge,
    nationalities_accepted_by_pledge,
    no_open_submission,
    no_unresolved_duplicate,
    consent_on_file,
    recommendation_approved,
    linked_cases_together,
)
_HOLDABLE = (
    S.IDENTIFIED,
    S.ASSESSED,
    S.SUBMITTED,
    S.DEFERRED,
    S.INFO_REQUESTED,
    S.ACCEPTED,
    S.READY,
)
_ACCEPT = Transition(
    S.ACCEPTED,
    "relocation.decide",
    (
        has_open_submission,
        decider_may_decide_for_pledge,
        pledge_is_open,
        pledge_is_valid_on_date,
        members_of_the_case,
        pledge_has_capacity,
    ),
    (accept_submission,),
)
_REJECT = Transition(
    S.REJECTED,
    "relocation.decide",
    (has_open_submission, decider_may_decide_for_pledge, reason_given),
    (reject_submission,),
)
_REQUEST_INFO = Transition(
    S.INFO_REQUESTED,
    "relocation.decide",
    (has_open_submission, decider_may_decide_for_pledge, information_request_given),
    (ask_information,),
)

PROCESS, DECIDE, EXIT, TRANSFER = (
    "relocation.process",
    "relocation.decide",
    "relocation.exit_checks",
    "transfers.manage",
)

TABLE: dict[tuple[str, str], Transition] = {
    (S.NOT_IDENTIFIED, "identify"): Transition(
        S.IDENTIFIED, PROCESS, (case_is_open, case_has_members), (create_record,)
    ),
    (S.IDENTIFIED, "assess"): Transition(
        S.ASSESSED, PROCESS, (assessment_given, interview_completed), (record_assessment,)
    ),
    (S.ASSESSED, "assess"): Transition(
        S.ASSESSED, PROCESS, (assessment_given, interview_completed), (record_assessment,)
    ),
    (S.ASSESSED, "submit"): Transition(
        S.SUBMITTED, PROCESS, (case_is_open, *_SUBMIT_GUARDS), (open_submission,)
    ),
    (S.SUBMITTED, "accept"): _ACCEPT,
    (S.SUBMITTED, "reject"): _REJECT,
    # Decisions as countries give them (Handbook 4.10): a deferral and a request for
    # information keep the submission open and pending; neither is a refusal.
    (S.SUBMITTED, "defer"): Transition(
        S.DEFERRED,
        DECIDE,
        (has_open_submission, decider_may_decide_for_pledge, reason_given, deferral_date_valid),
        (defer_submission,),
    ),
    (S.SUBMITTED, "request_info"): _REQUEST_INFO,
    (S.DEFERRED, "accept"): _ACCEPT,
    (S.DEFERRED, "reject"): _REJECT,
    (S.DEFERRED, "request_info"): _REQUEST_INFO,
    (S.INFO_REQUESTED, "answer_info"): Transition(
        S.SUBMITTED,
        PROCESS,
        (has_open_submission, has_open_request, answer_given),
        (answer_information,),
    ),
    **{
        (state, "withdraw"): Transition(
            S.WITHDRAWN, PROCESS, (has_open_submission, reason_given), (withdraw_submission,)
        )
        for state in (
            S.SUBMITTED,
            S.DEFERRED,
            S.INFO_REQUESTED,
            S.ACCEPTED,
            S.READY,
            S.ON_HOLD,
        )
    },
    **{
        (state, "resubmit"): Transition(
            S.SUBMITTED,
            PROCESS,
            (case_is_open, *_SUBMIT_GUARDS, not_refused_by_this_pledge),
            (open_submission,),
        )
        for state in (S.REJECTED, S.WITHDRAWN)
    },
    (S.ACCEPTED, "mark_ready"): Transition(
        S.READY, EXIT, (has_open_submission, readiness_says_ready)
    ),
    (S.READY, "unready"): Transition(
        S.ACCEPTED, EXIT, (has_open_submission, readiness_says_not_ready)
    ),
    **{
        (state, "hold"): Transition(S.ON_HOLD, PROCESS, (reason_given,), (remember_state,))
        for state in _HOLDABLE
    },
    (S.ON_HOLD, "release"): Transition(RETURN, PROCESS, (hold_remembers_state,), (forget_state,)),
    # A transfer checks each traveller's readiness on its date (onward.movements); the
    # case's stored state may lag behind an expiry or a fact recorded since.
    **{
        (state, "depart"): Transition(
            S.DEPARTED,
            TRANSFER,
            (has_open_submission, departure_date_given),
            (record_departure,),
        )
        for state in (S.ACCEPTED, S.READY)
    },
    (S.DEPARTED, "undepart"): Transition(
        S.READY, TRANSFER, (has_open_submission, reason_given), (reverse_departure,)
    ),
}

STATES = list(S.values)


def actions_from(state: str) -> list[str]:
    return [action for (from_state, action) in TABLE if from_state == state]


def allowed_actions(user, state: str, *, internal: bool = False) -> list[Action]:
    """The actions this user's role may attempt on a case in `state` (guards not run)."""
    return [
        ACTIONS[a]
        for (s, a), row in TABLE.items()
        if s == state and policy.can(user, row.permission) and (internal or not ACTIONS[a].internal)
    ]


# Guards that refuse what the request gave (or left out); every other guard refuses because
# of the state of the case, its submission or the pledge, and alone makes a Conflict (409).
INPUT_GUARDS = frozenset(
    {
        assessment_given,
        reason_given,
        pledge_given,
        departure_date_given,
        members_of_the_case,
        information_request_given,
        answer_given,
        deferral_date_valid,
    }
)


def illegal_message(action: str, state: str) -> str:
    legal = [_(ACTIONS[a].label).lower() for a in actions_from(state)]
    label = _(ACTIONS[action].label).lower() if action in ACTIONS else repr(action)
    return _(
        'A case that is %(state)s cannot be sent to "%(action)s"; from here it can only: %(legal)s.'
    ) % {
        "state": State(state).label.lower(),
        "action": label,
        "legal": ", ".join(legal) or _("nothing (final)"),
    }


# --- The engine ---------------------------------------------------------------------------


# The steps that only follow what onward.readiness computed from the facts: whoever
# recorded the fact (staff with readiness.record, or a delegation confirming its own item
# with readiness.confirm) moves the case with it, without a relocation permission of its own.
FOLLOWS_READINESS = frozenset({"mark_ready", "unready"})


def run(
    *,
    actor,
    action: str,
    steps: list[Step],
    internal: bool = False,
    follows_readiness: bool = False,
) -> list[Step]:
    """Applies one action to one or many cases, all or nothing.

    Raises PermissionDenied if the actor's role may not make this action at all;
    ValidationError naming each field at fault (one case) or each case at fault (several
    cases: {case_id: [messages]}) when any step is illegal or a guard refuses it: a
    Conflict (a ValidationError, 409 in the API) when only the state of the records
    refuses it, not the input (INPUT_GUARDS); in every case nothing is written. Must be called inside a transaction (services are atomic).

    `follows_readiness` (internal steps of FOLLOWS_READINESS only, called by
    onward.readiness after a fact is stored): the actor's role is not checked, the fact's
    service checked it; the guards (the verdict) still decide.
    """
    if action not in ACTIONS:
        raise ValidationError(
            {"action": _("%(action)r is not a relocation action.") % {"action": action}}
        )
    if ACTIONS[action].internal and not internal:
        raise ValidationError(
            {
                "action": _('"%(action)s" is recorded only by a transfer, not by hand.')
                % {"action": _(ACTIONS[action].label)}
            }
        )
    if follows_readiness and (not internal or action not in FOLLOWS_READINESS):
        # A programming error (only the readiness service passes it): never shown.
        wrong = f"{action!r} does not follow readiness."
        raise ValidationError({"action": wrong})  # i18n: not shown
    permissions = {row.permission for (_state, a), row in TABLE.items() if a == action}
    if not follows_readiness and not any(policy.can(actor, p) for p in permissions):
        raise PermissionDenied(
            _("Your role may not do this (%(permission)s).")
            % {"permission": ", ".join(sorted(permissions))}
        )
    if len({s.case.pk for s in steps}) != len(steps):
        raise ValidationError({"cases": _("A case is listed twice.")})
    now = timezone.now()
    batch = Batch(actor=actor, now=now, follows_readiness=follows_readiness)
    _load(steps, batch, action)
    errors: dict[str, list[str]] = {}
    from_input = False
    for step in steps:
        step.at = step.at or now
        for fld, message, of_input in _check(step, action, batch, actor):
            from_input |= of_input
            errors.setdefault(fld if len(steps) == 1 else step.case.case_id, []).append(
                message if len(steps) == 1 else f"{fld}: {message}"
            )
    if errors:
        # Input to fix comes first (400); refused only by the records' state: a Conflict.
        raise ValidationError(errors) if from_input else Conflict(errors)
    _write(steps, action, batch)
    return steps


def _check(step: Step, action: str, batch: Batch, actor):
    row = TABLE.get((step.state, action))
    if row is None:
        yield "action", illegal_message(action, step.state), False
        return
    if not batch.follows_readiness and not policy.can(actor, row.permission):
        raise PermissionDenied(
            _("Your role may not do this (%(permission)s).") % {"permission": row.permission}
        )
    if step.expected_version is not None and step.rc and step.rc.version != step.expected_version:
        raise StaleState(
            _("Case %(case)s changed since you opened it (now %(state)s). Reload it and try again.")
            % {"case": step.case.case_id, "state": State(step.state).label.lower()}
        )
    if step.rc and step.at < step.rc.state_entered_at:
        yield (
            "at",
            _(
                "History is dated: this step (%(at)s) cannot come "
                "before the case entered its current state (%(entered)s)."
            )
            % {
                "at": f"{step.at:%Y-%m-%d %H:%M}",
                "entered": f"{step.rc.state_entered_at:%Y-%m-%d %H:%M}",
            },
            True,
        )
        return
    if step.at > batch.now + FUTURE_SLACK:
        yield "at", _("%(date)s is in the future.") % {"date": f"{step.at:%Y-%m-%d %H:%M}"}, True
        return
    step.row = row
    for guard in row.guards:
        refusal = guard(step, batch)
        if refusal:
            yield *refusal, guard in INPUT_GUARDS
            if guard in (has_open_submission, pledge_given, has_open_request):
                return  # the guards after these need what they check


def _load(steps: list[Step], batch: Batch, action: str) -> None:
    """Locks the cases then the pledges, and loads what the guards read, in few queries."""
    pks = sorted({s.case.pk for s in steps})
    cases = {c.pk: c for c in Case.objects.select_for_update().filter(pk__in=pks).order_by("pk")}
    rcs = {rc.case_id: rc for rc in RelocationCase.objects.filter(case_id__in=pks)}
    opened = {
        sub.case_id: sub
        for sub in Submission.objects.filter(case_id__in=pks, decision__in=["", "accepted"])
    }
    pledge_pks = sorted(
        {s.pledge.pk for s in steps if s.pledge} | {sub.pledge_id for sub in opened.values()}
    )
    pledges = {
        p.pk: p for p in Pledge.objects.select_for_update().filter(pk__in=pledge_pks).order_by("pk")
    }
    for sub in opened.values():
        sub.pledge = pledges[sub.pledge_id]
    profiles = cases_profile(pks)
    requests = {
        r.submission_id: r
        for r in InformationRequest.objects.filter(
            submission__in=[s.pk for s in opened.values()], answered_at__isnull=True
        ).order_by("asked_at", "id")
    }
    refused: dict[int, set[int]] = defaultdict(set)
    for case_pk, pledge_pk in Submission.objects.filter(
        case_id__in=pks, decision=Submission.Decision.REJECTED
    ).values_list("case_id", "pledge_id"):
        refused[case_pk].add(pledge_pk)
    for step in steps:
        step.case = cases[step.case.pk]
        step.rc = rcs.get(step.case.pk)
        if step.rc:
            step.rc.case = step.case
        if step.pledge:
            step.pledge = pledges[step.pledge.pk]
        step.profile = profiles[step.case.pk]
        step.open_submission = opened.get(step.case.pk)
        if step.open_submission:
            step.open_request = requests.get(step.open_submission.pk)
        step.refused_by = refused[step.case.pk]
        step.from_state = step.state
    guarded = {g for (_s, a), row in TABLE.items() if a == action for g in row.guards}
    if no_unresolved_duplicate in guarded:
        batch.duplicates = external_guards.cases_with_unresolved_duplicates([s.case for s in steps])
    if recommendation_approved in guarded:
        batch.reviews = latest_reviews(pks)
    if interview_completed in guarded:
        batch.interviewed = external_guards.cases_with_complete_interview(pks)
    if linked_cases_together in guarded:
        batch.links = external_guards.linked_cases_at_pledges(pks)
        batch.submitting = {s.case.pk: s.pledge.pk for s in steps if s.pledge}
    # Accepted usage is counted only now that the pledges are locked.
    batch.accepted = {pk: {} for pk in pledges}
    for pledge_pk, usage in Submission.objects.filter(
        pledge_id__in=pledges, decision=Submission.Decision.ACCEPTED
    ).values_list("pledge_id", "usage"):
        for dim, n in usage.items():
            batch.accepted[pledge_pk][dim] = batch.accepted[pledge_pk].get(dim, 0) + n
    from onward.relocation.models import PledgeCapacity

    batch.capacities = {pk: {} for pk in pledges}
    for pledge_pk, dim, capacity in PledgeCapacity.objects.filter(
        pledge_id__in=pledges
    ).values_list("pledge_id", "dimension_id", "capacity"):
        batch.capacities[pledge_pk][dim] = capacity


def _write(steps: list[Step], action: str, batch: Batch) -> None:
    new_rcs, new_subs, changed_subs, transitions, audits = [], [], [], [], []
    asked: list[InformationRequest] = []
    answered: list[InformationRequest] = []
    user = acting_user(batch.actor)
    for step in steps:
        row = step.row
        # Read before the effects run: `release` forgets the state it returns to.
        step.to_state = (
            step.rc.return_state if (step.rc and row.to_state == RETURN) else row.to_state
        )
        for effect in row.effects:
            effect(step, batch)
        rc = step.rc
        if rc.pk is None:
            new_rcs.append(rc)
        if step.submission is not None:
            (new_subs if step.submission.pk is None else changed_subs).append(step.submission)
        if step.info_request is not None:
            (asked if step.info_request.pk is None else answered).append(step.info_request)
        if step.to_state != step.from_state:  # a self-loop (assess) keeps its clock
            rc.state, rc.state_entered_at = step.to_state, step.at
        rc.version += 1
        detail = ACTIONS[action].label
        pledge = step.pledge or (step.submission.pledge if step.submission else None)
        if pledge:
            detail += f" · {pledge}"
        split = (step.submission.accepted_members or []) if step.submission else []
        for extra in (
            step.kind,
            step.category,
            step.priority,
            step.reason.strip(),
            f"accepted {len(split)} members: {', '.join(split)}" if split else "",
            f"information due {step.on}" if action == "request_info" else "",
            f"until {step.on}" if action == "defer" and step.on else "",
            (
                f"submitted apart from linked case {', '.join(step.apart_from)}: "
                f"{step.separately.strip()}"
            )
            if step.submission is not None and step.submission.separate_reason
            else "",
        ):
            if extra:
                detail += f" · {extra}"
        audits.append(
            (
                AuditEntry.Action.UPDATE,
                "case",
                step.case.case_id,
                {"relocation_state": [step.from_state, step.to_state]},
                detail,
            )
        )
    RelocationCase.objects.bulk_create(new_rcs, batch_size=1000)
    Submission.objects.bulk_create(new_subs, batch_size=1000)
    _update_many(
        Submission,
        changed_subs,
        [
            "decision",
            "decided_at",
            "decided_by",
            "reason",
            "usage",
            "departed_on",
            "accepted_members",
            "deferred_until",
        ],
    )
    InformationRequest.objects.bulk_create(asked, batch_size=1000)
    _update_many(InformationRequest, answered, ["answer", "answered_by", "answered_at"])
    for step in steps:
        transitions.append(
            CaseTransition(
                case=step.case,
                from_state=step.from_state,
                to_state=step.to_state,
                action=action,
                submission=step.submission or step.open_submission,
                actor=user,
                at=step.at,
                reason=(
                    step.reason.strip()
                    or step.kind
                    or step.question.strip()
                    or step.answer.strip()
                    or (step.separately.strip() if step.apart_from else "")
                ),
            )
        )
    CaseTransition.objects.bulk_create(transitions, batch_size=1000)
    fresh = {id(rc) for rc in new_rcs}
    changed_rcs = [s.rc for s in steps if id(s.rc) not in fresh]
    _update_many(
        RelocationCase,
        changed_rcs,
        [
            "state",
            "category",
            "priority",
            "interviewed_on",
            "return_state",
            "state_entered_at",
            "version",
        ],
    )
    audit_records(actor=batch.actor, entries=audits)


def _update_many(model, objs: list, names: list[str]) -> None:
    """UPDATE … WHERE id = … for many rows with one prepared statement (executemany):
    Django's bulk_update builds a CASE per field and row, far slower for thousands."""
    if not objs:
        return
    fields = [model._meta.get_field(n) for n in names]
    table = connection.ops.quote_name(model._meta.db_table)
    sets = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    rows = [
        [f.get_db_prep_save(getattr(o, f.attname), connection) for f in fields] + [o.pk]
        for o in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", rows)
