"""The audited view of a person: the fields that the audit log's changes, a person's
history and the duplicate review show, in one shape whoever writes (a clerk's edit, an
import, a merge). One function, so that the import's diff and the services' diff never
drift apart again."""

from __future__ import annotations

from collections.abc import Mapping

FIELDS = (
    "relationship",
    "given_name",
    "family_name",
    "father_name",
    "given_name_arabic",
    "family_name_arabic",
    "sex",
    "birth_date",
    "nationality",
    "document_number",
    "phone",
    "needs_detail",
    "specific_needs",
)


def birth_date_shown(birth, precision: str) -> str:
    """A birth date as recorded: the year, the month or the day."""
    if not birth:
        return ""
    return {"Y": f"{birth:%Y}", "M": f"{birth:%Y-%m}"}.get(precision, f"{birth:%Y-%m-%d}")


def values_snapshot(values: Mapping) -> dict:
    """`values`: attribute -> value (a clean import row, a person's fields), with
    `birth_precision` beside `birth_date` and `specific_needs` as codes."""
    snapshot = {name: values.get(name, "") for name in FIELDS}
    snapshot["birth_date"] = birth_date_shown(
        values.get("birth_date"), values.get("birth_precision", "D")
    )
    snapshot["specific_needs"] = sorted(values.get("specific_needs") or [])
    return snapshot


def person_snapshot(person) -> dict:
    values = {name: getattr(person, name) for name in FIELDS if name not in ("specific_needs",)}
    values["birth_precision"] = person.birth_precision
    values["specific_needs"] = person.specific_needs.values_list("code", flat=True)
    return values_snapshot(values)
