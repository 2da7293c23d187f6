"""Reads of relocation, always through the policy's visible_* querysets; the detail of a
case or a pledge is an audited read. The figures (pledge, funnel, time in state) are
computed from the records alone, so the dashboard and the demo show the same numbers."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext

from onward import bounds
from onward.accounts.policy import (
    can,
    get_for_user,
    is_delegation,
    visible_cases,
    visible_pledges,
    visible_submissions,
)
from onward.audit.services import audit_read, audit_record
from onward.db import EpochSeconds
from onward.registry.models import Case
from onward.relocation import guards as external_guards
from onward.relocation import workflow
from onward.relocation.models import (
    CapacityDimension,
    CaseTransition,
    ExitCheck,
    InformationRequest,
    Pledge,
    PledgeCapacity,
    PledgeChange,
    RelocationCase,
    State,
    Submission,
)
from onward.relocation.usage import case_usage, cases_persons, cases_usage, usage_numbers

__all__ = [
    "case_usage",
    "cases_usage",
    "cases_ready_for_departure",
    "pledge_figures",
    "funnel",
    "funnels",
    "time_in_states",
    "average_days_in_state",
    "average_days_in_states",
    "get_pledge_for_user",
    "get_submission_for_user",
    "pledge_list",
    "pledge_detail",
    "relocation_case_detail",
    "relocation_case_list",
    "submission_list",
    "accepted_usage",
    "is_delegation",
]

FUNNEL_STAGES = ("identified", "submitted", "accepted", "departed")


# --- One record, fetched and checked in one step --------------------------------------------


def get_pledge_for_user(user, pledge_id) -> Pledge:
    return get_for_user(user, visible_pledges(user), "pledge", pledge_id)


def get_submission_for_user(user, submission_id) -> Submission:
    return get_for_user(
        user,
        visible_submissions(user).select_related("pledge", "case"),
        "submission",
        submission_id,
    )


# --- The interface other apps rely on ---------------------------------------------------------


def cases_ready_for_departure(*, pledge: Pledge | None = None) -> QuerySet:
    """Registry cases whose relocation state is `ready`, optionally only those accepted by
    one pledge. Not scoped to a user: the transfers app scopes its own pages."""
    cases = Case.objects.filter(relocation__state=State.READY)
    if pledge is not None:
        cases = cases.filter(
            submissions__pledge=pledge, submissions__decision=Submission.Decision.ACCEPTED
        )
    return cases.order_by("case_id")


def cases_awaiting_departure(*, pledge: Pledge | None = None) -> QuerySet:
    """Registry cases accepted (ready or not yet) and not departed, optionally under one
    pledge: what a transfer may plan; readiness decides, per person, who flies."""
    cases = Case.objects.filter(relocation__state__in=[State.ACCEPTED, State.READY])
    if pledge is not None:
        cases = cases.filter(
            submissions__pledge=pledge, submissions__decision=Submission.Decision.ACCEPTED
        )
    return cases.order_by("case_id")


def accepted_usage(pledge: Pledge) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for usage in pledge.submissions.filter(decision=Submission.Decision.ACCEPTED).values_list(
        "usage", flat=True
    ):
        for dim, n in usage.items():
            totals[dim] += n
    return dict(totals)


def pledge_figures(pledge: Pledge) -> dict[str, dict]:
    """Per capacity dimension: capacity, submitted (every case ever put to the pledge),
    pending (awaiting a decision), accepted (accepted now, departed included), departed,
    remaining (capacity - accepted). Dimensions the pledge does not count have capacity
    and remaining None: it does not limit them."""
    return pledges_figures([pledge])[pledge.pk]


def pledges_figures(pledges) -> dict[int, dict[str, dict]]:
    """`pledge_figures` of many pledges at once, in three queries whatever their number
    (the list of pledges)."""
    ids = [p.pk for p in pledges]
    dimensions = pledges_dimensions(ids)
    counted = sorted({d for _capacities, dims in dimensions.values() for d in dims})
    latest: dict[int, dict[int, tuple]] = defaultdict(dict)
    for pledge_pk, case_pk, decision, departed_on, *numbers in (
        Submission.objects.filter(pledge_id__in=ids)
        .values_list(
            "pledge_id", "case_id", "decision", "departed_on", *usage_numbers("usage", counted)
        )
        .order_by("submitted_at", "id")
    ):
        # A case counts once, as it is now.
        usage = {d: n for d, n in zip(counted, numbers, strict=True) if n is not None}
        latest[pledge_pk][case_pk] = (decision, usage, departed_on)
    return {pk: _figures(*dimensions[pk], latest[pk].values()) for pk in ids}


def pledges_dimensions(ids) -> dict[int, tuple[dict[str, int], list[str]]]:
    """Per pledge: its capacities ({dimension: places}) and the dimensions its figures
    count (the active ones and any it has a capacity for), in two queries."""
    capacities: dict[int, dict] = defaultdict(dict)
    for pledge_pk, dim, capacity in PledgeCapacity.objects.filter(pledge_id__in=ids).values_list(
        "pledge_id", "dimension_id", "capacity"
    ):
        capacities[pledge_pk][dim] = capacity
    dimensions = list(CapacityDimension.objects.values_list("code", "active"))
    return {
        pk: (
            capacities[pk],
            [code for code, active in dimensions if active or code in capacities[pk]],
        )
        for pk in ids
    }


def _figures(capacities: dict, dims: list[str], submissions) -> dict[str, dict]:
    figures: dict[str, dict[str, Any]] = {
        d: {
            "capacity": capacities.get(d),
            "submitted": 0,
            "pending": 0,
            "accepted": 0,
            "departed": 0,
            "remaining": None,
        }
        for d in dims
    }
    for decision, usage, departed_on in submissions:
        for d in dims:
            n = usage.get(d, 0)
            figures[d]["submitted"] += n
            if decision == "":
                figures[d]["pending"] += n
            elif decision == Submission.Decision.ACCEPTED:
                figures[d]["accepted"] += n
                if departed_on:
                    figures[d]["departed"] += n
    for f in figures.values():
        if f["capacity"] is not None:
            f["remaining"] = f["capacity"] - f["accepted"]
    return figures


def _instant(as_of) -> dt.datetime:
    if isinstance(as_of, dt.datetime):
        return as_of
    return timezone.make_aware(dt.datetime.combine(as_of, dt.time.max))


def funnel(
    *,
    country: str | None = None,
    pledge: Pledge | None = None,
    as_of: dt.date | dt.datetime | None = None,
) -> dict[str, dict[str, int]]:
    """How many cases (and persons) reached each stage by `as_of` (default now):
    identified, submitted, accepted, departed. "Reached" counts a case once, even if it was
    later rejected or withdrawn; departed is net of reversed departures.

    With `country` or `pledge`, only submissions to that country's pledges (or that pledge)
    count, and "identified" is the cases submitted there (they were all identified)."""
    return funnels([{"country": country, "pledge": pledge}], as_of=as_of)[0]


_FUNNEL_ACTIONS = ("identify", "submit", "resubmit", "accept", "depart", "undepart")
_STAGE_OF_ACTION = {"submit": "submitted", "resubmit": "submitted", "accept": "accepted"}


def funnels(
    targets: list[dict], *, as_of: dt.date | dt.datetime | None = None
) -> list[dict[str, dict[str, int]]]:
    """`funnel` for several targets at once, each given as funnel's keywords ({} for the
    whole operation, {"country": c}, {"pledge": p}), from one read of the transitions and
    one of the submissions: the dashboard asks for the operation, every country and every
    pledge, and a read per target was most of its cost. The rows are split by country and
    by pledge once, so that each target walks only its own (not every row per target)."""
    transitions = CaseTransition.objects.filter(action__in=_FUNNEL_ACTIONS)
    if as_of is not None:
        transitions = transitions.filter(at__lte=_instant(as_of))
    read = list(transitions.order_by("at", "id").values_list("case_id", "action", "submission_id"))
    # Only the head-count of each submission's usage, read as a number in the database
    # (decoding every usage document was a third of this function's cost).
    submissions = {
        pk: (pledge_pk, country, persons)
        for pk, pledge_pk, country, persons in Submission.objects.values_list(
            "pk", "pledge_id", "pledge__country", *usage_numbers("usage", ["persons"])
        )
    }
    no_submission: tuple[Any, Any, Any] = (None, None, None)
    rows = [
        (case_pk, action, *submissions.get(sub_pk, no_submission))
        for case_pk, action, sub_pk in read
    ]
    by_pledge: dict[Any, list[tuple]] = defaultdict(list)
    by_country: dict[Any, list[tuple]] = defaultdict(list)
    for row in rows:  # in (at, id) order within each part too
        by_pledge[row[2]].append(row)
        by_country[row[3]].append(row)

    def own_rows(target: dict) -> list[tuple]:
        if target.get("pledge") is not None:
            return by_pledge.get(target["pledge"].pk, [])
        if target.get("country") is not None:
            return by_country.get(target["country"], [])
        return rows

    return [_funnel_of(own_rows(target), **target) for target in targets]


def _funnel_of(
    rows: list[tuple], *, country: str | None = None, pledge: Pledge | None = None
) -> dict[str, dict[str, int]]:
    """One target's funnel from its own transitions in (at, id) order (`funnels` gives a
    pledge or a country only the rows of its submissions), each with its submission's
    pledge, country and persons counted in its usage."""
    result: dict[str, dict[int, int]] = {"submitted": {}, "accepted": {}, "departed": {}}
    identified: set[int] = set()
    for case_pk, action, _pledge, _country, persons_in_case in rows:
        if action == "identify":
            identified.add(case_pk)
            continue
        persons_in_case = persons_in_case or 0
        if action in _STAGE_OF_ACTION:
            result[_STAGE_OF_ACTION[action]][case_pk] = persons_in_case
        elif action == "depart":
            result["departed"][case_pk] = persons_in_case
        else:
            result["departed"].pop(case_pk, None)
    persons = {**result["submitted"], **result["accepted"]}
    if pledge is not None or country is not None:
        identified = set(result["submitted"])
    missing = [pk for pk in identified if pk not in persons]
    if missing:
        persons.update(cases_persons(missing))
    result["identified"] = {pk: persons.get(pk, 0) for pk in identified}
    return {
        stage: {"cases": len(result[stage]), "persons": sum(result[stage].values())}
        for stage in FUNNEL_STAGES
    }


def time_in_states(case: Case, *, as_of: dt.datetime | None = None) -> dict[str, dt.timedelta]:
    """How long the case spent in each state, from its history alone (the current state
    counts up to `as_of`, default now)."""
    spans = _durations(CaseTransition.objects.filter(case=case), as_of).get(case.pk, {})
    return {state: dt.timedelta(seconds=seconds) for state, seconds in spans.items()}


def _durations(rows: QuerySet, as_of=None) -> dict[int, dict[str, float]]:
    """Seconds each case spent in each state. The instants are read as numbers from the
    database: parsing thousands of datetimes only to subtract them was most of the cost."""
    end = _instant(as_of) if as_of is not None else timezone.now()
    if as_of is not None:
        rows = rows.filter(at__lte=end)
    end_seconds = end.timestamp()
    spans: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    current: dict[int, tuple[str, float]] = {}
    for case_pk, to_state, at in (
        rows.order_by("case_id", "at", "id")
        .annotate(seconds=EpochSeconds("at"))
        .values_list("case_id", "to_state", "seconds")
    ):
        if case_pk in current:
            state, since = current[case_pk]
            spans[case_pk][state] += at - since
        current[case_pk] = (to_state, at)
    for case_pk, (state, since) in current.items():
        if state != State.DEPARTED:  # time after departure is not time in the workflow
            spans[case_pk][state] += max(end_seconds - since, 0.0)
    return {pk: dict(s) for pk, s in spans.items()}


def average_days_in_state(
    *, country: str | None = None, pledge: Pledge | None = None, as_of=None
) -> dict[str, float]:
    """Mean days spent in each state by the cases that went through it (with `country` or
    `pledge`: the cases ever submitted there)."""
    return average_days_in_states([{"country": country, "pledge": pledge}], as_of=as_of)[0]


def average_days_in_states(targets: list[dict], *, as_of=None) -> list[dict[str, float]]:
    """`average_days_in_state` for several targets (as in `funnels`): every case's time
    in each state is computed once, then averaged over each target's cases."""
    per_case = _durations(CaseTransition.objects.all(), as_of)
    submissions = None
    out = []
    for target in targets:
        country, pledge = target.get("country"), target.get("pledge")
        cases = None
        if country is not None or pledge is not None:
            if submissions is None:
                submissions = list(
                    Submission.objects.values_list("case_id", "pledge_id", "pledge__country")
                )
            cases = {
                case_pk
                for case_pk, pledge_pk, pledge_country in submissions
                if (pledge is None or pledge_pk == pledge.pk)
                and (country is None or pledge_country == country)
            }
        sums: dict[str, float] = defaultdict(float)
        counts: dict[str, int] = defaultdict(int)
        for case_pk, spans in per_case.items():
            if cases is not None and case_pk not in cases:
                continue
            for state, span in spans.items():
                sums[state] += span / 86400
                counts[state] += 1
        out.append(
            {
                state: round(sums[state] / counts[state], 1)
                for state in State.values
                if counts.get(state)
            }
        )
    return out


# --- Pages -------------------------------------------------------------------------------------


def pledge_list(*, user) -> list[dict]:
    pledges = list(visible_pledges(user))
    figures = pledges_figures(pledges)
    return [{"pledge": p, "figures": figures[p.pk]} for p in pledges]


def pledge_history(pledge: Pledge, *, user=None) -> list[dict]:
    """A pledge's dated history: its own changes, then each submission, decision and
    departure of its cases, oldest first."""
    events = [
        {
            "at": c.at,
            "what": c.note or "changed",
            "by": c.actor,
            "changes": c.changes,
            "case": None,
            "reason": "",
        }
        for c in PledgeChange.objects.filter(pledge=pledge).select_related("actor")
    ]
    rows = (
        CaseTransition.objects.filter(submission__pledge=pledge)
        .exclude(action="check_exit")
        .select_related("case", "actor", "submission")
    )
    for t in rows:
        events.append(
            {
                "at": t.at,
                "what": gettext(workflow.ACTIONS[t.action].label),
                "by": t.actor,
                "changes": None,
                "case": t.case,
                "reason": t.reason,
                "to_state": t.to_state,
            }
        )
    return sorted(events, key=lambda e: e["at"])


def pledge_detail(*, user, pledge: Pledge) -> dict:
    audit_read(actor=user, obj=pledge)
    history = pledge_history(pledge)
    return {
        "pledge": pledge,
        "figures": pledge_figures(pledge),
        "history": history,
        "funnel": funnel(pledge=pledge),
        "capacities": list(pledge.capacities.select_related("dimension")),
        "dimension_labels": CapacityDimension.shown_labels(),
    }


def relocation_case_list(*, user, state: str = "", q: str = "") -> QuerySet:
    """Cases with their relocation state, for officers (not delegations: their page is
    the list of their submissions)."""
    audit_record(
        actor=user,
        action="view",
        object_type="relocation_case_list",
        detail=" ".join(f"{k}={v}" for k, v in (("state", state), ("q", q)) if v) or "all",
    )
    cases = (
        visible_cases(user)
        .select_related("relocation")
        .annotate(
            size=Count(
                "members",
                filter=Q(members__merged_into__isnull=True, members__removed_at__isnull=True),
                distinct=True,
            )
        )
    )
    if state == State.NOT_IDENTIFIED:
        cases = cases.filter(relocation__isnull=True)
    elif state:
        cases = cases.filter(relocation__state=state)
    for word in q.split():
        cases = cases.filter(
            Q(case_id__iexact=word)
            | Q(members__family_name__icontains=word)
            | Q(members__given_name__icontains=word)
        )
    return cases.distinct().order_by("case_id")


def assessed_cases(*, user) -> QuerySet:
    return relocation_case_list(user=user, state=State.ASSESSED).prefetch_related("members")


def submission_list(*, user, pledge: Pledge | None = None, decision: str | None = None) -> QuerySet:
    """Submissions the user may see (a delegation: its country's); the read is audited."""
    audit_record(
        actor=user,
        action="view",
        object_type="submission_list",
        detail=" ".join(
            f"{k}={v}"
            for k, v in (
                ("pledge", pledge.pk if pledge else ""),
                ("decision", decision if decision is not None else ""),
            )
            if v
        )
        or "all",
    )
    subs = visible_submissions(user).select_related("pledge", "case", "case__relocation")
    subs = subs.annotate(
        size=Count(
            "case__members",
            filter=Q(
                case__members__merged_into__isnull=True, case__members__removed_at__isnull=True
            ),
            distinct=True,
        )
    )
    if pledge is not None:
        subs = subs.filter(pledge=pledge)
    if decision is not None:
        subs = subs.filter(decision=decision)
    return subs.order_by("decision", "-submitted_at", "-id")


def submission_counts(*, user, pledge: Pledge | None = None) -> dict[str, int]:
    """How many submissions the user may see, by decision ("" awaiting one), and "all"."""
    subs = visible_submissions(user)
    if pledge is not None:
        subs = subs.filter(pledge=pledge)
    counts = dict(subs.order_by().values_list("decision").annotate(n=Count("id")))
    return {**counts, "all": sum(counts.values())}


SHARED_PERSON_FIELDS = (
    "given_name",
    "family_name",
    "father_name",
    "relationship",
    "sex",
    "birth_date",
    "nationality",
    "specific_needs",
)


def shared_case(*, user, case: Case) -> dict:
    """What a submission shares with a delegation: the case id, its size, each member's
    names, relationship, sex, birth date, nationality and specific-need codes, and the
    submissions to the delegation's own country. Never notes, phones, documents, the
    arrival date, or submissions to other countries."""
    # A member whose consent for the delegation's country is withdrawn is left out at once.
    members = external_guards.without_withheld_consent(
        case.members.filter(
            merged_into__isnull=True, removed_at__isnull=True, departure_date__isnull=True
        )
        .prefetch_related("specific_needs")
        .order_by("person_id"),
        user.country,
    )
    subs = (
        visible_submissions(user)
        .filter(case=case)
        .select_related("pledge")
        .order_by("-submitted_at", "-id")
    )
    return {
        "case_id": case.case_id,
        "size": len(members),
        "members": [
            {
                "person_id": p.person_id,
                "given_name": p.given_name,
                "family_name": p.family_name,
                "father_name": p.father_name,
                "relationship": p.relationship,
                "sex": p.sex,
                "birth_date": p.birth_date_display,
                "nationality": p.nationality,
                "specific_needs": sorted(n.code for n in p.specific_needs.all()),
            }
            for p in members
        ],
        "submissions": list(subs),
        # The country's own questions on its submissions, with the answers.
        "information_requests": list(
            InformationRequest.objects.filter(submission__in=subs).order_by("asked_at", "id")
        ),
    }


def relocation_case_detail(*, user, case: Case) -> dict:
    """A case's relocation panel. Audited read. A delegation gets the shared view only."""
    audit_read(actor=user, obj=case)
    rc = RelocationCase.objects.filter(case=case).first()
    state = rc.state if rc else State.NOT_IDENTIFIED
    actions = workflow.allowed_actions(user, state)
    if is_delegation(user):
        shared = shared_case(user=user, case=case)
        open_sub = next((s for s in shared["submissions"] if s.decision == ""), None)
        return {
            # The state of its own open submission only (deferred, awaiting information):
            # never the case's state, which would tell other countries' decisions.
            "awaiting_information": bool(open_sub and state == State.INFO_REQUESTED),
            "deferred": bool(open_sub and state == State.DEFERRED),
            "shared": shared,
            "case": case,
            "state": state,
            "rc": rc,
            "actions": actions if open_sub else [],
            "open_submission": open_sub,
        }
    history = list(
        CaseTransition.objects.filter(case=case).select_related("actor", "submission__pledge")
    )
    submissions = list(visible_submissions(user).filter(case=case).select_related("pledge"))
    open_sub = next((s for s in submissions if s.is_open), None)
    checks = (
        list(ExitCheck.objects.filter(submission=open_sub).select_related("by")) if open_sub else []
    )
    return {
        "case": case,
        "rc": rc,
        "state": state,
        "history": history,
        "submissions": submissions,
        "open_submission": open_sub,
        "exit_checks": checks,
        "actions": actions,
        "usage": case_usage(case),
        "time_in_states": time_in_states(case),
        **_pledge_choice(user, case),
        "members": list(case.members.filter(merged_into__isnull=True, removed_at__isnull=True)),
        "information_requests": list(
            InformationRequest.objects.filter(case=case).select_related(
                "asked_by", "answered_by", "submission__pledge"
            )
        ),
        "open_request": (
            InformationRequest.objects.filter(submission=open_sub, answered_at__isnull=True)
            .order_by("-asked_at")
            .first()
            if open_sub
            else None
        ),
    }


def _pledge_choice(user, case: Case) -> dict:
    """The pledges a case may be submitted to today and, when there are none, why."""
    if not can(user, "relocation.process"):
        return {"pledges": []}
    pledges = list(open_pledges(case=case))
    return {"pledges": pledges, "no_pledge_why": "" if pledges else empty_pledge_choice(case=case)}


def open_pledges(*, case: Case | None = None) -> QuerySet:
    """Open pledges valid today (a case's former rejecters left out)."""
    today = timezone.localdate()
    pledges = Pledge.objects.filter(status=Pledge.Status.OPEN, valid_from__lte=today).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    )
    if case is not None:
        pledges = pledges.exclude(
            Exists(
                Submission.objects.filter(
                    pledge=OuterRef("pk"), case=case, decision=Submission.Decision.REJECTED
                )
            )
        )
    return pledges.order_by("country", "name")


def empty_pledge_choice(*, case: Case | None = None) -> str:
    """Why `open_pledges(case=case)` is empty today, in words naming the dates: the pages
    say it where the list of pledges would be."""
    today = timezone.localdate()
    if case is not None and open_pledges().exists():
        return (
            f"Every pledge open today has already rejected case {case.case_id}: it can "
            "go only to a pledge that has not."
        )
    reasons = []
    ended = (
        Pledge.objects.filter(status=Pledge.Status.OPEN, valid_to__lt=today)
        .order_by("-valid_to", "-pk")
        .first()
    )
    if ended:
        reasons.append(f"the last to end, {ended}, ended on {ended.valid_to}")
    upcoming = (
        Pledge.objects.filter(status=Pledge.Status.OPEN, valid_from__gt=today)
        .order_by("valid_from", "pk")
        .first()
    )
    if upcoming:
        reasons.append(f"{upcoming} opens on {upcoming.valid_from}")
    drafts = Pledge.objects.filter(status=Pledge.Status.DRAFT).count()
    if drafts:
        reasons.append(f"{drafts} under consideration")
    return f"No pledge is open today ({today})" + (f": {'; '.join(reasons)}." if reasons else ".")


def cases_by_id(*, user, case_ids) -> list[Case]:
    """The cases named, as the user may see them; any id unknown (or out of scope) is
    refused by name."""
    ids = list(dict.fromkeys(str(i).strip() for i in case_ids if str(i).strip()))
    found = {c.case_id: c for c in visible_cases(user).filter(case_id__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError({i: ["No such case."] for i in missing})
    return [found[i] for i in ids]


def parse_date(raw, *, field: str) -> dt.date | None:
    if not raw:
        return None
    try:
        return bounds.parse_date(raw)
    except ValueError as exc:
        raise ValidationError({field: str(exc)}) from None


def states_on(on: dt.date, *, states=None) -> dict[int, tuple[str, dt.datetime, int | None]]:
    """{case pk: (state, entered at, submission pk)} at the end of `on`, by each case's
    latest transition by then (one query, on the (case, at) index); `states`: only the
    cases then in one of those. The dashboard's waits and readiness read it."""
    end = timezone.make_aware(dt.datetime.combine(on, dt.time.max))
    latest = (
        CaseTransition.objects.filter(case_id=OuterRef("case_id"), at__lte=end)
        .order_by("-at", "-id")
        .values("id")[:1]
    )
    rows = CaseTransition.objects.filter(at__lte=end, id=Subquery(latest))
    if states is not None:
        rows = rows.filter(to_state__in=states)
    return {
        case: (state, at, sub)
        for case, state, at, sub in rows.values_list("case_id", "to_state", "at", "submission_id")
    }
