"""The blank person file a clerk fills in: every column the import reads, and the code
lists its cells take (CSV, and XLSX with the lists on a second sheet and drop-downs).

The XLSX template's second sheet is named CODES_SHEET; the import ignores a sheet of that
name, so a filled-in template imports as it is.
"""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext_noop
from iso3166 import countries_by_alpha3

from onward.registry import codes
from onward.registry.importing import ASSIGNED, COLUMNS, OPTIONAL, REQUIRED
from onward.registry.models import SpecificNeed

CODES_SHEET = "codes"
HEADER = (*COLUMNS, *OPTIONAL)
ROWS = 1000  # rows of the XLSX template formatted as text and offered drop-downs

# What each column takes, for the template's header notes and the import page.
HELP = {
    "person_id": gettext_noop("Leave blank for a new person: the import gives the next P… id."),
    "case_id": gettext_noop(
        "Leave blank on the principal applicant's row for a new case; the rows "
        "below with a blank case_id join it."
    ),
    "relationship": gettext_noop(
        "Required: a code of the 'relationship' list (one 'principal' a case)."
    ),
    "given_name": gettext_noop("Required."),
    "family_name": "",
    "father_name": "",
    "sex": gettext_noop("M, F or X; empty if unknown."),
    "birth_date": gettext_noop("YYYY-MM-DD, YYYY-MM or YYYY (typed as text)."),
    "nationality": gettext_noop("ISO 3166-1 alpha-3 (the 'nationality' list)."),
    "document_number": "",
    "phone": "",
    "specific_needs": gettext_noop("Codes of the 'specific_needs' list, separated by ;"),
    "arrival_date": gettext_noop(
        "YYYY-MM-DD: not in the future, not before the operation began. "
        "Empty: the day of the import."
    ),
    "given_name_arabic": gettext_noop(
        "Optional: the given name in Arabic script (no Latin letters). "
        "A file without this column leaves the names on record as they are."
    ),
    "family_name_arabic": gettext_noop("Optional: the family name in Arabic script."),
}


def code_lists() -> list[tuple[str, str, str]]:
    """(column, code, meaning) for every coded column of the person file."""
    rows = [("sex", code, label) for code, label in codes.SEX.items()]
    rows += [("relationship", code, label) for code, label in codes.RELATIONSHIPS.items()]
    rows += [
        ("specific_needs", n.code, n.label)
        for n in SpecificNeed.objects.filter(active=True).order_by("code")
    ]
    rows += [
        ("nationality", code, country.name) for code, country in sorted(countries_by_alpha3.items())
    ]
    return rows


def template_csv() -> bytes:
    """The header row alone, UTF-8 with the byte-order mark Excel needs to read it so."""
    return "\ufeff".encode() + (",".join(HEADER) + "\r\n").encode()


def codes_csv() -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(("column", "code", "meaning"))
    writer.writerows(code_lists())
    return "\ufeff".encode() + text.getvalue().encode()


def template_xlsx(out) -> None:
    """Writes the XLSX template to the binary file `out`."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "persons"
    lists = code_lists()
    ranges = _list_ranges(lists)
    for index, name in enumerate(HEADER, start=1):
        cell = sheet.cell(row=1, column=index, value=name)
        cell.font = Font(bold=name in REQUIRED)
        note = HELP.get(name) or ("Optional." if name not in ASSIGNED else "")
        if note:
            cell.comment = Comment(note, "Onward")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, len(name) + 4)
        # Text, so that Excel keeps "1980" a year, "+964…" a phone and "007" its zeros.
        for row in range(2, ROWS + 2):
            sheet.cell(row=row, column=index).number_format = "@"
        if name in ranges:
            check = DataValidation(
                type="list",
                formula1=f"={CODES_SHEET}!{ranges[name]}",
                allow_blank=True,
                showErrorMessage=True,
                error=f"Not a code of the '{name}' list (sheet {CODES_SHEET}).",
            )
            check.add(f"{letter}2:{letter}{ROWS + 1}")
            sheet.add_data_validation(check)
    sheet.freeze_panes = "A2"
    reference = book.create_sheet(CODES_SHEET)
    reference.append(("column", "code", "meaning"))
    for row in lists:
        reference.append(row)
    reference.column_dimensions["C"].width = 48
    book.save(out)


def _list_ranges(lists) -> dict[str, str]:
    """Where each single-code column's list sits on the codes sheet ($B$2:$B$4…)."""
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for number, (column, _, _) in enumerate(lists, start=2):
        first.setdefault(column, number)
        last[column] = number
    # specific_needs takes several codes in one cell: no drop-down for it.
    return {c: f"$B${first[c]}:$B${last[c]}" for c in first if c != "specific_needs"}
