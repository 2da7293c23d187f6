"""The scoring policy: how much placing one case with one pledge is worth.

Plain Python, no database: the facts of a case and of a pledge in, the score of the
pair and its terms out. The score of a pair is the sum of its terms, each of which a
resettlement officer can read and set (`DEFAULT_WEIGHTS`, stored with every run):

- ``priority``: points by the case's priority (emergency, urgent, normal);
- ``need_served``: points per specific need of the case that the pledge lists among
  the needs it serves (each code counted once per case);
- ``family_link``: points when the case has family in the pledge's country;
- ``preference``: points when the case stated a preference for the pledge's country;
- ``per_month_waited``: points per month the case has waited (since arrival, else since
  its assessment), up to ``max_months``;
- ``predicted_outcome``: weight times an external model's predicted outcome (0–1) for
  the case with that pledge or country, when such a column was given to the run.

`pair_terms` is the one definition; the score of every pair the engine sees is
`pair_score`, which is the sum of `pair_terms`, so an explanation always adds up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from onward import bounds

PRIORITIES = ("emergency", "urgent", "normal")
DAYS_PER_MONTH = 30.4375
DECIMALS = 4  # every term is rounded alike, so that a score is reproducible exactly

DEFAULT_WEIGHTS: dict = {
    "priority": {"emergency": 100.0, "urgent": 50.0, "normal": 10.0},
    "need_served": {
        "SM": 20.0,
        "DS": 15.0,
        "ER": 10.0,
        "UC": 20.0,
        "SC": 15.0,
        "CR": 15.0,
        "WR": 15.0,
        "SP": 5.0,
        "TR": 15.0,
        "SV": 15.0,
        "LP": 10.0,
        "FU": 5.0,
    },
    "family_link": 30.0,
    "preference": 15.0,
    "per_month_waited": 1.0,
    "max_months": 36.0,
    "predicted_outcome": 0.0,
}

LABELS = {
    "priority": "Priority",
    "need_served": "Specific needs the pledge serves",
    "family_link": "Family in the pledge's country",
    "preference": "Stated preference for the pledge's country",
    "per_month_waited": "Time waited",
    "predicted_outcome": "Predicted outcome (external model)",
}


@dataclass(frozen=True)
class CaseFacts:
    """What the policy reads of a case (kept in each run's inputs)."""

    case_id: str
    priority: str
    needs: frozenset[str]
    family_countries: frozenset[str]
    preferred_countries: frozenset[str]
    months_waited: float

    def as_dict(self) -> dict:
        return {
            "case_id": self.case_id,
            "priority": self.priority,
            "needs": sorted(self.needs),
            "family": sorted(self.family_countries),
            "preferred": sorted(self.preferred_countries),
            "months_waited": self.months_waited,
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> CaseFacts:
        return cls(
            d["case_id"],
            d["priority"],
            frozenset(d["needs"]),
            frozenset(d["family"]),
            frozenset(d["preferred"]),
            float(d["months_waited"]),
        )


@dataclass(frozen=True)
class PledgeFacts:
    pledge_id: int
    country: str
    needs_served: frozenset[str]

    def as_dict(self) -> dict:
        return {
            "pledge_id": self.pledge_id,
            "country": self.country,
            "needs_served": sorted(self.needs_served),
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> PledgeFacts:
        return cls(int(d["pledge_id"]), d["country"], frozenset(d["needs_served"]))


@dataclass(frozen=True)
class Term:
    code: str
    label: str
    detail: str
    points: float


def months_between(start: dt.date | None, end: dt.date) -> float:
    """Months (of 30.4375 days) from `start` to `end`, one decimal; 0 when unknown."""
    if start is None or start > end:
        return 0.0
    return round((end - start).days / DAYS_PER_MONTH, 1)


def _r(x: float) -> float:
    return round(float(x), DECIMALS)


def pair_terms(
    weights: Mapping, case: CaseFacts, pledge: PledgeFacts, predicted: float | None = None
) -> list[Term]:
    """Every term of the score of (case, pledge), in a fixed order; zero terms included
    so that the explanation shows what did not count too."""
    w = weights
    prio = _r(w["priority"].get(case.priority, 0.0))
    served = sorted(case.needs & pledge.needs_served)
    need_pts = _r(sum(w["need_served"].get(code, 0.0) for code in served))
    family = pledge.country in case.family_countries
    preferred = pledge.country in case.preferred_countries
    months = min(case.months_waited, float(w["max_months"]))
    terms = [
        Term("priority", LABELS["priority"], case.priority or "not set", prio),
        Term(
            "need_served",
            LABELS["need_served"],
            ", ".join(f"{c} +{_r(w['need_served'].get(c, 0.0)):g}" for c in served)
            or "none of the case's needs is listed as served",
            need_pts,
        ),
        Term(
            "family_link",
            LABELS["family_link"],
            f"family in {pledge.country}" if family else f"no family link to {pledge.country}",
            _r(w["family_link"]) if family else 0.0,
        ),
        Term(
            "preference",
            LABELS["preference"],
            f"prefers {pledge.country}" if preferred else "no stated preference for it",
            _r(w["preference"]) if preferred else 0.0,
        ),
        Term(
            "per_month_waited",
            LABELS["per_month_waited"],
            f"{case.months_waited:g} months × {_r(w['per_month_waited']):g}"
            + (
                f" (counted up to {float(w['max_months']):g})"
                if case.months_waited > months
                else ""
            ),
            _r(months * float(w["per_month_waited"])),
        ),
    ]
    if predicted is not None or float(w["predicted_outcome"]):
        value = 0.0 if predicted is None else float(predicted)
        terms.append(
            Term(
                "predicted_outcome",
                LABELS["predicted_outcome"],
                f"{value:g} × {_r(w['predicted_outcome']):g}"
                if predicted is not None
                else "no prediction for this pair",
                _r(value * float(w["predicted_outcome"])),
            )
        )
    return terms


def pair_score(
    weights: Mapping, case: CaseFacts, pledge: PledgeFacts, predicted: float | None = None
) -> float:
    """The score the engine maximises: the sum of `pair_terms`, rounded alike."""
    return _r(sum(t.points for t in pair_terms(weights, case, pledge, predicted)))


# --- Reading a policy a person typed ---------------------------------------------------------


def _number(raw, field: str, errors: dict, *, minimum: float | None = 0.0) -> float:
    try:
        value = float(raw)
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        errors[field] = _("%(str)r is not a number.") % {"str": str(raw)[:40]}
        return 0.0
    if minimum is not None and value < minimum:
        errors[field] = _("At least %(minimum)s.") % {"minimum": f"{minimum:g}"}
    elif value > bounds.WEIGHT_MAX:
        # A weight beyond this outweighs every other term by more than any policy means,
        # and sums of such weights lose the smaller terms to rounding.
        errors[field] = _("At most %(WEIGHT_MAX)s.") % {"WEIGHT_MAX": f"{bounds.WEIGHT_MAX:,}"}
    return value


def clean_weights(raw: Mapping, *, known_needs: set[str] | None = None) -> dict:
    """Raw weights (a form, an API body, JSON) -> a complete, valid weights dict.

    Missing keys take the default; every error is collected, named by its field
    (`priority.urgent`, `need_served.SM`, `family_link`, …), and raised at once."""
    errors: dict[str, str] = {}
    unknown = sorted(set(raw) - set(DEFAULT_WEIGHTS))
    if unknown:
        errors["weights"] = _("Unknown terms: %(items)s.") % {"items": ", ".join(unknown)}
    clean: dict = {}
    prio = raw.get("priority", DEFAULT_WEIGHTS["priority"])
    if not isinstance(prio, Mapping):
        errors["priority"] = _("A weight per priority (emergency, urgent, normal).")
        prio = {}
    bad = sorted(set(prio) - set(PRIORITIES))
    if bad:
        errors["priority"] = _("Unknown priorities: %(items)s.") % {"items": ", ".join(bad)}
    clean["priority"] = {
        p: _number(prio.get(p, DEFAULT_WEIGHTS["priority"][p]), f"priority.{p}", errors)
        for p in PRIORITIES
    }
    needs = raw.get("need_served", DEFAULT_WEIGHTS["need_served"])
    if not isinstance(needs, Mapping):
        errors["need_served"] = _("Points per specific-need code.")
        needs = {}
    if known_needs is not None:
        bad = sorted(set(needs) - known_needs)
        if bad:
            errors["need_served"] = _("Unknown specific-need codes: %(items)s.") % {
                "items": ", ".join(bad)
            }
    clean["need_served"] = {
        str(code).upper(): _number(v, f"need_served.{code}", errors)
        for code, v in sorted(needs.items())
    }
    for key in ("family_link", "preference", "per_month_waited", "max_months", "predicted_outcome"):
        clean[key] = _number(raw.get(key, DEFAULT_WEIGHTS[key]), key, errors)
    if errors:
        raise ValidationError(errors)
    return clean
