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
from django.utils.translation import gettext as _

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


# --- dates typed in either calendar -------------------------------------------------------

# A typed year below this is a Solar Hijri year, from it a Gregorian one. No year can be
# both: Onward accepts no Gregorian date before 1900 (bounds.BIRTH_EARLIEST), and Solar
# Hijri 1499 is Gregorian 2120, beyond every date Onward accepts (bounds.PLANNED_HORIZON).
SOLAR_HIJRI_YEAR_LIMIT = 1500
SOLAR_HIJRI_EXAMPLE = "1405-09-11"


def solar_hijri_days(year: int, month: int) -> int:
    """The days of a Solar Hijri month: 31 in the first six, 30 in the next five, 29 in
    Esfand (30 in a leap year)."""
    if month <= 6:
        return 31
    if month <= 11:
        return 30
    return 30 if jdatetime.date(year, 1, 1).isleap() else 29


def from_solar_hijri(year: int, month: int, day: int) -> dt.date:
    """The Gregorian date of a Solar Hijri one; ValueError naming the part out of range."""
    shown = f"{year:04d}-{month:02d}-{day:02d}"
    if not 1 <= month <= 12:
        raise ValueError(
            _("%(date)s is not a Solar Hijri date: the month is 1 to 12, not %(month)s.")
            % {"date": shown, "month": month}
        )
    days = solar_hijri_days(year, month)
    if not 1 <= day <= days:
        raise ValueError(
            _(
                "%(date)s is not a Solar Hijri date: month %(month)s of %(year)s has days 1 to "
                "%(days)s, not %(day)s."
            )
            % {"date": shown, "month": month, "year": year, "days": days, "day": day}
        )
    return jdatetime.date(year, month, day).togregorian()


def read_date(text: str, *, solar_hijri: bool) -> dt.date:
    """A date typed year-month-day (- or / between, any of the three digit sets): Solar
    Hijri when `solar_hijri` allows it and the year is below SOLAR_HIJRI_YEAR_LIMIT,
    Gregorian (ISO) otherwise. ValueError with a message naming what is wrong."""
    western = to_western((text or "").strip()).replace("/", "-")
    parts = western.split("-")
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts):
        raise ValueError("not a date")
    year, month, day = (int(p) for p in parts)
    if solar_hijri and year < SOLAR_HIJRI_YEAR_LIMIT:
        return from_solar_hijri(year, month, day)
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(
            _("%(date)s is not a date: month 1 to 12, and a day the month has.") % {"date": western}
        ) from None


def reads_solar_hijri() -> bool:
    """Whether the current reader's dates may be typed in the Solar Hijri calendar."""
    return current().calendar == SOLAR_HIJRI
