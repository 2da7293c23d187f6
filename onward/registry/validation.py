"""Field rules of the registry, shared by forms, the API, import and the demo.

Each function takes the raw text a user typed and returns the clean value or raises
`ValueError` with a message that names what is wrong, fit to show next to the field.
"""

import datetime as dt
import functools
import re

from django.utils.translation import get_language, gettext_noop
from iso3166 import countries_by_alpha3

from onward import bounds
from onward.refusals import Refusal, define
from onward.registry import codes

_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")

# The refusals, by code: an import's report keeps the code and its parameters, and shows
# the message in its reader's language (onward/refusals.py).
BIRTH_NOT_A_DATE = define(
    "birth_date.format", gettext_noop("%(text)r is not a date: use YYYY-MM-DD, YYYY-MM or YYYY.")
)
BIRTH_NO_SUCH_DATE = define(
    "birth_date.no_such_date", gettext_noop("%(text)r is not a date that exists.")
)
BIRTH_IN_FUTURE = define("birth_date.future", gettext_noop("%(text)r is in the future."))
BIRTH_TOO_EARLY = define(
    "birth_date.too_early",
    gettext_noop("%(text)r is before %(earliest)s: too far in the past to be a birth date."),
)
TOO_LONG = define("text.too_long", gettext_noop("At most %(max)s characters."))
NOT_ARABIC_SCRIPT = define(
    "arabic_name.latin",
    gettext_noop("Write this name in Arabic script (its Latin spelling has its own field)."),
)
ARRIVAL_NOT_A_DATE = define(
    "arrival_date.format", gettext_noop("%(text)r is not a date: use YYYY-MM-DD.")
)
NOT_A_SEX = define(
    "sex.invalid", gettext_noop("%(text)r is not a sex code: use M, F or X (or leave empty).")
)
NOT_A_COUNTRY = define(
    "nationality.invalid", gettext_noop("%(text)r is not an ISO 3166-1 alpha-3 country code.")
)
NOT_A_RELATIONSHIP = define(
    "relationship.invalid", gettext_noop("%(text)r is not a relationship: use one of %(choices)s.")
)
UNKNOWN_NEEDS = define(
    "specific_needs.unknown", gettext_noop("Unknown specific need code(s): %(codes)s.")
)
UNREADABLE_VALUE = define(
    "value.unreadable",
    gettext_noop(
        "This value could not be read (its key is not loaded); "
        "load the key, or type the value again."
    ),
)
NOT_A_PHONE = define("phone.invalid", gettext_noop("%(text)r is not a phone number."))


def parse_birth_date(text: str, *, today: dt.date | None = None) -> tuple[dt.date | None, str]:
    """`YYYY-MM-DD`, `YYYY-MM` or `YYYY` -> (first possible day, precision D/M/Y).

    Empty means unknown. Refuses impossible dates (2013-02-30) and dates in the future.
    """
    text = (text or "").strip()
    if not text:
        return None, ""
    m = _DATE.match(text)
    if not m or (m.group(3) and not m.group(2)):
        raise Refusal(BIRTH_NOT_A_DATE, text=text)
    year, month, day = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
    precision = "D" if m.group(3) else "M" if m.group(2) else "Y"
    try:
        value = dt.date(year, month, day)
    except ValueError:
        raise Refusal(BIRTH_NO_SUCH_DATE, text=text) from None
    if value > (today or bounds.today()):
        raise Refusal(BIRTH_IN_FUTURE, text=text)
    if value < bounds.BIRTH_EARLIEST:
        raise Refusal(BIRTH_TOO_EARLY, text=text, earliest=bounds.BIRTH_EARLIEST)
    return value, precision


def parse_line(text: str, *, limit: int) -> str:
    """A name or another one-line identity field: runs of white space (a newline, a tab)
    become one space; a character that hides or reorders text is refused."""
    value = " ".join(str(text or "").split())
    if len(value) > limit:
        raise Refusal(TOO_LONG, max=limit)
    return bounds.check_plain_text(value)


def parse_arabic_name(text: str, *, limit: int = 100) -> str:
    """A name in Arabic script (زهرا, غفارزاده): a one-line name with no Latin letter, so
    that a Latin spelling typed in the wrong box is caught, not searched as Arabic."""
    value = parse_line(text, limit=limit)
    if any(ch.isascii() and ch.isalpha() for ch in value):
        raise Refusal(NOT_ARABIC_SCRIPT)
    return value


def parse_arrival_date(value) -> dt.date | None:
    """An arrival (a date, or YYYY-MM-DD text; empty: unknown), within the operation."""
    if value in (None, ""):
        return None
    if not isinstance(value, dt.date):
        text = str(value).strip()
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            raise Refusal(ARRIVAL_NOT_A_DATE, text=text) from None
    return bounds.check_event_date(value)


def parse_sex(text: str) -> str:
    text = (text or "").strip().upper()
    if text and text not in codes.SEX:
        raise Refusal(NOT_A_SEX, text=text)
    return text


def parse_nationality(text: str) -> str:
    text = (text or "").strip().upper()
    if text and text not in countries_by_alpha3:
        raise Refusal(NOT_A_COUNTRY, text=text)
    return text


def any_case_pattern(choices) -> str:
    """A regular expression (Python's and a JSON schema's alike) of the choices in any
    case, white space around allowed: what the parse_* functions here accept."""
    spelled = (
        "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in choice)
        for choice in choices
    )
    return rf"^\s*(?:{'|'.join(spelled)})\s*$"


def parse_relationship(text: str) -> str:
    text = (text or "").strip().lower()
    if text not in codes.RELATIONSHIPS:
        choices = ", ".join(codes.RELATIONSHIPS)
        raise Refusal(NOT_A_RELATIONSHIP, text=text, choices=choices)
    return text


def parse_specific_needs(text: str | list[str], *, known: set[str]) -> list[str]:
    if not text:
        return []  # most persons (and rows of an import) have none
    items = text if isinstance(text, list) else (text or "").split(";")
    needs = [item.strip().upper() for item in items if item.strip()]
    unknown = [n for n in needs if n not in known]
    if unknown:
        raise Refusal(UNKNOWN_NEEDS, codes=", ".join(unknown))
    return sorted(set(needs))


def refuse_unreadable(text: str) -> str:
    """An encrypted field's placeholder ("[unreadable: key K not loaded]", shown when its
    key is missing, and written so into an export) is not a value: refuse it."""
    from onward.vault.fields import UNREADABLE

    if (text or "").startswith(UNREADABLE):
        raise Refusal(UNREADABLE_VALUE)
    return text


def parse_phone(text: str) -> str:
    text = (text or "").strip()
    if text and not re.fullmatch(r"\+?[0-9 ()./-]{5,40}", text):
        raise Refusal(NOT_A_PHONE, text=text)
    return text


def country_name(code: str, language: str | None = None) -> str:
    """The country of an ISO 3166-1 alpha-3 code, named in `language` (default: the active
    one): English from ISO 3166, Arabic, Persian and other languages from CLDR (Babel);
    the code itself when it is no country."""
    country = countries_by_alpha3.get(code or "")
    if not country:
        return code
    language = (language or get_language() or "en").split("-")[0]
    if language != "en":
        name = _territory_names(language).get(country.alpha2)
        if name:
            return name
    return country.name


@functools.lru_cache(maxsize=8)
def _territory_names(language: str) -> dict[str, str]:
    from babel import Locale, UnknownLocaleError

    try:
        return dict(Locale.parse(language).territories)
    except (UnknownLocaleError, ValueError):
        return {}
