"""Reading a person file: its size and kind, its header, its rows as text (CSV or XLSX),
streamed."""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext_noop

from onward import bounds
from onward.refusals import Refusal, define
from onward.registry.importing.common import (
    COLUMNS,
    DANGEROUS,
    OPTIONAL,
    ErrorSink,
    ImportRefused,
    listed,
    max_bytes,
)

FORMULA = define("cell.formula", gettext_noop("A formula: type the value itself, not a formula."))

# The file-level refusals (row 0 of the report), by code (onward/refusals.py): the report
# keeps the code and its parameters and shows them in its reader's language.
TOO_LARGE = define(
    "file.too_large",
    gettext_noop(
        "The file is %(value)s MB, over the import limit of %(value2)s MB (setting ONWARD_IMPORT_MAX_BYTES). Split it into smaller files."
    ),
)
EMPTY = define(
    "file.empty",
    gettext_noop("The file is empty: it needs a header row and one row a person."),
)
UTF16 = define(
    "file.utf16",
    gettext_noop(
        "The file is in UTF-16 (as Excel's 'Unicode text' saves it), not UTF-8. Save it as 'CSV UTF-8' and import it again."
    ),
)
OLD_EXCEL = define(
    "file.xls", gettext_noop("This is an old Excel (.xls) file: save it as .xlsx or CSV UTF-8.")
)
NOT_UTF8 = define(
    "file.not_utf8",
    gettext_noop(
        "The file is not UTF-8 (line %(line)s: byte 0x%(raw)s cannot be read). It looks like Latin-1 / Windows-1252: save it as 'CSV UTF-8' and import it again."
    ),
)
NO_HEADER = define("file.no_header", gettext_noop("The file is empty: it needs a header row."))
NOT_CSV = define("file.not_csv", gettext_noop("The file is not a CSV file (%(exc)s)."))
BAD_CSV_LINE = define("file.csv_line", gettext_noop("Line %(line)s: not valid CSV (%(exc)s)."))
NOT_XLSX = define(
    "file.not_xlsx", gettext_noop("The file cannot be read as an XLSX spreadsheet (%(exc)s).")
)
SHEETS = define(
    "file.sheets",
    gettext_noop(
        "The spreadsheet has %(n)s sheets of persons (%(items)s); an import reads one: keep only the sheet of persons (and the template's 'codes' sheet, if you like)."
    ),
)
EMPTY_SHEET = define(
    "file.empty_sheet", gettext_noop("The spreadsheet is empty: it needs a header row.")
)
NO_PERSON = define("file.no_person", gettext_noop("The file has a header row but no person."))
TOO_MANY_COLUMNS = define(
    "header.too_many",
    gettext_noop(
        "The header row has %(n)s columns; a person file has %(n2)s (at most %(IMPORT_MAX_COLUMNS)s are read)."
    ),
)
HEADER_MISSING = define(
    "header.missing",
    gettext_noop("The header row is not the person file's: missing column(s): %(items)s."),
)
HEADER_UNKNOWN = define(
    "header.unknown",
    gettext_noop(
        "The header row is not the person file's: unknown column(s): %(listed)s (the columns are %(items)s)."
    ),
)
HEADER_TWICE = define(
    "header.twice",
    gettext_noop("The header row is not the person file's: column(s) given twice: %(listed)s."),
)

# --- reading -----------------------------------------------------------------------------


def _check_file(path: Path) -> None:
    size = path.stat().st_size
    limit = max_bytes()
    if size > limit:
        raise ImportRefused(TOO_LARGE, value=f"{size / 2**20:.1f}", value2=f"{limit / 2**20:.1f}")
    if size == 0:
        raise ImportRefused(EMPTY)


def _is_xlsx(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(4) == b"PK\x03\x04"


def _csv_lines(path: Path) -> _Lines:
    with open(path, "rb") as f:
        head = f.read(4096)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:200].count(b"\x00") > 2:
        raise ImportRefused(UTF16)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportRefused(OLD_EXCEL)
    return _Lines(open(path, "rb"))


class _Lines:
    """The file's lines decoded as UTF-8 one by one, so an encoding error names its line
    (a UTF-8 character never contains a newline byte, so splitting first is safe)."""

    def __init__(self, binary):
        self.binary, self.line = binary, 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        raw = next(self.binary)
        self.line += 1
        if self.line == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]  # a UTF-8 byte-order mark (Excel's "CSV UTF-8") is fine
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ImportRefused(NOT_UTF8, line=self.line, raw=f"{raw[exc.start]:02X}") from None

    def close(self) -> None:
        self.binary.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def iter_rows(
    path: str | os.PathLike, *, errors: ErrorSink | None = None
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """(header, iterator of (spreadsheet row number, cell texts)) of a CSV or XLSX file.

    File-level problems raise ImportRefused; a formula cell in XLSX is a row error.
    """
    path = Path(path)
    _check_file(path)
    if _is_xlsx(path):
        return _iter_xlsx(path, errors)
    lines = _csv_lines(path)
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRefused(NO_HEADER) from None
    except csv.Error as exc:
        raise ImportRefused(NOT_CSV, exc=str(exc)) from None

    def rows():
        try:
            yield from enumerate(reader, start=2)
        except csv.Error as exc:
            raise ImportRefused(BAD_CSV_LINE, line=lines.line, exc=str(exc)) from None
        finally:
            lines.close()

    return header, rows()


def _iter_xlsx(path: Path, errors: ErrorSink | None):
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportRefused(NOT_XLSX, exc=str(exc)) from None
    # The template's code lists (import_template.CODES_SHEET) are not persons.
    sheets = [name for name in book.sheetnames if name.strip().lower() != "codes"]
    if len(sheets) != 1:
        book.close()
        raise ImportRefused(SHEETS, n=len(sheets), items=", ".join(sheets))
    sheet = book[sheets[0]]
    cells_iter = sheet.iter_rows()
    try:
        first = next(cells_iter)
    except StopIteration:
        book.close()
        raise ImportRefused(EMPTY_SHEET) from None
    header = [_cell_text(c.value) for c in first]
    while header and not header[-1]:
        header.pop()
    width = len(header)

    def rows():
        try:
            for number, cells in enumerate(cells_iter, start=2):
                texts = []
                for index, cell in enumerate(cells[: max(width, len(cells))]):
                    value = cell.value
                    if getattr(cell, "data_type", None) == "f":
                        if errors is not None:
                            column = header[index] if index < width else f"column {index + 1}"
                            errors.add(
                                number,
                                column,
                                value,
                                Refusal(FORMULA),
                            )
                        value = ""
                    texts.append(_cell_text(value))
                if any(texts):
                    yield number, texts
        finally:
            book.close()

    return header, rows()


def check_readable(path: str | os.PathLike, *, ignore_unknown: bool = False) -> None:
    """The file-level checks of an import, without its rows: size, encoding or spreadsheet,
    the header row, at least one person. Raises ImportRefused naming what is wrong."""
    header, rows = iter_rows(path)
    try:
        first = next(rows, None)  # started, so that closing it closes the file
        check_header(header, ignore_unknown=ignore_unknown)
        if first is None:
            raise ImportRefused(NO_PERSON)
    finally:
        rows.close()


def check_header(header: list[str], *, ignore_unknown: bool = False) -> list[str]:
    if len(header) > bounds.IMPORT_MAX_COLUMNS:
        raise ImportRefused(
            TOO_MANY_COLUMNS,
            n=f"{len(header):,}",
            n2=len(COLUMNS),
            IMPORT_MAX_COLUMNS=bounds.IMPORT_MAX_COLUMNS,
        )
    names = [h.strip().lower() for h in header]
    problems = []
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        problems.append(Refusal(HEADER_MISSING, items=", ".join(missing)))
    unknown = [h for h in names if h and h not in COLUMNS and h not in OPTIONAL]
    if unknown and not ignore_unknown:
        problems.append(Refusal(HEADER_UNKNOWN, listed=listed(unknown), items=", ".join(COLUMNS)))
    seen = set()
    twice = sorted({h for h in names if h and (h in seen or seen.add(h))})
    if twice:
        problems.append(Refusal(HEADER_TWICE, listed=listed(twice)))
    if problems:
        raise ImportRefused.of(problems)
    return names


# --- validating a row --------------------------------------------------------------------


def rows_as_dicts(names, rows) -> Iterator[tuple[int, dict]]:
    width = len(names)
    for number, cells in rows:
        if not any(c.strip() for c in cells):
            continue  # a blank line
        if len(cells) < width:
            cells = [*cells, *[""] * (width - len(cells))]
        yield number, {names[i]: unquote(cells[i]) for i in range(width) if names[i]}


def unquote(value: str) -> str:
    """Drops the quote an export puts before = + - @ tab CR (formula-injection guard), so
    an exported file imports back as it was."""
    return value[1:] if value[:1] == "'" and value[1:2] in DANGEROUS else value


# --- the two passes ----------------------------------------------------------------------
