"""Refusals that can be told again later, in the reader's language.

A field rule raises `Refusal(CODE, **params)` (a `ValueError`, so every caller that shows
`str(exc)` beside a field keeps working, in the active language). What it carries, a code
and its parameters, is what a stored report keeps (the import's row errors: its reader
may read another language than the worker that wrote it), and `render(code, params)`
tells it again in the language active when it is read.

Each code is declared once with its English message, marked with `gettext_noop` at the
declaration so that makemessages finds it:

    NOT_A_PHONE = define("phone.invalid", gettext_noop("%(text)r is not a phone number."))

A code is never reused for another meaning; a message whose sense changes gets a new
code (a report written before keeps its English text, shown when its code is unknown).
"""

from __future__ import annotations

import datetime as dt
import json

from django.utils.translation import gettext

_MESSAGES: dict[str, str] = {}


def define(code: str, msgid: str) -> str:
    """Declares `code` with its English message (a msgid of the catalogs); returns it."""
    known = _MESSAGES.get(code)
    if known is not None and known != msgid:
        raise RuntimeError(f"refusal code {code!r} declared twice with different messages")
    _MESSAGES[code] = msgid
    return code


def _plain(value):
    """A parameter as a report can keep it (JSON): dates as ISO text."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def english(code: str, params: dict, fallback: str = "") -> str:
    """The message in English (the source language), as stored beside the code."""
    msgid = _MESSAGES.get(code)
    if msgid is None:
        return fallback
    try:
        return msgid % params
    except (KeyError, ValueError, TypeError):
        return fallback or msgid


def render(code: str, params: dict | None, fallback: str = "") -> str:
    """The message in the active language; `fallback` (the stored English text) when the
    code is not known (any more) or its parameters do not fit the message."""
    msgid = _MESSAGES.get(code)
    if msgid is None:
        return fallback
    params = params or {}
    try:
        return gettext(msgid) % params
    except (KeyError, ValueError, TypeError):
        return english(code, params, fallback)


def render_stored(code: str, params_json: str, fallback: str) -> str:
    """`render` for a report's cells: the code and its parameters as JSON text."""
    if not code:
        return fallback
    try:
        params = json.loads(params_json or "{}")
    except ValueError:
        return fallback
    if not isinstance(params, dict):
        return fallback
    return render(code, params, fallback)


class Refusal(ValueError):
    """A refusal by code: `str()` is its message in the language active when raised."""

    def __init__(self, code: str, **params):
        if code not in _MESSAGES:
            raise RuntimeError(f"undeclared refusal code {code!r}")
        self.code = code
        self.params = {name: _plain(value) for name, value in params.items()}
        super().__init__(render(code, self.params))

    @property
    def english(self) -> str:
        return english(self.code, self.params, str(self))
