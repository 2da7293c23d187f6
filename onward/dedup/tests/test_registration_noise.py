"""Comparison rules for the noise of a busy registration desk (issue 25), on pairs."""

import numpy as np

from onward.dedup.engine.compare import DATE_LEVELS, compare, veto
from onward.dedup.engine.prepare import prepare

GIVEN, FAMILY, FATHER, DOB = 0, 1, 2, 3


def person(given, family, father="", dob="", sex="M"):
    return {
        "given_name": given,
        "family_name": family,
        "father_name": father,
        "sex": sex,
        "birth_date": dob,
        "nationality": "IRQ",
    }


def levels(a: dict, b: dict) -> np.ndarray:
    """The comparison levels of one pair of records."""
    ds = prepare([a, b])
    return compare(ds, ds, np.array([0]), np.array([1]))[0]


def date_level(a: str, b: str) -> str:
    return DATE_LEVELS[levels(person("Ali", "Saadi", dob=a), person("Ali", "Saadi", dob=b))[DOB]]


def test_first_of_january_is_a_year_only_date():
    assert date_level("1984-01-01", "1984-10-07") == "partial_compatible"
    assert date_level("1984-10-07", "1984-01-01") == "partial_compatible"
    assert date_level("1984-01-01", "1985-10-07") == "year_off_by_one"
    assert date_level("1984-01-01", "1987-10-07") == "different"
    assert date_level("1984-01-01", "1984-01-01") == "exact"


def test_first_of_july_is_a_placeholder_too_but_other_first_days_are_not():
    assert date_level("1990-07-01", "1990-03-15") == "partial_compatible"
    assert date_level("1990-01-01", "1990-07-01") == "partial_compatible"
    assert date_level("1990-03-01", "1990-08-15") == "different"


def test_a_child_recorded_on_first_of_january_is_not_taken_for_a_sibling():
    a = person("Soraya", "Jafari", "Munir", "2018-10-07", "F")
    b = person("Soraya", "Jafari", "Munir", "2018-01-01", "F")
    lv = levels(a, b)
    assert DATE_LEVELS[lv[DOB]] == "partial_compatible"
    assert not veto(lv[None, :])[0]
    # a sibling born two years later, even on a 1 January, still is one
    c = person("Soraya", "Jafari", "Munir", "2020-01-01", "F")
    assert veto(levels(a, c)[None, :])[0]
