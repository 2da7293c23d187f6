"""The forecast engine alone (no database): its properties, its agreement with the
per-case reference loop, and its calibration on synthetic histories of known rates."""

import numpy as np
import pytest

from onward.reports.forecast_engine import (
    ForecastInputError,
    estimate_hazard,
    parse,
    run,
    simulate,
    simulate_naive,
)


def problem(**over):
    rng = np.random.default_rng(7)
    steps = ["identified", "assessed", "submitted", "accepted", "ready"]
    cases = [
        {
            "step": steps[i % 5],
            "persons": int(rng.integers(1, 6)),
            "pledge": "P1" if i % 2 else "P2",
        }
        for i in range(120)
    ]
    data = {
        "months": 18,
        "runs": 400,
        "seed": 3,
        "steps": {"identified": 0.2, "assessed": 0.3},
        "countries": {
            "AAA": {"decide": 0.25, "accept": 0.7, "ready": 0.5},
            "BBB": {"decide": 0.15, "accept": 0.5, "ready": 0.4},
        },
        "pledges": [
            {"id": "P1", "country": "AAA", "places": 150},
            {"id": "P2", "country": "BBB", "places": 90, "to_month": 12},
        ],
        "cases": cases,
        "transfers": {"per_month": 1.0, "seats": 25},
        "own_accord": 0.004,
        "death": 0.0005,
        "birth": 0.002,
        "present": 500,
    }
    data.update(over)
    return data


def test_every_rate_zero_gives_a_flat_forecast():
    out = run(problem(steps={}, countries={}, transfers={}, own_accord=0, death=0, birth=0))
    assert set(out["median"]) == {500.0} and set(out["p10"]) == set(out["p90"]) == {500.0}


def test_without_pledge_capacity_nobody_departs_by_relocation():
    # No capacity at all: no place is held by an accepted or ready case either (an
    # accepted case holds its places already), so the waiting are identified to submitted.
    data = problem()
    data["pledges"] = [dict(p, places=0) for p in data["pledges"]]
    data["cases"] = [c for c in data["cases"] if c["step"] not in ("accepted", "ready")]
    assert simulate(parse(data))["relocated"].sum() == 0
    assert run(data)["relocated_median"][-1] == 0
    # The same cases with places do leave: the test is not empty.
    assert run(problem(cases=data["cases"]))["relocated_median"][-1] > 0


@pytest.mark.parametrize("extra", [10, 50, 200])
def test_more_pledged_places_never_raise_the_population(extra):
    base, more = problem(runs=2000), problem(runs=2000)
    more["pledges"] = [dict(more["pledges"][0], places=150 + extra), more["pledges"][1]]
    a = simulate(parse(base))["population"]
    b = simulate(parse(more))["population"]
    se = np.sqrt(a.var(axis=0) / len(a) + b.var(axis=0) / len(b))
    # The means at every month, within three standard errors of the Monte Carlo.
    assert np.all(b.mean(axis=0) <= a.mean(axis=0) + 3 * se + 1e-9)
    assert b.mean(axis=0)[-1] < a.mean(axis=0)[-1]


def test_the_same_seed_gives_the_same_forecast_and_another_seed_another():
    assert run(problem()) == run(problem())
    assert run(problem())["median"] != run(problem(seed=4))["median"]


def test_the_vectorised_engine_agrees_with_the_per_case_loop():
    pb = parse(problem(runs=600, months=12))
    fast = simulate(pb)["population"]
    slow = simulate_naive(pb)
    se = np.sqrt(fast.var(axis=0) / len(fast) + slow.var(axis=0) / len(slow))
    assert np.all(np.abs(fast.mean(axis=0) - slow.mean(axis=0)) <= 4 * se + 1e-9)


@pytest.mark.parametrize(
    "data, named",
    [
        (
            problem(cases=[{"step": "submitted", "persons": 3, "pledge": "NOPE"}]),
            "unknown pledge 'NOPE'",
        ),
        (problem(pledges=[{"id": "P1", "country": "AAA", "places": -5}]), "pledge P1: places"),
        (problem(steps={"identified": 1.5}), "steps.identified"),
        (problem(cases=[{"step": "flying", "persons": 3}]), "cases[0].step"),
        (problem(transfers={"per_month": -1}), "transfers.per_month"),
    ],
)
def test_bad_input_is_refused_naming_the_field(data, named):
    with pytest.raises(ForecastInputError, match=named.replace("[", r"\[").replace("]", r"\]")):
        run(data)


def _synthetic_spells(monthly, n, horizon, rng):
    """Cases entering a step at random times of a history of `horizon` months and staying
    an exponential time whose chance of ending within a month is `monthly`; spells still
    open at the end of the history are censored (counted as months at risk only)."""
    rate = -np.log(1 - monthly)
    start = rng.uniform(0, horizon, n)
    stay = rng.exponential(1 / rate, n)
    open_for = horizon - start
    return list(zip(np.minimum(stay, open_for).tolist(), (stay <= open_for).tolist(), strict=True))


@pytest.mark.parametrize("monthly", [0.05, 0.2, 0.5])
def test_the_rates_are_recovered_from_a_synthetic_history(monthly):
    spells = _synthetic_spells(monthly, 4000, 36, np.random.default_rng(11))
    assert estimate_hazard(spells) == pytest.approx(monthly, rel=0.08)
    assert estimate_hazard([]) == 0.0


def test_the_interval_covers_the_truth_about_as_often_as_it_says():
    # Truths: histories drawn from the same known rates as the forecast, independently.
    forecast = simulate(parse(problem(runs=2000, seed=1)))["population"]
    truths = simulate(parse(problem(runs=400, seed=99)))["population"]
    p10, p90 = np.percentile(forecast, [10, 90], axis=0)
    for month in (3, 6, 12, 18):
        inside = np.mean((truths[:, month] >= p10[month]) & (truths[:, month] <= p90[month]))
        assert 0.72 <= inside <= 0.9, (month, inside)


def _evidence(data, events):
    """What each of the problem's rates would have been estimated from, with `events`."""

    def seen(p):
        return [events, events / -np.log(1 - p)] if p else [0, 0]

    return {
        "transfers": [events, 12],
        "steps": {k: seen(p) for k, p in data["steps"].items()},
        "countries": {
            c: {
                "decide": seen(r["decide"]),
                "ready": seen(r["ready"]),
                "accept": [r["accept"] * events, events],
            }
            for c, r in data["countries"].items()
        },
    }


def test_the_rates_own_uncertainty_widens_the_interval_and_vanishes_with_evidence():
    data = problem(runs=3000)
    fixed = run(data)
    spread = fixed["p90"][-1] - fixed["p10"][-1]
    wide = run(problem(runs=3000, evidence=_evidence(data, 10)))  # each rate from 10 events
    assert wide["p90"][-1] - wide["p10"][-1] > 1.25 * spread
    # From 10,000 events each, the rates are as good as known: the interval is the fixed one's.
    sure = run(problem(runs=3000, evidence=_evidence(data, 10_000)))
    assert abs(sure["p90"][-1] - sure["p10"][-1] - spread) <= 0.15 * spread + 2
    assert abs(sure["median"][-1] - fixed["median"][-1]) <= 0.05 * fixed["median"][-1]


@pytest.mark.parametrize(
    "evidence, named",
    [
        ({"steps": {"identified": [-1, 3]}}, "evidence.steps.identified"),
        ({"transfers": [2]}, "evidence.transfers"),
    ],
)
def test_bad_evidence_is_refused_naming_it(evidence, named):
    with pytest.raises(ForecastInputError, match=named):
        run(problem(evidence=evidence))


def test_a_scenario_that_stops_a_step_stops_it_whatever_the_evidence():
    data = problem(runs=300, evidence=_evidence(problem(), 10))
    data["countries"] = {c: dict(r, decide=0.0) for c, r in data["countries"].items()}
    # No decision in any run: only the cases accepted or ready at month 0 can fly.
    held = sum(c["persons"] for c in data["cases"] if c["step"] in ("accepted", "ready"))
    relocated = simulate(parse(data))["relocated"][:, -1].sum(axis=1)
    assert relocated.max() <= held and relocated.max() > 0
