"""Exports of persons and cases: CSV, XLSX and HXL-tagged CSV, optionally pseudonymised.

Every export is permission-checked (registry.export) and audited (action export, with its
filters and row count), starts from the same selectors as the list pages (so it holds
exactly what the user sees with those filters), and is protected against spreadsheet
formula injection: a text cell starting with = + - @ tab or CR gets a leading quote.

Pseudonymised exports put stable random-looking ids (a keyed HMAC, the key from
settings) in place of ids, names, document numbers and phones: the same person has the
same pseudonym in every export, and nobody without the key can go back.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from onward.accounts.policy import require
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record
from onward.registry import selectors
from onward.registry.importing import COLUMNS
from onward.registry.importing.common import ARABIC_NAMES

# The import's columns, then the names in Arabic script (optional columns of the import,
# so an export imports back as it was).
PERSON_COLUMNS = (*COLUMNS, *ARABIC_NAMES)

FORMATS = ("csv", "xlsx", "hxl")
KINDS = ("persons", "cases")

# HXL hashtags (core hashtags of the HXL 1.1 dictionary: #indiv, #group, #date, #country,
# #contact, #status; attributes refine them, as the tagging conventions allow).
PERSON_HXL = {
    "person_id": "#indiv+id",
    "case_id": "#group+id",
    "relationship": "#indiv+relationship",
    "given_name": "#indiv+name+given",
    "family_name": "#indiv+name+family",
    "father_name": "#indiv+name+father",
    "sex": "#indiv+sex",
    "birth_date": "#date+birth",
    "nationality": "#country+code",
    "document_number": "#indiv+id+document",
    "phone": "#contact+phone",
    "specific_needs": "#indiv+needs+code",
    # +i_ar: HXL's attribute for text in Arabic (here: the script, for Persian names too).
    "given_name_arabic": "#indiv+name+given+i_ar",
    "family_name_arabic": "#indiv+name+family+i_ar",
}
CASE_COLUMNS = (
    "case_id",
    "status",
    "arrival_date",
    "size",
    "principal_person_id",
    "principal_given_name",
    "principal_family_name",
    "nationality",
)
CASE_HXL = {
    "case_id": "#group+id",
    "status": "#status",
    "arrival_date": "#date+arrival",
    "size": "#group+size+num",
    "principal_person_id": "#indiv+id+principal",
    "principal_given_name": "#indiv+name+given+principal",
    "principal_family_name": "#indiv+name+family+principal",
    "nationality": "#country+code",
}
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """A cell value a spreadsheet will not run as a formula (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_DANGEROUS) else text


# --- pseudonyms --------------------------------------------------------------------------


def _pseudonym_key() -> bytes:
    key = getattr(settings, "ONWARD_PSEUDONYM_KEY", "") or ""
    if key:
        return key.encode()
    # Derived from SECRET_KEY when no key of its own is set: stable per deployment.
    return hmac.new(settings.SECRET_KEY.encode(), b"onward-pseudonyms", hashlib.sha256).digest()


class Pseudonymiser:
    """Stable pseudonyms: the same (kind, value) always gives the same id."""

    def __init__(self, key: bytes | None = None):
        self.key = key or _pseudonym_key()

    def __call__(self, kind: str, value: str, prefix: str = "") -> str:
        if not value:
            return ""
        digest = hmac.new(self.key, f"{kind}\x1f{value}".encode(), hashlib.sha256).digest()
        return prefix + base64.b32encode(digest[:8]).decode().rstrip("=")


# --- rows --------------------------------------------------------------------------------


@dataclass
class Export:
    columns: tuple[str, ...]
    hxl: dict[str, str]
    rows: Iterator[list[str]]
    count: int


def _person_rows(queryset, pseud: Pseudonymiser | None) -> Iterator[list[str]]:
    for p in queryset.prefetch_related("specific_needs").iterator(chunk_size=2000):
        row = {
            "person_id": p.person_id,
            "case_id": p.case.case_id,
            "relationship": p.relationship,
            "given_name": p.given_name,
            "family_name": p.family_name,
            "father_name": p.father_name,
            "sex": p.sex,
            "birth_date": p.birth_date_display,
            "nationality": p.nationality,
            "document_number": p.document_number,
            "phone": p.phone,
            "specific_needs": ";".join(sorted(n.code for n in p.specific_needs.all())),
            "given_name_arabic": p.given_name_arabic,
            "family_name_arabic": p.family_name_arabic,
        }
        if pseud:
            # Names per person (a common name must not stand out by its frequency);
            # documents and phones per value (the same document is the same pseudonym).
            row.update(
                person_id=pseud("person", p.person_id, "PX"),
                case_id=pseud("case", p.case.case_id, "CX"),
                given_name=pseud("given_name", p.person_id, "N"),
                family_name=pseud("family_name", p.person_id, "N"),
                father_name=pseud("father_name", p.person_id, "N") if p.father_name else "",
                given_name_arabic=pseud("given_name_arabic", p.person_id, "N")
                if p.given_name_arabic
                else "",
                family_name_arabic=pseud("family_name_arabic", p.person_id, "N")
                if p.family_name_arabic
                else "",
                document_number=pseud("document", p.document_number, "D"),
                phone=pseud("phone", p.phone, "T"),
            )
        yield [row[c] for c in PERSON_COLUMNS]


def _case_rows(queryset, pseud: Pseudonymiser | None) -> Iterator[list[str]]:
    for c in queryset.prefetch_related("members").iterator(chunk_size=2000):
        pa = c.principal
        row = [
            c.case_id,
            c.status,
            c.arrival_date.isoformat() if c.arrival_date else "",
            str(c.size),
            pa.person_id if pa else "",
            pa.given_name if pa else "",
            pa.family_name if pa else "",
            pa.nationality if pa else "",
        ]
        if pseud:
            row[0] = pseud("case", c.case_id, "CX")
            if pa:
                row[4] = pseud("person", pa.person_id, "PX")
                row[5] = pseud("given_name", pa.person_id, "N")
                row[6] = pseud("family_name", pa.person_id, "N")
        yield row


def export_build(
    *, user, kind: str, filters: dict, pseudonymise: bool = False, fmt: str = "csv"
) -> Export:
    """The rows of an export, after the permission check and the audit entry (the export
    is recorded before a byte leaves). One export is one audit entry: the export entry,
    with the filters, stands for the read too (no list "view" beside it)."""
    require(user, "registry.export")
    if kind not in KINDS:
        raise ValueError(_("Unknown export %(kind)r.") % {"kind": kind})
    if fmt not in FORMATS:
        raise ValueError(
            _("Unknown format %(fmt)r: use one of %(items)s.")
            % {"fmt": fmt, "items": ", ".join(FORMATS)}
        )
    if kind == "persons":
        queryset = selectors.persons_filtered(user=user, **filters).select_related("case")
        columns, hxl, rows_of = PERSON_COLUMNS, PERSON_HXL, _person_rows
    else:
        queryset = selectors.cases_filtered(user=user, **filters)
        columns, hxl, rows_of = CASE_COLUMNS, CASE_HXL, _case_rows
    count = queryset.count()
    shown = " ".join(f"{k}={v}" for k, v in filters.items() if v) or "all"
    audit_record(
        actor=user,
        action=AuditEntry.Action.EXPORT,
        object_type=kind[:-1] + "_list",
        changes={
            "format": fmt,
            "rows": count,
            "pseudonymised": pseudonymise,
            "filters": {k: v for k, v in filters.items() if v},
        },
        detail=f"{count} {kind} as {fmt}{' (pseudonymised)' if pseudonymise else ''}: {shown}",
    )
    pseud = Pseudonymiser() if pseudonymise else None
    return Export(tuple(columns), hxl, rows_of(queryset, pseud), count)


# --- writers -----------------------------------------------------------------------------


class _Echo:
    def write(self, value):
        return value


def csv_lines(export: Export, *, hxl: bool = False, bom: bool = True) -> Iterator[str]:
    """The export as CSV text, line by line (for streaming responses and files)."""
    writer = csv.writer(_Echo())
    yield ("\ufeff" if bom else "") + writer.writerow(export.columns)
    if hxl:
        yield writer.writerow([export.hxl[c] for c in export.columns])
    for row in export.rows:
        yield writer.writerow([neutralise(v) for v in row])


def write_csv(export: Export, out, *, hxl: bool = False, bom: bool = True) -> None:
    for line in csv_lines(export, hxl=hxl, bom=bom):
        out.write(line)


def write_xlsx(export: Export, path) -> None:
    """A one-sheet XLSX written in streaming mode (openpyxl write_only)."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("persons" if "person_id" in export.columns else "cases")
    sheet.append(list(export.columns))
    for row in export.rows:
        sheet.append([neutralise(v) for v in row])
    book.save(path)


def write(export: Export, fmt: str, path) -> None:
    if fmt == "xlsx":
        write_xlsx(export, path)
        return
    with open(path, "w", encoding="utf-8", newline="") as out:
        write_csv(export, out, hxl=fmt == "hxl", bom=fmt == "csv")


def content_type(fmt: str) -> str:
    return (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if fmt == "xlsx"
        else "text/csv; charset=utf-8"
    )


def filename(kind: str, fmt: str, pseudonymise: bool) -> str:
    suffix = "-pseudonymised" if pseudonymise else ""
    ext = "xlsx" if fmt == "xlsx" else "csv"
    return f"onward-{kind}{suffix}{'-hxl' if fmt == 'hxl' else ''}.{ext}"
