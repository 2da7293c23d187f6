"""The scoring policy: each term moves the score as docs/matching-app.md says, and an
explanation always adds up to the score."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from onward.matching.scoring import (
    DEFAULT_WEIGHTS,
    CaseFacts,
    PledgeFacts,
    clean_weights,
    months_between,
    pair_score,
    pair_terms,
)

W = clean_weights({})
PLEDGE = PledgeFacts(1, "DEU", frozenset({"SM"}))


def facts(**kw):
    base = {
        "case_id": "C1",
        "priority": "normal",
        "needs": frozenset(),
        "family_countries": frozenset(),
        "preferred_countries": frozenset(),
        "months_waited": 0.0,
    }
    base.update(kw)
    return CaseFacts(**base)


def test_priority_gives_its_weight():
    assert pair_score(W, facts(priority="emergency"), PLEDGE) == 100
    assert pair_score(W, facts(priority="urgent"), PLEDGE) == 50
    assert pair_score(W, facts(priority="normal"), PLEDGE) == 10


def test_a_need_counts_only_when_the_pledge_serves_it():
    served = facts(needs=frozenset({"SM", "ER"}))
    assert pair_score(W, served, PLEDGE) == 10 + 20  # SM served, ER not listed
    assert pair_score(W, served, PledgeFacts(2, "DEU", frozenset())) == 10


def test_family_link_counts_for_that_country_only():
    case = facts(family_countries=frozenset({"DEU"}))
    assert pair_score(W, case, PLEDGE) == 10 + 30
    assert pair_score(W, case, PledgeFacts(3, "NOR", frozenset())) == 10


def test_stated_preference_counts_for_that_country_only():
    case = facts(preferred_countries=frozenset({"DEU"}))
    assert pair_score(W, case, PLEDGE) == 10 + 15
    assert pair_score(W, case, PledgeFacts(3, "NOR", frozenset())) == 10


def test_time_waited_counts_per_month_up_to_the_cap():
    assert pair_score(W, facts(months_waited=12.5), PLEDGE) == 10 + 12.5
    assert pair_score(W, facts(months_waited=50), PLEDGE) == 10 + 36
    assert months_between(dt.date(2026, 1, 1), dt.date(2026, 7, 2)) == 6.0
    assert months_between(None, dt.date(2026, 7, 2)) == 0.0


def test_predicted_outcome_is_weighted_and_absent_by_default():
    assert [t.code for t in pair_terms(W, facts(), PLEDGE)][-1] == "per_month_waited"
    weighted = clean_weights({"predicted_outcome": 40})
    assert pair_score(weighted, facts(), PLEDGE, predicted=0.5) == 10 + 20
    assert pair_score(weighted, facts(), PLEDGE, predicted=None) == 10


def test_the_explanation_adds_up_to_the_score():
    weights = clean_weights({"predicted_outcome": 7.3, "per_month_waited": 0.37})
    case = facts(
        priority="urgent",
        needs=frozenset({"SM", "DS"}),
        family_countries=frozenset({"DEU"}),
        preferred_countries=frozenset({"DEU"}),
        months_waited=7.3,
    )
    terms = pair_terms(weights, case, PledgeFacts(1, "DEU", frozenset({"SM", "DS"})), 0.81)
    assert {t.code for t in terms} == {
        "priority",
        "need_served",
        "family_link",
        "preference",
        "per_month_waited",
        "predicted_outcome",
    }
    assert sum(t.points for t in terms) == pytest.approx(
        pair_score(weights, case, PledgeFacts(1, "DEU", frozenset({"SM", "DS"})), 0.81), abs=1e-9
    )
    assert all(t.detail for t in terms)


def test_weights_default_where_not_given_and_bad_ones_are_named():
    assert clean_weights({}) == {
        **DEFAULT_WEIGHTS,
        "need_served": dict(sorted(DEFAULT_WEIGHTS["need_served"].items())),
    }
    with pytest.raises(ValidationError) as err:
        clean_weights(
            {
                "priority": {"urgent": "x"},
                "family_link": -1,
                "shoe_size": 3,
                "need_served": {"ZZ": 1},
            },
            known_needs={"SM"},
        )
    fields = err.value.message_dict
    assert {"priority.urgent", "family_link", "weights", "need_served"} <= set(fields)
