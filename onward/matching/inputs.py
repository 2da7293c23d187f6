"""A matching run's inputs, read and built without writing anything: which case may go
to which pledge (the relocation workflow's own guards), the policy's score of each allowed
pair, predicted outcomes from an external model, and the plain `Problem` the engine
solves. `services.py` writes runs, pins and proposals; `selectors.py` reads them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import numpy as np
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from onward.matching import scoring
from onward.matching.engine import Problem
from onward.matching.models import CaseCountryLink, MatchPin, MatchRun
from onward.registry.models import Case
from onward.relocation import guards as relocation_guards
from onward.relocation import workflow
from onward.relocation.models import CapacityDimension, Pledge, RelocationCase, State
from onward.relocation.selectors import open_pledges, pledge_figures
from onward.relocation.usage import CaseProfile, cases_profile

INPUTS_FORMAT = 1
# The relocation workflow's own guards for "submit" that depend on the pair alone
# (the case's state, open submission and duplicate guards are per case, see below).
PAIR_GUARDS = (
    workflow.pledge_is_open,
    workflow.pledge_is_valid_on_date,
    workflow.case_size_within_pledge_limit,
    workflow.needs_served_by_pledge,
    workflow.nationalities_accepted_by_pledge,
)

Progress = Callable[..., None]


# --- Which pairs are allowed -----------------------------------------------------------------


def pair_allowed(
    profile: CaseProfile, pledge: Pledge, *, case: Case | None = None, at=None
) -> list[str]:
    """Why `case` (described by its `profile`) may not be submitted to `pledge`: the
    relocation workflow's own submit guards that depend on the pair (pledge open and
    valid on `at`, largest case size, needs not served, nationalities). Empty: allowed.

    relocation offers no one-call "may this case go to this pledge"; this runs its guard
    functions on a `workflow.Step`, so a match never proposes what the workflow refuses.
    """
    now = at or timezone.now()
    step = workflow.Step(
        case=case or Case(case_id="?"), action="submit", pledge=pledge, at=now, profile=profile
    )
    batch = workflow.Batch(actor=None, now=now)
    return [refusal[1] for guard in PAIR_GUARDS if (refusal := guard(step, batch))]


def _profile_key(profile: CaseProfile) -> tuple:
    return (profile.usage.get("persons", 0), profile.needs, profile.nationalities)


# --- Predicted outcomes (an external model's column) -----------------------------------------


def predictions_parse(text: str) -> dict[str, float]:
    """CSV `case_id, pledge_id, predicted` or `case_id, country, predicted` -> {key: value}
    with key `case_id|pledge:<id>` or `case_id|country:<ISO3>`. Values 0–1. Every bad row
    is named (the header is row 1) and nothing is taken."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    fields = set(reader.fieldnames or [])
    if (
        "case_id" not in fields
        or "predicted" not in fields
        or not fields & {"pledge_id", "country"}
    ):
        raise ValidationError(
            {"predictions": _("Columns: case_id, predicted, and pledge_id or country.")}
        )
    out, errors = {}, []
    for row_no, row in enumerate(reader, start=2):
        case_id = (row.get("case_id") or "").strip()
        target = (
            f"pledge:{row['pledge_id'].strip()}"
            if (row.get("pledge_id") or "").strip()
            else f"country:{(row.get('country') or '').strip().upper()}"
        )
        try:
            value = float(row.get("predicted") or "")
            if not 0.0 <= value <= 1.0:
                raise ValueError
        except ValueError:
            errors.append(
                _("row %(row)s: predicted %(value)r is not a number from 0 to 1")
                % {"row": row_no, "value": row.get("predicted")}
            )
            continue
        if not case_id or target in ("pledge:", "country:"):
            errors.append(
                _("row %(row)s: case_id and pledge_id or country are needed") % {"row": row_no}
            )
            continue
        out[f"{case_id}|{target}"] = value
    if errors:
        raise ValidationError({"predictions": errors[:20]})
    return out


# --- A run's inputs --------------------------------------------------------------------------


def _months_waited(case: Case, rc: RelocationCase, as_of) -> float:
    start = case.arrival_date or timezone.localtime(rc.state_entered_at).date()
    return scoring.months_between(start, as_of)


def run_inputs_build(
    *, weights: dict, predictions: dict | None = None, progress: Progress | None = None
) -> dict:
    """The matching problem as it stands now, as plain data (see `MatchRun.inputs`).

    Cases: relocation state "assessed" and open; pledges: open and valid today, with the
    capacity left in each dimension (capacity − accepted − awaiting decision; a dimension
    the pledge does not count does not limit it). A pair is allowed when the workflow
    would let the case be submitted to the pledge; its score is the policy's.
    """
    say = progress or (lambda *a, **k: None)
    now = timezone.now()
    as_of = timezone.localdate(now)
    dims = list(CapacityDimension.objects.filter(active=True).values_list("code", flat=True))
    rcs = list(
        RelocationCase.objects.filter(
            state=State.ASSESSED, case__status=Case.Status.OPEN, case__removed_at__isnull=True
        )
        .select_related("case")
        .order_by("case__case_id")
    )
    say(0, 4, f"{len(rcs)} cases ready for submission")
    profiles = cases_profile([rc.case_id for rc in rcs])
    pledges = list(open_pledges().order_by("pk"))
    capacity, counted = _capacity_left(pledges, dims, [profiles[rc.case_id] for rc in rcs])
    pledge_facts = [
        scoring.PledgeFacts(p.pk, p.country, frozenset(p.needs_served)) for p in pledges
    ]
    pairs = _Pairs(weights, predictions or {}, pledges, pledge_facts, now)
    links = _case_links(rcs)
    cases = []
    for ci, rc in enumerate(rcs):
        case, profile = rc.case, profiles[rc.case_id]
        facts = scoring.CaseFacts(
            case.case_id,
            rc.priority,
            profile.needs,
            frozenset(links[case.pk]["family"]),
            frozenset(links[case.pk]["preference"]),
            _months_waited(case, rc, as_of),
        )
        cases.append(
            {
                "pk": case.pk,
                "case_id": case.case_id,
                "use": [profile.usage.get(d, 0) for d in dims],
                "category": rc.category,
                "facts": facts.as_dict(),
            }
        )
        pairs.add_case(ci, case, profile, facts)
        if ci % 200 == 0:
            say(1, 4, f"scored {ci + 1} of {len(rcs)} cases")
    if not pledges:
        pairs.not_allowed = {
            str(ci): ["No pledge is open and valid today."] for ci in range(len(rcs))
        }
    return {
        "format": INPUTS_FORMAT,
        "as_of": as_of.isoformat(),
        "built_at": now.isoformat(),
        "dimensions": dims,
        "cases": cases,
        "pledges": [
            {
                "pk": p.pk,
                "name": p.name,
                "country": p.country,
                "capacity": capacity[i],
                "counted": counted[i],
                "facts": pledge_facts[i].as_dict(),
            }
            for i, p in enumerate(pledges)
        ],
        "pair_case": pairs.case,
        "pair_pledge": pairs.pledge,
        "score": pairs.score,
        "predicted": pairs.predicted,
        "not_allowed": pairs.not_allowed,
    }


def _case_links(rcs: list[RelocationCase]) -> dict[int, dict[str, set[str]]]:
    """Per case pk, the countries of its family links and of its stated preferences."""
    links: dict[int, dict[str, set[str]]] = {
        rc.case_id: {"family": set(), "preference": set()} for rc in rcs
    }
    for case_pk, kind, country in CaseCountryLink.objects.filter(
        case_id__in=links, ended_at__isnull=True
    ).values_list("case_id", "kind", "country"):
        links[case_pk][kind].add(country)
    return links


def _capacity_left(
    pledges: list[Pledge], dims: list[str], profiles: list[CaseProfile]
) -> tuple[list[list[int]], list[list[int | None]]]:
    """Per pledge and dimension: the places left for the solver (a dimension the pledge
    does not count gets the cases' whole use, so it never binds) and as shown (None)."""
    total_use = [sum(profile.usage.get(d, 0) for profile in profiles) for d in dims]
    capacity, counted = [], []
    for p in pledges:
        figures = pledge_figures(p)
        row: list[int] = []
        shown: list[int | None] = []
        for i, d in enumerate(dims):
            f = figures.get(d) or {"capacity": None}
            if f["capacity"] is None:
                row.append(total_use[i])
                shown.append(None)
            else:
                left = max(0, f["capacity"] - f["accepted"] - f["pending"])
                row.append(left)
                shown.append(left)
        capacity.append(row)
        counted.append(shown)
    return capacity, counted


class _Pairs:
    """The allowed (case, pledge) pairs with their scores and predicted outcomes, and why
    a case may go nowhere. The workflow's answer is the same for every case of one profile
    and pledge, so it is asked once per (profile, pledge)."""

    def __init__(
        self, weights: dict, predictions: dict, pledges: list[Pledge], pledge_facts: list, now
    ) -> None:
        self.weights, self.predictions, self.now = weights, predictions, now
        self.pledges, self.pledge_facts = pledges, pledge_facts
        self.case: list[int] = []
        self.pledge: list[int] = []
        self.score: list[float] = []
        self.predicted: dict[str, float] = {}
        self.not_allowed: dict[str, list[str]] = {}
        self._why: dict[tuple, list[str]] = {}

    def add_case(self, ci: int, case: Case, profile: CaseProfile, facts) -> None:
        held = _case_held(case, profile)
        if held:
            self.not_allowed[str(ci)] = held
            return
        refused: list[Pledge] = []
        key = _profile_key(profile)
        for pi, pledge in enumerate(self.pledges):
            why = self._why.get((key, pledge.pk))
            if why is None:
                why = self._why[(key, pledge.pk)] = pair_allowed(profile, pledge, at=self.now)
            if why:
                refused.append(pledge)
                continue
            self.add_pair(ci, pi, case, facts)
        if refused and len(refused) == len(self.pledges):  # why no pledge may take it
            self.not_allowed[str(ci)] = [
                pair_allowed(profile, p, case=case, at=self.now)[0] for p in refused[:5]
            ]

    def add_pair(self, ci: int, pi: int, case: Case, facts) -> None:
        pledge = self.pledges[pi]
        value = self.predictions.get(
            f"{case.case_id}|pledge:{pledge.pk}",
            self.predictions.get(f"{case.case_id}|country:{pledge.country}"),
        )
        if value is not None:
            self.predicted[str(len(self.score))] = value
        self.case.append(ci)
        self.pledge.append(pi)
        self.score.append(scoring.pair_score(self.weights, facts, self.pledge_facts[pi], value))


def _case_held(case: Case, profile: CaseProfile) -> list[str]:
    """Per-case guards of "submit" (no member present, a possible duplicate unresolved)."""
    if not profile.usage.get("persons"):
        return [f"Case {case.case_id} has no member present."]
    if relocation_guards.case_has_unresolved_duplicate(case):
        return [f"Case {case.case_id} has a possible duplicate that is not resolved yet."]
    return []


def problem_from_inputs(inputs: dict) -> Problem:
    dims = inputs["dimensions"]
    n_dims = len(dims)
    use = np.array([c["use"] for c in inputs["cases"]], dtype=np.int64).reshape(-1, n_dims)
    cap = np.array([p["capacity"] for p in inputs["pledges"]], dtype=np.int64).reshape(-1, n_dims)
    return Problem(
        use=use,
        capacity=cap,
        pair_case=np.array(inputs["pair_case"], dtype=np.int64),
        pair_pledge=np.array(inputs["pair_pledge"], dtype=np.int64),
        score=np.array(inputs["score"], dtype=float),
        dimensions=tuple(dims),
    )


def inputs_indexes(inputs: dict) -> tuple[dict[int, int], dict[int, int]]:
    return (
        {c["pk"]: i for i, c in enumerate(inputs["cases"])},
        {p["pk"]: i for i, p in enumerate(inputs["pledges"])},
    )


def pin_arrays(run: MatchRun, inputs: dict) -> tuple[np.ndarray, np.ndarray]:
    case_ix, pledge_ix = inputs_indexes(inputs)
    locks: list[tuple[int, int]] = []
    forbids: list[tuple[int, int]] = []
    for case_pk, pledge_pk, kind in (
        run.pins.filter(draft=False)
        .values_list("case_id", "pledge_id", "kind")
        .order_by("case_id", "pledge_id")
    ):
        (locks if kind == MatchPin.Kind.LOCK else forbids).append(
            (case_ix[case_pk], pledge_ix[pledge_pk])
        )
    return (
        np.array(locks, dtype=np.int64).reshape(-1, 2),
        np.array(forbids, dtype=np.int64).reshape(-1, 2),
    )


# --- Locks and forbids of the next solve ------------------------------------------------------


def pins_next(run: MatchRun) -> dict[tuple[int, int], str]:
    """The locks and forbids a re-solve of `run` would use: the run's own, changed by the
    drafts set on its page ({(case pk, pledge pk): "lock" | "forbid"})."""
    pins = {
        (c, p): k
        for c, p, k in run.pins.filter(draft=False).values_list("case_id", "pledge_id", "kind")
    }
    for c, p, k in (
        run.pins.filter(draft=True)
        .order_by("created_at", "id")
        .values_list("case_id", "pledge_id", "kind")
    ):
        if k == MatchPin.Kind.RELEASE:
            pins.pop((c, p), None)
            continue
        if k == MatchPin.Kind.LOCK:  # one lock per case: a new lock replaces the old one
            for key in [key for key, kind in pins.items() if key[0] == c and kind == k]:
                pins.pop(key)
        pins[(c, p)] = k
    return pins
