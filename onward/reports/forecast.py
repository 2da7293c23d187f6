"""The forecast's Django side (issue 23): the engine's input built from the records as of a
date (the population ledger, the relocation transitions, the pledges, the transfers),
scenarios applied to it, and the backtest. Reads only: nothing here writes.

The engine (`forecast_engine`) knows nothing of the database; this module is its one
reader of records. The rates are the operation's own, observed up to the date:
- a step's monthly probability of leaving it, from the transitions' spells (time in the
  step, open spells counted as time at risk): `forecast_engine.estimate_hazard`;
- a country's acceptance rate, its decisions' share of acceptances;
- transfers per month and persons per transfer, over the last 12 months;
- leaving on own accord (or whereabouts unknown, or repatriated), deaths and births,
  per person-month over the last 12 months, from the ledger.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Min, Q

from onward.reports import forecast_engine as engine
from onward.reports.figures import end_of, months_back

WINDOW = 12  # months of history the transfer and departure rates are read from
DAYS_A_MONTH = 30.4375
# A case's workflow state as the engine's step; states not listed are not waiting.
STEP_OF = {
    "identified": "identified",
    "assessed": "assessed",
    "rejected": "assessed",
    "withdrawn": "assessed",
    "on_hold": "identified",
    "submitted": "submitted",
    "accepted": "accepted",
    "ready": "ready",
}


class ForecastError(ValueError):
    """Bad forecast input, naming what is wrong."""


@dataclass(frozen=True)
class Scenario:
    """A change to the input: `kind` is one of SCENARIOS; `country`, `places`, `start`
    (a date) and `factor` as the kind needs them."""

    kind: str
    country: str = ""
    places: int = 0
    start: dt.date | None = None
    factor: float = 2.0

    @property
    def label(self) -> str:
        start = f"from {self.start}" if self.start else "from the forecast's date"
        return {
            "pledge": f"{self.country} pledges {self.places} more places {start}",
            "stop": f"{self.country} stops deciding",
            "transfers": f"transfers {self.factor:g}× as often",
        }[self.kind]


SCENARIOS = ("pledge", "stop", "transfers")


def months_between(start: dt.date, end: dt.date) -> float:
    return (end - start).days / DAYS_A_MONTH


def history_bounds() -> tuple[dt.date, dt.date] | None:
    """The first and last dates of the records (the ledger's and the transitions'), None
    when there are none."""
    from django.db.models import Max
    from django.utils import timezone

    from onward.movements.models import LedgerEntry
    from onward.relocation.models import CaseTransition

    ledger = LedgerEntry.objects.aggregate(first=Min("date"), last=Max("date"))
    moves = CaseTransition.objects.aggregate(first=Min("at"), last=Max("at"))
    days = [d for d in (ledger["first"], ledger["last"]) if d is not None]
    days += [timezone.localdate(t) for t in (moves["first"], moves["last"]) if t is not None]
    return (min(days), max(days)) if days else None


def check_date(on: dt.date) -> None:
    bounds = history_bounds()
    if bounds is None:
        raise ForecastError("as of: there are no records to forecast from")
    if not bounds[0] <= on <= bounds[1]:
        raise ForecastError(f"as of: {on} is outside the records ({bounds[0]} to {bounds[1]})")


def _transitions(on: dt.date):
    """Each case's transitions up to the end of `on`, in order: {case pk: [(at, to, pledge)]}."""
    from onward.relocation.models import CaseTransition

    rows: dict[int, list] = defaultdict(list)
    for case_pk, at, to, pledge_pk in (
        CaseTransition.objects.filter(at__lte=end_of(on))
        .order_by("at", "id")
        .values_list("case_id", "at", "to_state", "submission__pledge_id")
    ):
        if not rows[case_pk] or rows[case_pk][-1][1] != to:  # an exit check stays in its step
            rows[case_pk].append((at, to, pledge_pk))
    return rows


def _present_sizes(on: dt.date) -> dict[int, int]:
    from onward.registry.models import Person

    present = Person.objects.filter(
        merged_into__isnull=True, removed_at__isnull=True, arrival_date__lte=on
    ).filter(Q(departure_date__isnull=True) | Q(departure_date__gt=on))
    return dict(present.values_list("case_id").annotate(n=Count("id")).values_list("case_id", "n"))


def _spells(history: dict[int, list], on: dt.date, country_of: dict[int, str]):
    """Time spent in each step: {(step, country or ""): [(months, left)]}, and per
    country its decisions {country: [accepted, decided]}."""
    spells: dict[tuple[str, str], list] = defaultdict(list)
    decisions: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    end = end_of(on)
    for rows in history.values():
        pledge = None
        for i, (at, to, pledge_pk) in enumerate(rows):
            pledge = pledge_pk or pledge
            country = country_of.get(pledge, "") if to in ("submitted", "accepted") else ""
            following = rows[i + 1] if i + 1 < len(rows) else None
            left_at = following[0] if following else end
            spells[(to, country)].append(
                ((left_at - at).total_seconds() / 86400 / DAYS_A_MONTH, following is not None)
            )
            if to == "submitted" and following and following[1] in ("accepted", "rejected"):
                decisions[country][1] += 1
                decisions[country][0] += following[1] == "accepted"
    return spells, decisions


def _rates(spells, decisions, countries) -> tuple[dict, dict, dict]:
    """The steps' and the countries' monthly probabilities from the spells, and the
    evidence behind each (the engine draws every rate anew per run from it)."""
    steps = {s: engine.estimate_hazard(spells.get((s, ""), [])) for s in engine.PRE}
    evidence: dict = {
        "steps": {s: engine.spell_counts(spells.get((s, ""), [])) for s in engine.PRE},
        "countries": {},
    }
    rates = {}
    for c in countries:
        accepted, decided = decisions.get(c, [0, 0])
        decide, ready = spells.get(("submitted", c), []), spells.get(("accepted", c), [])
        rates[c] = {
            "decide": engine.estimate_hazard(decide),
            "accept": accepted / decided if decided else 0.0,
            "ready": engine.estimate_hazard(ready),
        }
        evidence["countries"][c] = {
            "decide": engine.spell_counts(decide),
            "accept": [accepted, decided],
            "ready": engine.spell_counts(ready),
        }
    return steps, rates, evidence


def _pledges(on: dt.date) -> list[dict]:
    """Open pledges' remaining persons and validity, in months from `on`."""
    from onward.relocation.models import Pledge
    from onward.reports.figures import pledges_use

    pledges = list(
        Pledge.objects.exclude(status=Pledge.Status.DRAFT).filter(
            valid_from__lte=on + dt.timedelta(days=3660)
        )
    )
    use = pledges_use(pledges, on)
    out = []
    for p in pledges:
        persons = use[p.pk][0].get("persons", {})
        remaining = max(0, persons.get("remaining") or 0)
        ends = (
            0
            if p.status == Pledge.Status.CLOSED
            else (None if p.valid_to is None else max(0, round(months_between(on, p.valid_to))))
        )
        out.append(
            {
                "id": str(p.pk),
                "country": p.country,
                "places": remaining,
                "from_month": max(0, round(months_between(on, p.valid_from))),
                "to_month": ends,
            }
        )
    return out


def _cases(history, sizes, pledge_ids: set[str]) -> list[dict]:
    cases = []
    for case_pk, rows in history.items():
        step = STEP_OF.get(rows[-1][1])
        persons = sizes.get(case_pk, 0)
        if step is None or persons == 0:
            continue
        pledge = next((str(p) for _, _, p in reversed(rows) if p), None)
        if step in ("submitted", "accepted", "ready") and pledge not in pledge_ids:
            step = "assessed"  # its pledge takes nothing more: it waits for another
        cases.append({"step": step, "persons": persons, "pledge": pledge})
    return cases


def _transfers(on: dt.date) -> dict:
    from onward.movements.models import LedgerEntry, Transfer

    since = months_back(on, WINDOW)
    flights = Transfer.objects.filter(
        status=Transfer.Status.CONFIRMED, date__gt=since, date__lte=on
    ).count()
    persons = LedgerEntry.objects.filter(
        kind=LedgerEntry.Kind.RELOCATED, date__gt=since, date__lte=on, reversed_by__isnull=True
    ).count()
    months = max(months_between(since, on), 1.0)
    return {
        "per_month": flights / months,
        "seats": round(persons / flights) if flights else 0,
        "evidence": [flights, months],
    }


def _ledger_rates(on: dt.date) -> dict[str, float]:
    """Per person-month over the window: own accord (and unknown, repatriated), death, birth."""
    from onward.movements.ledger import population_on
    from onward.movements.models import LedgerEntry

    since = months_back(on, WINDOW)
    months = max(months_between(since, on), 1.0)
    at_risk = max(1, (population_on(since) + population_on(on)) / 2) * months
    kinds = dict(
        LedgerEntry.objects.filter(date__gt=since, date__lte=on, reversed_by__isnull=True)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    left = sum(
        kinds.get(k, 0)
        for k in (LedgerEntry.Kind.LEFT, LedgerEntry.Kind.UNKNOWN, LedgerEntry.Kind.REPATRIATED)
    )
    return {
        "own_accord": min(1.0, left / at_risk),
        "death": min(1.0, kinds.get(LedgerEntry.Kind.DECEASED, 0) / at_risk),
        "birth": min(1.0, kinds.get(LedgerEntry.Kind.BIRTH, 0) / at_risk),
    }


def forecast_input(on: dt.date, *, months: int = 12, runs: int = 1000, seed: int = 0) -> dict:
    """The engine's input (its file contract) from the records as of the end of `on`."""
    from onward.movements.ledger import population_on

    check_date(on)
    pledges = _pledges(on)
    country_of = {int(p["id"]): p["country"] for p in pledges}
    history = _transitions(on)
    spells, decisions = _spells(history, on, country_of)
    steps, rates, evidence = _rates(spells, decisions, {p["country"] for p in pledges})
    transfers = _transfers(on)
    evidence["transfers"] = transfers.pop("evidence")
    return {
        "as_of": on.isoformat(),
        "months": months,
        "runs": runs,
        "seed": seed,
        "steps": steps,
        "countries": rates,
        "evidence": evidence,
        "pledges": pledges,
        "cases": _cases(history, _present_sizes(on), {p["id"] for p in pledges}),
        "transfers": transfers,
        "present": population_on(on),
        **_ledger_rates(on),
    }


def apply(data: dict, scenario: Scenario) -> dict:
    """The input changed by one scenario (a copy); bad scenarios refused naming the field."""
    data = {
        **data,
        "pledges": [dict(p) for p in data["pledges"]],
        "countries": {c: dict(r) for c, r in data["countries"].items()},
        "transfers": dict(data["transfers"]),
    }
    if scenario.kind not in SCENARIOS:
        raise ForecastError(f"scenario: {scenario.kind!r} is not one of {', '.join(SCENARIOS)}")
    if scenario.kind == "transfers":
        if not scenario.factor > 0:
            raise ForecastError(f"scenario factor: {scenario.factor!r} must be above 0")
        data["transfers"]["per_month"] *= scenario.factor
        return data
    if scenario.country not in data["countries"]:
        raise ForecastError(f"scenario country: {scenario.country!r} has no pledge")
    if scenario.kind == "stop":
        data["countries"][scenario.country]["decide"] = 0.0
        seen = data.get("evidence", {}).get("countries", {}).get(scenario.country)
        if seen:  # no decision in any run: no rate drawn from the past ones
            data["evidence"] = {
                **data["evidence"],
                "countries": {
                    **data["evidence"]["countries"],
                    scenario.country: {**seen, "decide": [0, 0]},
                },
            }
        return data
    return _add_places(data, scenario)


def _add_places(data: dict, scenario: Scenario) -> dict:
    if scenario.places < 0:
        raise ForecastError(f"scenario places: {scenario.places} is negative")
    start = scenario.start or dt.date.fromisoformat(data["as_of"])
    if start < dt.date.fromisoformat(data["as_of"]):
        raise ForecastError(
            f"scenario start: {start} is before the forecast's date {data['as_of']}"
        )
    data["pledges"].append(
        {
            "id": f"scenario-{scenario.country}-{len(data['pledges'])}",
            "country": scenario.country,
            "places": scenario.places,
            "from_month": round(months_between(dt.date.fromisoformat(data["as_of"]), start)),
            "to_month": None,
        }
    )
    return data


def add_places_to(data: dict, pledge_id: str, places: int) -> dict:
    """More (or, negative, fewer) places on one recorded pledge, refused naming the pledge
    when it is unknown or the result would be negative."""
    pledges = [dict(p) for p in data["pledges"]]
    match = [p for p in pledges if p["id"] == pledge_id]
    if not match:
        raise ForecastError(f"pledge: no pledge {pledge_id!r} in the records")
    if match[0]["places"] + places < 0:
        raise ForecastError(
            f"places: pledge {pledge_id} has {match[0]['places']} places left, "
            f"{places} would make them negative"
        )
    match[0]["places"] += places
    return {**data, "pledges": pledges}


def run_forecast(data: dict) -> dict:
    try:
        out = engine.run(data)
    except engine.ForecastInputError as exc:
        raise ForecastError(str(exc)) from exc
    as_of = dt.date.fromisoformat(data["as_of"])
    out["dates"] = [_add_months(as_of, m).isoformat() for m in out["months"]]
    return out


def _add_months(day: dt.date, n: int) -> dt.date:
    month = day.month - 1 + n
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, 28))


HORIZONS = (3, 6, 12)
BACKTEST_MONTHS = 24  # the backtest forecasts from each of the last 24 months at most
STATED_COVERAGE = 0.8  # the 10th-90th percentile interval


def backtest(last: dt.date, *, runs: int = 300, seed: int = 0) -> dict:
    """For every month of the history up to `last` (the last BACKTEST_MONTHS): the forecast as of that month beside
    the population recorded 3, 6 and 12 months later. Per horizon: the mean absolute error
    of the median, how often the truth fell inside the 10th-90th interval, and a flag when
    that is below the stated 80 % by more than two standard errors of a proportion."""
    from onward.movements.ledger import population_on

    check_date(last)
    first = history_bounds()[0]  # type: ignore[index]
    rows = []
    on = max(_add_months(first, 1), _add_months(last, -BACKTEST_MONTHS))
    while on < last:
        out = run_forecast(forecast_input(on, months=max(HORIZONS), runs=runs, seed=seed))
        row = {"as_of": on.isoformat()}
        for h in HORIZONS:
            target = _add_months(on, h)
            if target <= last:
                truth = population_on(target)
                row[h] = {
                    "truth": truth,
                    "median": out["median"][h],
                    "p10": out["p10"][h],
                    "p90": out["p90"][h],
                }
        rows.append(row)
        on = _add_months(on, 1)
    return {
        "rows": rows,
        "horizons": [_score(rows, h) for h in HORIZONS],
        "stated_coverage": STATED_COVERAGE,
    }


def _score(rows: list[dict], h: int) -> dict:
    cells = [r[h] for r in rows if h in r]
    if not cells:
        return {"months": h, "n": 0, "mae": None, "coverage": None, "flagged": False}
    mae = sum(abs(c["median"] - c["truth"]) for c in cells) / len(cells)
    coverage = sum(c["p10"] <= c["truth"] <= c["p90"] for c in cells) / len(cells)
    margin = 2 * (STATED_COVERAGE * (1 - STATED_COVERAGE) / len(cells)) ** 0.5
    return {
        "months": h,
        "n": len(cells),
        "mae": round(mae, 2),
        "coverage": round(coverage, 3),
        "flagged": coverage < STATED_COVERAGE - margin,
    }


# -- the page ---------------------------------------------------------------------------


def parse_scenario(text: str) -> Scenario:
    """`pledge:COUNTRY:PLACES[:YYYY-MM-DD]`, `stop:COUNTRY` or `transfers:FACTOR`, refused
    naming what is wrong."""
    kind, _, rest = text.strip().partition(":")
    parts = rest.split(":") if rest else []
    try:
        if kind == "pledge":
            start = dt.date.fromisoformat(parts[2]) if len(parts) > 2 and parts[2] else None
            return Scenario("pledge", country=parts[0].upper(), places=int(parts[1]), start=start)
        if kind == "stop":
            return Scenario("stop", country=parts[0].upper())
        if kind == "transfers":
            return Scenario("transfers", factor=float(parts[0]))
    except (IndexError, ValueError) as exc:
        raise ForecastError(f"scenario {text!r}: {exc}") from exc
    raise ForecastError(f"scenario {text!r}: the kind must be pledge, stop or transfers")


def scenario_text(s: Scenario) -> str:
    return {
        "pledge": f"pledge:{s.country}:{s.places}:{s.start or ''}",
        "stop": f"stop:{s.country}",
        "transfers": f"transfers:{s.factor:g}",
    }[s.kind]


def forecast_for(
    user,
    on: dt.date,
    scenarios: list[Scenario],
    *,
    months: int = 12,
    runs: int = 1000,
    seed: int = 0,
) -> dict:
    """What a user may see of the forecast: staff the population, the scenarios and the
    backtest; a delegation only the departures to its own pledges (no head-count, no other
    country's figure, no scenario)."""
    from onward.accounts.policy import is_delegation, visible_pledges

    data = forecast_input(on, months=months, runs=runs, seed=seed)
    base = run_forecast(data)
    if is_delegation(user):
        own = {str(pk) for pk in visible_pledges(user).values_list("pk", flat=True)}
        return {
            "dates": base["dates"],
            "delegation": True,
            "pledges": {pid: v for pid, v in base["by_pledge"].items() if pid in own},
        }
    curves, kept, errors = [{"label": "As recorded", "forecast": base}], [], []
    for s in scenarios:  # a bad scenario is refused naming it; the others are drawn
        try:
            changed = apply(data, s)
        except ForecastError as exc:
            errors.append(str(exc))
            continue
        curves.append({"label": s.label, "forecast": run_forecast(changed)})
        kept.append(s)
    return {
        "dates": base["dates"],
        "delegation": False,
        "curves": curves,
        "kept": kept,
        "errors": errors,
        "countries": sorted(data["countries"]),
    }


def records_fingerprint() -> str:
    """What the forecast reads, in a few aggregates: any write to those records (a new or
    reversed ledger entry, a transition, a person, a pledge's or a transfer's change)
    changes it."""
    from django.db.models import Max, Sum

    from onward.movements.models import LedgerEntry, Transfer
    from onward.registry.models import Person
    from onward.relocation.models import CaseTransition, Pledge, PledgeCapacity

    parts = [
        LedgerEntry.objects.aggregate(n=Count("id"), m=Max("id")),
        CaseTransition.objects.aggregate(n=Count("id"), m=Max("id")),
        Person.objects.aggregate(n=Count("id"), m=Max("id")),
        Pledge.objects.aggregate(n=Count("id"), v=Sum("version")),
        PledgeCapacity.objects.aggregate(n=Count("id"), c=Sum("capacity")),
        Transfer.objects.aggregate(n=Count("id"), v=Sum("version")),
    ]
    return ":".join(f"{p}" for part in parts for p in part.values())


def backtest_cached(last: dt.date, *, runs: int = 200, seed: int = 0) -> dict:
    """`backtest`, kept in the cache while the records it reads are unchanged (it runs a
    forecast for each of up to 24 months: seconds, where the page should take a moment)."""
    from django.core.cache import cache

    key = f"forecast-backtest:{last}:{runs}:{seed}:{records_fingerprint()}"
    result = cache.get(key)
    if result is None:
        result = backtest(last, runs=runs, seed=seed)
        cache.set(key, result, timeout=24 * 3600)
    return result
