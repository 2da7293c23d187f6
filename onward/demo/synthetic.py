"""Synthetic resident population of the reference operation (Camp Liberty, 2012–2013).

Invented persons with a real-looking structure, so that the demo, the tests and the
benchmarks never touch a real person's data:

- cases (registration groups, usually households) of 1 to 8 persons, mostly 1–2, each
  with exactly one principal applicant aged 18 or more;
- a largely adult, middle-aged and older population, mostly Iranian nationals (IRN),
  a few Iraqi (IRQ) and some others, moved from Camp Ashraf in convoys between
  February 2012 and the last group on 11 September 2013;
- Persian and Arabic names drawn with realistic frequencies and the Latin spelling
  variants a real registry holds (Mohammad / Muhammad, Hossein / Hussein, al- / el-);
- specific needs at the prevalence such a population shows (older persons at risk,
  serious medical conditions, survivors of torture);
- about 1% planted re-registrations (the `duplicates` the dedup engine should find) and
  some twins (same birth date, same family: hard non-duplicates).

Standard library only: it runs inside `onward demo` on a fresh machine. Deterministic for
a seed, and fast enough for benchmarks (a million persons in well under a minute).
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import os
import random
from bisect import bisect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files

from onward.registry import codes

__all__ = [
    "PEOPLE_CSV_COLUMNS",
    "SyntheticCase",
    "SyntheticPerson",
    "SyntheticPopulation",
    "generate_population",
    "iter_persons",
    "write_people_csv",
]


def _name_list(name: str) -> str:
    """A name list shipped as a data file of this package (onward/demo/data/)."""
    return (files("onward.demo") / "data" / name).read_text(encoding="utf-8")


# The person CSV of DESIGN.md ("File contracts").
PEOPLE_CSV_COLUMNS = (
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
)


@dataclass(slots=True)
class SyntheticPerson:
    """One invented resident, in the shape of a row of the person CSV (plus arrival, notes)."""

    person_id: str
    case_id: str
    relationship: str
    given_name: str
    family_name: str
    father_name: str
    sex: str
    birth_date: str
    nationality: str
    document_number: str
    phone: str
    specific_needs: list[str]
    arrival_date: str
    notes: str


@dataclass(slots=True)
class SyntheticCase:
    """One registration group: all its persons arrived together."""

    case_id: str
    arrival_date: str
    size: int


@dataclass
class SyntheticPopulation:
    """The whole synthetic registry, with the planted re-registrations and twins listed."""

    cases: list[SyntheticCase]
    persons: list[SyntheticPerson]
    duplicates: list[tuple[str, str]]  # (original person_id, re-registration person_id)
    twins: list[tuple[str, str]] = field(default_factory=list)  # hard non-duplicates


# ---------------------------------------------------------------------------------------
# Names. One line per name: "Canonical [weight][: Spelling weight, Spelling weight, ...]".
# The weight is the name's relative frequency (2 when omitted); the spellings are the
# attested Latin variants with their share. "A+B w" is a compound given name built from
# the spellings of A and B, written apart, closed up or hyphenated ("!" after the weight:
# mostly closed up, like Alireza; "~": never closed up). A family name written "al-X" gets
# the Arabic article in its usual forms (al-, Al-, Al , el-, dropped, closed up).
# ---------------------------------------------------------------------------------------

_PERSIAN_MALE = _name_list("names-persian-male.txt")

_PERSIAN_PARTS = _name_list("names-persian-parts.txt")

_PERSIAN_FEMALE = _name_list("names-persian-female.txt")

# Persian family names, most frequent first (weights follow the rank).
_PERSIAN_FAMILY = _name_list("names-persian-family.txt")

_ARABIC_MALE = _name_list("names-arabic-male.txt")

_ARABIC_PARTS = _name_list("names-arabic-parts.txt")

_ARABIC_FEMALE = _name_list("names-arabic-female.txt")

_ARABIC_FAMILY = _name_list("names-arabic-family.txt")

# The Arabic article as registries write it, with its share.
_ARTICLE_FORMS = (
    ("al-", 45),
    ("Al-", 20),
    ("Al ", 10),
    ("el-", 7),
    ("El-", 3),
    ("", 10),
    ("Al", 5),
)
# Ways of writing a compound given name: apart, closed up, hyphenated.
_JOINERS = {"": (50, 40, 10), "!": (15, 80, 5), "~": (85, 0, 15)}


class _NameTable:
    """Weighted names, each with its weighted spellings.

    Drawn from a flat pool in which every spelling appears in proportion to its frequency
    (the name's weight times the spelling's share): one random number and one index per
    draw, which keeps a million persons within the benchmarks' budget.
    """

    __slots__ = ("canonical", "groups", "pool", "pool_names", "pool_size")

    _POOL = 1 << 15

    def __init__(self, entries: list[tuple[str, float, list[tuple[str, float]]]]) -> None:
        self.canonical = [name for name, _, _ in entries]
        self.groups = [spellings for _, _, spellings in entries]
        self.pool: list[str] = []
        self.pool_names: list[int] = []  # the name (index into `canonical`) of each entry
        total = sum(w for _, w, _ in entries)
        for i, (_, weight, spellings) in enumerate(entries):
            shares = sum(s for _, s in spellings)
            for text, share in spellings:
                n = max(1, round(self._POOL * weight / total * share / shares))
                self.pool.extend([text] * n)
                self.pool_names.extend([i] * n)
        self.pool_size = len(self.pool)

    def draw(self, r: Callable[[], float]) -> str:
        """A spelled name, drawn by frequency."""
        return self.pool[int(r() * self.pool_size)]


def _cumulate(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def _parse_line(line: str) -> tuple[str, float | None, str, list[tuple[str, float]]]:
    """'Name 12 !: A 50, B 50' -> (name, weight or None, flag, spellings)."""
    head, _, tail = line.partition(":")
    words = head.split()
    flag = words.pop() if words[-1] in _JOINERS else ""
    weight = float(words.pop()) if len(words) > 1 and words[-1].replace(".", "").isdigit() else None
    name = " ".join(words)
    spellings = []
    for item in filter(None, (s.strip() for s in tail.split(","))):
        text, _, share = item.rpartition(" ")
        spellings.append((text, float(share)) if share.isdigit() else (item, 1.0))
    return name, weight, flag, spellings or [(name, 1.0)]


def _compound(
    name: str, flag: str, parts: dict[str, list[tuple[str, float]]]
) -> list[tuple[str, float]]:
    """Spellings of a compound given name: every spelling of each part, joined three ways."""
    first, second = name.split("+")
    apart, closed, hyphen = _JOINERS[flag]
    out: dict[str, float] = {}
    for a, wa in parts[first]:
        for b, wb in parts[second]:
            for text, wj in ((f"{a} {b}", apart), (a + b.lower(), closed), (f"{a}-{b}", hyphen)):
                if wj:
                    out[text] = out.get(text, 0.0) + wa * wb * wj
    return list(out.items())


def _with_article(base: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Spellings of an Arabic family name with the article in its usual forms."""
    out = []
    for form, wf in _ARTICLE_FORMS:
        for b, wb in base:
            out.append((form + (b.lower() if form == "Al" else b), wf * wb))
    return out


def _table(text: str, *, parts: str = "", by_rank: bool = False) -> _NameTable:
    """Parse one name list; compounds take their parts from this list and from `parts`."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    known: dict[str, list[tuple[str, float]]] = {}
    for line in parts.strip().splitlines():
        name, _, _, spellings = _parse_line(line)
        known[name] = spellings
    entries = []
    for rank, line in enumerate(lines):
        name, weight, flag, spellings = _parse_line(line)
        if weight is None:
            # Family names follow a flat power law of their rank; given names default to 2.
            weight = 60.0 / (rank + 8) if by_rank else 2.0
        if "+" not in name:
            known.setdefault(name, spellings)
        entries.append((name, weight, flag, spellings))
    built = []
    for name, weight, flag, spellings in entries:
        if "+" in name:
            spellings = _compound(name, flag, known)
            name = name.replace("+", " ")
        elif name.startswith("al-"):
            base = spellings if spellings[0][0] != name else [(name[3:], 1.0)]
            spellings = _with_article(base)
        built.append((name, weight, spellings))
    return _NameTable(built)


@dataclass(frozen=True)
class _Names:
    """The name lists of the two naming traditions of the population."""

    persian_male: _NameTable
    persian_female: _NameTable
    persian_family: _NameTable
    arabic_male: _NameTable
    arabic_female: _NameTable
    arabic_family: _NameTable
    variants: dict[str, tuple[list[str], list[float]]]  # spelling -> other spellings


@lru_cache(maxsize=1)
def _names() -> _Names:
    """Parse the name lists once per process."""
    tables = dict(
        persian_male=_table(_PERSIAN_MALE, parts=_PERSIAN_PARTS),
        persian_female=_table(_PERSIAN_FEMALE, parts=_PERSIAN_PARTS),
        persian_family=_table(_PERSIAN_FAMILY, by_rank=True),
        arabic_male=_table(_ARABIC_MALE, parts=_ARABIC_PARTS),
        arabic_female=_table(_ARABIC_FEMALE),
        arabic_family=_table(_ARABIC_FAMILY, by_rank=True),
    )
    others: dict[str, dict[str, float]] = {}
    for table in tables.values():
        for group in table.groups:
            for spelling, _ in group:
                bucket = others.setdefault(spelling, {})
                for other, share in group:
                    if other != spelling:
                        bucket[other] = max(bucket.get(other, 0.0), share)
    variants = {s: (list(o), _cumulate(list(o.values()))) for s, o in others.items() if o}
    return _Names(**tables, variants=variants)


# Transliteration habits that turn one attested spelling into another (for names whose
# list gives a single spelling): applied once, never to the capital letter.
_SPELLING_SWAPS = (
    ("ou", "u"),
    ("oo", "u"),
    ("u", "ou"),
    ("ee", "i"),
    ("ei", "ey"),
    ("ey", "ei"),
    ("ai", "ay"),
    ("ay", "ai"),
    ("gh", "q"),
    ("q", "gh"),
    ("ss", "s"),
    ("mm", "m"),
    ("dd", "d"),
    ("eh", "e"),
    ("ia", "iya"),
    ("iy", "i"),
    ("aa", "a"),
    ("kh", "x"),
)


def _respell(name: str, r: Callable[[], float]) -> str:
    """Another plausible Latin spelling of `name` (never the same string)."""
    variants = _names().variants.get(name)
    if variants:
        spellings, cum = variants
        return spellings[bisect(cum, r() * cum[-1])]
    head, body = name[:1], name[1:]
    options = [head + body.replace(a, b, 1) for a, b in _SPELLING_SWAPS if a in body]
    if body.endswith("i"):
        options += [name[:-1] + "y", name[:-1] + "ee"]
    if body.endswith("a"):
        options.append(name + "h")
    if body.endswith("e"):
        options.append(name + "h")
    if head in "GQ":
        options.append(
            ("Q" if head == "G" and body.startswith("h") else "Gh") + body.removeprefix("h")
        )
    options = [o for o in options if o != name]
    if options:
        return options[int(r() * len(options))]
    # Last resort: a doubled consonant, the most common clerical slip.
    for i in range(len(name) - 2, 0, -1):
        if name[i].isalpha() and name[i].lower() not in "aeiouy":
            return name[: i + 1] + name[i] + name[i + 1 :]
    return name + "h"


# ---------------------------------------------------------------------------------------
# The operation: convoys from the origin camp, nationalities, documents, phones, notes.
# ---------------------------------------------------------------------------------------

# Transfers from Camp Ashraf to Camp Liberty in groups (dates and sizes modelled on the
# reports: several groups of about 400 in 2012, a larger one in September 2012, the last
# group on 11 September 2013). Persons are allotted to convoys in case order.
_CONVOYS = (
    ("2012-02-18", 397),
    ("2012-03-09", 400),
    ("2012-03-21", 397),
    ("2012-04-18", 397),
    ("2012-05-05", 393),
    ("2012-08-22", 397),
    ("2012-09-16", 680),
    ("2013-09-11", 42),
)
_CONVOY_CUM = [c / sum(n for _, n in _CONVOYS) for c in _cumulate([n for _, n in _CONVOYS])]

# Case sizes 1..8: mostly single adults and couples, a thin tail of large families.
_SIZE_WEIGHTS = (60, 24, 7, 4.6, 2.5, 1.2, 0.45, 0.25)
_SIZE_CUM = _cumulate(list(_SIZE_WEIGHTS))
_SIZE_MEAN = sum(n * w for n, w in enumerate(_SIZE_WEIGHTS, 1)) / sum(_SIZE_WEIGHTS)

# Age (years at arrival) of adults heading a case: a middle-aged and older population.
_ADULT_AGE_BANDS = ((20, 30, 8), (30, 45, 27), (45, 60, 40), (60, 75, 20), (75, 90, 5))
_ADULT_AGE_CUM = _cumulate([w for _, _, w in _ADULT_AGE_BANDS])

# Dual and other nationals, mostly of Iranian origin (Persian names).
_OTHER_NATIONALITIES = (
    "GBR",
    "DEU",
    "SWE",
    "CAN",
    "USA",
    "NLD",
    "FRA",
    "NOR",
    "DNK",
    "AUS",
    "TUR",
    "AFG",
)

# Iraqi mobile operators' prefixes (Korek 75x, Asiacell 77x, Zain 78x/79x).
_MOBILE_PREFIXES = ("750", "751", "770", "771", "772", "780", "781", "782", "790", "791")
_PASSPORT_LETTERS = "ABCDEHKLMNPRSTUXZ"

_BIRTHPLACES_IRN = (
    "Tehran",
    "Mashhad",
    "Tabriz",
    "Isfahan",
    "Shiraz",
    "Ahvaz",
    "Kermanshah",
    "Rasht",
    "Qom",
    "Hamadan",
    "Kerman",
    "Urmia",
    "Zanjan",
    "Sanandaj",
)
_BIRTHPLACES_IRQ = ("Baghdad", "Diyala", "Basra", "Karbala", "Najaf", "Hilla", "Kut")
_RELATIVES_ABROAD = (
    "Germany",
    "the United Kingdom",
    "Sweden",
    "Canada",
    "the Netherlands",
    "Norway",
    "France",
    "the United States",
    "Denmark",
    "Australia",
)
_NEED_NOTES = {
    "SM": (
        "Under treatment at the camp clinic",
        "Needs regular medication",
        "Referred to a hospital in Baghdad",
        "Heart condition, follow-up needed",
    ),
    "DS": (
        "Uses a wheelchair",
        "Needs ground-floor accommodation",
        "Hearing impairment",
        "Visual impairment",
        "Walks with crutches",
    ),
    "ER": ("Needs help with daily tasks", "Cared for by fellow residents"),
    "TR": ("Referred for psychosocial support", "Former political prisoner"),
}
# The remarks above are details of a specific need: the demo loads them as such.
NEED_DETAILS = frozenset(text for texts in _NEED_NOTES.values() for text in texts)
_GENERAL_NOTES = (
    "Transferred from Camp Ashraf",
    "Prefers a Farsi interpreter",
    "Speaks Farsi, Arabic and English",
    "Identity documents held by camp management",
    "Interview postponed",
    "Asked about family reunification",
    "Card reissued",
    "Did not attend first appointment",
)

# The codes this generator writes must exist in the registry's code lists.
_NEEDS_WRITTEN = ("SM", "DS", "ER", "SC", "CR", "WR", "SP", "TR", "SV", "LP", "FU")
_RELATIONSHIPS_WRITTEN = (
    "principal",
    "spouse",
    "child",
    "parent",
    "sibling",
    "grandchild",
    "other_relative",
)
if not (
    set(_NEEDS_WRITTEN) <= codes.SPECIFIC_NEEDS.keys()
    and set(_RELATIONSHIPS_WRITTEN) <= codes.RELATIONSHIPS.keys()
):
    raise ImportError("synthetic.py writes codes that onward.registry.codes no longer has")

_DAYS_PER_YEAR = 365.2425
_DUPLICATE_RATE = 0.01
_TWIN_RATE = 0.06  # families with 2+ children that have a pair of twins
_POOL_SIZE = 20_000  # earlier persons a re-registration may copy (bounded for streaming)


def _days(years: float) -> int:
    return int(years * _DAYS_PER_YEAR)


_EIGHTEEN_YEARS, _TWENTY_YEARS = _days(18), _days(20)


@dataclass(slots=True)
class _Member:
    """A case member while its household is being built (birth date as a day ordinal)."""

    relationship: str
    sex: str
    birth: int
    given: str
    family: str
    father: str
    nationality: str
    twin_of: _Member | None = None  # the elder twin
    exact: bool = False  # birth date written in full (twins: so that they look alike)
    person: SyntheticPerson | None = None  # once made


class _Generator:
    """Builds cases one after another; the same seed always gives the same population."""

    def __init__(self, seed: int, total: int) -> None:
        self.rng = random.Random(seed)
        self.r = self.rng.random
        self.total = total
        self.names = _names()
        self.person_seq = self.case_seq = self.unhcr_seq = self.passport_seq = 0
        self.pool: list[SyntheticPerson] = []
        self.arrival = _CONVOYS[0][0]
        self.arrival_ord = dt.date.fromisoformat(self.arrival).toordinal()

    # -- the main loop ----------------------------------------------------------------

    def cases(
        self,
    ) -> Iterator[
        tuple[SyntheticCase, list[SyntheticPerson], tuple[str, str] | None, list[tuple[str, str]]]
    ]:
        """Yield (case, its persons, planted duplicate pair or None, twin pairs) until full."""
        r, total = self.r, self.total
        duplicates_left = round(total * _DUPLICATE_RATE)
        emitted = 0
        while emitted < total:
            self._set_convoy(emitted / total)
            households_left = total - emitted - duplicates_left
            if (
                duplicates_left
                and self.pool
                and (
                    households_left <= 0
                    or r() * (duplicates_left + households_left / _SIZE_MEAN) < duplicates_left
                )
            ):
                case, person, pair = self._reregistration()
                duplicates_left -= 1
                emitted += 1
                yield case, [person], pair, []
                continue
            if households_left <= 0:  # nobody left to copy: make it a plain case instead
                duplicates_left, households_left = 0, total - emitted
            size = min(bisect(_SIZE_CUM, r() * _SIZE_CUM[-1]) + 1, households_left)
            case, persons, twins = self._household(size)
            emitted += len(persons)
            yield case, persons, None, twins

    def _set_convoy(self, fraction: float) -> None:
        date = _CONVOYS[min(bisect(_CONVOY_CUM, fraction), len(_CONVOYS) - 1)][0]
        if date != self.arrival:
            self.arrival = date
            self.arrival_ord = dt.date.fromisoformat(date).toordinal()

    def _household(
        self, size: int
    ) -> tuple[SyntheticCase, list[SyntheticPerson], list[tuple[str, str]]]:
        nationality = self._nationality()
        members = self._members(size, nationality)
        case = self._new_case(len(members))
        persons = self._persons(case.case_id, members)
        twins = [
            (m.twin_of.person.person_id, m.person.person_id)
            for m in members
            if m.twin_of is not None and m.twin_of.person and m.person
        ]
        self._remember(persons, members)
        return case, persons, twins

    def _new_case(self, size: int) -> SyntheticCase:
        self.case_seq += 1
        return SyntheticCase(f"C{self.case_seq:05d}", self.arrival, size)

    def _remember(self, persons: list[SyntheticPerson], members: list[_Member]) -> None:
        """Keep adults as candidates for a later re-registration (a bounded sample)."""
        limit = self.arrival_ord - _TWENTY_YEARS
        for person, member in zip(persons, members, strict=True):
            if member.birth <= limit:
                if len(self.pool) < _POOL_SIZE:
                    self.pool.append(person)
                else:
                    self.pool[int(self.r() * _POOL_SIZE)] = person

    # -- household composition ----------------------------------------------------------

    def _members(self, size: int, nationality: str) -> list[_Member]:
        """The members of one case, principal applicant first."""
        r = self.r()
        if size == 1:
            return [self._single(nationality)]
        if size == 2:
            if r < 0.62:
                return self._couple(nationality)
            if r < 0.76:
                return self._with_relative([self._single(nationality, sexed=True)], "sibling")
            if r < 0.86:
                return self._with_relative([self._single(nationality, sexed=True)], "parent")
            if r < 0.97:
                return self._family(1, nationality, single_parent=True)
            return self._with_relative([self._single(nationality, sexed=True)], "other_relative")
        if size >= 4 and r < (0.25 if size >= 5 else 0.08):
            return self._three_generations(size, nationality)
        if r < 0.36:
            return self._with_relative(self._family(size - 3, nationality), "parent")
        if r < 0.44:
            return self._family(size - 1, nationality, single_parent=True)
        if r < 0.50:
            return self._with_relative(self._family(size - 3, nationality), "sibling")
        return self._family(size - 2, nationality)

    def _nationality(self) -> str:
        r = self.r()
        if r < 0.935:
            return "IRN"
        if r < 0.975:
            return "IRQ"
        return _OTHER_NATIONALITIES[int(self.r() * len(_OTHER_NATIONALITIES))]

    def _spouse_nationality(self, nationality: str) -> str:
        r = self.r()
        if nationality == "IRQ":
            return "IRQ" if r < 0.8 else "IRN"
        if nationality == "IRN":
            return "IRN" if r < 0.97 else "IRQ"
        return nationality if r < 0.5 else "IRN"

    def _adult_age(self, minimum: float = 20.0) -> float:
        low, high, _ = _ADULT_AGE_BANDS[bisect(_ADULT_AGE_CUM, self.r() * _ADULT_AGE_CUM[-1])]
        return max(minimum, low + self.r() * (high - low))

    def _person_names(
        self, sex: str, nationality: str, avoid: set[str] | None = None
    ) -> tuple[str, str, str]:
        """(given, family, father's) names for a new person of that sex and nationality."""
        arabic = nationality == "IRQ"
        names, r = self.names, self.r
        if sex == "X":
            sex = "M" if r() < 0.5 else "F"
        if sex == "M":
            table = names.arabic_male if arabic else names.persian_male
        else:
            table = names.arabic_female if arabic else names.persian_female
        given = table.draw(r) if avoid is None else self._given(table, avoid)
        family = (names.arabic_family if arabic else names.persian_family).draw(r)
        father = (names.arabic_male if arabic else names.persian_male).draw(r)
        return given, family, father

    def _given(self, table: _NameTable, avoid: set[str]) -> str:
        """A given name, a different name from those in `avoid` (siblings differ)."""
        r, size = self.r, table.pool_size
        for _ in range(8):
            k = int(r() * size)
            name, text = table.canonical[table.pool_names[k]], table.pool[k]
            if name not in avoid and text not in avoid:
                break
        avoid.add(name)
        avoid.add(text)
        return text

    def _single(self, nationality: str, *, sexed: bool = False) -> _Member:
        """A principal applicant alone (sex "X" only for some lone adults)."""
        r = self.r()
        sex = "M" if r < 0.57 else "F" if (r < 0.998 or sexed) else "X"
        given, family, father = self._person_names(sex, nationality)
        birth = self.arrival_ord - _days(self._adult_age())
        return _Member("principal", sex, birth, given, family, father, nationality)

    def _couple(self, nationality: str) -> list[_Member]:
        """A married couple without children in the case."""
        husband_age = self._adult_age(minimum=22.0)
        gap = self.rng.triangular(-3.0, 12.0, 4.0)
        wife_age = max(19.5, husband_age - gap)
        husband = self._man(nationality, self.arrival_ord - _days(husband_age))
        wife = self._woman(
            self._spouse_nationality(nationality), self.arrival_ord - _days(wife_age)
        )
        return self._heads(husband, wife)

    def _man(self, nationality: str, birth: int, avoid: set[str] | None = None) -> _Member:
        given, family, father = self._person_names("M", nationality, avoid)
        return _Member("spouse", "M", birth, given, family, father, nationality)

    def _woman(self, nationality: str, birth: int, avoid: set[str] | None = None) -> _Member:
        # Wives keep their own family names (Iranian and Iraqi custom alike).
        given, family, father = self._person_names("F", nationality, avoid)
        return _Member("spouse", "F", birth, given, family, father, nationality)

    def _heads(self, husband: _Member | None, wife: _Member | None) -> list[_Member]:
        """Make the husband (mostly) or the wife the principal applicant; spouse second."""
        heads = [m for m in (husband, wife) if m is not None]
        if len(heads) == 2 and self.r() < 0.15:
            heads.reverse()
        heads[0].relationship = "principal"
        return heads

    def _birth_ages(self, k: int, youngest: float) -> tuple[float, float, list[float], int]:
        """Ages of a couple with k children: mother's age, husband-minus-wife gap, mother's
        age at each birth, and the index of a second twin (-1 if none). Both parents are
        17.5 to 44 years older than each child."""
        r = self.r
        gap = self.rng.triangular(-2.0, 10.0, 3.0)
        lower, upper = max(18.0, 17.5 - gap), min(43.0, 44.0 - gap)
        steps = [0.9 + r() * 2.6 for _ in range(k - 1)]
        twin = 1 + int(r() * (k - 1)) if k >= 2 and r() < _TWIN_RATE else -1
        if twin > 0:
            steps[twin - 1] = 0.0
        span = sum(steps)
        if span > upper - lower:
            steps = [s * (upper - lower) / span for s in steps]
            span = upper - lower
        ages = [lower + r() * 0.6 * (upper - lower - span)]
        for step in steps:
            ages.append(ages[-1] + step)
        mother = max(ages[-1] + youngest, 19.5, 19.5 - gap)
        mother = min(mother, 93.0 - gap)
        return mother, gap, ages, twin

    def _youngest_child_age(self) -> float:
        # Few minors: most children living with their parents here are adults.
        return 0.1 + self.r() * 17.8 if self.r() < 0.4 else 18.0 + self.r() * 16.0

    def _family(
        self,
        k: int,
        nationality: str,
        *,
        single_parent: bool = False,
        youngest: float | None = None,
    ) -> list[_Member]:
        """A couple (or a single parent) with k children, parents first."""
        if k == 0:
            return self._couple(nationality)
        if youngest is None:
            youngest = self._youngest_child_age()
        mother_age, gap, ages, twin = self._birth_ages(k, youngest)
        mother_birth = self.arrival_ord - _days(mother_age)
        husband = self._man(nationality, mother_birth - _days(gap))
        wife = self._woman(self._spouse_nationality(nationality), mother_birth)
        if not single_parent:
            kept = self._heads(husband, wife)
        elif self.r() < 0.75:
            # Widowed or separated, most often the mother heads the case; the children
            # still bear their absent father's family name and his given name.
            wife = self._woman(nationality, mother_birth)
            kept = self._heads(None, wife)
        else:
            kept = self._heads(husband, None)
        children = self._children(husband, ages, mother_birth, twin)
        return kept + children

    def _children(
        self, father: _Member, ages: list[float], mother_birth: int, twin: int
    ) -> list[_Member]:
        """Children of `father`: his family name, his given name as their father's name."""
        used = {father.given}
        children: list[_Member] = []
        for i, age in enumerate(ages):
            sex = "M" if self.r() < 0.51 else "F"
            table = self._given_table(sex, father.nationality)
            given = self._given(table, used)
            birth = min(mother_birth + _days(age), self.arrival_ord - 1)
            child = _Member(
                "child", sex, birth, given, father.family, father.given, father.nationality
            )
            if i == twin:
                child.birth, child.twin_of, child.exact = children[-1].birth, children[-1], True
                children[-1].exact = True
            children.append(child)
        return children

    def _given_table(self, sex: str, nationality: str) -> _NameTable:
        n = self.names
        if nationality == "IRQ":
            return n.arabic_male if sex == "M" else n.arabic_female
        return n.persian_male if sex == "M" else n.persian_female

    def _with_relative(self, members: list[_Member], kind: str) -> list[_Member]:
        """Add the principal's parent, sibling or another relative to a case."""
        principal = members[0]
        age = (self.arrival_ord - principal.birth) / _DAYS_PER_YEAR
        if kind == "parent" and age > 77.0:
            kind = "sibling"  # a parent would be too old: the case keeps a sibling instead
        if kind == "parent":
            members.append(self._parent(principal, age))
        elif kind == "sibling":
            members.append(self._sibling(principal, age, members))
        else:
            sex = "M" if self.r() < 0.5 else "F"
            given, family, father = self._person_names(sex, principal.nationality)
            birth = self.arrival_ord - _days(18.0 + self.r() * 50.0)
            members.append(
                _Member("other_relative", sex, birth, given, family, father, principal.nationality)
            )
        return members

    def _parent(self, principal: _Member, age: float) -> _Member:
        """The principal's father (who gave the family and father's names) or mother."""
        gap = 17.5 + self.r() * (min(44.0, 95.0 - age) - 17.5)
        birth = principal.birth - _days(gap)
        if self.r() < 0.35:
            _, _, grandfather = self._person_names("M", principal.nationality)
            return _Member(
                "parent",
                "M",
                birth,
                principal.father,
                principal.family,
                grandfather,
                principal.nationality,
            )
        given, family, father = self._person_names("F", principal.nationality)
        return _Member("parent", "F", birth, given, family, father, principal.nationality)

    def _sibling(self, principal: _Member, age: float, members: list[_Member]) -> _Member:
        """A brother or sister: same family name and same father's name as the principal."""
        sex = "M" if self.r() < 0.5 else "F"
        sibling_age = min(90.0, max(12.0, age + (self.r() - 0.5) * 24.0))
        used = {m.given for m in members} | {principal.father}
        given = self._given(self._given_table(sex, principal.nationality), used)
        return _Member(
            "sibling",
            sex,
            self.arrival_ord - _days(sibling_age),
            given,
            principal.family,
            principal.father,
            principal.nationality,
        )

    def _three_generations(self, size: int, nationality: str) -> list[_Member]:
        """Grandparents, their son, his wife and their children (size - 4 grandchildren)."""
        grandchildren = size - 4
        if grandchildren:
            dil_age, son_gap, ages, twin = self._birth_ages(grandchildren, 0.1 + self.r() * 14.0)
        else:
            son_gap, twin, ages = self.rng.triangular(-2.0, 10.0, 3.0), -1, []
            dil_age = 20.0 + self.r() * 18.0
        son_age = dil_age + son_gap
        grandmother_age, gap, (born_at,), _ = self._birth_ages(1, son_age)
        if grandmother_age - born_at < son_age - 1e-6 or son_age < 19.0:
            return self._family(size - 2, nationality)  # grandparents would be too old
        dil_birth = self.arrival_ord - _days(dil_age)
        son_birth = dil_birth - _days(son_gap)
        grandmother_birth = son_birth - _days(born_at)
        grandfather = self._man(nationality, grandmother_birth - _days(gap))
        grandmother = self._woman(self._spouse_nationality(nationality), grandmother_birth)
        heads = self._heads(grandfather, grandmother)
        used = {grandfather.given}
        son_given = self._given(self._given_table("M", nationality), used)
        son = _Member(
            "child", "M", son_birth, son_given, grandfather.family, grandfather.given, nationality
        )
        dil = self._woman(self._spouse_nationality(nationality), dil_birth)
        dil.relationship = "other_relative"  # daughter-in-law
        kids = self._children(son, ages, dil_birth, twin)
        for kid in kids:
            kid.relationship = "grandchild"
        return heads + [son, dil] + kids

    # -- persons: ids, dates, documents, phones, specific needs, notes -------------------

    def _persons(self, case_id: str, members: list[_Member]) -> list[SyntheticPerson]:
        """Turn a case's members into persons (the principal applicant first)."""
        arrival_ord, arrival = self.arrival_ord, self.arrival
        lone_parent = len(members) > 1 and self._lone_parent(members)
        principal_phone = ""
        persons: list[SyntheticPerson] = []
        for member in members:
            age = (arrival_ord - member.birth) / _DAYS_PER_YEAR
            if member.twin_of is not None and member.twin_of.person is not None:
                birth_text = member.twin_of.person.birth_date  # twins: written alike
            elif member.exact:
                birth_text = dt.date.fromordinal(member.birth).isoformat()
            else:
                birth_text = self._birth_text(member.birth, age)
            phone = self._phone(age, member.relationship, principal_phone)
            if member.relationship == "principal":
                principal_phone = phone
            needs = self._needs(member, age, lone_parent)
            self.person_seq += 1
            member.person = SyntheticPerson(
                f"P{self.person_seq:06d}",
                case_id,
                member.relationship,
                member.given,
                member.family,
                member.father,
                member.sex,
                birth_text,
                member.nationality,
                self._document(age, member.nationality),
                phone,
                needs,
                arrival,
                self._notes(member, needs),
            )
            persons.append(member.person)
        return persons

    def _lone_parent(self, members: list[_Member]) -> bool:
        """Does the principal applicant care for minor children without a spouse?"""
        adult_birth = self.arrival_ord - _EIGHTEEN_YEARS
        return any(
            m.relationship == "child" and m.birth > adult_birth for m in members
        ) and not any(m.relationship == "spouse" for m in members)

    def _birth_text(self, birth: int, age: float) -> str:
        """A full date mostly; year or year-month only for some (more often for the old)."""
        text = dt.date.fromordinal(birth).isoformat()
        r = self.r()
        partial = 0.02 if age < 18 else 0.08 if age < 60 else 0.18
        if r < partial:
            return text[:4] if r < partial * 0.7 else text[:7]
        return text

    def _document(self, age: float, nationality: str) -> str:
        """A camp registration number, a passport number, or nothing."""
        r = self.r()
        if r < 0.5 or (age < 18 and r < 0.7):
            return self._registration_number()
        if r < 0.75 and age >= 18:
            return self._passport_number(nationality)
        return ""

    def _registration_number(self) -> str:
        self.unhcr_seq += 1
        return f"LIB-{self.arrival[2:4]}-{self.unhcr_seq:06d}"

    def _passport_number(self, nationality: str) -> str:
        # A bijection of a counter onto 8 digits: unique without remembering them all.
        self.passport_seq += 1
        number = (self.passport_seq * 73_102_481 + 19_620_317) % 100_000_000
        letter = _PASSPORT_LETTERS[int(self.r() * len(_PASSPORT_LETTERS))]
        if nationality == "IRQ":
            return f"{letter}{number % 10_000_000:07d}"
        return f"{letter}{number:08d}"

    def _phone(self, age: float, relationship: str, principal_phone: str) -> str:
        """Most residents had no phone (they were cut off); some share the principal's."""
        if age < 16:
            return ""
        r = self.r()
        if relationship == "principal":
            return self._new_phone() if r < 0.25 else ""
        if principal_phone and r < 0.2:
            return principal_phone
        return self._new_phone() if r > 0.9 else ""

    def _new_phone(self) -> str:
        r = self.r
        prefix = _MOBILE_PREFIXES[int(r() * len(_MOBILE_PREFIXES))]
        number = int(r() * 10_000_000)
        return f"+964 {prefix} {number // 10_000:03d} {number % 10_000:04d}"

    def _needs(self, member: _Member, age: float, lone_parent: bool) -> list[str]:
        """Specific needs at the prevalence of an older, long-confined population."""
        r = self.r
        needs = []
        adult = age >= 18
        woman = member.sex == "F"
        if r() < min(0.35, 0.04 + 0.005 * max(0.0, age - 30.0)):
            needs.append("SM")
        if r() < 0.03 + 0.002 * max(0.0, age - 40.0):
            needs.append("DS")
        if age >= 60 and r() < (0.6 if age >= 75 else 0.3):
            needs.append("ER")
        if not adult and member.relationship == "sibling" and r() < 0.7:
            needs.append("SC")  # a minor cared for by an older brother or sister
        if not adult and r() < 0.05:
            needs.append("CR")
        if woman and adult and r() < (0.08 if member.relationship == "principal" else 0.01):
            needs.append("WR")
        if lone_parent and member.relationship == "principal" and r() < 0.9:
            needs.append("SP")
        if adult and r() < (0.12 if age >= 35 else 0.04):
            needs.append("TR")  # many were political prisoners before 1990
        if woman and adult and r() < 0.02:
            needs.append("SV")
        if adult and r() < 0.05:
            needs.append("LP")
        if adult and r() < 0.02:
            needs.append("FU")
        return needs

    def _notes(self, member: _Member, needs: list[str]) -> str:
        """A short remark of the kind clerks write; empty for most persons."""
        r = self.r
        if r() > 0.25:
            return ""
        for code in needs:
            options = _NEED_NOTES.get(code)
            if options and r() < 0.6:
                return options[int(r() * len(options))]
        choice = r()
        if choice < 0.25:
            places = _BIRTHPLACES_IRQ if member.nationality == "IRQ" else _BIRTHPLACES_IRN
            return f"Born in {places[int(r() * len(places))]}"
        if choice < 0.4:
            return f"Relatives in {_RELATIVES_ABROAD[int(r() * len(_RELATIVES_ABROAD))]}"
        if choice < 0.45 and member.sex == "F":
            return "Asked for a female interviewer"
        return _GENERAL_NOTES[int(r() * len(_GENERAL_NOTES))]

    # -- re-registrations -----------------------------------------------------------------

    def _reregistration(self) -> tuple[SyntheticCase, SyntheticPerson, tuple[str, str]]:
        """Copy an earlier adult into a new single-person case, as a clerk would re-register
        them: another spelling, perhaps a vaguer or garbled birth date, a lost document."""
        r = self.r
        i = int(r() * len(self.pool))
        original = self.pool[i]
        self.pool[i] = self.pool[-1]
        self.pool.pop()  # never copy the same person twice
        given, family, father = self._respelled(original)
        case = self._new_case(1)
        self.person_seq += 1
        document = (
            original.document_number
            if r() < 0.2
            else (self._registration_number() if r() < 0.45 else "")
        )
        choice = r()
        phone = original.phone if choice < 0.2 else self._new_phone() if choice < 0.6 else ""
        needs = [n for n in original.specific_needs if r() < 0.8]
        copy = SyntheticPerson(
            f"P{self.person_seq:06d}",
            case.case_id,
            "principal",
            given,
            family,
            father,
            original.sex,
            self._garbled_birth(original.birth_date),
            original.nationality,
            document,
            phone,
            needs,
            self.arrival,
            "" if r() < 0.8 else _GENERAL_NOTES[int(r() * len(_GENERAL_NOTES))],
        )
        return case, copy, (original.person_id, copy.person_id)

    def _respelled(self, original: SyntheticPerson) -> tuple[str, str, str]:
        """The three names, at least one of them spelled differently."""
        r = self.r
        names = [original.given_name, original.family_name, original.father_name]
        pick = r()
        first = 0 if pick < 0.5 else 1 if pick < 0.8 else 2
        for j in range(3):
            if j == first or r() < 0.15:
                names[j] = _respell(names[j], r)
        return names[0], names[1], names[2]

    def _garbled_birth(self, text: str) -> str:
        """The same birth date, or a vaguer one, or day and month swapped, or a year off."""
        r = self.r()
        if len(text) != 10 or r >= 0.45:
            return text
        if r < 0.2:
            return text[:4] if r < 0.12 else text[:7]
        year, month, day = int(text[:4]), int(text[5:7]), int(text[8:10])
        if r < 0.37 and day <= 12 and day != month:
            swapped = f"{year:04d}-{day:02d}-{month:02d}"
            return swapped if swapped <= self.arrival else text
        shifted = f"{year + (1 if r < 0.41 else -1):04d}-{month:02d}-{min(day, 28):02d}"
        return shifted if shifted <= self.arrival else text


# ---------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------


def generate_population(seed: int = 2013, persons: int = 3200) -> SyntheticPopulation:
    """The synthetic population of Camp Liberty: `persons` persons in cases, of which
    about 1% are planted re-registrations (listed in `duplicates`). Same seed, same data."""
    cases: list[SyntheticCase] = []
    people: list[SyntheticPerson] = []
    duplicates: list[tuple[str, str]] = []
    twins: list[tuple[str, str]] = []
    # Millions of new objects, none of them cyclic: the cycle collector's repeated passes
    # over the growing heap would only cost time (a fifth of it at a million persons).
    collecting = gc.isenabled()
    gc.disable()
    try:
        for case, members, pair, twin_pairs in _Generator(seed, max(0, persons)).cases():
            cases.append(case)
            people.extend(members)
            if pair:
                duplicates.append(pair)
            twins.extend(twin_pairs)
    finally:
        if collecting:
            gc.enable()
    return SyntheticPopulation(cases, people, duplicates, twins)


def iter_persons(seed: int = 2013, persons: int = 3200) -> Iterator[SyntheticPerson]:
    """The same persons as `generate_population(seed, persons)`, one at a time, in bounded
    memory (for imports and benchmarks of millions of rows)."""
    for _, members, _, _ in _Generator(seed, max(0, persons)).cases():
        yield from members


def write_people_csv(
    population: SyntheticPopulation | Iterable[SyntheticPerson], path: str | os.PathLike[str]
) -> None:
    """Write the person CSV of DESIGN.md (UTF-8, header row, needs joined by ';')."""
    rows = population.persons if isinstance(population, SyntheticPopulation) else population
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(PEOPLE_CSV_COLUMNS)
        writer.writerows(
            (
                p.person_id,
                p.case_id,
                p.relationship,
                p.given_name,
                p.family_name,
                p.father_name,
                p.sex,
                p.birth_date,
                p.nationality,
                p.document_number,
                p.phone,
                ";".join(p.specific_needs),
            )
            for p in rows
        )
