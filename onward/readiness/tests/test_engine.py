"""The readiness engine against examples a planner relies on and a brute-force evaluation."""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onward.readiness.engine import (
    EXPIRED,
    FAILED,
    PASSED,
    PENDING,
    STATUSES,
    WAIVED,
    Fact,
    Requirement,
    case_ready,
    evaluate,
)

D = dt.date(2026, 12, 1)


def test_missing_fact_blocks():
    r = evaluate([Requirement("visa")], [], D)
    assert not r.ready
    assert [(b.kind, b.reason) for b in r.blockers] == [("visa", "missing")]


def test_passed_check_expires_after_its_validity():
    req = Requirement("fit_to_travel", valid_days=3)
    fact = Fact("fit_to_travel", PASSED, D)
    assert evaluate([req], [fact], D + dt.timedelta(days=3)).ready
    late = evaluate([req], [fact], D + dt.timedelta(days=4))
    assert [b.reason for b in late.blockers] == ["expired"]


def test_fitness_to_travel_is_valid_72_hours_before_departure():
    req = Requirement("fit_to_travel", valid_hours_before_departure=72)
    monday = dt.date(2026, 11, 30)
    fact = Fact("fit_to_travel", PASSED, monday)
    assert evaluate([req], [fact], monday + dt.timedelta(days=3)).ready  # Thursday's flight
    friday = evaluate([req], [fact], monday + dt.timedelta(days=4))
    assert [(b.kind, b.reason) for b in friday.blockers] == [("fit_to_travel", "expired")]


def test_a_check_valid_under_a_day_counts_only_on_the_flights_day():
    req = Requirement("fit_to_travel", valid_hours_before_departure=12)
    fact = Fact("fit_to_travel", PASSED, D)
    assert evaluate([req], [fact], D).ready
    assert not evaluate([req], [fact], D + dt.timedelta(days=1)).ready


def test_a_fact_recorded_after_the_date_does_not_count_as_of_that_date():
    req = Requirement("visa")
    assert not evaluate([req], [Fact("visa", PASSED, D)], D - dt.timedelta(days=1)).ready


def test_waiver_lifts_a_failure_and_a_later_failure_returns_it():
    req = Requirement("biometrics")
    facts = [Fact("biometrics", FAILED, D), Fact("biometrics", WAIVED, D + dt.timedelta(days=1))]
    assert not evaluate([req], facts, D).ready
    assert evaluate([req], facts, D + dt.timedelta(days=1)).ready


def test_case_ready_only_when_every_traveller_is():
    ok = evaluate([], [], D)
    held = evaluate([Requirement("visa")], [], D)
    assert case_ready([ok, ok])
    assert not case_ready([ok, held])


KINDS = ["visa", "fit_to_travel", "biometrics"]
dates = st.integers(0, 30).map(lambda n: D + dt.timedelta(days=n))
facts_st = st.lists(
    st.builds(
        Fact,
        kind=st.sampled_from(KINDS),
        status=st.sampled_from(STATUSES),
        on=dates,
        valid_until=st.none() | dates,
    ),
    max_size=12,
)
reqs_st = st.lists(
    st.builds(
        Requirement,
        kind=st.sampled_from(KINDS),
        valid_days=st.none() | st.integers(0, 10),
        valid_hours_before_departure=st.none() | st.integers(0, 240),
    ),
    max_size=3,
    unique_by=lambda r: r.kind,
)


def brute_force(reqs, facts, on):
    """Walk every requirement's facts in recorded order, day by day, up to ``on``."""
    blocked = []
    for req in reqs:
        state = "missing"
        for day in range((on - D).days + 1):
            today = D + dt.timedelta(days=day)
            for f in facts:
                if f.kind == req.kind and f.on == today:
                    state = f
        if state == "missing":
            blocked.append((req.kind, "missing"))
            continue
        if state.status == WAIVED:
            continue
        if state.status in (PENDING, FAILED, EXPIRED):
            blocked.append((req.kind, state.status))
            continue
        expired = (
            (state.valid_until is not None and state.valid_until < on)
            or (req.valid_days is not None and state.on + dt.timedelta(days=req.valid_days) < on)
            or (
                # hours from the check (dated, at the departure's time of day) to the departure
                req.valid_hours_before_departure is not None
                and (on - state.on).days * 24 > req.valid_hours_before_departure
            )
        )
        if expired:
            blocked.append((req.kind, "expired"))
    return blocked


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(reqs_st, facts_st, dates)
def test_readiness_equals_brute_force(reqs, facts, on):
    got = evaluate(reqs, facts, on)
    want = brute_force(reqs, facts, on)
    assert [(b.kind, b.reason) for b in got.blockers] == want
    assert got.ready == (not want)
