"""Synthetic registry of Arabic and Persian names with known duplicates (deterministic by seed).

The spelling lists below are real attested Latin spellings of common Iranian and Iraqi
given and family names, collected from public knowledge.  They are kept apart from the
engine's rules on purpose: the benchmark measures the rules on spellings the engine did
not memorise.

Households: a family name, a father (whose given name is the children's father_name),
siblings with different given names, sometimes twins (same birth date).  Re-registrations:
the same person registered again with another spelling, a partial or day/month-swapped
date, a missing document, a changed phone, an article added or dropped, the odd typo.

    python bench/dedup_variants.py --records 10000 --seed 1 --out /tmp/people.csv \
        --truth /tmp/truth.csv
    # the second, held-out set: another seed, more partial dates, fewer documents
    python bench/dedup_variants.py --records 10000 --seed 7 --partial 0.45 --documents 0.3 \
        --out /tmp/people2.csv --truth /tmp/truth2.csv
"""

from __future__ import annotations

import argparse
import csv
import random
import sys

MALE = [
    ["Mohammad", "Muhammad", "Mohammed", "Mohamed", "Mohamad", "Muhammed", "Mouhamed"],
    ["Ali", "Aly", "Alee"],
    ["Hossein", "Hussein", "Husain", "Hussain", "Hosein", "Husayn", "Houssein", "Hocine"],
    ["Hassan", "Hasan", "Hassen"],
    ["Reza", "Rida", "Ridha", "Redha"],
    ["Mahdi", "Mehdi", "Mahdy", "Mehdy"],
    ["Ahmad", "Ahmed"],
    ["Mahmoud", "Mahmud", "Mahmood", "Mahmod"],
    ["Abbas", "Abas", "Abbass"],
    ["Jafar", "Jaafar", "Ja'far", "Jafer", "Djafar"],
    ["Mostafa", "Mustafa", "Moustafa", "Mustapha", "Mostapha"],
    ["Mohsen", "Mohsin", "Muhsin", "Mohssen"],
    ["Karim", "Kareem", "Karem"],
    ["Hamid", "Hameed"],
    ["Hamed", "Haamed"],
    ["Yousef", "Yusuf", "Youssef", "Yousif", "Yusef", "Yossef"],
    ["Ebrahim", "Ibrahim", "Ibraheem", "Ebraheem"],
    ["Esmail", "Ismail", "Esmaeil", "Ismael", "Ismaeel", "Esmaiel"],
    ["Abdulrahman", "Abdel Rahman", "Abd al-Rahman", "Abdurrahman", "Abdul Rahman",
     "Abdelrahman", "Abdorrahman"],
    ["Abdullah", "Abdallah", "Abdollah", "Abd Allah", "Abdulla"],
    ["Abdulkarim", "Abdel Karim", "Abd al-Karim", "Abdolkarim", "Abdul Karim"],
    ["Omar", "Umar", "Omer"],
    ["Othman", "Osman", "Usman", "Uthman"],
    ["Khaled", "Khalid", "Khaleed"],
    ["Qasim", "Ghasem", "Kasim", "Qassem", "Kassem", "Ghassem", "Qasem"],
    ["Sadegh", "Sadiq", "Sadeq", "Sadek", "Sadik"],
    ["Bagher", "Baqir", "Baqer", "Bakir"],
    ["Javad", "Jawad", "Jevad"],
    ["Vahid", "Wahid", "Waheed"],
    ["Saeed", "Said", "Saied", "Sa'id", "Saeid"],
    ["Morteza", "Murtada", "Murtadha", "Mortaza", "Mortada"],
    ["Mojtaba", "Mujtaba"],
    ["Amir", "Ameer"],
    ["Hamza", "Hamzeh", "Hamzah"],
    ["Yaqub", "Yaghoub", "Yacoub", "Yakub", "Yaqoob", "Yaaqub"],
    ["Musa", "Mousa", "Moosa", "Mussa"],
    ["Isa", "Eisa", "Issa", "Essa"],
    ["Dawood", "Davood", "Daoud", "Dawud", "Daud"],
    ["Meysam", "Maytham", "Meisam", "Maitham"],
    ["Heidar", "Haidar", "Haydar", "Heydar", "Hayder"],
    ["Nasser", "Naser", "Nasir", "Nacer"],
    ["Salman", "Selman"],
    ["Majid", "Majeed", "Madjid"],
    ["Rasoul", "Rasul", "Rasool"],
    ["Gholam", "Ghulam", "Golam", "Qolam"],
    ["Akbar", "Akber"],
    ["Asghar", "Asgar", "Askar"],
    ["Nureddin", "Nour al-Din", "Noureddine", "Nur ad-Din", "Nuraddin"],
    ["Hadi", "Haadi", "Hady"],
    ["Saleh", "Salih"],
    ["Ammar", "Amar"],
    ["Karrar", "Karar"],
    ["Iyad", "Ayad", "Eyad"],
    ["Zaid", "Zeid", "Zayd"],
    ["Uday", "Oday", "Odai", "Udai"],
    ["Sajjad", "Sajad"],
    ["Farhad", "Farhaad"],
    ["Behrouz", "Behruz", "Behrooz"],
    ["Kourosh", "Kurosh", "Koorosh"],
    ["Siavash", "Siyavash", "Siavosh"],
    ["Omid", "Umid", "Omeed"],
    ["Ehsan", "Ihsan", "Ehsaan"],
    ["Navid", "Naveed"],
    ["Milad", "Meelad"],
    ["Peyman", "Payman", "Paiman"],
    ["Arash", "Aarash"],
    ["Babak", "Baabak"],
    ["Younes", "Yunus", "Younis", "Yunes"],
    ["Jalal", "Djalal", "Jalaal"],
    ["Kamal", "Kamaal", "Kemal"],
]

FEMALE = [
    ["Fatemeh", "Fatima", "Fatimah", "Fateme", "Fatma", "Fatmeh"],
    ["Zahra", "Zahraa", "Zahrah", "Zehra"],
    ["Maryam", "Mariam", "Maryem", "Meryem", "Mariyam"],
    ["Zeinab", "Zainab", "Zaynab", "Zeynab"],
    ["Masoumeh", "Masuma", "Masoomeh", "Masoume", "Maasoumeh"],
    ["Khadijeh", "Khadija", "Khadidja", "Khadeeja", "Khadijah"],
    ["Leila", "Layla", "Laila", "Leyla"],
    ["Aisha", "Ayesha", "Aicha", "Aysha", "Aishah"],
    ["Sakineh", "Sakina", "Sakinah", "Sakine"],
    ["Narges", "Nargis", "Narjes", "Narjis"],
    ["Roghayeh", "Ruqayya", "Roqayeh", "Ruqaya", "Rogayeh"],
    ["Somayeh", "Sumaya", "Somaye", "Sumayyah"],
    ["Elham", "Ilham"],
    ["Shirin", "Shireen"],
    ["Parisa", "Parissa"],
    ["Azadeh", "Azade", "Azada"],
    ["Mina", "Meena"],
    ["Sara", "Sarah"],
    ["Nour", "Noor", "Nur"],
    ["Hoda", "Huda", "Houda"],
    ["Samira", "Sameera", "Samirah"],
    ["Amal", "Amaal"],
    ["Asma", "Asmaa", "Asmah"],
    ["Rana", "Ranaa"],
    ["Amina", "Ameneh", "Aminah", "Amene"],
    ["Hajar", "Hadjer", "Hajer"],
    ["Tahereh", "Tahira", "Tahere", "Taheera"],
    ["Nasrin", "Nasreen"],
    ["Soraya", "Thuraya", "Suraya"],
    ["Fereshteh", "Fereshte"],
    ["Marzieh", "Marziyeh", "Marzie"],
    ["Zohreh", "Zohre", "Zuhra"],
    ["Batool", "Batoul", "Batul"],
    ["Alia", "Aliya", "Aaliyah"],
    ["Halima", "Halimeh", "Haleema"],
    ["Shahla", "Shahlaa"],
    ["Mahnaz", "Mahnaaz"],
    ["Noura", "Nora", "Noora", "Nura"],
    ["Rahma", "Rahmah", "Rahmeh"],
    ["Safiya", "Safia", "Safiyeh", "Safiyyah"],
]

FAMILY_IRN = [
    ["Hosseini", "Husseini", "Hoseini", "Hosaini"],
    ["Mohammadi", "Mohamadi", "Muhammadi"],
    ["Ahmadi", "Ahmady"],
    ["Rezaei", "Rezaee", "Rezai", "Rezayi", "Rezaie"],
    ["Karimi", "Kareemi"],
    ["Hashemi", "Hashimi"],
    ["Moradi", "Muradi", "Mouradi"],
    ["Jafari", "Jaafari", "Ja'fari", "Djafari"],
    ["Rahimi", "Raheemi"],
    ["Sadeghi", "Sadeqi", "Sadiqi"],
    ["Ghorbani", "Qorbani", "Gorbani", "Qurbani"],
    ["Mousavi", "Musavi", "Moosavi", "Musawi", "Mousawi"],
    ["Kazemi", "Kazimi", "Kadhimi"],
    ["Heidari", "Haidari", "Heydari", "Haydari"],
    ["Akbari", "Akbary"],
    ["Abbasi", "Abassi"],
    ["Hosseinzadeh", "Hoseinzadeh", "Husseinzadeh", "Hosseinzade"],
    ["Ebrahimi", "Ibrahimi"],
    ["Nazari", "Nazary"],
    ["Salehi", "Salihi"],
    ["Azizi", "Azeezi"],
    ["Najafi", "Nadjafi"],
    ["Rostami", "Rustami"],
    ["Yousefi", "Yusufi", "Yousfi"],
    ["Alavi", "Alawi"],
    ["Amini", "Ameeni"],
    ["Bagheri", "Baqeri", "Baqiri"],
    ["Ghasemi", "Qasemi", "Ghassemi", "Qasimi"],
    ["Shahbazi", "Shahbazy"],
    ["Tavakoli", "Tavakkoli", "Tawakoli"],
    ["Mahmoudi", "Mahmudi", "Mahmoodi"],
    ["Safari", "Saffari"],
    ["Naderi", "Nadiri"],
    ["Soltani", "Sultani"],
    ["Zamani", "Zamany"],
]

FAMILY_IRQ = [
    ["al-Jubouri", "Al Juboori", "Aljuburi", "al-Jabouri", "Jubouri"],
    ["al-Tamimi", "Al Tamimi", "Altamimi", "Tamimi", "at-Tamimi"],
    ["al-Obaidi", "Al Ubaidi", "Alobaidi", "Obaidi", "al-Ubaydi"],
    ["al-Dulaimi", "Al Dulaymi", "Dulaimi", "ad-Dulaimi"],
    ["al-Shammari", "Al Shamari", "ash-Shammari", "Shammari"],
    ["al-Saadi", "Al Sa'adi", "Saadi", "as-Saadi"],
    ["al-Khafaji", "Al Khafaji", "Khafaji", "Alkhafaji"],
    ["al-Maliki", "Al Malki", "Maliki"],
    ["al-Zubaidi", "Al Zubaydi", "Zubaidi", "az-Zubaidi"],
    ["al-Rubaie", "Al Rubaiee", "Rubaie", "Al-Rubaye"],
    ["al-Janabi", "Al Jenabi", "Janabi"],
    ["al-Azzawi", "Al Azawi", "Azzawi"],
    ["al-Hassan", "Hassan", "Al Hasan"],
    ["al-Mousawi", "Al Musawi", "Mousawi"],
    ["al-Hakim", "Al Hakeem", "Hakim"],
    ["al-Kubaisi", "Kubaisi", "al-Qubaisi"],
    ["Kadhim", "Kazem", "Kazim", "Kadim"],
    ["Jassim", "Jasim", "Jasem"],
    ["al-Ameri", "Al Amiri", "Ameri"],
    ["al-Bayati", "Al Bayati", "Bayati"],
    ["al-Sudani", "Al Soudani", "Sudani"],
    ["al-Rikabi", "Al Rekabi", "Rikabi"],
    ["al-Lami", "Al Lami", "Lami"],
    ["al-Mashhadani", "Al Mashadani", "Mashhadani"],
    ["al-Asadi", "Al Assadi", "Asadi"],
]

COLUMNS = ["person_id", "case_id", "relationship", "given_name", "family_name", "father_name",
           "sex", "birth_date", "nationality", "document_number", "phone", "specific_needs"]


def spelling(rng: random.Random, family: list[str]) -> str:
    """One attested spelling, the first (most common) more often."""
    return family[0] if rng.random() < 0.4 else rng.choice(family)


def typo(rng: random.Random, s: str) -> str:
    """One keyboard slip: substitution, deletion, insertion or transposition."""
    if len(s) < 4:
        return s
    i = rng.randrange(1, len(s) - 1)
    kind = rng.randrange(4)
    letter = rng.choice("aeioudhkmnrst")
    if kind == 0:
        return s[:i] + letter + s[i + 1:]
    if kind == 1:
        return s[:i] + s[i + 1:]
    if kind == 2:
        return s[:i] + letter + s[i:]
    return s[:i - 1] + s[i] + s[i - 1] + s[i + 1:]


def fmt_date(y: int, m: int, d: int, partial: float, rng: random.Random) -> str:
    """A birth date, partial (YYYY or YYYY-MM) with probability ``partial``."""
    r = rng.random()
    if r < partial * 0.6:
        return f"{y:04d}"
    if r < partial:
        return f"{y:04d}-{m:02d}"
    return f"{y:04d}-{m:02d}-{d:02d}"


class Generator:
    """Builds households, people and their registrations."""

    def __init__(self, seed: int, dup_rate: float = 0.12, partial: float = 0.25,
                 documents: float = 0.6) -> None:
        self.rng = random.Random(seed)
        self.dup_rate = dup_rate
        self.partial = partial          # share of partial birth dates (YYYY or YYYY-MM)
        self.documents = documents      # share of persons holding a document
        self.rows: list[dict] = []
        self.truth: list[tuple[str, int]] = []
        self.n_case = 0
        self.n_entity = 0

    def person(self, sex: str, family: list[str], father: list[str] | None, nat: str,
               year: int, case: str, rel: str, phone: str, same_dob=None) -> None:
        """One person (an entity) and their registrations."""
        rng = self.rng
        given = rng.choice(MALE if sex == "M" else FEMALE)
        if same_dob:
            y, m, d = same_dob
        else:
            y, m, d = year, rng.randint(1, 12), rng.randint(1, 28)
        doc = (("P" if nat == "IRN" else "A") + str(rng.randrange(10**7, 10**8))
               if rng.random() < self.documents else "")
        ent = self.n_entity
        self.n_entity += 1
        base = {"given": given, "family": family, "father": father, "sex": sex, "nat": nat,
                "ymd": (y, m, d), "doc": doc, "phone": phone, "case": case, "rel": rel}
        self.emit(ent, base, dup=False)
        if rng.random() < self.dup_rate:
            for _ in range(1 if rng.random() < 0.85 else 2):
                self.emit(ent, base, dup=True)
        return (given, (y, m, d))

    def emit(self, ent: int, p: dict, dup: bool) -> None:
        """Write one registration of entity ``ent`` (a re-registration when dup)."""
        rng = self.rng
        y, m, d = p["ymd"]
        given = spelling(rng, p["given"])
        family = spelling(rng, p["family"])
        father = spelling(rng, p["father"]) if p["father"] else ""
        if dup:
            given = typo(rng, given) if rng.random() < 0.04 else given
            family = typo(rng, family) if rng.random() < 0.04 else family
            father = "" if rng.random() < 0.2 else father
            r = rng.random()
            if r < 0.15 and d <= 12 and d != m:
                m, d = d, m
            elif r < 0.22:
                y += rng.choice((-1, 1))
            date = "" if rng.random() < 0.05 else fmt_date(y, m, d, self.partial + 0.05, rng)
            doc = "" if rng.random() < 0.5 else p["doc"]
            if doc and rng.random() < 0.1:
                doc = doc[:-1] + str((int(doc[-1]) + 1) % 10)
            phone = p["phone"]
            if rng.random() < 0.4:
                phone = "+964 7" + str(rng.randrange(10**8, 10**9))
            elif rng.random() < 0.3:
                phone = ""
            case = self.new_case()
            rel = "principal"
            sex = "" if rng.random() < 0.03 else p["sex"]
            nat = "" if rng.random() < 0.05 else p["nat"]
        else:
            date = "" if rng.random() < 0.03 else fmt_date(y, m, d, self.partial, rng)
            doc, phone, case, rel, sex, nat = (p["doc"], p["phone"], p["case"], p["rel"],
                                               p["sex"], p["nat"])
            father = "" if rng.random() < 0.1 else father
        pid = f"P{len(self.rows) + 1:07d}"
        self.rows.append({
            "person_id": pid, "case_id": case, "relationship": rel, "given_name": given,
            "family_name": family, "father_name": father, "sex": sex, "birth_date": date,
            "nationality": nat, "document_number": doc, "phone": phone, "specific_needs": "",
        })
        self.truth.append((pid, ent))

    def new_case(self) -> str:
        self.n_case += 1
        return f"C{self.n_case:07d}"

    def household(self) -> None:
        """A household: parents (usually) and siblings, sometimes twins."""
        rng = self.rng
        nat = "IRN" if rng.random() < 0.55 else "IRQ"
        fams = FAMILY_IRN if nat == "IRN" else FAMILY_IRQ
        family = rng.choice(fams)
        grandfather = rng.choice(MALE)
        phone = "+98 9" + str(rng.randrange(10**8, 10**9)) if rng.random() < 0.7 else ""
        case = self.new_case()
        fy = rng.randint(1950, 1995)
        father_given, _ = self.person("M", family, grandfather, nat, fy, case, "principal", phone)
        father = father_given
        if rng.random() < 0.8:
            self.person("F", rng.choice(fams), rng.choice(MALE), nat, fy + rng.randint(-3, 8),
                        case, "spouse", phone)
        n_children = rng.choice((0, 1, 2, 2, 3, 3, 4, 5, 6))
        for _ in range(n_children):
            cy = min(fy + rng.randint(20, 40), 2024)
            sex = rng.choice("MF")
            given, dob = self.person(sex, family, father, nat, cy, case, "child", phone)
            if rng.random() < 0.06:  # a twin: same date, same family and father
                self.person(rng.choice("MF"), family, father, nat, cy, case, "child", phone,
                            same_dob=dob)

    def run(self, n_records: int) -> None:
        while len(self.rows) < n_records:
            self.household()
        del self.rows[n_records:]
        del self.truth[n_records:]


def generate(n_records: int, seed: int = 1, **settings) -> tuple[list[dict],
                                                                 list[tuple[str, int]]]:
    """(rows of the person CSV, (person_id, entity) truth).  ``settings``: dup_rate,
    partial, documents (see Generator); the defaults are the first variant set's."""
    g = Generator(seed, **settings)
    g.run(n_records)
    return g.rows, g.truth


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--truth", required=True)
    ap.add_argument("--partial", type=float, default=0.25, help="share of partial dates")
    ap.add_argument("--documents", type=float, default=0.6, help="share with a document")
    ap.add_argument("--dup-rate", type=float, default=0.12, help="share re-registered")
    args = ap.parse_args(argv)
    rows, truth = generate(args.records, args.seed, partial=args.partial,
                           documents=args.documents, dup_rate=args.dup_rate)
    with open(args.out, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, COLUMNS)
        w.writeheader()
        w.writerows(rows)
    with open(args.truth, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["person_id", "entity_id"])
        w.writerows(truth)
    return 0


if __name__ == "__main__":
    sys.exit(main())
