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


def given_level(a: str, b: str, father: str = "Nasir") -> int:
    return int(levels(person(a, "Masri", father, "1990-09-05"), person(b, "Masri", father))[GIVEN])


def test_one_mistyped_consonant_is_high_similarity():
    from onward.dedup.engine.compare import consonant_slip

    assert consonant_slip("rania", "ramia")  # adjacent key
    assert consonant_slip("tariq", "tarik") and consonant_slip("hamza", "hazma")  # transposed
    assert consonant_slip("mahmoud", "mahmud")
    assert consonant_slip("amal", "amsl")  # a vowel typed as the consonant beside it
    assert consonant_slip("sara", "saar") and consonant_slip("farhad", "fahrad")
    assert consonant_slip("wahid", "wakhid") and consonant_slip("hanan", "khanan")  # kh = h
    assert not consonant_slip("rania", "rana")  # a vowel dropped: another name
    for a, b in [("hanan", "hanin"), ("samir", "samar"), ("jamal", "kamal"), ("rami", "sami")]:
        assert not consonant_slip(a, b), (a, b)  # another vowel or first letter: other names
    assert given_level("Rania", "Ramia") == 2
    assert given_level("Jamal", "Kamal") <= 1


def test_a_dropped_middle_name_is_high_similarity():
    from onward.dedup.engine.compare import dropped_part

    assert dropped_part("noor walid", "walid") and dropped_part("lina ali", "leena")
    assert not dropped_part("walid", "khaled") and not dropped_part("noor walid", "ali walid")
    assert given_level("Noor Walid", "Walid") == 2
    assert given_level("Mohammad Saeed", "Saeed") == 2
    assert given_level("Abdul Khaled", "Khaled") == 2  # the Abdul- compound's prefix
    assert given_level("Gul Farhad", "Farkhad") == 2  # and a slip in the part kept
    assert not dropped_part("abdullah", "lah")
    # only given names: a double family name with a part left out stays as it was
    lv = levels(person("Ali", "Hashemi Rafsanjani", "Akbar"), person("Ali", "Hashemi", "Akbar"))
    assert lv[FAMILY] <= 1


def test_a_re_registration_with_a_slip_in_the_given_name_is_not_a_sibling():
    a = person("Rania", "al-Saadi", "Behrouz", "1962-04-23", "F")
    b = person("Ramia", "Saadee", "Behrouz", "1962-04-23", "F")
    assert not veto(levels(a, b)[None, :])[0]
    sister = person("Reem", "al-Saadi", "Behrouz", "1962-04-23", "F")  # a twin
    assert veto(levels(a, sister)[None, :])[0]


def test_swapped_given_and_family_with_another_spelling_are_compared_crosswise():
    a = person("Hassan", "al-Rubaie", "Nabil", "1985-11-02")
    b = person("al-Rubaie", "Khassan", "Nabil", "1985-11-02")
    lv = levels(a, b)
    assert lv[GIVEN] >= 2 and lv[FAMILY] == 3  # crosswise: high similarity, same name
    assert not veto(lv[None, :])[0]
    # an exact swap keeps its old levels (same key on both, never "exact")
    lv = levels(person("Hamza", "Tamimi"), person("Tamimi", "Hamza"))
    assert lv[GIVEN] == 3 and lv[FAMILY] == 3
    # not a swap: one crosswise name agrees, the other is another name
    lv = levels(person("Hassan", "Omar", "Ali"), person("Omar", "Karim", "Ali"))
    assert lv[GIVEN] == 0


def test_vectorised_slips_equal_the_scalar_rules():
    from itertools import combinations

    from onward.dedup.engine.compare import _registration_slips, consonant_slip, dropped_part
    from onward.dedup.engine.names import normalise

    raw = "Rania Ramia Rana Tariq Tarik Hamza Hazma Hanan Hanin Khanan Jamal Kamal Amal Amsl"
    multi = {"noor walid", "abdulkhaled", "gul farhad", "farkhad", "khaled", "walid", "noor"}
    names = sorted({normalise(x) for x in raw.split()} | multi)
    lo, hi = (np.array(x) for x in zip(*combinations(range(len(names)), 2), strict=True))
    for given in (False, True):
        got = _registration_slips(names, lo, hi, given)
        want = [
            consonant_slip(names[x], names[y]) or (given and dropped_part(names[x], names[y]))
            for x, y in zip(lo.tolist(), hi.tolist(), strict=True)
        ]
        assert (got > 0).tolist() == want


def test_same_day_and_month_is_two_of_three_only_for_a_year_slip():
    assert date_level("1982-12-22", "1981-12-22") == "two_of_three"  # one year apart
    assert date_level("1982-12-22", "1992-12-22") == "two_of_three"  # one digit
    assert date_level("1985-12-22", "1958-12-22") == "two_of_three"  # last two transposed
    # a mother and a daughter of the same name born on the same day, 56 years apart
    assert date_level("1961-01-08", "2017-01-08") == "different"
