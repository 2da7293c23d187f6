"""Figures and dates as the reader chose to see them (onward/numerals.py):
`{{ n|figure }}` writes a number (or a text of numbers) in the reader's digits, and
`{{ date|day }}` / `{{ date|day:"long" }}` a date in their calendar and digits. Display
only: values inside addresses, form fields and data attributes stay as they are."""

import datetime as dt

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import translation

from onward import numerals

register = template.Library()


@register.filter
def figure(value):
    if value is None:
        return ""
    if numerals.current().digits == numerals.LATIN:
        return value
    return numerals.to_digits(value)


@register.filter
def day(value, form: str = ""):
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value
    display = numerals.current()
    long = form == "long"
    if long and display.calendar == numerals.GREGORIAN:
        return numerals.to_digits(date_filter(value, "j F Y"), display.digits)
    text = numerals.format_date(value, long=long, language=translation.get_language() or "en")
    # A numeric date reads left to right in every script: in a right-to-left page it is
    # isolated (LRI ... PDI), or the sentence around it shows 2026-12-02 as 02-12-2026.
    if long or not translation.get_language_bidi():
        return text
    return f"\u2066{text}\u2069"
