"""Messages stored to be told later, in the reader's language.

What is stored is a code and its parameters, with the English text beside them (the
fallback: a row stored before its code existed, or a code no longer known), and
`render(code, params, fallback)` tells it again in the language active when it is read.
Its uses:

- refusals: a field rule raises `Refusal(CODE, **params)` (a `ValueError`, so every
  caller that shows `str(exc)` beside a field keeps working, in the active language);
  an import's report keeps the code and parameters of its row errors and of its
  file-level refusals (row 0): its reader may read another language than the worker
  that wrote it;
- task titles (onward/tasks/rules.py `Due.told`): a task keeps `title_code` and
  `title_params` beside its English `title`, and My tasks shows it in its reader's
  language;
- a job's progress message (`Told`, onward/jobs/services.py `Lease.progress`): the job
  keeps `message_code` and `message_params` beside its English `message`, and its page
  shows it in the reader's language.

Each code is declared once with its English message, marked with `gettext_noop` at the
declaration so that makemessages finds it:

    NOT_A_PHONE = define("phone.invalid", gettext_noop("%(text)r is not a phone number."))

A code is never reused for another meaning; a message whose sense changes gets a new
code (a row written before keeps its English text, shown when its code is unknown).
Parameters are kept as JSON: dates as ISO text, numbers as numbers.
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


def plain(value):
    """A parameter as a stored row can keep it (JSON): dates as ISO text."""
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
    """`render` for a stored row: the code and its parameters as JSON text."""
    if not code:
        return fallback
    try:
        params = json.loads(params_json or "{}")
    except ValueError:
        return fallback
    if not isinstance(params, dict):
        return fallback
    return render(code, params, fallback)


class Told:
    """A message by code that is not a refusal (a job's progress): `str()` is its text in
    the active language, `english` the fallback stored beside it."""

    def __init__(self, code: str, **params):
        if code not in _MESSAGES:
            raise RuntimeError(f"undeclared message code {code!r}")
        self.code = code
        self.params = {name: plain(value) for name, value in params.items()}

    def __str__(self) -> str:
        return render(self.code, self.params)

    @property
    def english(self) -> str:
        return english(self.code, self.params)


class Refusal(ValueError):
    """A refusal by code: `str()` is its message in the language active when raised."""

    def __init__(self, code: str, **params):
        if code not in _MESSAGES:
            raise RuntimeError(f"undeclared refusal code {code!r}")
        self.code = code
        self.params = {name: plain(value) for name, value in params.items()}
        super().__init__(render(code, self.params))

    @property
    def english(self) -> str:
        return english(self.code, self.params, str(self))
