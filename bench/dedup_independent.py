"""An independent generator of registration data, for MEASURING the dedup engine only.

Written from what is publicly known about registries of this kind (busy registration desks,
Arabic and Persian names in Latin script), and deliberately sharing no code, name list or
variant rule with onward/demo/synthetic.py or bench/dedup_variants.py. Tune nothing on it.

    .venv/bin/python bench/dedup_independent.py --seeds 101 202 303 --n 10000   # engine
    .venv/bin/python bench/dedup_independent.py --seeds 101 --n 10000 --splink   # + Splink
    .venv/bin/python bench/dedup_independent.py --seeds 101 --n 1000000          # the 1M option
    .venv/bin/python bench/dedup_independent.py --seeds 101 --n 1000 --dump x.jsonl

Noise applied to a re-registration (each independently, rates in NOISE): given and family
names swapped; day and month swapped; year off by one; DOB recorded as 1 January; father's
name left empty; one-letter typos (keyboard-adjacent, dropped, doubled, transposed); names in
capitals; family article added/dropped/re-spelt (al-, el-, Al ); another country's
transliteration habits (ou/u, ee/i, kh/h, q/k/gh, w/v, -eh/-a); middle name dropped; document
number noise (a digit changed, the prefix dropped, or left empty). True non-duplicates that
look alike: households with twins (same DOB, same family and father, different given name)
and siblings (close DOBs).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# Own lists (common names in Iraq, Syria, Afghanistan and Iran as published in name-frequency
# tables and press lists), spelt one conventional way; variants come from the rules below.
GIVEN_M = (
    "Mohammed Ahmad Ali Hussein Omar Khaled Youssef Ibrahim Mahmoud Abdullah Hassan Mustafa "
    "Karim Tariq Samir Nabil Walid Faisal Jamal Rami Bilal Hamza Ziad Adnan Qasim Haidar "
    "Reza Mehdi Hamid Javad Saeed Farhad Dariush Behrouz Navid Parviz Ghulam Nasir Wahid "
    "Sohrab Masoud Yasin Anwar Kamal Salim Mansour Basim Raed Firas Munir"
).split()
GIVEN_F = (
    "Fatima Aisha Maryam Zainab Noor Huda Layla Rania Samira Amal Hanan Yasmin Dalia Reem "
    "Salma Sara Khadija Asma Ruqaya Iman Zahra Leila Shirin Parisa Mahsa Farzaneh Nasrin "
    "Soraya Roya Golnar Habiba Marzieh Wahida Masouma Sakina Shabnam Farida Nadia Lina Rasha"
).split()
FAMILY = (
    "Hashimi Obeidi Jubouri Tamimi Dulaimi Shammari Zubaidi Rubaie Khafaji Saadi Hamdani "
    "Masri Halabi Homsi Khatib Haddad Najjar Sabbagh Attar Khoury Qassab Darwish Othman "
    "Mousavi Hosseini Rezaei Mohammadi Karimi Ahmadi Rahimi Jafari Ghorbani Sadeghi Kazemi "
    "Haidari Nazari Sultani Wardak Popal Noorzai Barakzai Safi Ghaznawi Qaderi Rasuli "
    "Farouqi Bakri Shaikh Kurdi Mansouri Yousefi Qureshi Hakimi Wahidi Samadi Taheri"
).split()
ARTICLE_OK = set(FAMILY[:30])  # Arabic family names that take an article
MIDDLE = "Abdul Mohammad Ali Hassan Gul Noor Jan".split()
NATS = ("IRQ", "SYR", "AFG", "IRN")

# Transliteration habits, each a pair of spellings either way (applied to one occurrence).
TRANSLIT = (("ou", "u"), ("ee", "i"), ("kh", "h"), ("q", "k"), ("q", "gh"), ("w", "v"))
KEYS = "qwertyuiop asdfghjkl zxcvbnm".split()

NOISE = {
    "swap_names": 0.08,
    "swap_day_month": 0.06,
    "year_off": 0.06,
    "jan_first": 0.07,
    "father_empty": 0.15,
    "typo": 0.25,
    "capitals": 0.15,
    "article": 0.20,
    "translit": 0.35,
    "drop_middle": 0.5,
    "doc_noise": 0.2,
}


def _adjacent(c: str, rng: random.Random) -> str:
    for row in KEYS:
        i = row.find(c.lower())
        if i >= 0:
            j = i + rng.choice((-1, 1)) if 0 < i < len(row) - 1 else (1 if i == 0 else i - 1)
            return row[j]
    return c


def typo(s: str, rng: random.Random) -> str:
    if len(s) < 3:
        return s
    i = rng.randrange(1, len(s) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return s[:i] + _adjacent(s[i], rng) + s[i + 1 :]
    if kind == 1:
        return s[:i] + s[i + 1 :]
    if kind == 2:
        return s[:i] + s[i] + s[i:]
    return s[:i] + s[i + 1] + s[i] + s[i + 2 :]


def translit(s: str, rng: random.Random) -> str:
    low = s.lower()
    options = [(a, b) for a, b in TRANSLIT if a in low] + [(b, a) for a, b in TRANSLIT if b in low]
    if low.endswith("eh"):
        options.append(("eh", "a"))
    elif low.endswith("a"):
        options.append(("a", "eh"))
    if not options:
        return s
    a, b = rng.choice(options)
    if a in ("eh", "a") and low.endswith(a):
        return s[: len(s) - len(a)] + b
    i = low.find(a)
    out = s[:i] + (b.capitalize() if i == 0 else b) + s[i + len(a) :]
    return out


def article(family: str, rng: random.Random) -> str:
    for p in ("al-", "el-", "Al ", "Al-", "El-"):
        if family.startswith(p):
            return (
                family[len(p) :]
                if rng.random() < 0.6
                else rng.choice(("al-", "el-", "Al ")) + family[len(p) :]
            )
    return rng.choice(("al-", "el-", "Al ")) + family


class Gen:
    def __init__(self, seed: int, dup_rate: float = 0.15) -> None:
        self.rng = random.Random(seed)
        self.dup_rate = dup_rate
        self.rows: list[dict] = []
        self.ents: list[int] = []
        self.n_ent = 0

    def base(self, sex: str, family: str, father: str, nat: str, ymd, given: str | None = None):
        rng = self.rng
        given = given or rng.choice(GIVEN_M if sex == "M" else GIVEN_F)
        if rng.random() < 0.2:
            given = (
                rng.choice(MIDDLE) + " " + given if sex == "M" else given + " " + rng.choice(MIDDLE)
            )
        if family in ARTICLE_OK and rng.random() < 0.4:
            family = "al-" + family
        doc = (
            ("P" if nat == "IRN" else "A") + str(rng.randrange(10**7, 10**8))
            if rng.random() < 0.4
            else ""
        )
        phone = "+964 7" + str(rng.randrange(10**8, 10**9)) if rng.random() < 0.6 else ""
        return {
            "given": given,
            "family": family,
            "father": father,
            "sex": sex,
            "nat": nat,
            "ymd": ymd,
            "doc": doc,
            "phone": phone,
        }

    def emit(self, ent: int, p: dict, noisy: bool) -> None:
        rng = self.rng
        given, family, father = p["given"], p["family"], p["father"]
        y, m, d = p["ymd"]
        doc, phone = p["doc"], p["phone"]
        if noisy:
            z = NOISE
            if " " in given and rng.random() < z["drop_middle"]:
                parts = given.split()
                given = max(parts, key=lambda w: w not in MIDDLE)
            if rng.random() < z["article"] and family.split("-")[0] not in ("",):
                family = article(family, rng)
            for _ in range(2):
                if rng.random() < z["translit"]:
                    which = rng.randrange(3)
                    if which == 0:
                        given = translit(given, rng)
                    elif which == 1:
                        family = translit(family, rng)
                    elif father:
                        father = translit(father, rng)
            if rng.random() < z["typo"]:
                which = rng.randrange(3)
                if which == 0:
                    given = typo(given, rng)
                elif which == 1:
                    family = typo(family, rng)
                elif father:
                    father = typo(father, rng)
            if rng.random() < z["father_empty"]:
                father = ""
            if rng.random() < z["swap_names"]:
                given, family = family, given
            if rng.random() < z["capitals"]:
                given, family, father = given.upper(), family.upper(), father.upper()
            r = rng.random()
            if r < z["swap_day_month"] and d <= 12:
                m, d = d, m
            elif r < z["swap_day_month"] + z["year_off"]:
                y += rng.choice((-1, 1))
            elif r < z["swap_day_month"] + z["year_off"] + z["jan_first"]:
                m, d = 1, 1
            if doc and rng.random() < z["doc_noise"]:
                k = rng.randrange(3)
                if k == 0:
                    i = rng.randrange(1, len(doc))
                    doc = doc[:i] + str(rng.randrange(10)) + doc[i + 1 :]
                elif k == 1:
                    doc = doc[1:]
                else:
                    doc = ""
            if phone and rng.random() < 0.3:
                phone = ""
        self.rows.append(
            {
                "given_name": given,
                "family_name": family,
                "father_name": father,
                "sex": p["sex"] if rng.random() > 0.02 else "",
                "birth_date": f"{y:04d}-{m:02d}-{d:02d}",
                "nationality": p["nat"],
                "document_number": doc,
                "phone": phone,
            }
        )
        self.ents.append(ent)

    def person(self, p: dict) -> None:
        ent = self.n_ent
        self.n_ent += 1
        self.emit(ent, p, noisy=False)
        if self.rng.random() < self.dup_rate:
            for _ in range(1 if self.rng.random() < 0.85 else 2):
                self.emit(ent, p, noisy=True)

    def household(self) -> None:
        rng = self.rng
        nat = rng.choice(NATS)
        family = rng.choice(FAMILY)
        father = rng.choice(GIVEN_M)
        parent_year = rng.randint(1955, 1990)
        for sex in "MF":
            g = GIVEN_M if sex == "M" else GIVEN_F
            fam = family if sex == "M" else rng.choice(FAMILY)
            self.person(
                self.base(
                    sex,
                    fam,
                    rng.choice(GIVEN_M),
                    nat,
                    (parent_year + rng.randint(-3, 3), rng.randint(1, 12), rng.randint(1, 28)),
                    rng.choice(g),
                )
            )
        kids = rng.randint(0, 5)
        year = parent_year + rng.randint(20, 28)
        used: set[str] = set()
        i = 0
        while i < kids:
            ymd = (min(year, 2025), rng.randint(1, 12), rng.randint(1, 28))
            twins = 2 if rng.random() < 0.08 else 1  # twins: same DOB, different given name
            for _ in range(twins):
                sex = rng.choice("MF")
                g = GIVEN_M if sex == "M" else GIVEN_F
                given = rng.choice([x for x in g if x not in used])
                used.add(given)
                self.person(self.base(sex, family, father, nat, ymd, given))
                i += 1
            year += rng.randint(1, 3)


def generate(n: int, seed: int, dup_rate: float = 0.15) -> tuple[list[dict], list[int]]:
    g = Gen(seed, dup_rate)
    while len(g.rows) < n:
        g.household()
    return g.rows[:n], g.ents[:n]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[101, 202, 303])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--splink", action="store_true")
    ap.add_argument("--dump", help="write the records (JSON lines, with entity) and stop")
    a = ap.parse_args(argv)
    for seed in a.seeds:
        rows, ents = generate(a.n, seed)
        if a.dump:
            with open(a.dump, "w") as f:
                for r, e in zip(rows, ents, strict=True):
                    f.write(json.dumps({**r, "entity": e}, ensure_ascii=False) + "\n")
            return 0
        import dedup_bench

        out = {"set": f"independent-{seed}", "n": a.n, "onward": dedup_bench.run_onward(rows, ents)}
        if a.splink:
            out["splink"] = dedup_bench.run_splink(rows, ents)
        print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
