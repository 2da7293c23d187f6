"""Date fields that take a date typed in the reader's calendar (issue 22).

A reader whose calendar is Solar Hijri (User.calendar) types 1405-09-11, or ۱۴۰۵-۰۹-۱۱ in
Persian digits; the field gives the Gregorian date records keep. The rule that tells the
calendars apart is the year (numerals.read_date): below 1500 Solar Hijri, from 1500
Gregorian, so an ISO date still works for that reader. Everyone else types ISO dates, as
before.

The browser's own date picker knows only the Gregorian calendar, so for a Solar Hijri
reader the input is a text box showing the date in their calendar and digits, with an
example as its placeholder; others keep the picker. Every form's DateField is this one
(`DateField`); a form passing its own DateInput keeps its attributes.
"""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from onward import numerals


class CalendarDateInput(forms.DateInput):
    """The form's date input (a picker with type="date"), or for a Solar Hijri reader a
    text box in their calendar."""

    def format_value(self, value):
        if numerals.reads_solar_hijri() and isinstance(value, dt.date):
            return numerals.format_date(value)
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if numerals.reads_solar_hijri():
            widget = context["widget"]
            widget["type"] = "text"
            widget["attrs"] = {
                "inputmode": "numeric",
                "dir": "ltr",
                "placeholder": numerals.to_digits(numerals.SOLAR_HIJRI_EXAMPLE),
                "autocomplete": "off",
                **widget["attrs"],
            }
        return context


def _calendar_widget(widget):
    """The form's own widget as a CalendarDateInput, its attributes kept."""
    if widget is None or isinstance(widget, CalendarDateInput):
        return widget
    if isinstance(widget, type):
        widget = widget()
    if not isinstance(widget, forms.DateInput):
        return widget  # a hidden or other widget: left as it is
    # The input's type (date: the picker) goes with the attributes, as DateInput takes it.
    return CalendarDateInput(
        attrs={**widget.attrs, "type": widget.input_type}, format=widget.format
    )


class DateField(forms.DateField):
    """forms.DateField that also reads a Solar Hijri date for a Solar Hijri reader."""

    widget = CalendarDateInput

    def __init__(self, *, widget=None, **kwargs):
        super().__init__(widget=_calendar_widget(widget), **kwargs)

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            solar = numerals.reads_solar_hijri()
            try:
                return numerals.read_date(value, solar_hijri=solar)
            except ValueError as exc:
                if str(exc) != "not a date":
                    raise ValidationError(str(exc), code="invalid") from None
                if solar:
                    raise ValidationError(
                        _("Enter a date as YYYY-MM-DD, or in the Solar Hijri calendar as %s.")
                        % numerals.SOLAR_HIJRI_EXAMPLE,
                        code="invalid",
                    ) from None
        return super().to_python(value)
