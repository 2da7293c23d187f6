"""The synthetic population of the reference operation: structure, consistency, contract.

Plain pytest, no Django: `python -m pytest -p no:django onward/demo/tests_synthetic`.
"""

import csv
import datetime as dt
import re
import time
from collections import Counter, defaultdict

import pytest

from onward.demo.synthetic import (
    PEOPLE_CSV_COLUMNS,
    SyntheticPerson,
    SyntheticPopulation,
    _names,
    generate_population,
    iter_persons,
    write_people_csv,
)
from onward.registry import codes

DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
PHONE = re.compile(r"^\+964 7\d\d \d{3} \d{4}$")
DOCUMENT = re.compile(r"^(LIB-1[23]-\d{6}|[A-Z]\d{7,8})$")


@pytest.fixture(scope="module")
def population() -> SyntheticPopulation:
    return generate_population(2013, 3200)


@pytest.fixture(scope="module")
def by_id(population) -> dict[str, SyntheticPerson]:
    return {p.person_id: p for p in population.persons}


@pytest.fixture(scope="module")
def by_case(population) -> dict[str, list[SyntheticPerson]]:
    cases = defaultdict(list)
    for p in population.persons:
        cases[p.case_id].append(p)
    return cases


def earliest(text: str) -> dt.date:
    """The first day a (possibly partial) birth date can mean."""
    parts = [int(x) for x in text.split("-")] + [1, 1]
    return dt.date(parts[0], parts[1], parts[2])


def latest(text: str) -> dt.date:
    """The last day a (possibly partial) birth date can mean."""
    parts = [int(x) for x in text.split("-")]
    if len(parts) == 3:
        return dt.date(*parts)
    if len(parts) == 2:
        following = dt.date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    return dt.date(parts[0], 12, 31)


def years_between(older: dt.date, younger: dt.date) -> int:
    """Whole years from `older` to `younger` (an age)."""
    return younger.year - older.year - ((younger.month, younger.day) < (older.month, older.day))


def birth_year(p: SyntheticPerson) -> int:
    return int(p.birth_date[:4])


# -- determinism and size -------------------------------------------------------------------


def test_same_seed_same_population(population):
    again = generate_population(2013, 3200)
    assert again.persons == population.persons
    assert again.cases == population.cases
    assert again.duplicates == population.duplicates
    assert again.twins == population.twins


def test_different_seeds_differ(population):
    other = generate_population(2014, 3200)
    assert other.persons != population.persons
    same = sum(
        a.given_name == b.given_name and a.family_name == b.family_name
        for a, b in zip(population.persons, other.persons, strict=True)
    )
    assert same < 50


def test_default_is_the_reference_population(population):
    assert generate_population().persons == population.persons


def test_about_3200_persons_in_1600_plus_cases(population):
    assert len(population.persons) == 3200
    assert 1800 <= len(population.cases) <= 2200  # UNHCR alone had submitted 1,400 cases
    sizes = Counter(c.size for c in population.cases)
    assert sizes[1] + sizes[2] > 0.75 * len(population.cases)
    assert max(sizes) >= 6 and max(sizes) <= 8


@pytest.mark.parametrize("n", [0, 1, 2, 7, 10, 99, 150, 1000])
def test_exact_person_count_for_any_size(n):
    pop = generate_population(5, n)
    assert len(pop.persons) == n
    assert sum(c.size for c in pop.cases) == n


def test_generation_is_fast():
    start = time.process_time()
    generate_population(99, 3200)
    assert time.process_time() - start < 1.0


def test_iter_persons_streams_the_same_persons(population):
    assert list(iter_persons(2013, 3200)) == population.persons


# -- ids and cases --------------------------------------------------------------------------


def test_ids_unique_and_cases_consistent(population, by_case):
    person_ids = [p.person_id for p in population.persons]
    case_ids = [c.case_id for c in population.cases]
    assert len(set(person_ids)) == len(person_ids)
    assert len(set(case_ids)) == len(case_ids)
    assert all(re.fullmatch(r"P\d{6,}", i) for i in person_ids)
    assert all(re.fullmatch(r"C\d{5,}", i) for i in case_ids)
    assert set(by_case) == set(case_ids)
    for case in population.cases:
        members = by_case[case.case_id]
        assert len(members) == case.size
        assert {m.arrival_date for m in members} == {case.arrival_date}


def test_every_case_has_one_principal_aged_18_or_more(population, by_case):
    for case in population.cases:
        principals = [m for m in by_case[case.case_id] if m.relationship == "principal"]
        assert len(principals) == 1, case.case_id
        p = principals[0]
        # Even read at its latest possible day, a partial birth date gives an adult.
        assert years_between(latest(p.birth_date), dt.date.fromisoformat(p.arrival_date)) >= 18


def test_document_numbers_unique_except_planted_reuse(population):
    reused = Counter(p.document_number for p in population.persons if p.document_number)
    repeated = {doc for doc, n in reused.items() if n > 1}
    copies = {b for _, b in population.duplicates}
    for p in population.persons:
        if p.document_number in repeated and p.person_id not in copies:
            # The only shared numbers are those a re-registration carried over.
            assert any(
                d.document_number == p.document_number
                for d in population.persons
                if d.person_id in copies
            )


# -- field values -----------------------------------------------------------------------------


def test_field_formats(population):
    for p in population.persons:
        assert p.relationship in codes.RELATIONSHIPS
        assert p.sex in codes.SEX
        assert re.fullmatch(r"[A-Z]{3}", p.nationality)
        assert p.given_name and p.family_name and p.father_name
        assert p.phone == "" or PHONE.match(p.phone), p.phone
        assert p.document_number == "" or DOCUMENT.match(p.document_number), p.document_number
        assert all(code in codes.SPECIFIC_NEEDS for code in p.specific_needs)
        assert len(set(p.specific_needs)) == len(p.specific_needs)


def test_birth_dates_valid_and_not_in_the_future(population):
    last_day = dt.date(2013, 12, 31)
    for p in population.persons:
        assert DATE.match(p.birth_date), p.birth_date
        earliest(p.birth_date)  # a real date (raises otherwise)
        latest(p.birth_date)
        arrival = dt.date.fromisoformat(p.arrival_date)
        assert arrival <= dt.date(2013, 9, 11)
        assert earliest(p.birth_date) <= min(arrival, last_day)
        assert earliest(p.birth_date) >= dt.date(1900, 1, 1)


def test_some_birth_dates_are_partial(population):
    partial = sum(len(p.birth_date) < 10 for p in population.persons)
    assert 0.05 * len(population.persons) < partial < 0.16 * len(population.persons)


def test_arrivals_in_convoys_until_the_last_group(population):
    dates = Counter(c.arrival_date for c in population.cases)
    assert min(dates) >= "2012-02-01"
    assert max(dates) == "2013-09-11"
    assert len(dates) >= 5


def test_population_shape(population):
    persons = population.persons
    nationalities = Counter(p.nationality for p in persons)
    assert nationalities["IRN"] > 0.85 * len(persons)
    assert nationalities["IRQ"] > 0
    assert len(nationalities) > 3
    minors = sum(
        years_between(earliest(p.birth_date), dt.date.fromisoformat(p.arrival_date)) < 18
        for p in persons
    )
    assert minors < 0.15 * len(persons)  # few children
    older = sum(dt.date.fromisoformat(p.arrival_date).year - birth_year(p) >= 60 for p in persons)
    assert older > 0.15 * len(persons)
    phones = sum(bool(p.phone) for p in persons)
    assert phones < 0.4 * len(persons)  # residents were cut off from phones
    assert sum(not p.document_number for p in persons) > 0.1 * len(persons)
    assert sum(bool(p.notes) for p in persons) > 0.1 * len(persons)


def test_specific_needs_prevalence(population):
    persons = population.persons
    needs = Counter(code for p in persons for code in p.specific_needs)
    for code in ("SM", "ER", "TR", "DS"):
        assert needs[code] > 0.04 * len(persons), code
    assert needs["CR"] + needs["UC"] + needs["SC"] < 0.03 * len(persons)
    for p in persons:
        if "ER" in p.specific_needs:
            assert dt.date.fromisoformat(p.arrival_date).year - birth_year(p) >= 59


# -- households -------------------------------------------------------------------------------


def test_sex_consistent_with_relationship(by_case):
    for members in by_case.values():
        principal = next(m for m in members if m.relationship == "principal")
        for m in members:
            if m.relationship == "spouse":
                assert {principal.sex, m.sex} == {"M", "F"}, principal.case_id
        if principal.sex == "X":
            assert len(members) == 1


def test_sex_consistent_with_given_names(population):
    names = _names()
    male = set(names.persian_male.pool) | set(names.arabic_male.pool)
    female = set(names.persian_female.pool) | set(names.arabic_female.pool)
    copies = {b for _, b in population.duplicates}
    for p in population.persons:
        if p.person_id in copies:
            continue  # a re-registration may carry a spelling outside the lists
        if p.sex == "M":
            assert p.given_name in male, p.given_name
        elif p.sex == "F":
            assert p.given_name in female, p.given_name
        assert p.father_name in male, p.father_name


def _father(members: list[SyntheticPerson]) -> SyntheticPerson | None:
    heads = [m for m in members if m.relationship in ("principal", "spouse")]
    return next((m for m in heads if m.sex == "M"), None)


def test_children_younger_than_parents_and_named_after_the_father(by_case):
    checked = 0
    for members in by_case.values():
        heads = [m for m in members if m.relationship in ("principal", "spouse")]
        father = _father(members)
        children = [m for m in members if m.relationship == "child"]
        for child in children:
            for head in heads:
                gap = birth_year(child) - birth_year(head)
                assert 16 <= gap <= 46, (head.person_id, child.person_id, gap)
            if father is not None:
                assert child.family_name == father.family_name
                assert child.father_name == father.given_name
                assert child.given_name != father.given_name
            checked += 1
        if len({c.given_name for c in children}) != len(children):
            pytest.fail(f"siblings with one given name in {members[0].case_id}")
    assert checked > 200


def test_grandchildren_parents_and_siblings(by_case):
    seen = Counter()
    for members in by_case.values():
        principal = next(m for m in members if m.relationship == "principal")
        sons = [m for m in members if m.relationship == "child" and m.sex == "M"]
        for m in members:
            seen[m.relationship] += 1
            if m.relationship == "grandchild":
                assert birth_year(m) - birth_year(principal) >= 32
                assert any(
                    m.father_name == s.given_name and m.family_name == s.family_name for s in sons
                )
            elif m.relationship == "parent":
                assert 16 <= birth_year(principal) - birth_year(m) <= 46
                if m.sex == "M":
                    assert m.given_name == principal.father_name
                    assert m.family_name == principal.family_name
            elif m.relationship == "sibling":
                assert m.family_name == principal.family_name
                assert m.father_name == principal.father_name
                assert abs(birth_year(m) - birth_year(principal)) <= 13
    for relationship in ("spouse", "child", "parent", "sibling", "grandchild"):
        assert seen[relationship] > 0, relationship


def test_twins_are_hard_non_duplicates(population, by_id):
    assert population.twins
    for a, b in population.twins:
        x, y = by_id[a], by_id[b]
        assert x.case_id == y.case_id
        assert x.birth_date == y.birth_date and len(x.birth_date) == 10
        assert x.family_name == y.family_name and x.father_name == y.father_name
        assert x.given_name != y.given_name


# -- names --------------------------------------------------------------------------------------


def test_names_show_real_spelling_variation(population):
    given = Counter(p.given_name for p in population.persons)
    family = Counter(p.family_name for p in population.persons)
    assert len(given) > 250 and len(family) > 200
    assert {"Mohammad", "Mohamad", "Muhammad"} <= set(given) | {
        p.father_name for p in population.persons
    }
    assert {"Hossein", "Hosein"} <= set(given) | {p.father_name for p in population.persons}
    every = set(given) | {p.father_name for p in population.persons}
    assert any(" " in n for n in every) and any(n.startswith("Mohammadre") for n in every)
    arabic = {p.family_name for p in population.persons if p.nationality == "IRQ"}
    assert any(n.startswith("al-") for n in arabic)
    assert Counter(p.family_name for p in population.persons).most_common(1)[0][1] < 150


def test_name_lists_are_large():
    names = _names()
    assert len(names.persian_male.canonical) >= 120
    assert len(names.persian_female.canonical) >= 100
    assert len(names.persian_family.canonical) >= 180
    assert len(names.arabic_family.canonical) >= 50
    # A spelling has its attested variants (the dedup engine must bring them together).
    assert "Muhammad" in names.variants["Mohammad"][0]
    assert "Fatima" in names.variants["Fatemeh"][0]
    assert "Abdul Reza" in names.variants["Abdolreza"][0]


# -- planted re-registrations ----------------------------------------------------------------


def test_duplicates_are_respelled_copies_in_new_cases(population, by_id, by_case):
    assert (
        0.005 * len(population.persons)
        <= len(population.duplicates)
        <= 0.015 * len(population.persons)
    )
    originals = [a for a, _ in population.duplicates]
    assert len(set(originals)) == len(originals)
    for a, b in population.duplicates:
        original, copy = by_id[a], by_id[b]
        assert original.person_id < copy.person_id
        assert copy.relationship == "principal" and len(by_case[copy.case_id]) == 1
        assert copy.case_id != original.case_id
        assert copy.sex == original.sex and copy.nationality == original.nationality
        assert copy.arrival_date >= original.arrival_date
        names_a = (original.given_name, original.family_name, original.father_name)
        names_b = (copy.given_name, copy.family_name, copy.father_name)
        assert names_a != names_b  # at least one name spelled differently
        assert abs(birth_year(copy) - birth_year(original)) <= 1


def test_duplicates_vary_dates_documents_and_phones(population, by_id):
    pairs = [(by_id[a], by_id[b]) for a, b in population.duplicates]
    assert any(o.birth_date != c.birth_date for o, c in pairs)
    assert any(o.document_number and not c.document_number for o, c in pairs)
    assert any(o.phone != c.phone for o, c in pairs)


def test_duplicate_variety_at_scale():
    pop = generate_population(3, 20_000)
    people = {p.person_id: p for p in pop.persons}
    pairs = [(people[a], people[b]) for a, b in pop.duplicates]
    assert len(pairs) == 200
    partial = sum(len(c.birth_date) < len(o.birth_date) for o, c in pairs)
    swapped = sum(
        len(o.birth_date) == len(c.birth_date) == 10
        and o.birth_date != c.birth_date
        and o.birth_date[:4] == c.birth_date[:4]
        for o, c in pairs
    )
    assert partial >= 10 and swapped >= 5
    assert sum(c.document_number == "" for _, c in pairs) >= 40


# -- CSV contract -------------------------------------------------------------------------------


def test_people_csv_header_and_round_trip(population, tmp_path):
    path = tmp_path / "people.csv"
    write_people_csv(population, path)
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    assert (
        header
        == list(PEOPLE_CSV_COLUMNS)
        == [
            "person_id",
            "case_id",
            "relationship",
            "given_name",
            "family_name",
            "father_name",
            "sex",
            "birth_date",
            "nationality",
            "document_number",
            "phone",
            "specific_needs",
        ]
    )
    assert len(rows) == len(population.persons)
    for row, p in zip(rows, population.persons, strict=True):
        record = dict(zip(header, row, strict=True))
        assert record["person_id"] == p.person_id
        assert record["given_name"] == p.given_name
        assert record["birth_date"] == p.birth_date
        needs = record["specific_needs"]
        assert (needs.split(";") if needs else []) == p.specific_needs


def test_people_csv_from_a_stream(tmp_path):
    path = tmp_path / "stream.csv"
    write_people_csv(iter_persons(1, 500), str(path))
    with open(path, encoding="utf-8", newline="") as f:
        assert sum(1 for _ in csv.DictReader(f)) == 500
