"""Name normalisation for Arabic and Persian names written in Latin or Arabic script.

Shared by the dedup engine and registry search.  The stable API is four functions:

* ``normalise(name)``  -> a canonical spelling: lower case, no diacritics, no punctuation,
  Arabic script transliterated, articles (al-, el-, ul-, as-, ash- …) dropped, compound names
  (Abd/Abdul/Abdel/Abd al- + X, Abu + X, X + ad-Din, X + Allah) joined into one token.
* ``name_tokens(name)`` -> the tokens of ``normalise(name)``.
* ``name_key(name)``   -> a transliteration-family key: two spellings of the same name share it
  (Mohammad/Muhammad/Mohamed/محمد; Hossein/Hussein/Husayn/Hocine; Fatemeh/Fatima/Fatimah).
* ``name_similarity(a, b)`` -> a score in [0, 1], transliteration aware.

How the key is built (general rules, see ``_phonetic``):

1. Spelling-level equivalences of Arabic/Persian romanisation: doubled letters collapse;
   ``ee/ii`` -> i, ``oo/ou`` -> u, ``aa`` -> a; a final ``h`` after a vowel is silent
   (-eh/-ah/-a end alike); French ``-ine`` -> ``-in`` (Hocine, Yacine); ``kh`` ~ ``x``;
   ``q/k/gh/g/c(hard)/ck`` are one class (ق غ ک گ: Qasim/Ghasem/Kasim); ``sh/ch`` one class;
   ``th`` -> s (ث: Othman/Osman, Maytham/Meysam); ``dh/dz/z`` -> z (ذ ز ض ظ: Ridha/Reza);
   ``dj`` -> j; ``zh/jh`` -> j (ژ: Bizhan/Bijan, Nezhad/Nejad); ``ph`` -> f; ``w`` -> v (Wahid/Vahid); ``ao/au`` -> av (Daoud/Dawood);
   a non-initial ``y`` is the vowel i (Maryam/Mariam, Husayn/Hussain).
2. Short vowels are unreliable between romanisations (Mohammad/Muhammad/Mohamed), so the
   key keeps the consonant skeleton and only two vowel facts that distinguish names:
   the class of the FIRST vowel (A = a, I = e/i, U = o/u; the diphthongs ai/ei/ay/ey count
   as A) and the class of a FINAL vowel (Ali -> ...I, Alia -> ...A, Fatemeh -> ...A).
   That keeps Hassan (hAsn) apart from Hossein/Hussein (hUsn), Mahmoud (mAhmd) apart from
   Mohammad (mUhmd), Reza (rIzA) apart from Raza (rAzA), Ali (AlI) apart from Alia (AlA).
3. A compact table of canonical families covers the few real variants no general rule
   reaches (Mehdi = Mahdi, Rida = Reza, Seyed = Sayyid …) and common names written in
   Arabic script without short vowels (محمد, حسین …).

``name_similarity`` treats "same consonant skeleton, different vowel pattern" as evidence
of two different names (Hassan vs Hossein) and caps the score below the "high" level.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np
from anyascii import anyascii
from rapidfuzz import process
from rapidfuzz.distance import OSA, JaroWinkler

__all__ = [
    "normalise",
    "name_key",
    "name_key_readings",
    "name_tokens",
    "name_similarity",
    "skeleton_and_vowels",
]

# --- Arabic script -------------------------------------------------------------------------

# Letter-by-letter transliteration, Persian letters included (پ چ ژ گ ی ک).  Long vowels are
# written in Arabic script (ا و ی); short vowels usually are not, see _translit_arabic_word.
ARABIC_LETTERS: dict[str, str] = {
    "ا": "a",
    "آ": "a",
    "أ": "a",
    "إ": "e",
    "ٱ": "a",
    "ء": "",
    "ؤ": "u",
    "ئ": "i",
    "ب": "b",
    "پ": "p",
    "ت": "t",
    "ث": "th",
    "ج": "j",
    "چ": "ch",
    "ح": "h",
    "خ": "kh",
    "د": "d",
    "ذ": "dh",
    "ر": "r",
    "ز": "z",
    "ژ": "zh",
    "س": "s",
    "ش": "sh",
    "ص": "s",
    "ض": "dh",
    "ط": "t",
    "ظ": "z",
    "ع": "",
    "غ": "gh",
    "ف": "f",
    "ق": "q",
    "ک": "k",
    "ك": "k",
    "گ": "g",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "و": "v",
    "ه": "h",
    "ة": "a",
    "ی": "y",
    "ي": "y",
    "ى": "a",
    "ۀ": "eh",
    "ـ": "",
}
_ARABIC_VOWEL_MARKS = {"\u064e": "a", "\u0650": "e", "\u064f": "o"}  # fatha, kasra, damma
_ARABIC_RE = re.compile(r"[\u0600-\u06ff]")

# Common names as they are written in Arabic script (no short vowels): the canonical Latin
# spelling.  Names not listed go through the letter table.
ARABIC_NAMES: dict[str, str] = {
    "محمد": "mohammad",
    "علی": "ali",
    "علي": "ali",
    "حسین": "hossein",
    "حسين": "hossein",
    "حسن": "hassan",
    "فاطمه": "fatemeh",
    "فاطمة": "fatima",
    "زهرا": "zahra",
    "زهراء": "zahra",
    "رضا": "reza",
    "مهدی": "mahdi",
    "مهدي": "mahdi",
    "احمد": "ahmad",
    "أحمد": "ahmad",
    "محمود": "mahmoud",
    "عباس": "abbas",
    "جعفر": "jafar",
    "مریم": "maryam",
    "مريم": "maryam",
    "زینب": "zeinab",
    "زينب": "zeinab",
    "یوسف": "yousef",
    "يوسف": "yousef",
    "ابراهیم": "ebrahim",
    "إبراهيم": "ibrahim",
    "عبدالله": "abdullah",
    "عمر": "omar",
    "عثمان": "othman",
    "خالد": "khaled",
    "مصطفی": "mostafa",
    "مصطفى": "mostafa",
    "محسن": "mohsen",
    "جواد": "javad",
    "قاسم": "qasim",
    "اکبر": "akbar",
    "اصغر": "asghar",
    "نور": "nour",
    "خدیجه": "khadijeh",
    "خديجة": "khadija",
    "عایشه": "aisha",
    "عائشة": "aisha",
    "لیلا": "leila",
    "ليلى": "layla",
    "مرتضی": "morteza",
    "مرتضى": "murtada",
    "مجتبی": "mojtaba",
    "سید": "sayyid",
    "سيد": "sayyid",
    "امیر": "amir",
    "أمير": "amir",
    "یعقوب": "yaqub",
    "يعقوب": "yaqub",
    "اسماعیل": "esmail",
    "إسماعيل": "ismail",
    "موسی": "musa",
    "موسى": "musa",
    "عیسی": "isa",
    "عيسى": "isa",
    "حمزه": "hamzeh",
    "حمزة": "hamza",
    "صالح": "saleh",
    "سلمان": "salman",
    "داوود": "davood",
    "داود": "dawud",
}

# --- Latin spelling ------------------------------------------------------------------------

# Article tokens dropped when another token follows (al-Hassan = Hassan; sun-letter forms).
ARTICLES = frozenset(
    {
        "al",
        "el",
        "ul",
        "ol",
        "il",
        "ar",
        "as",
        "ash",
        "at",
        "ad",
        "az",
        "an",
        "ed",
        "ud",
        "ur",
        "er",
        "es",
        "et",
        "ez",
        "en",
        "aal",
    }
)
# First parts of compound names joined to the following token.
_ABD_PREFIXES = frozenset(
    {
        "abd",
        "abdul",
        "abdel",
        "abdal",
        "abdol",
        "abdil",
        "abdu",
        "abdur",
        "abdor",
        "abdoul",
        "abdou",
        "abdo",
        "abdi",
    }
)
_ABU_PREFIXES = frozenset({"abu", "abou", "abo", "aboo"})
_SECOND_PARTS = frozenset({"din", "deen", "dine", "allah", "ullah", "ollah", "ulla", "olla"})
_ABD_RE = re.compile(r"^abd(?:[aeiou]l|[aeiou])?")
_SUN_DOUBLE_RE = re.compile(r"^(rr|ss|zz|nn|tt|dd|shsh|ll)")

# Canonical families that no general rule reaches (whole normalised words).
CANONICAL: dict[str, str] = {
    "mehdi": "mahdi",
    "mehdy": "mahdi",
    "mahdy": "mahdi",
    "rida": "reza",
    "redha": "reza",
    "ridha": "reza",
    "rezaa": "reza",
    "murtada": "morteza",
    "murtadha": "morteza",
    "mortada": "morteza",
    "ramadan": "ramazan",
    "ramadhan": "ramazan",
    "seyed": "sayyid",
    "seyyed": "sayyid",
    "sayed": "sayyid",
    "sayyed": "sayyid",
    "sayyid": "sayyid",
    "syed": "sayyid",
    "seyyid": "sayyid",
    "sayid": "sayyid",
    "seied": "sayyid",
    "sied": "sayyid",
    "mohd": "mohammad",
    "muhd": "mohammad",
    "mhd": "mohammad",
    "hussain": "hossein",
    "husain": "hossein",
}
# Keys fixed by hand where the general rules would merge two different names.
KEY_OVERRIDES: dict[str, str] = {"sayyid": "sAyd"}

_VOWELS = "aeiou"
A_E_ONLY = 0.92  # _vowel_pattern_cap: only a/e of the first vowel differ
_VCLASS = {"a": "A", "e": "I", "i": "I", "o": "U", "u": "U"}
# A final e is the feminine ending (Fatemeh = Fatima), so it joins a, not i.
_FINAL_CLASS = {"a": "A", "e": "A", "i": "I", "o": "U", "u": "U"}


def _strip_diacritics(text: str) -> str:
    """Remove combining marks (é -> e) keeping base letters."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_VOWEL_LETTERS = "اآأإیيىو"  # letters that are (or carry) a long vowel


def _bare(word: str) -> str:
    return "".join(c for c in word if not ("\u064b" <= c <= "\u065f" or c == "\u0670"))


def _translit_arabic_word(word: str) -> str:
    """Transliterate one Arabic-script word, using the name table first."""
    bare = _bare(word)
    if bare.startswith("عبد") and len(bare) > 3:  # عبدالرحمن -> abd + rahman
        rest = _translit_arabic_word(bare[3:])
        return "abd " + rest if rest else "abd"
    if bare.startswith("ال") and len(bare) > 3 and bare != "الله":
        bare = bare[2:]  # article
        word = word[word.index("ل") + 1 :]
    if bare in ARABIC_NAMES:
        return ARABIC_NAMES[bare]
    letters = [c for c in word if c in ARABIC_LETTERS or c in _ARABIC_VOWEL_MARKS]
    parts: list[str] = []  # the Latin of each letter, in order
    for i, ch in enumerate(letters):
        if ch in _ARABIC_VOWEL_MARKS:
            parts.append(_ARABIC_VOWEL_MARKS[ch])
            continue
        lat = ARABIC_LETTERS[ch]
        before = letters[i - 1] if i else ""
        after = letters[i + 1] if i + 1 < len(letters) else ""
        if ch == "ی" or ch == "ي":  # between consonants, the long vowel i
            lat = "i" if i > 0 else lat
        elif ch == "و" and i > 0:
            # و is the consonant v before a vowel letter or after alef (Mousavi, Parvin,
            # Kaveh, Navid), the long vowel u elsewhere (Nouri, Mahmoud).
            lat = "v" if after in _VOWEL_LETTERS or before in "اآ" else "u"
        elif ch == "ع" and i == 0:
            lat = "a"  # an initial ain carries the first vowel, as alef does (Aziz, Abbas)
        if ch in "هة" and i == len(letters) - 1 and i > 0:
            lat = "eh"
        parts.append(lat)
    # Unvocalised script: a consonant followed by a consonant carries a short vowel, read
    # a (کریم -> karim); letter by letter, so that a digraph (غ gh, ش sh, خ kh) or ه/ح
    # counts as one consonant (غفارزاده -> ghafarzadeh, بهرام -> bahram).
    spoken = [p for p in parts if p]
    if len(spoken) > 1 and spoken[0][0] not in _VOWELS and spoken[1][0] not in _VOWELS:
        spoken[0] += "a"
    return "".join(spoken)


def _first_vowel_unwritten(word: str) -> bool:
    """Whether the first vowel of an Arabic-script word is not written: a short vowel
    (کریم: Karim or Kerim), an alef or ain that carries any vowel (امید: Omid), or a ی/و
    read as a diphthong as well as a long vowel (حیدر: Heydar, Hidar). Known names (the
    table), an initial آ (always a) and a word with vowel marks are read as written."""
    plain = word.replace("\u0640", "")  # tatweel
    bare = _bare(plain)
    if bare != plain:  # vowel marks
        return False
    if bare.startswith("ال") and len(bare) > 3:
        bare = bare[2:]
    if not bare or bare in ARABIC_NAMES:
        return False
    return not (bare.startswith("آ") or bare[1:2] in ("ا", "آ"))  # Kazem, Kaveh: long a


def _join_compounds(tokens: list[str]) -> list[str]:
    """Drop articles and join Abd-/Abu- compounds and -ad-Din/-Allah second parts."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok in ARTICLES and i + 1 < len(tokens):
            i += 1
            continue
        if (tok in _ABD_PREFIXES or tok in _ABU_PREFIXES) and i + 1 < len(tokens):
            j = i + 1
            while j < len(tokens) - 1 and tokens[j] in ARTICLES:
                j += 1
            tok = tok + tokens[j]
            i = j
        elif tok in _SECOND_PARTS and out:
            out[-1] = out[-1] + tok
            i += 1
            continue
        out.append(_canonical_abd(_strip_glued_article(tok)))
        i += 1
    return out


def _strip_glued_article(tok: str) -> str:
    """Alhassan -> hassan, but Alireza, Alaa, Almas stay (vowel or short remainder)."""
    if tok[:2] in ("al", "el") and len(tok) >= 6 and tok[2] not in _VOWELS + "y":
        if tok[:2] == "el" and tok[2] in "hn":  # Elham, Elnaz are names, not el- + X
            return tok
        return tok[2:]
    return tok


def _canonical_abd(tok: str) -> str:
    """Abdel Rahman, Abd al-Rahman, Abdurrahman, Abdorrahman -> abdulrahman."""
    if not tok.startswith("abd") or len(tok) < 6:
        return tok
    rest = _ABD_RE.sub("", tok, count=1)
    if rest in ("la", "lah", "llah", "lla", "allah", "ullah", "olla", "ollah", "ulla"):
        return "abdullah"
    if len(rest) < 3:
        return tok
    if rest[:2] in ("al", "el", "ul", "ol") and len(rest) > 4:
        rest = rest[2:]
    m = _SUN_DOUBLE_RE.match(rest)
    if m:
        rest = rest[len(m.group(1)) // 2 :]
    return "abdul" + rest


@lru_cache(maxsize=200_000)
def normalise(name: str) -> str:
    """Canonical spelling of a name: see the module docstring. Empty for no name."""
    if not name:
        return ""
    text = unicodedata.normalize("NFKC", str(name))
    if _ARABIC_RE.search(text):
        text = " ".join(
            _translit_arabic_word(w) if _ARABIC_RE.search(w) else w for w in text.split()
        )
    text = anyascii(_strip_diacritics(text)).lower()
    text = re.sub(r"['`\u2019\u02bf\u02be]", "", text)  # ayn / hamza marks: Ja'far = Jafar
    text = re.sub(r"[^a-z]+", " ", text)
    tokens = [CANONICAL.get(t, t) for t in _join_compounds(text.split())]
    return " ".join(tokens)


def name_tokens(name: str) -> list[str]:
    """Tokens of the normalised name (articles dropped, compounds joined)."""
    return normalise(name).split()


# --- phonetic key --------------------------------------------------------------------------

_SPELLING_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), r)
    for p, r in [
        (r"([b-df-hj-np-tv-z])\1+", r"\1"),  # Mashhadani = Mashadani
        (r"(?<!^)y", "i"),  # Maryam = Mariam, Rubaye = Rubaie
        (r"(?<=[aeiou])h+$", ""),  # Fatemeh = Fatima(h), Marzieh = Marzie
        (r"ee|ii", "i"),
        (r"ie$", "i"),  # Marziyeh = Marzieh = Marzie
        (r"oo|ou|uu", "u"),
        (r"aa", "a"),
        (r"(?<=[csd])ine$", "in"),  # Hocine, Yacine, Noureddine (French)
        (r"kh", "x"),
        (r"gh", "k"),
        (r"sch|sh|ch", "S"),
        (r"zh|jh", "j"),  # ژ: Bizhan = Bijan, Nezhad = Nejad = Nejhad
        (r"th", "s"),
        (r"dh|dz", "z"),
        (r"dj", "j"),
        (r"ph", "f"),
        (r"ck", "k"),
        (r"c(?=[eiy])", "s"),
        (r"[cqg]", "k"),
        (r"(?<=[ao])w(?=[^aeiou]|$)", ""),  # Khosrow = Khosro, Mowlud = Molud
        (r"a(?=[ou])", "av"),  # Daoud = Davud, Raouf = Ravf
        (r"w", "v"),  # Wahid = Vahid
        (r"(.)\1+", r"\1"),
    ]
]
_GROUP_RE = re.compile(r"[aeiou]+")


@lru_cache(maxsize=200_000)
def _spelled(word: str) -> str:
    """Apply the spelling-level equivalences to one normalised word."""
    for pattern, repl in _SPELLING_RULES:
        word = pattern.sub(repl, word)
    return word


def _first_class(group: str, at_start: bool) -> str:
    """Vowel class of the first vowel group; diphthongs ai/ei count as A (Zeinab = Zainab)."""
    if group in ("ai", "ei", "aei") and not (at_start and group == "ei"):
        return "A"
    return _VCLASS[group[0]]


def skeleton_and_vowels(word: str) -> tuple[str, str]:
    """(consonant skeleton, vowel classes) of a normalised word, e.g. hossein -> (hsn, UA)."""
    spelled = _spelled(word)
    return _GROUP_RE.sub("", spelled), "".join(_VCLASS[g[-1]] for g in _GROUP_RE.findall(spelled))


@lru_cache(maxsize=200_000)
def _word_key(word: str) -> str:
    """Key of one normalised word: skeleton + first vowel class + final vowel class."""
    if word in KEY_OVERRIDES:
        return KEY_OVERRIDES[word]
    spelled = _spelled(word)
    groups = list(_GROUP_RE.finditer(spelled))
    if not groups:
        return spelled
    first = groups[0]
    out = spelled[: first.start()] + _first_class(first.group(), first.start() == 0)
    out += _GROUP_RE.sub("", spelled[first.end() :])
    last = groups[-1]
    if last.end() == len(spelled) and len(groups) > 1:
        out += _FINAL_CLASS[last.group()[-1]]
    return re.sub(r"(.)\1+", r"\1", out)


@lru_cache(maxsize=200_000)
def name_key(name: str) -> str:
    """Transliteration-family key of a (possibly multi-token) name; '' for no name.

    Tokens are joined first, so "Ali Reza" and "Alireza" share a key.
    """
    norm = normalise(name)
    if not norm:
        return ""
    return _word_key(norm.replace(" ", ""))


_FIRST_GROUP_RE = re.compile(r"[aeiou]+")


@lru_cache(maxsize=200_000)
def name_key_readings(name: str) -> frozenset[str]:
    """The keys of the usual romanisations of a name written in Arabic script: the key of
    each word read with its first vowel as a, e and o when the script does not write it
    (رضایی: Rezaei, Razaei; حسینی: Hosseini; امید: Omid; حیدری: Heydari), as Persian and
    Arabic habits write it. Empty for a name without Arabic script. What `name_key` gives
    an Arabic-script word is one of them: the first vowel guessed a."""
    if not name or not _ARABIC_RE.search(name):
        return frozenset()
    keys: set[str] = set()
    for word in unicodedata.normalize("NFKC", str(name)).split():
        if not _ARABIC_RE.search(word):
            continue
        tokens = normalise(word).split()
        ambiguous = _first_vowel_unwritten(word)
        known = _bare(word).removeprefix("ال") in ARABIC_NAMES or _bare(word) in ARABIC_NAMES
        for token in tokens:
            keys.add(_word_key(token))
            first = _FIRST_GROUP_RE.search(token)
            if token.startswith("abd") or first is None:
                continue
            # A known name keeps its spelling, but for the Persian fatha, written a or
            # e (Zahra/Zehra, Mahdi/Mehdi).
            vowels = (
                "aeo"
                if ambiguous
                else {"a": "e", "e": "a"}.get(first.group()[0], "")
                if known
                else ""
            )
            for vowel in vowels:
                keys.add(_word_key(_FIRST_GROUP_RE.sub(vowel, token, count=1)))
    return frozenset(keys)


@lru_cache(maxsize=200_000)
def _phonetic(norm: str) -> str:
    """Full phonetic form (all vowel groups kept as classes) for fuzzy comparison."""
    spelled = _spelled(norm.replace(" ", ""))
    return _GROUP_RE.sub(lambda m: _VCLASS[m.group()[0]].lower(), spelled)


def _persian_arabic_feminine(na: str, sa: str, sb: str) -> bool:
    """The Persian feminine -ieh/-yeh (Marzieh, Somayeh, Roghayeh: final i in the key)
    against the Arabic -iyya/-aya of the same name (Mardiyya, Sumayya, Ruqayya: final a)."""
    return na.endswith(("ie", "ieh", "ye", "yeh")) and sa.endswith("i") and sb.endswith("ia")


def _vowel_pattern_cap(na: str, nb: str) -> float:
    """Cap for names with the same consonants and vowel groups but another key.

    Same consonant skeleton and a final vowel on one side only (Karim/Karima), or the
    same number of vowel groups with a different first or final vowel class: two
    different names (Hassan/Hossein, Ali/Alia -> 0.7).  When the only difference is a
    versus e in the first vowel, it is the Persian fatha written two ways (Mahdi/Mehdi,
    Javad/Jevad, Reza/Raza, Turkish and Azeri Kemal/Selman): A_E_ONLY, which
    name_similarity turns into a "high similarity" (0.9+).  a versus i stays "similar"
    (0.8).  A final -eh against -ih is ح after a short vowel (Saleh/Salih), not the
    feminine ending: capped at 0.95 only.  The Persian feminine -ieh against the Arabic
    -iyya (Somayeh/Sumayya) is A_E_ONLY too.  1.0 = no cap.
    """
    sa, sb = _spelled(na.replace(" ", "")), _spelled(nb.replace(" ", ""))
    if _GROUP_RE.sub("", sa) != _GROUP_RE.sub("", sb):
        return 1.0
    if {na[-2:], nb[-2:]} == {"eh", "ih"}:  # final ح after e/i: Saleh = Salih, Fateh = Fatih
        return 0.95
    if _persian_arabic_feminine(na, sa, sb) or _persian_arabic_feminine(nb, sb, sa):
        return A_E_ONLY
    ga, gb = _GROUP_RE.findall(sa), _GROUP_RE.findall(sb)
    ends_a, ends_b = sa[-1] in _VOWELS, sb[-1] in _VOWELS
    if ends_a != ends_b:  # Karim/Karima, Amin/Amina, Hossein/Hosseini: another name
        return 0.7
    if len(ga) != len(gb):
        return 1.0
    ka, kb = _word_key(na.replace(" ", "")), _word_key(nb.replace(" ", ""))
    if (
        len(ka) == len(kb)
        and sorted(
            {x for x, y in zip(ka, kb, strict=True) if x != y}
            | {y for x, y in zip(ka, kb, strict=True) if x != y}
        )
        == ["A", "I"]
        and ka[-1] == kb[-1]
    ):
        return A_E_ONLY if {ga[0][0], gb[0][0]} == {"a", "e"} else 0.8
    return 0.7


HIGH = 0.9  # the "high similarity" comparison level starts here


def _one_slip(ja: str, jb: str) -> bool:
    """One substitution, insertion, deletion or transposition apart, in the spelled forms
    (so Nacer/Nasser count as the same letters), both of at least four letters."""
    sa, sb = _spelled(ja), _spelled(jb)
    return min(len(sa), len(sb)) >= 4 and OSA.distance(sa, sb, score_cutoff=2) <= 1


def name_similarity(a: str, b: str) -> float:
    """Transliteration-aware similarity in [0, 1]; 0 when either name is missing.

    1.0 for the same normalised name, >= 0.93 for the same key, otherwise the best of
    Jaro-Winkler on the normalised spellings, on the phonetic forms and on sorted tokens,
    kept below 0.9 unless the two are one keystroke apart (see _one_slip);
    capped at 0.7 when the consonants agree but the vowel pattern marks another name
    (0.8 when only a/e of the first vowel differ, see _vowel_pattern_cap).
    """
    na, nb = normalise(a), normalise(b)
    if not na or not nb:
        return 0.0
    if na == nb:
        return 1.0
    return _similarity_normalised(na, nb)


@lru_cache(maxsize=500_000)
def _similarity_normalised(na: str, nb: str) -> float:
    """name_similarity on already normalised names (cached: names repeat a lot)."""
    ja, jb = na.replace(" ", ""), nb.replace(" ", "")
    if ja == jb:
        return 0.99
    base = JaroWinkler.similarity(ja, jb)
    phon = JaroWinkler.similarity(_phonetic(na), _phonetic(nb))
    score = max(base, phon)
    if " " in na or " " in nb:
        sa, sb = " ".join(sorted(na.split())), " ".join(sorted(nb.split()))
        if sa == sb:
            return 0.97
        score = max(score, JaroWinkler.similarity(sa, sb))
    if _word_key(ja) == _word_key(jb):
        return 0.93 + 0.06 * base
    if score >= HIGH and not _one_slip(ja, jb):
        # Jaro-Winkler rewards a shared beginning: Sara/Samira, Hosseini/Hosseinzadeh,
        # Mostafa/Mousa are other names.  "High" is kept for one keystroke's difference.
        score = HIGH - 0.01
    cap = _vowel_pattern_cap(na, nb)
    if cap == A_E_ONLY:
        # Persian fatha is written a or e (Mahdi/Mehdi, Javad/Jevad, Zahra/Zehra, Turkish
        # and Azeri Kemal/Selman): a spelling variant, not another name.
        return 0.9 + 0.02 * base
    return float(min(score, cap))


# --- many pairs at once (the dedup engine's comparisons) -------------------------------------


def similarity_of_pairs(strings: list[str], lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """_similarity_normalised(strings[lo[k]], strings[hi[k]]) for every k, as float64.

    The same rules, step for step, but the Jaro-Winkler and OSA scores of all pairs are
    computed by rapidfuzz in C (millions of distinct surname pairs at a million records).
    Python runs only per distinct string and for the few pairs with the same consonant
    skeleton (_vowel_pattern_cap).  Equality with the scalar function is tested.
    """
    used, inv = np.unique(np.concatenate([lo, hi]), return_inverse=True)
    f = _PairFeatures([strings[i] for i in used.tolist()])
    a, b = inv[: len(lo)], inv[len(lo) :]
    base = f.jw(f.joined, a, b)
    score = np.maximum(base, f.jw(f.phonetic, a, b))
    spaced = np.nonzero(f.spaced[a] | f.spaced[b])[0]
    score[spaced] = np.maximum(score[spaced], f.jw(f.sorted, a[spaced], b[spaced]))
    high = np.nonzero(score >= HIGH)[0]
    slip = f.one_slip(a[high], b[high])
    score[high[~slip]] = HIGH - 0.01
    cap = f.caps(a, b)
    out = np.minimum(score, cap)
    ae = cap == A_E_ONLY  # a spelling variant of the Persian fatha: see the scalar rule
    out[ae] = 0.9 + 0.02 * base[ae]
    # The early returns of the scalar function, applied last in reverse order of precedence.
    key_eq = f.key_id[a] == f.key_id[b]
    out[key_eq] = 0.93 + 0.06 * base[key_eq]
    out[(f.sorted_id[a] == f.sorted_id[b]) & (f.spaced[a] | f.spaced[b])] = 0.97
    out[f.joined_id[a] == f.joined_id[b]] = 0.99
    return out


def _intern(values: list[str] | np.ndarray) -> np.ndarray:
    """Ids of strings, equal ids for equal strings."""
    ids: dict[str, int] = {}
    return np.fromiter((ids.setdefault(v, len(ids)) for v in values), np.int64, len(values))


class _PairFeatures:
    """Per-string forms used by _similarity_normalised, over a list of normalised names."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.joined = np.array([n.replace(" ", "") for n in names], dtype=object)
        self.phonetic = np.array([_phonetic(n) for n in names], dtype=object)
        self.sorted = np.array([" ".join(sorted(n.split())) for n in names], dtype=object)
        self.spelled = np.array([_spelled(j) for j in self.joined], dtype=object)
        self.spaced = np.array([" " in n for n in names], dtype=bool)
        self.joined_id, self.sorted_id = _intern(self.joined), _intern(self.sorted)
        self.key_id = _intern([_word_key(j) for j in self.joined])
        self.skeleton_id = _intern([_GROUP_RE.sub("", s) for s in self.spelled])
        self.spelled_len = np.array([len(s) for s in self.spelled], dtype=np.int64)

    @staticmethod
    def jw(forms: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return process.cpdist(
            forms[a], forms[b], scorer=JaroWinkler.similarity, dtype=np.float64, workers=-1
        )

    def one_slip(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """_one_slip over pairs: spelled forms of >= 4 letters, one OSA edit apart."""
        dist = process.cpdist(
            self.spelled[a],
            self.spelled[b],
            scorer=OSA.distance,
            score_cutoff=2,
            dtype=np.int32,
            workers=-1,
        )
        return (np.minimum(self.spelled_len[a], self.spelled_len[b]) >= 4) & (dist <= 1)

    def caps(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """_vowel_pattern_cap (1.0 unless the consonant skeletons agree)."""
        cap = np.ones(len(a))
        same = np.nonzero(self.skeleton_id[a] == self.skeleton_id[b])[0]
        for k, x, y in zip(same.tolist(), a[same].tolist(), b[same].tolist(), strict=True):
            cap[k] = _vowel_pattern_cap(self.names[x], self.names[y])
        return cap
