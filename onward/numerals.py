"""Digits and calendars for display (issue 22): the figures a page shows in the digits its
reader chose (Western 0-9, Eastern Arabic ٠-٩ or Persian ۰-۹), and dates in the Gregorian
or the Solar Hijri calendar. Display only: records, forms, addresses, exports and the API
keep Western digits and ISO dates, and what a person types in any of the three digit sets
is read back as Western digits (`to_western`) before it is parsed.

The reader's choice is held per request in a context variable, as Django holds the
active language: `onward.accounts.middleware.UserPreferencesMiddleware` sets it from the
signed-in user's account, and the template filters of onward/web/templatetags/onward_l10n.py
read it (`figure`, `day`).
"""

import datetime as dt
import unicodedata
from contextlib import contextmanager
from contextvars import ContextVar
from typing import NamedTuple

import jdatetime

LATIN, ARABIC, PERSIAN = "latn", "arab", "arabext"
GREGORIAN, SOLAR_HIJRI = "gregory", "persian"

DIGITS = {
    LATIN: "0123456789",
    ARABIC: "٠١٢٣٤٥٦٧٨٩",
    PERSIAN: "۰۱۲۳۴۵۶۷۸۹",
}
_TO = {system: str.maketrans("0123456789", digits) for system, digits in DIGITS.items()}

# The Solar Hijri months, in Persian and in the usual Latin transliteration.
MONTHS_FA = (
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
)
MONTHS_LATIN = (
    "Farvardin",
    "Ordibehesht",
    "Khordad",
    "Tir",
    "Mordad",
    "Shahrivar",
    "Mehr",
    "Aban",
    "Azar",
    "Dey",
    "Bahman",
    "Esfand",
)


class Display(NamedTuple):
    digits: str = LATIN
    calendar: str = GREGORIAN


DEFAULT = Display()
_current: ContextVar[Display] = ContextVar("onward_display")


def current() -> Display:
    return _current.get(DEFAULT)


@contextmanager
def using(digits: str = LATIN, calendar: str = GREGORIAN):
    """Shows figures and dates in `digits` and `calendar` inside the block (one request)."""
    token = _current.set(
        Display(
            digits if digits in DIGITS else LATIN,
            calendar if calendar in (GREGORIAN, SOLAR_HIJRI) else GREGORIAN,
        )
    )
    try:
        yield
    finally:
        _current.reset(token)


def to_digits(text, system: str | None = None) -> str:
    """`text` with its Western digits written in `system` (the current reader's when
    None); every other character unchanged, so "12 / 34" stays a fraction."""
    return str(text).translate(_TO.get(system or current().digits, _TO[LATIN]))


def to_western(text: str) -> str:
    """Every decimal digit of any script (Arabic-Indic, Persian, …) as 0-9: what a person
    typed, made readable by the parsers. Other characters are unchanged."""
    if text.isascii():
        return text
    out = []
    for ch in text:
        value = unicodedata.decimal(ch, None) if not ch.isascii() else None
        out.append(str(value) if value is not None else ch)
    return "".join(out)


def solar_hijri(value: dt.date) -> tuple[int, int, int]:
    """The Solar Hijri (Jalali) year, month and day of a Gregorian date (jdatetime)."""
    j = jdatetime.date.fromgregorian(date=value)
    return j.year, j.month, j.day


def format_date(value, *, long: bool = False, language: str = "en", display=None) -> str:
    """A date for display: ISO-like numbers (year-month-day), or day, month name and year
    when `long`, in the reader's calendar and digits. The long Gregorian form is Django's
    (the caller passes it translated); this function only writes the numeric Gregorian
    form and both Solar Hijri forms."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    display = display or current()
    if display.calendar == SOLAR_HIJRI:
        y, m, d = solar_hijri(value)
        if long:
            months = MONTHS_FA if language in ("fa", "ar") else MONTHS_LATIN
            text = f"{d} {months[m - 1]} {y}"
        else:
            text = f"{y:04d}-{m:02d}-{d:02d}"
    else:
        text = value.isoformat()
    return to_digits(text, display.digits)
