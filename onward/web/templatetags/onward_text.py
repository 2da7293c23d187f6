"""`{{ value|visible }}`: text with every character that reorders or hides it (a
right-to-left override, a zero-width character) or controls it (a newline, NUL) shown as
`\\uXXXX`, for the auditor's page, which must show what was typed, not what it pretends
to be (onward/bounds.py)."""

from django import template

from onward import bounds

register = template.Library()


@register.filter
def visible(value):
    return bounds.escape_hidden(value) if isinstance(value, str) else value
