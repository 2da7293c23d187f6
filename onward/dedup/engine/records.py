"""The record model of the engine and the parsing of its field values (plain data, no Django)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Person CSV columns (see /work/shared/DESIGN.md), in file order.
PERSON_COLUMNS = (
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
NAME_FIELDS = ("given_name", "family_name", "father_name")
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass
class Person:
    """One registration as the engine sees it; empty strings mean unknown.

    ``extra`` holds any further string fields (address, place of birth …): they are
    compared generically by string similarity.
    """

    person_id: str
    given_name: str = ""
    family_name: str = ""
    father_name: str = ""
    sex: str = ""
    birth_date: str = ""
    nationality: str = ""
    document_number: str = ""
    phone: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def as_person(rec: Person | Mapping[str, Any], index: int = 0) -> Person:
    """A Person from a Person or a mapping with the person-CSV keys (others are ignored,
    except an ``extra`` mapping)."""
    if isinstance(rec, Person):
        return rec
    get = rec.get
    extra = get("extra") or {}
    return Person(
        person_id=str(get("person_id") or index),
        given_name=str(get("given_name") or ""),
        family_name=str(get("family_name") or ""),
        father_name=str(get("father_name") or ""),
        sex=str(get("sex") or ""),
        birth_date=str(get("birth_date") or ""),
        nationality=str(get("nationality") or ""),
        document_number=str(get("document_number") or ""),
        phone=str(get("phone") or ""),
        extra={str(k): str(v or "") for k, v in extra.items()},
    )


def parse_birth_date(value: str) -> tuple[int, int, int]:
    """(year, month, day) with 0 for an unknown part; raises ValueError when malformed.

    Accepts YYYY, YYYY-MM and YYYY-MM-DD (and YYYYMMDD); rejects impossible dates.
    """
    value = (value or "").strip()
    if not value:
        return (0, 0, 0)
    if len(value) == 8 and value.isdigit():
        value = f"{value[:4]}-{value[4:6]}-{value[6:]}"
    m = _DATE_RE.match(value)
    if not m:
        raise ValueError(f"not a date (YYYY, YYYY-MM or YYYY-MM-DD): {value!r}")
    year, month, day = int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)
    if m.group(2) and not 1 <= month <= 12:
        raise ValueError(f"month out of range: {value!r}")
    if m.group(3):
        dt.date(year, month, day)  # raises ValueError for 2013-02-30
    if not 1850 <= year <= 2200:
        raise ValueError(f"year out of range: {value!r}")
    return (year, month, day)


def lenient_birth_date(value: str) -> tuple[int, int, int]:
    """parse_birth_date, but an unparseable value counts as unknown (for foreign data)."""
    try:
        return parse_birth_date(value)
    except ValueError:
        return (0, 0, 0)


_NOT_DOC_RE = re.compile(r"[^0-9A-Z]")
_NOT_DIGIT_RE = re.compile(r"\D")


def normalise_document(value: str) -> str:
    """Document numbers compared on upper-case letters and digits only."""
    value = (value or "").upper()
    if value.isascii() and value.isalnum():
        return value
    return _NOT_DOC_RE.sub("", value)


def normalise_phone(value: str) -> str:
    """The last 7 digits of a phone number ('' when fewer than 7 digits are given)."""
    digits = _NOT_DIGIT_RE.sub("", value or "")
    return digits[-7:] if len(digits) >= 7 else ""


def normalise_code(value: str) -> str:
    """Codes (sex, nationality) compared upper-case; X (not stated) counts as unknown."""
    value = (value or "").strip().upper()
    return "" if value == "X" else value
