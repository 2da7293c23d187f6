"""The forecast engine (issue 23): a Monte Carlo of the waiting cases through the
remaining relocation steps, month by month. Plain Python and numpy, no Django: the
records are turned into its input by `onward.reports.forecast` and it can be run,
tested and benchmarked alone (`bench/forecast_bench.py`).

The model, per month (docs/forecast.md):
- a case is in one step: identified, assessed, submitted (to a pledge), accepted, ready;
- it leaves a step with a monthly probability of the step (per country from submitted on);
  a decision is an acceptance with the country's acceptance rate, else the case returns
  to assessed; an acceptance takes the case's persons from the pledge's remaining places
  and waits while the pledge has too few; a pledge outside its validity takes no case;
- transfers leave as a Poisson number a month, each with a number of seats, and take
  ready cases (smallest first when seats are short);
- a case leaves on its own accord with a monthly probability; persons die and are born
  with monthly rates (counted in the head-count, not moved between cases).

Cases of the same step, pledge and size are exchangeable under this model, so the
engine simulates the *counts* of cases in each (step, pledge, size) compartment with
binomial and multinomial draws: exact for the model, and its cost does not grow with
the number of residents. Same input and seed, same output.

File contract (JSON in, JSON out), see `parse` and `run`:
in:  {"months", "runs", "seed", "steps": {"identified": p, "assessed": p},
      "countries": {ISO3: {"decide": p, "accept": p, "ready": p}},
      "pledges": [{"id", "country", "places", "from_month", "to_month"}],
      "cases": [{"step", "persons", "pledge"}],
      "transfers": {"per_month", "seats"},
      "own_accord": p (per case), "death": p, "birth": p (per person), "present": n}
out: {"months": [0..M], "median", "p10", "p90", "relocated_median",
      "by_pledge": {id: {"relocated_median": [...]}}}
"present" is the head-count at month 0 (persons in no waiting case are present too,
and stay unless they die or leave on their own accord); it defaults to the cases'
persons. Every p is a monthly probability in [0, 1]; 1/p is the mean months in a step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

STEPS = ("identified", "assessed", "submitted", "accepted", "ready")
PRE = ("identified", "assessed")  # steps before a case has a pledge
QUANTILES = (10, 50, 90)


class ForecastInputError(ValueError):
    """Bad input, with the field at fault in the message."""


@dataclass
class Pledge:
    id: str
    country: str
    places: int
    from_month: int = 0
    to_month: int | None = None  # the first month it no longer takes cases


@dataclass
class Problem:
    months: int
    runs: int
    seed: int
    steps: dict[str, float]
    countries: dict[str, dict[str, float]]
    pledges: list[Pledge]
    cases: list[dict]
    transfers_per_month: float = 0.0
    seats: int = 0
    own_accord: float = 0.0
    death: float = 0.0
    birth: float = 0.0
    present: int | None = None
    # What each rate was estimated from, to draw it anew in each run (the rates' own
    # uncertainty): {"steps": {step: [events, months]}, "countries": {c: {"decide":
    # [events, months], "accept": [accepted, decided], "ready": [events, months]}},
    # "transfers": [flights, months]}.
    evidence: dict = field(default_factory=dict)
    quantiles: tuple[int, ...] = field(default=QUANTILES)


def _prob(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ForecastInputError(
            f"{where}: a monthly probability between 0 and 1 is needed, got {value!r}"
        )
    return float(value)


def _count(value, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ForecastInputError(f"{where}: a whole number not below 0 is needed, got {value!r}")
    return value


def _parse_pledges(raw: list) -> list[Pledge]:
    pledges, seen = [], set()
    for i, p in enumerate(raw):
        pid = str(p.get("id", ""))
        if not pid or pid in seen:
            raise ForecastInputError(f"pledges[{i}].id: missing or repeated ({pid!r})")
        seen.add(pid)
        to = p.get("to_month")
        pledges.append(
            Pledge(
                pid,
                str(p.get("country", "")),
                _count(p.get("places"), f"pledge {pid}: places"),
                _count(p.get("from_month", 0), f"pledge {pid}: from_month"),
                None if to is None else _count(to, f"pledge {pid}: to_month"),
            )
        )
    return pledges


def _check_cases(cases: list, pledge_ids: set[str]) -> None:
    for i, c in enumerate(cases):
        if c.get("step") not in STEPS:
            raise ForecastInputError(
                f"cases[{i}].step: one of {', '.join(STEPS)} is needed, got {c.get('step')!r}"
            )
        _count(c.get("persons"), f"cases[{i}].persons")
        if c["step"] not in PRE and c.get("pledge") not in pledge_ids:
            raise ForecastInputError(f"cases[{i}].pledge: unknown pledge {c.get('pledge')!r}")


def parse(data: dict) -> Problem:
    """The file contract's JSON object, checked whole; the first fault is named."""
    steps = {s: _prob(data.get("steps", {}).get(s, 0.0), f"steps.{s}") for s in PRE}
    countries = {
        c: {
            k: _prob(rates.get(k, 0.0), f"countries.{c}.{k}") for k in ("decide", "accept", "ready")
        }
        for c, rates in data.get("countries", {}).items()
    }
    pledges = _parse_pledges(data.get("pledges", []))
    for p in pledges:
        countries.setdefault(p.country, {"decide": 0.0, "accept": 0.0, "ready": 0.0})
    cases = list(data.get("cases", []))
    _check_cases(cases, {p.id for p in pledges})
    transfers = data.get("transfers", {})
    per_month = transfers.get("per_month", 0.0)
    if isinstance(per_month, bool) or not isinstance(per_month, (int, float)) or per_month < 0:
        raise ForecastInputError(
            f"transfers.per_month: a number not below 0 is needed, got {per_month!r}"
        )
    present = data.get("present")
    return Problem(
        months=_count(data.get("months", 12), "months"),
        runs=max(1, _count(data.get("runs", 1000), "runs")),
        seed=_count(data.get("seed", 0), "seed"),
        steps=steps,
        countries=countries,
        pledges=pledges,
        cases=cases,
        transfers_per_month=float(per_month),
        seats=_count(transfers.get("seats", 0), "transfers.seats"),
        own_accord=_prob(data.get("own_accord", 0.0), "own_accord"),
        death=_prob(data.get("death", 0.0), "death"),
        birth=_prob(data.get("birth", 0.0), "birth"),
        present=None if present is None else _count(present, "present"),
        evidence=_parse_evidence(data.get("evidence") or {}),
    )


def _parse_evidence(raw: dict) -> dict:
    def pair(v, where):
        ok = (
            isinstance(v, (list, tuple))
            and len(v) == 2
            and all(isinstance(x, (int, float)) and not isinstance(x, bool) and x >= 0 for x in v)
        )
        if not ok:
            raise ForecastInputError(
                f"{where}: [events, exposure] not below 0 is needed, got {v!r}"
            )
        return float(v[0]), float(v[1])

    flights = raw.get("transfers")
    return {
        "transfers": None if flights is None else pair(flights, "evidence.transfers"),
        "steps": {s: pair(v, f"evidence.steps.{s}") for s, v in raw.get("steps", {}).items()},
        "countries": {
            c: {k: pair(v, f"evidence.countries.{c}.{k}") for k, v in r.items()}
            for c, r in raw.get("countries", {}).items()
        },
    }


class _State:
    """Counts of cases per compartment, for every run at once.
    pre[s]: (runs, sizes) for identified/assessed; post[s]: (runs, pledges, sizes)."""

    def __init__(self, pb: Problem, sizes: np.ndarray):
        self.sizes = sizes
        self.rates: dict[str, np.ndarray] = {}
        runs, n_p, n_k = pb.runs, len(pb.pledges), len(sizes)
        index = {p.id: i for i, p in enumerate(pb.pledges)}
        size_at = {int(s): k for k, s in enumerate(sizes)}
        self.pre = {s: np.zeros((runs, n_k), np.int64) for s in PRE}
        self.post = {s: np.zeros((runs, n_p, n_k), np.int64) for s in STEPS[2:]}
        for c in pb.cases:
            k = size_at[int(c["persons"])]
            if c["step"] in PRE:
                self.pre[c["step"]][:, k] += 1
            else:
                self.post[c["step"]][:, index[c["pledge"]], k] += 1

    def persons(self) -> np.ndarray:
        total = sum(a @ self.sizes for a in self.pre.values())
        return total + sum((a @ self.sizes).sum(axis=1) for a in self.post.values())


def _hazard_draws(rng, runs: int, fixed: float, seen) -> np.ndarray:
    """A monthly probability per run around `fixed`: its rate times Gamma(events, 1/events)
    (mean 1, relative spread 1/√events), the spread of a rate estimated from that many
    events. `fixed` alone without evidence; 0 stays 0 (a scenario that stops a step)."""
    if seen is None or seen[0] <= 0 or not 0 < fixed < 1:
        return np.full(runs, fixed)
    rate = -np.log(1 - fixed) * rng.gamma(seen[0], 1 / seen[0], runs)
    return 1 - np.exp(-rate)


def _share_draws(rng, runs: int, fixed: float, seen) -> np.ndarray:
    """An acceptance rate per run, from Beta(accepted + ½, refused + ½), else `fixed`."""
    if seen is None or seen[1] <= 0:
        return np.full(runs, fixed)
    return rng.beta(seen[0] + 0.5, seen[1] - seen[0] + 0.5, runs)


def _draw_rates(pb: Problem, rng) -> dict[str, np.ndarray]:
    """Every rate, one value per run: steps (runs, 1); countries' by pledge (runs, P, 1)."""
    ev, runs = pb.evidence, pb.runs
    rates = {
        s: _hazard_draws(rng, runs, pb.steps[s], ev.get("steps", {}).get(s))[:, None] for s in PRE
    }
    by_country = {}
    for c, r in pb.countries.items():
        seen = ev.get("countries", {}).get(c, {})
        by_country[c] = {
            k: (_share_draws if k == "accept" else _hazard_draws)(rng, runs, r[k], seen.get(k))
            for k in ("decide", "accept", "ready")
        }
    for k in ("decide", "accept", "ready"):
        cols = [by_country[p.country][k] for p in pb.pledges]
        rates[k] = (np.stack(cols, axis=1) if cols else np.zeros((runs, 0)))[:, :, None]
    flights = ev.get("transfers")  # [flights, months]: the cadence's spread, as a rate's
    rates["transfers"] = pb.transfers_per_month * (
        rng.gamma(flights[0], 1 / flights[0], runs) if flights and flights[0] > 0 else np.ones(runs)
    )
    return rates


def _open(pb: Problem, month: int) -> np.ndarray:
    return np.array(
        [p.from_month <= month and (p.to_month is None or month < p.to_month) for p in pb.pledges],
        bool,
    )


def _depart_by_transfer(pb, st, rng, relocated) -> None:
    ready = st.post["ready"]
    if not pb.transfers_per_month or not pb.seats or not ready.any():
        return
    seats = rng.poisson(st.rates["transfers"]) * pb.seats
    for k in np.argsort(st.sizes):  # the smallest cases fit the last seats
        for p in range(ready.shape[1]):
            take = np.minimum(ready[:, p, k], seats // st.sizes[k])
            ready[:, p, k] -= take
            seats -= take * st.sizes[k]
            relocated[:, p] += take * st.sizes[k]


def _decide(pb, st, rng, remaining, is_open) -> np.ndarray:
    """Decisions of the month; returns the cases back to assessed (they wait a month)."""
    sub, acc = st.post["submitted"], st.post["accepted"]
    back = np.zeros_like(st.pre["assessed"])
    # A pledge past its validity takes no case: its submitted cases return to assessed.
    closed = ~is_open & np.array([p.to_month is not None for p in pb.pledges], bool)
    if closed.any():
        back += sub[:, closed, :].sum(axis=1)
        sub[:, closed, :] = 0
    decided = rng.binomial(sub, st.rates["decide"] * is_open[None, :, None])
    accepted = rng.binomial(decided, st.rates["accept"])
    sub -= decided
    back += (decided - accepted).sum(axis=1)
    for k in np.argsort(st.sizes):  # places run out: the smallest fit first, others wait
        fit = np.minimum(accepted[:, :, k], remaining // st.sizes[k])
        remaining -= fit * st.sizes[k]
        acc[:, :, k] += fit
        sub[:, :, k] += accepted[:, :, k] - fit
    return back


def _submit(pb, st, rng, remaining, is_open) -> None:
    weight = remaining * is_open[None, :]
    total = weight.sum(axis=1)
    moving = rng.binomial(st.pre["assessed"], st.rates["assessed"]) * (total > 0)[:, None]
    if not moving.any():
        return
    # A multinomial split over the pledges, drawn as conditional binomials (one vectorised
    # draw a pledge, not one multinomial a run and size).
    left, rest = moving.copy(), total.astype(float)
    st.pre["assessed"] -= moving
    for p in range(weight.shape[1]):
        share = np.where(rest > 0, weight[:, p] / np.maximum(rest, 1), 0.0)
        drawn = rng.binomial(left, np.minimum(share, 1.0)[:, None])
        st.post["submitted"][:, p, :] += drawn
        left -= drawn
        rest -= weight[:, p]


def _leave_own_accord(pb, st, rng) -> np.ndarray:
    left = np.zeros(st.pre["identified"].shape[0], np.int64)
    if not pb.own_accord:
        return left
    for arrays, axes in ((st.pre, 1), (st.post, (1, 2))):
        for a in arrays.values():
            gone = rng.binomial(a, pb.own_accord)
            a -= gone
            left += (gone * st.sizes).sum(axis=axes)
    return left


def _month(pb, st, rng, month, remaining, relocated) -> np.ndarray:
    """One month; the steps from the last back, so a case moves one step a month.
    Returns the persons who left on their own accord."""
    is_open = _open(pb, month)
    _depart_by_transfer(pb, st, rng, relocated)
    newly_ready = rng.binomial(st.post["accepted"], st.rates["ready"])
    st.post["accepted"] -= newly_ready
    st.post["ready"] += newly_ready
    back = _decide(pb, st, rng, remaining, is_open)
    _submit(pb, st, rng, remaining, is_open)
    st.pre["assessed"] += back
    assessed = rng.binomial(st.pre["identified"], st.rates["identified"])
    st.pre["identified"] -= assessed
    st.pre["assessed"] += assessed
    return _leave_own_accord(pb, st, rng)


def simulate(pb: Problem) -> dict[str, np.ndarray]:
    """Raw paths: population (runs, months+1) and relocated per pledge (runs, months+1, P)."""
    rng = np.random.default_rng(pb.seed)
    sizes = np.array(sorted({int(c["persons"]) for c in pb.cases} or {1}), np.int64)
    st = _State(pb, sizes)
    st.rates = _draw_rates(pb, rng)
    runs, n_p = pb.runs, len(pb.pledges)
    remaining = np.tile(np.array([p.places for p in pb.pledges], np.int64), (runs, 1))
    relocated = np.zeros((runs, n_p), np.int64)
    # Present persons in no waiting case: they stay unless they leave, die or are born.
    outside = np.full(runs, max(0, (pb.present or 0) - int(st.persons()[0])), np.int64)
    adjust = np.zeros(runs, np.int64)  # births less deaths
    population = np.zeros((runs, pb.months + 1), np.int64)
    by_pledge = np.zeros((runs, pb.months + 1, n_p), np.int64)
    population[:, 0] = st.persons() + outside
    for m in range(pb.months):
        _month(pb, st, rng, m, remaining, relocated)
        outside -= rng.binomial(outside, pb.own_accord)
        alive = np.maximum(st.persons() + outside + adjust, 0)
        adjust += rng.binomial(alive, pb.birth) - rng.binomial(alive, pb.death)
        population[:, m + 1] = np.maximum(st.persons() + outside + adjust, 0)
        by_pledge[:, m + 1] = relocated
    return {"population": population, "relocated": by_pledge}


def summarise(pb: Problem, paths: dict[str, np.ndarray]) -> dict:
    q = np.percentile(paths["population"], pb.quantiles, axis=0)
    rel = np.median(paths["relocated"], axis=0)  # (months+1, P)
    out = {"months": list(range(pb.months + 1)), "runs": pb.runs, "seed": pb.seed}
    for name, row in zip(("p10", "median", "p90"), q, strict=True):
        out[name] = [float(v) for v in row]
    out["relocated_median"] = (
        [float(v) for v in rel.sum(axis=1)] if rel.size else [0.0] * (pb.months + 1)
    )
    out["by_pledge"] = {
        p.id: {"relocated_median": [float(v) for v in rel[:, i]]} for i, p in enumerate(pb.pledges)
    }
    return out


def run(data: dict) -> dict:
    """The file contract: the JSON object in, the summary out."""
    pb = parse(data)
    return summarise(pb, simulate(pb))


def spell_counts(spells: list[tuple[float, bool]]) -> list[float]:
    """[events, months at risk] of a step's spells: the evidence a rate is drawn from."""
    return [float(sum(1 for _, left in spells if left)), float(sum(m for m, _ in spells))]


def estimate_hazard(spells: list[tuple[float, bool]]) -> float:
    """A step's monthly probability of leaving from observed spells (months spent, whether
    the step was left or the spell is still open): events over months at risk, turned
    from a rate into a monthly probability. 0 when nothing was observed."""
    exposure = sum(months for months, _ in spells)
    events = sum(1 for _, left in spells if left)
    if exposure <= 0:
        return 0.0
    return float(1 - np.exp(-events / exposure))


def simulate_naive(pb: Problem) -> np.ndarray:
    """The same model, one case at a time in plain Python: the reference the vectorised
    engine is tested and benchmarked against. Returns the population (runs, months+1)."""
    rng = np.random.default_rng(pb.seed)
    population = np.zeros((pb.runs, pb.months + 1), np.int64)
    for r in range(pb.runs):
        population[r] = _naive_run(pb, rng)
    return population


def _naive_run(pb: Problem, rng) -> list[int]:
    cases = [dict(c) for c in pb.cases]
    remaining = {p.id: p.places for p in pb.pledges}
    country = {p.id: pb.countries[p.country] for p in pb.pledges}
    outside = max(0, (pb.present or 0) - sum(c["persons"] for c in cases))
    adjust, path = 0, []
    path.append(sum(c["persons"] for c in cases) + outside)
    for m in range(pb.months):
        open_ids = [
            p.id for p in pb.pledges if p.from_month <= m and (p.to_month is None or m < p.to_month)
        ]
        seats = rng.poisson(pb.transfers_per_month) * pb.seats if pb.transfers_per_month else 0
        for c in sorted((c for c in cases if c["step"] == "ready"), key=lambda c: c["persons"]):
            if c["persons"] <= seats:
                seats -= c["persons"]
                c["step"] = "departed"
        for c in cases:
            if c["step"] == "accepted" and rng.random() < country[c["pledge"]]["ready"]:
                c["step"] = "ready_new"
        accepted = []
        for c in cases:
            if c["step"] != "submitted":
                continue
            if c["pledge"] not in open_ids and _closed(pb, c["pledge"], m):
                c["step"] = "assessed_new"
            elif c["pledge"] in open_ids and rng.random() < country[c["pledge"]]["decide"]:
                if rng.random() < country[c["pledge"]]["accept"]:
                    accepted.append(c)
                else:
                    c["step"] = "assessed_new"
        for c in sorted(accepted, key=lambda c: c["persons"]):
            if c["persons"] <= remaining[c["pledge"]]:
                remaining[c["pledge"]] -= c["persons"]
                c["step"] = "accepted_new"
        weights = {i: remaining[i] for i in open_ids if remaining[i] > 0}
        total = sum(weights.values())
        for c in cases:
            if c["step"] == "assessed" and total and rng.random() < pb.steps["assessed"]:
                ids = list(weights)
                c["pledge"] = ids[rng.choice(len(ids), p=[weights[i] / total for i in ids])]
                c["step"] = "submitted_new"
            elif c["step"] == "identified" and rng.random() < pb.steps["identified"]:
                c["step"] = "assessed_new"
        for c in cases:
            c["step"] = c["step"].removesuffix("_new")
            if c["step"] != "departed" and pb.own_accord and rng.random() < pb.own_accord:
                c["step"] = "departed"
        outside -= sum(rng.random() < pb.own_accord for _ in range(outside)) if pb.own_accord else 0
        waiting = sum(c["persons"] for c in cases if c["step"] != "departed")
        alive = max(waiting + outside + adjust, 0)
        adjust += rng.binomial(alive, pb.birth) - rng.binomial(alive, pb.death)
        path.append(max(waiting + outside + adjust, 0))
    return path


def _closed(pb: Problem, pledge_id: str, month: int) -> bool:
    p = next(p for p in pb.pledges if p.id == pledge_id)
    return p.to_month is not None and month >= p.to_month
