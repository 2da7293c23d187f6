"""Which language a household's letters are written in, and how that language writes
its dates and figures."""

from __future__ import annotations

import datetime as dt

from django.utils.formats import date_format
from django.utils.translation import override, pgettext

from onward import numerals

# Languages spoken (ISO 639-1/-3 codes of the interviews app) read in a letter language:
# Persian and Dari speakers read Persian letters, every Arabic variety Arabic letters.
_SPOKEN = {
    "fa": "fa",
    "fas": "fa",
    "per": "fa",
    "pes": "fa",
    "prs": "fa",
    "ar": "ar",
    "ara": "ar",
    "arb": "ar",
    "apc": "ar",
    "acm": "ar",
    "arz": "ar",
    "ayl": "ar",
}
_LEVELS = {"native": 0, "fluent": 1, "good": 2, "basic": 3}

# How each letter language writes its figures and which calendar its readers use.
DISPLAY = {
    "en": numerals.Display(numerals.LATIN, numerals.GREGORIAN),
    "ar": numerals.Display(numerals.ARABIC, numerals.GREGORIAN),
    "fa": numerals.Display(numerals.PERSIAN, numerals.SOLAR_HIJRI),
}
RTL = {"ar", "fa"}


def default_language(case) -> str:
    """From the principal applicant's languages spoken, best level first: Persian/Dari
    → fa, Arabic → ar; otherwise (or with none recorded) English."""
    principal = case.principal
    if principal is None:
        return "en"
    spoken = sorted(
        principal.languages.all(), key=lambda pl: (_LEVELS.get(pl.level, 9), pl.language)
    )
    need = getattr(principal, "interpreter_need", None)
    codes = [pl.language for pl in spoken] + ([need.language] if need else [])
    for code in codes:
        if code.strip().lower() in _SPOKEN:
            return _SPOKEN[code.strip().lower()]
    return "en"


def letter_language(case) -> str:
    """The language chosen for the case's letters, else the default."""
    chosen = getattr(case, "letter_language", None)
    return chosen.language if chosen else default_language(case)


def is_chosen(case) -> bool:
    return getattr(case, "letter_language", None) is not None


def figures(text, language: str) -> str:
    """`text` with its digits in the letter language's digits."""
    return numerals.to_digits(text, DISPLAY[language].digits)


# fpdf2's bidi algorithm reverses the parts of "2026-12-02" inside a right-to-left line
# (it reads the hyphens as separators between runs, not as part of the number): a
# hyphenated date is embedded as a left-to-right run (LRE … PDF), which it honours.
LTR_START, LTR_END = "\u202a", "\u202c"
RTL_MARK = "\u200f"  # starts a line that must read right to left whatever comes first


def ltr(text: str, language: str) -> str:
    return f"{LTR_START}{text}{LTR_END}" if language in RTL else text


def letter_date(day: dt.date | None, language: str) -> str:
    """A date as the reader writes it (Solar Hijri for Persian, the language's digits),
    with the ISO date beside it so that staff and records agree."""
    if day is None:
        return ""
    display = DISPLAY[language]
    if display.calendar == numerals.SOLAR_HIJRI:
        local = numerals.format_date(day, long=True, language=language, display=display)
    else:
        with override(language):
            local = figures(date_format(day, "j F Y"), language)
    return f"{local} ({ltr(day.isoformat(), language)})"


def letter_time(moment: dt.time | None, language: str) -> str:
    return figures(f"{moment:%H:%M}", language) if moment else ""


def language_name(code: str) -> str:
    """A spoken language's name in the active language (codes of the interviews app)."""
    names = {
        "en": pgettext("language", "English"),
        "ar": pgettext("language", "Arabic"),
        "fa": pgettext("language", "Persian"),
        "prs": pgettext("language", "Dari"),
        "ps": pgettext("language", "Pashto"),
        "ku": pgettext("language", "Kurdish"),
        "ur": pgettext("language", "Urdu"),
        "fr": pgettext("language", "French"),
        "so": pgettext("language", "Somali"),
        "ti": pgettext("language", "Tigrinya"),
    }
    return names.get(code.strip().lower(), code)
