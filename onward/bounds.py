"""The bounds of what Onward accepts, in one place (docs/security.md, "Bad input").

Forms, serializers, the person import and the report views all check values here, so that
a date or a number the database, the ledger or a report cannot hold is refused at the
door with a message naming what is wrong, never stored and never a 500 later (0001-01-01
as an arrival used to break every report on that date: `date + timedelta` overflows).

Each `check_*` returns the value or raises `ValueError` with a message fit to show next
to the field (the convention of onward/registry/validation.py); `validator(check)` turns
one into a Django validator for a form or serializer field.
"""

import datetime as dt
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from onward import numerals
from onward.refusals import Refusal, define

# A recorded event (arrival, birth, departure, incident, statement) may be dated up to a
# day ahead: the camp's "today" and a user's clock may sit on either side of midnight.
EVENT_MARGIN = dt.timedelta(days=1)
# A planned date (a transfer, a follow-up, a pledge's end) lies at most this far ahead.
PLANNED_HORIZON = dt.timedelta(days=10 * 366)
BIRTH_EARLIEST = dt.date(1900, 1, 1)
DEFAULT_OPERATION_START = dt.date(2000, 1, 1)

# A count (places of a pledge, seats of a flight, persons who left): the column is a
# 64-bit integer, but no operation counts more than this.
COUNT_MAX = 1_000_000
# A weight of a scoring policy (the defaults are 0 to 100).
WEIGHT_MAX = 1_000_000
# A JSON body nested deeper than this is refused before it is parsed further.
JSON_MAX_DEPTH = 32
# An import header wider than this is refused (the person CSV has 12 columns).
IMPORT_MAX_COLUMNS = 200
# A record's version (optimistic locking) is a small whole number.
VERSION_MAX = 2**31 - 1
# Usernames are created at most this long; what a failed sign-in writes is cut to it.
USERNAME_MAX = 64

# Characters that reorder or hide text (right-to-left overrides and isolates, zero-width
# characters): in a name they make one person look like another, on the auditor's page
# they disguise what was typed.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
INVISIBLE = frozenset("\u200b\u200d\ufeff")  # U+200C: see _hides


def operation_start() -> dt.date:
    """The earliest date of the operation (ONWARD_OPERATION_START, default 2000-01-01)."""
    from django.conf import settings

    return getattr(settings, "ONWARD_OPERATION_START", None) or DEFAULT_OPERATION_START


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


def latest_event() -> dt.date:
    return today() + EVENT_MARGIN


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


# One whole sentence per kind of date and side, for the translators; by code, so that a
# stored report (an import's row errors) shows it in its reader's language.
_OUTSIDE = {
    "event": (
        define(
            "date.event.before",
            gettext_noop(
                "%(value)s is before %(bound)s, the earliest date of an event Onward accepts."
            ),
        ),
        define(
            "date.event.after",
            gettext_noop(
                "%(value)s is after %(bound)s, the latest date of an event Onward accepts."
            ),
        ),
    ),
    "report": (
        define(
            "date.report.before",
            gettext_noop("%(value)s is before %(bound)s, the earliest report date Onward accepts."),
        ),
        define(
            "date.report.after",
            gettext_noop("%(value)s is after %(bound)s, the latest report date Onward accepts."),
        ),
    ),
    "planned": (
        define(
            "date.planned.before",
            gettext_noop(
                "%(value)s is before %(bound)s, the earliest planned date Onward accepts."
            ),
        ),
        define(
            "date.planned.after",
            gettext_noop("%(value)s is after %(bound)s, the latest planned date Onward accepts."),
        ),
    ),
}
HIDDEN_CHARACTERS = define(
    "text.hidden_characters",
    gettext_noop(
        "Contains characters that hide or reorder text (%(found)s); type it again without them."
    ),
)


def _between(value, earliest: dt.date, latest: dt.date, what: str) -> dt.date:
    value = _as_date(value)
    before, after = _OUTSIDE[what]
    if value < earliest:
        raise Refusal(before, value=value, bound=earliest)
    if value > latest:
        raise Refusal(after, value=value, bound=latest)
    return value


def check_event_date(value) -> dt.date:
    """An arrival, departure, birth in the camp, incident or statement: within the
    operation (from ONWARD_OPERATION_START to tomorrow)."""
    return _between(value, operation_start(), latest_event(), "event")


def check_report_date(value) -> dt.date:
    """The date a report, a population figure or a filter is asked for."""
    return _between(value, operation_start(), latest_event(), "report")


def check_planned_date(value) -> dt.date:
    """A date planned ahead (a transfer, a follow-up, a pledge's validity)."""
    return _between(value, operation_start(), today() + PLANNED_HORIZON, "planned")


def parse_date(text: str, check=check_report_date) -> dt.date:
    """A date typed as YYYY-MM-DD (in an address, a filter), within `check`'s bounds; its
    digits may be Western, Eastern Arabic or Persian (onward/numerals.py). A reader whose
    calendar is Solar Hijri may also type a Solar Hijri date (a year below 1500:
    numerals.read_date); the date returned is Gregorian, as records keep it."""
    text = numerals.to_western((text or "").strip())
    solar = numerals.reads_solar_hijri()
    try:
        value = numerals.read_date(text, solar_hijri=solar)
    except ValueError as exc:
        if str(exc) != "not a date":  # a month or day out of range: it says which
            raise ValueError(str(exc)[:200]) from None
        try:  # the other ISO forms (20261202) as before
            return check(dt.date.fromisoformat(text))
        except ValueError:
            pass
        if solar:
            raise ValueError(
                _(
                    "“%(text)s” is not a date (YYYY-MM-DD, or a Solar Hijri date such as %(example)s)."
                )
                % {"text": text[:40], "example": numerals.SOLAR_HIJRI_EXAMPLE}
            ) from None
        raise ValueError(
            _("“%(text)s” is not a date (YYYY-MM-DD).") % {"text": text[:40]}
        ) from None
    return check(value)


def parse_version(text) -> int | None:
    """The version a form was read at (a hidden field): None when not sent; anything but
    a whole number from 0 is refused, never read as "no check"."""
    text = "" if text is None else str(text).strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 10 or int(text) > VERSION_MAX:
        raise ValueError(
            _(
                "The form is out of date or damaged (its version is not a "
                "number): reload the page and try again."
            )
        )
    return int(text)


def check_birth_date(value) -> dt.date:
    value = _as_date(value)
    if value > today():
        raise ValueError(_("%(date)s is in the future.") % {"date": value})
    if value < BIRTH_EARLIEST:
        raise ValueError(
            _("%(date)s is before %(earliest)s: too far in the past to be a birth date.")
            % {"date": value, "earliest": BIRTH_EARLIEST}
        )
    return value


def check_count(value) -> int:
    if value < 0:
        raise ValueError(_("%(value)s is below zero.") % {"value": value})
    if value > COUNT_MAX:
        raise ValueError(
            _("%(value)s is more than %(max)s, the most Onward counts.")
            % {"value": value, "max": f"{COUNT_MAX:,}"}
        )
    return value


def _hides(text: str, i: int) -> bool:
    c = text[i]
    if c == "\u200c":
        # A zero-width non-joiner between two letters is spelling (Persian writes
        # "حسین‌زاده" with one); anywhere else it only hides something.
        return not (0 < i < len(text) - 1 and text[i - 1].isalpha() and text[i + 1].isalpha())
    return c in BIDI_CONTROLS or c in INVISIBLE or unicodedata.category(c) == "Cc"


def hidden_characters(text: str) -> list[str]:
    """The characters of `text` that reorder or hide it, or control it (a newline, a
    tab, NUL, ...), as `\\uXXXX`: empty when the text shows as it is."""
    text = text or ""
    if text.isascii() and text.isprintable():
        return []  # the usual case: printable ASCII holds no control, bidi or invisible mark
    return list(
        dict.fromkeys(f"\\u{ord(text[i]):04x}" for i in range(len(text)) if _hides(text, i))
    )


def check_plain_text(text: str) -> str:
    """A name or one-line identity field: refused when it holds a character that hides,
    reorders or breaks it (the user retypes it; nothing is silently changed)."""
    found = hidden_characters(text)
    if found:
        raise Refusal(HIDDEN_CHARACTERS, found=", ".join(found))
    return text


def escape_hidden(text: str) -> str:
    """`text` with every reordering, hiding or control character shown as `\\uXXXX`
    (a zero-width non-joiner too), for the page that must show what was typed: the
    auditor's."""
    if not text:
        return text
    return "".join(
        f"\\u{ord(c):04x}"
        if (
            c in BIDI_CONTROLS or c in INVISIBLE or c == "\u200c" or unicodedata.category(c) == "Cc"
        )
        else c
        for c in text
    )


def validator(check):
    """A Django validator (for a form field or a DRF serializer field) from a check."""

    def validate(value):
        if value is None or value == "":
            return
        try:
            check(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    validate.__name__ = f"validate_{check.__name__}"
    return validate
