"""What the import's reader, validator and writer share: the columns, the limits, the
error sink and the result."""

from __future__ import annotations

import csv
import json
import os
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings

from onward.refusals import Refusal

COLUMNS = (
    "person_id",
    "case_id",
    "relationship",
    "given_name",
    "family_name",
    "father_name",
    "sex",
    "birth_date",
    "nationality",
    "document_number",
    "phone",
    "specific_needs",
)
REQUIRED = ("relationship", "given_name")
# Not in the DESIGN.md contract, accepted when present: when the case arrived, and the
# names in Arabic script (a file without these columns leaves them as they are).
ARABIC_NAMES = ("given_name_arabic", "family_name_arabic")
OPTIONAL = ("arrival_date", *ARABIC_NAMES)
# Ids may be left blank: the import assigns them (REQUIRED is the template's "must fill").
ASSIGNED = ("person_id", "case_id")
NEW = "~"  # a placeholder id in pass 1 (no id starts with it: see ID_PATTERN)
ID_WIDTH = {"P": 6, "C": 5}  # as services._next_id gives them
FIRST_ASSIGNED = 1000  # assigned ids kept in the result (all go to the assigned-ids file)
PERSON_FIELDS = (
    "relationship",
    "given_name",
    "family_name",
    "father_name",
    "sex",
    "birth_date",
    "nationality",
    "document_number",
    "phone",
    "specific_needs",
)
TEXT_LIMITS = {"given_name": 100, "family_name": 100, "father_name": 100, "document_number": 40}
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-/]{0,31}$")
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
BATCH = 5000
MEMORY_ERRORS = 1000  # errors kept in memory for the result; all go to the error file


def max_bytes() -> int:
    return int(getattr(settings, "ONWARD_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


class ImportRefused(Exception):
    """The file cannot be read as a person file at all (encoding, columns, size…).

    It carries its refusals by code and parameters (onward/refusals.py): the report keeps
    them on row 0, and the import page tells them in its reader's language. Raised as
    `ImportRefused(CODE, **params)`, or `ImportRefused.of([Refusal, …])` for several
    problems at once (a header can lack a column and repeat another); `str()` is the
    message in the language active when raised."""

    def __init__(self, code: str | list[Refusal], /, **params):
        self.refusals = list(code) if isinstance(code, list) else [Refusal(code, **params)]
        super().__init__(" ".join(str(r) for r in self.refusals))

    @classmethod
    def of(cls, refusals: list[Refusal]) -> ImportRefused:
        return cls(list(refusals))

    @property
    def english(self) -> str:
        """The message in English, as the import's result keeps it."""
        return " ".join(r.english for r in self.refusals)


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # the line of the spreadsheet (the header is row 1); 0 for the file
    column: str
    value: str
    message: str  # in English, the source language (shown when `code` is not known)
    # The message by code and parameters (onward/refusals.py), told in its reader's
    # language when the report is shown; "" for a message without a code.
    code: str = ""
    params: dict = field(default_factory=dict)


DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def _safe(text: str) -> str:
    return "'" + text if text.startswith(DANGEROUS) else text


MESSAGE_MAX = 2000


def listed(names: list[str], most: int = 10) -> str:
    """Names for a message: the first few, and how many more (a header can be huge)."""
    shown = ", ".join(n[:40] for n in names[:most])
    return shown + (f" and {len(names) - most:,} more" if len(names) > most else "")


def _params_cell(params: dict) -> str:
    if not params:
        return ""
    text = json.dumps(params, ensure_ascii=False, separators=(",", ":"))
    # Bounded like the other cells; parameters cut short would not read back: none then
    # (the English message is kept whole beside them).
    return text if len(text) <= MESSAGE_MAX else ""


class ErrorSink:
    """Collects errors: all to a CSV file (when given), the first ones in memory too."""

    HEADER = ("row", "column", "value", "message", "code", "params")

    def __init__(self, path: str | os.PathLike | None = None, keep: int = MEMORY_ERRORS):
        self.count = 0
        self.first: list[RowError] = []
        self.keep = keep
        self._file = open(path, "w", encoding="utf-8", newline="") if path else None
        self._writer = csv.writer(self._file) if self._file else None
        if self._writer:
            self._writer.writerow(self.HEADER)

    def add(self, row: int, column: str, value, message: str | Exception) -> None:
        """`message`: a Refusal (kept by code and parameters, in English beside them) or
        a text (kept as it is)."""
        if isinstance(message, Refusal):
            code, params, text = message.code, message.params, message.english
        else:
            code, params, text = "", {}, str(message)
        # Bounded, so that the report always reads back (a CSV field over 128 KiB does not).
        error = RowError(
            row,
            str(column)[:200],
            str(value if value is not None else "")[:200],
            text[:MESSAGE_MAX],
            code,
            params,
        )
        self.count += 1
        if len(self.first) < self.keep:
            self.first.append(error)
        if self._writer:
            # The report is opened in spreadsheets: no cell may run as a formula.
            self._writer.writerow(
                (
                    error.row,
                    _safe(error.column),
                    _safe(error.value),
                    _safe(error.message),
                    error.code,
                    _params_cell(error.params),
                )
            )

    def close(self) -> None:
        if self._file:
            self._file.close()
            self._file = None


class Steps:
    """Wall-clock seconds per named step of one import (bench/import_bench.py prints
    them): a step timed several times (once per batch) adds up."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - start)

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds


@dataclass
class ImportResult:
    rows: int = 0
    cases_created: int = 0
    persons_created: int = 0
    persons_updated: int = 0
    persons_unchanged: int = 0
    errors: int = 0
    first_errors: list[RowError] = field(default_factory=list)
    assigned: int = 0  # rows that were given an id (or would be, in a dry run)
    first_assigned: list[tuple[int, str, str]] = field(default_factory=list)
    dry_run: bool = False
    applied: bool = False
    refused: str = ""  # a file-level refusal, when there is one
    steps: Steps = field(default_factory=Steps)  # not in as_dict: a measurement

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "cases_created": self.cases_created,
            "persons_created": self.persons_created,
            "persons_updated": self.persons_updated,
            "persons_unchanged": self.persons_unchanged,
            "errors": self.errors,
            "assigned": self.assigned,
            "first_assigned": [list(a) for a in self.first_assigned],
            "dry_run": self.dry_run,
            "applied": self.applied,
            "refused": self.refused,
        }
