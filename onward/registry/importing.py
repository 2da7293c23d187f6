"""Bulk import of the person CSV (and the same columns in XLSX) into the registry.

Two passes, streaming, so memory does not grow with the file's length:

1. validate every row with the registry's field rules (registry/validation.py, the same
   semantics as services.clean_person_fields), gathering only compact per-file facts
   (the person ids seen, each case's principal count and first row, the highest ids);
   every error goes to an error sink (row, column, value, message) and none stops the
   pass, so the user sees them all at once; the clean rows are spooled, pickled by
   batch, to a temporary file;
2. if there was no error (and this is not a dry run), from that spool (the file is not
   read again), write everything with COPY on PostgreSQL in one
   transaction: new cases and persons with the ids of the file, changed persons as
   audited edits (version bump, old and new values), their arrivals in the population
   ledger, one audit entry per created or changed record and one for the import.

Ids left blank are assigned in pass 2, under the id counters' lock, as the registration
form assigns them: a blank person_id gets the next P… id; a blank case_id on a principal's
row opens a new case (next C… id) that the rows below it with a blank case_id join, up to
the next principal or the next row naming a case. Pass 1 holds them as placeholders
("~" and the row number, which no id can be), so a dry run takes no number.

Invariants kept: the import lands whole or changes nothing; a case ends with exactly one
principal applicant; a person stays in one case (an import never moves a person); a row
that matches the registry writes nothing (re-importing a file is idempotent).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import pickle
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from onward import bounds
from onward.accounts.policy import require
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record, audit_records
from onward.db import among, insert_rows
from onward.registry import validation
from onward.registry.models import Case, Counter, Person, SpecificNeed
from onward.registry.search import name_keys_deferred, name_keys_write, search_keys_for
from onward.registry.snapshot import values_snapshot
from onward.vault.fields import (
    fill_blind_indexes,
    hide_encrypted,
)

COLUMNS = ("person_id", "case_id", "relationship", "given_name", "family_name",
           "father_name", "sex", "birth_date", "nationality", "document_number", "phone",
           "specific_needs")
REQUIRED = ("relationship", "given_name")
# Not in the DESIGN.md contract, accepted when present: when the case arrived.
OPTIONAL = ("arrival_date",)
# Ids may be left blank: the import assigns them (REQUIRED is the template's "must fill").
ASSIGNED = ("person_id", "case_id")
NEW = "~"  # a placeholder id in pass 1 (no id starts with it: see _ID)
ID_WIDTH = {"P": 6, "C": 5}  # as services._next_id gives them
FIRST_ASSIGNED = 1000  # assigned ids kept in the result (all go to the assigned-ids file)
PERSON_FIELDS = ("relationship", "given_name", "family_name", "father_name", "sex",
                 "birth_date", "nationality", "document_number", "phone", "specific_needs")
_TEXT_LIMITS = {"given_name": 100, "family_name": 100, "father_name": 100,
                "document_number": 40}
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-/]{0,31}$")
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
BATCH = 5000
MEMORY_ERRORS = 1000  # errors kept in memory for the result; all go to the error file


def max_bytes() -> int:
    return int(getattr(settings, "ONWARD_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


class ImportRefused(Exception):
    """The file cannot be read as a person file at all (encoding, columns, size…)."""


@dataclass(frozen=True, slots=True)
class RowError:
    row: int          # the line of the spreadsheet (the header is row 1); 0 for the file
    column: str
    value: str
    message: str


_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def _safe(text: str) -> str:
    return "'" + text if text.startswith(_DANGEROUS) else text


MESSAGE_MAX = 2000


def _listed(names: list[str], most: int = 10) -> str:
    """Names for a message: the first few, and how many more (a header can be huge)."""
    shown = ", ".join(n[:40] for n in names[:most])
    return shown + (f" and {len(names) - most:,} more" if len(names) > most else "")


class ErrorSink:
    """Collects errors: all to a CSV file (when given), the first ones in memory too."""

    HEADER = ("row", "column", "value", "message")

    def __init__(self, path: str | os.PathLike | None = None, keep: int = MEMORY_ERRORS):
        self.count = 0
        self.first: list[RowError] = []
        self.keep = keep
        self._file = open(path, "w", encoding="utf-8", newline="") if path else None
        self._writer = csv.writer(self._file) if self._file else None
        if self._writer:
            self._writer.writerow(self.HEADER)

    def add(self, row: int, column: str, value, message: str) -> None:
        # Bounded, so that the report always reads back (a CSV field over 128 KiB does not).
        error = RowError(row, str(column)[:200], str(value if value is not None else "")[:200],
                         str(message)[:MESSAGE_MAX])
        self.count += 1
        if len(self.first) < self.keep:
            self.first.append(error)
        if self._writer:
            # The report is opened in spreadsheets: no cell may run as a formula.
            self._writer.writerow((error.row, _safe(error.column), _safe(error.value),
                                   _safe(error.message)))

    def close(self) -> None:
        if self._file:
            self._file.close()
            self._file = None


@dataclass
class ImportResult:
    rows: int = 0
    cases_created: int = 0
    persons_created: int = 0
    persons_updated: int = 0
    persons_unchanged: int = 0
    errors: int = 0
    first_errors: list[RowError] = field(default_factory=list)
    assigned: int = 0   # rows that were given an id (or would be, in a dry run)
    first_assigned: list[tuple[int, str, str]] = field(default_factory=list)
    dry_run: bool = False
    applied: bool = False
    refused: str = ""   # a file-level refusal, when there is one

    def as_dict(self) -> dict:
        return {"rows": self.rows, "cases_created": self.cases_created,
                "persons_created": self.persons_created,
                "persons_updated": self.persons_updated,
                "persons_unchanged": self.persons_unchanged, "errors": self.errors,
                "assigned": self.assigned,
                "first_assigned": [list(a) for a in self.first_assigned],
                "dry_run": self.dry_run, "applied": self.applied, "refused": self.refused}


# --- reading -----------------------------------------------------------------------------


def _check_file(path: Path) -> None:
    size = path.stat().st_size
    limit = max_bytes()
    if size > limit:
        raise ImportRefused(
            f"The file is {size / 2**20:.1f} MB, over the import limit of "
            f"{limit / 2**20:.1f} MB "
            "(setting ONWARD_IMPORT_MAX_BYTES). Split it into smaller files.")
    if size == 0:
        raise ImportRefused("The file is empty: it needs a header row and one row a person.")


def _is_xlsx(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(4) == b"PK\x03\x04"


def _csv_lines(path: Path) -> _Lines:
    with open(path, "rb") as f:
        head = f.read(4096)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:200].count(b"\x00") > 2:
        raise ImportRefused(
            "The file is in UTF-16 (as Excel's 'Unicode text' saves it), not UTF-8. Save it "
            "as 'CSV UTF-8' and import it again.")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportRefused("This is an old Excel (.xls) file: save it as .xlsx or CSV UTF-8.")
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
            raise ImportRefused(
                f"The file is not UTF-8 (line {self.line}: byte 0x{raw[exc.start]:02X} cannot "
                "be read). It looks like Latin-1 / Windows-1252: save it as 'CSV UTF-8' and "
                "import it again.") from None

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


def iter_rows(path: str | os.PathLike, *, errors: ErrorSink | None = None
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
        raise ImportRefused("The file is empty: it needs a header row.") from None
    except csv.Error as exc:
        raise ImportRefused(f"The file is not a CSV file ({exc}).") from None

    def rows():
        try:
            yield from enumerate(reader, start=2)
        except csv.Error as exc:
            raise ImportRefused(f"Line {lines.line}: not valid CSV ({exc}).") from None
        finally:
            lines.close()

    return header, rows()


def _iter_xlsx(path: Path, errors: ErrorSink | None):
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportRefused(f"The file cannot be read as an XLSX spreadsheet ({exc}).") from None
    # The template's code lists (import_template.CODES_SHEET) are not persons.
    sheets = [name for name in book.sheetnames if name.strip().lower() != "codes"]
    if len(sheets) != 1:
        book.close()
        raise ImportRefused(
            f"The spreadsheet has {len(sheets)} sheets of persons "
            f"({', '.join(sheets)}); an import reads one: keep only the sheet of "
            "persons (and the template's 'codes' sheet, if you like).")
    sheet = book[sheets[0]]
    cells_iter = sheet.iter_rows()
    try:
        first = next(cells_iter)
    except StopIteration:
        book.close()
        raise ImportRefused("The spreadsheet is empty: it needs a header row.") from None
    header = [_cell_text(c.value) for c in first]
    while header and not header[-1]:
        header.pop()
    width = len(header)

    def rows():
        try:
            for number, cells in enumerate(cells_iter, start=2):
                texts = []
                for index, cell in enumerate(cells[:max(width, len(cells))]):
                    value = cell.value
                    if getattr(cell, "data_type", None) == "f":
                        if errors is not None:
                            column = header[index] if index < width else f"column {index + 1}"
                            errors.add(number, column, value,
                                       "A formula: type the value itself, not a formula.")
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
            raise ImportRefused("The file has a header row but no person.")
    finally:
        rows.close()


def check_header(header: list[str], *, ignore_unknown: bool = False) -> list[str]:
    if len(header) > bounds.IMPORT_MAX_COLUMNS:
        raise ImportRefused(f"The header row has {len(header):,} columns; a person file has "
                            f"{len(COLUMNS)} (at most {bounds.IMPORT_MAX_COLUMNS} are read).")
    names = [h.strip().lower() for h in header]
    problems = []
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        problems.append(f"missing column(s): {', '.join(missing)}")
    unknown = [h for h in names if h and h not in COLUMNS and h not in OPTIONAL]
    if unknown and not ignore_unknown:
        problems.append(f"unknown column(s): {_listed(unknown)} (the columns are "
                        f"{', '.join(COLUMNS)})")
    seen = set()
    twice = sorted({h for h in names if h and (h in seen or seen.add(h))})
    if twice:
        problems.append(f"column(s) given twice: {_listed(twice)}")
    if problems:
        raise ImportRefused("The header row is not the person file's: " + "; ".join(problems)
                            + ".")
    return names


# --- validating a row --------------------------------------------------------------------


class RowValidator:
    """The registry's field rules for one row, with every error collected.

    The parsers are bound once per import (`self.parsers`: column -> function), so a row
    costs one call per column and no lookup of what to do with it."""

    def __init__(self, today: dt.date | None = None):
        self.known_needs = set(SpecificNeed.objects.filter(active=True)
                               .values_list("code", flat=True))
        self.today = today or timezone.localdate()
        known, today_ = self.known_needs, self.today

        def text(name):
            limit = _TEXT_LIMITS.get(name, 255)

            def parse(value):
                return validation.parse_line(value, limit=limit)
            return parse

        document = text("document_number")
        self.parsers = (
            ("relationship", validation.parse_relationship),
            ("given_name", text("given_name")),
            ("family_name", text("family_name")),
            ("father_name", text("father_name")),
            ("sex", validation.parse_sex),
            ("birth_date", lambda v: validation.parse_birth_date(v, today=today_)),
            ("nationality", validation.parse_nationality),
            ("document_number", lambda v: validation.refuse_unreadable(document(v))),
            ("phone", validation.parse_phone),
            ("specific_needs", lambda v: validation.parse_specific_needs(v, known=known)),
        )

    def clean(self, raw: dict, number: int, errors: ErrorSink) -> dict | None:
        clean: dict = {}
        ok = True
        get = raw.get
        for column in ("person_id", "case_id"):
            value = get(column, "").strip()
            if value and not _ID.match(value):
                ok = False
                errors.add(number, column, get(column, ""),
                           "An id is 1–32 letters, digits or - _ . / (no spaces).")
            clean[column] = value
        for name, parse in self.parsers:
            try:
                clean[name] = parse(get(name, ""))
            except ValueError as exc:
                ok = False
                errors.add(number, name, get(name, ""), str(exc))
        if "birth_date" in clean:
            clean["birth_date"], clean["birth_precision"] = clean["birth_date"]
        if "given_name" in clean and not clean["given_name"]:
            ok = False
            errors.add(number, "given_name", get("given_name", ""),
                       "A person needs a given name.")
        try:
            clean["arrival_date"] = validation.parse_arrival_date(get("arrival_date", ""))
        except ValueError as exc:
            ok = False
            errors.add(number, "arrival_date", get("arrival_date", ""), str(exc))
        return clean if ok else None


def _rows_as_dicts(names, rows) -> Iterator[tuple[int, dict]]:
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
    return value[1:] if value[:1] == "'" and value[1:2] in _DANGEROUS else value


# --- the two passes ----------------------------------------------------------------------


@dataclass
class _CaseFacts:
    first_row: int
    principals: int = 0
    principal_ids: list = field(default_factory=list)


def _id_number(value: str, prefix: str) -> int:
    digits = value[len(prefix):]
    return int(digits) if value.startswith(prefix) and digits.isdigit() else 0


def _validate(path, *, errors: ErrorSink, ignore_unknown: bool,
              progress: Callable | None, spool=None) -> tuple[int, dict]:
    """Pass 1. Returns (rows, facts) with facts needed by pass 2. The clean rows go to
    `spool` (a binary temporary file) in pickled batches, so pass 2 neither reads nor
    checks the file again, and memory holds one batch."""
    header, rows = iter_rows(path, errors=errors)
    names = check_header(header, ignore_unknown=ignore_unknown)
    names = [n if n in COLUMNS or n in OPTIONAL else "" for n in names]
    validator = RowValidator()
    seen: dict[str, tuple[int, str]] = {}   # person_id -> (row, case_id)
    cases: dict[str, _CaseFacts] = {}
    high = {"P": 0, "C": 0}
    count = 0
    chunk: list[tuple[int, dict]] = []
    registered: set[str] = set()  # the file's person ids already in the registry
    blanks = _Blanks(errors)

    def check_chunk():
        registered.update(_check_against_registry(chunk, errors))
        if spool is not None and not errors.count:
            pickle.dump([clean for _, clean in chunk], spool, protocol=pickle.HIGHEST_PROTOCOL)
        chunk.clear()

    for number, raw in _rows_as_dicts(names, rows):
        count += 1
        clean = validator.clean(raw, number, errors)
        pid, cid = blanks.ids(raw, number)
        if clean is not None:
            clean.update(person_id=pid, case_id=cid, row=number)
        if pid:
            if pid in seen:
                first_row, first_case = seen[pid]
                if cid and first_case and cid != first_case:
                    errors.add(number, "case_id", cid,
                               f"Person {pid} is also in case {first_case} (row {first_row}): "
                               "a person is in one case only.")
                else:
                    errors.add(number, "person_id", pid,
                               f"Person {pid} is already on row {first_row}: each person "
                               "once.")
            else:
                seen[pid] = (number, cid)
        if cid:
            facts = cases.get(cid)
            if facts is None:
                facts = cases[cid] = _CaseFacts(first_row=number)
            # Counted from the raw value: a principal's row with other errors still is one.
            if raw.get("relationship", "").strip().lower() == "principal":
                facts.principals += 1
                if len(facts.principal_ids) < 3:
                    facts.principal_ids.append((number, pid))
        if clean is not None:
            high["P"] = max(high["P"], _id_number(pid, "P"))
            high["C"] = max(high["C"], _id_number(cid, "C"))
            chunk.append((number, clean))
            if len(chunk) >= BATCH:
                check_chunk()
        if progress and count % 1000 == 0:
            progress(count, None, f"Checked {count:,} rows")
    if chunk:
        check_chunk()
    if count == 0:
        raise ImportRefused("The file has a header row but no person.")
    _check_principals(cases, seen, errors)
    return count, {"high": high, "registered": registered, "assigned": blanks.rows}


class _Blanks:
    """Placeholders for the ids a row leaves blank (see the module's docstring)."""

    def __init__(self, errors: ErrorSink):
        self.errors, self.open_case, self.rows = errors, "", 0

    def ids(self, raw: dict, number: int) -> tuple[str, str]:
        pid, cid = raw.get("person_id", "").strip(), raw.get("case_id", "").strip()
        if cid:
            self.open_case = ""  # a row naming its case ends the blank case above it
        elif raw.get("relationship", "").strip().lower() == "principal":
            cid = self.open_case = f"{NEW}{number}"
        elif self.open_case:
            cid = self.open_case
        else:
            self.errors.add(number, "case_id", "",
                            "No case id, and no principal applicant's row with a blank "
                            "case_id above to join: give the case id, or put the "
                            "principal's row first.")
        if not pid:
            pid = f"{NEW}{number}"
        if pid.startswith(NEW) or cid.startswith(NEW):
            self.rows += 1
        return pid, cid


def shown_id(value: str) -> str:
    """An id as a message shows it: a placeholder is a blank cell of the file."""
    return "(blank: a new one)" if value.startswith(NEW) else value


def _check_against_registry(chunk: list[tuple[int, dict]], errors: ErrorSink) -> set[str]:
    """Rows against the registry: a person never moves case; closed cases take no one.
    Returns the chunk's person ids already registered."""
    existing, removed = {}, set()
    for pid, cid, removed_at in Person.objects.filter(
            person_id__in=among([c["person_id"] for _, c in chunk])).values_list(
                "person_id", "case__case_id", "removed_at"):
        existing[pid] = cid
        if removed_at is not None:
            removed.add(pid)
    closed, removed_cases = set(), set()
    for cid, status, removed_at in Case.objects.filter(
            case_id__in=among({c["case_id"] for _, c in chunk})).values_list(
                "case_id", "status", "removed_at"):
        if status != Case.Status.OPEN:
            closed.add(cid)
        # Removed records (registered in error) are restored on their page, not re-imported.
        if removed_at is not None:
            removed_cases.add(cid)
    for number, clean in chunk:
        pid, cid = clean["person_id"], clean["case_id"]
        if pid in existing and existing[pid] != cid:
            errors.add(number, "case_id", shown_id(cid),
                       f"Person {pid} is in case {existing[pid]} in the registry: an import "
                       "does not move a person to another case.")
        elif cid in removed_cases:
            errors.add(number, "case_id", cid,
                       f"Case {cid} is removed from the registry: restore it first.")
        elif pid in removed:
            errors.add(number, "person_id", pid,
                       f"Person {pid} is removed from the registry: restore them first.")
        elif pid not in existing and cid in closed:
            errors.add(number, "case_id", cid,
                       f"Case {cid} is closed: reopen it before adding members.")
    return set(existing)


def _check_principals(cases: dict[str, _CaseFacts], seen: dict, errors: ErrorSink) -> None:
    """Each case of the file must end with exactly one principal applicant, counting those
    of the registry that the file does not mention."""
    ids = list(cases)
    kept: dict[str, list[str]] = {}
    for start in range(0, len(ids), BATCH):
        for cid, pid in Person.objects.filter(
                case__case_id__in=among(ids[start:start + BATCH]), relationship="principal"
        ).values_list("case__case_id", "person_id"):
            if pid not in seen:
                kept.setdefault(cid, []).append(pid)
    for cid, facts in cases.items():
        total = facts.principals + len(kept.get(cid, ()))
        if total == 0:
            errors.add(facts.first_row, "relationship", cid,
                       f"Case {cid} has no principal applicant: one member must be "
                       "'principal'.")
        elif total > 1:
            where = [f"row {r} ({p})" for r, p in facts.principal_ids]
            where += [f"{p} in the registry" for p in kept.get(cid, ())]
            row = facts.principal_ids[-1][0] if facts.principal_ids else facts.first_row
            errors.add(row, "relationship", cid,
                       f"Case {cid} has {total} principal applicants ({', '.join(where)}); "
                       "a case has exactly one.")


def import_file(path, *, actor, dry_run: bool = False, ignore_unknown: bool = False,
                errors_out=None, assigned_out=None, progress: Callable | None = None,
                source_name: str = "", job_id: str = "") -> ImportResult:
    """Imports a person file (CSV or XLSX): validated whole, then written whole or not at
    all. File-level problems are reported like row errors (row 0) and change nothing.
    `job_id` (the background job doing it) is written into the import's audit entry, in
    the import's own transaction: an attempt after a worker's death finds there whether
    the import had committed (`committed_import`). `assigned_out`: a CSV file of the ids
    given to the rows that left them blank (row, person_id, case_id)."""
    require(actor, "registry.import")
    result = ImportResult(dry_run=dry_run)
    errors = ErrorSink(errors_out)
    source_name = source_name or Path(path).name
    spool = None if dry_run else tempfile.TemporaryFile(prefix="onward-import-")
    try:
        try:
            result.rows, facts = _validate(path, errors=errors, ignore_unknown=ignore_unknown,
                                           progress=progress, spool=spool)
        except ImportRefused as exc:
            result.refused = str(exc)
            errors.add(0, "", "", str(exc))
            return result
        result.assigned = facts["assigned"]
        if errors.count or dry_run:
            return result
        try:
            spool.seek(0)
            with _AssignedIds(assigned_out) as assigned:
                _write(spool, actor=actor, result=result, facts=facts, errors=errors,
                       progress=progress, source_name=source_name, job_id=job_id,
                       assigned=assigned)
        except ImportRefused as exc:
            result.refused = str(exc)
            errors.add(0, "", "", str(exc))
            result.persons_created = result.persons_updated = result.cases_created = 0
            result.persons_unchanged = result.assigned = 0
            result.first_assigned = []
        else:
            result.applied = True
            result.first_assigned = assigned.first
        return result
    finally:
        result.errors = errors.count
        result.first_errors = errors.first
        errors.close()
        if spool is not None:
            spool.close()


def committed_import(job_id: str, source_name: str) -> ImportResult | None:
    """What the import done by job `job_id` wrote, if it committed (None otherwise)."""
    entry = (AuditEntry.objects.filter(object_type="import", object_id=source_name[:64],
                                       changes__job=job_id).order_by("at").first())
    if entry is None:
        return None
    c = entry.changes
    return ImportResult(rows=c.get("rows", 0), cases_created=c.get("cases_created", 0),
                        persons_created=c.get("persons_created", 0),
                        persons_updated=c.get("persons_updated", 0),
                        persons_unchanged=c.get("persons_unchanged", 0), applied=True)


# --- writing -----------------------------------------------------------------------------


class _AssignedIds:
    """The ids given to blank cells, in row order: the first ones for the result, all to
    a CSV file (when given). Numbers come from the id counters, locked (cases first, as
    services.case_create takes them) from the first blank to the commit; a file without
    blanks locks them only at the end, to move them past its highest ids."""

    HEADER = ("row", "person_id", "case_id")

    def __init__(self, path=None):
        self.path, self.first, self.ids, self.next = path, [], {}, None
        self._file = self._writer = None

    def __enter__(self):
        if self.path:
            self._file = open(self.path, "w", encoding="utf-8", newline="")
            self._writer = csv.writer(self._file)
            self._writer.writerow(self.HEADER)
        return self

    def __exit__(self, *exc):
        if self._file:
            self._file.close()

    def _take(self, placeholder: str, prefix: str, high: dict) -> str:
        if self.next is None:
            self.next = {}
            for p in ("C", "P"):
                counter, _ = Counter.objects.select_for_update().get_or_create(prefix=p)
                self.next[p] = max(counter.value, high[p])
        key = (prefix, placeholder)  # a principal's row holds the same one for both
        if key not in self.ids:
            self.next[prefix] += 1
            self.ids[key] = f"{prefix}{self.next[prefix]:0{ID_WIDTH[prefix]}d}"
        return self.ids[key]

    def fill(self, row: dict, high: dict) -> None:
        """Puts real ids in place of the row's placeholders."""
        pid, cid = row["person_id"], row["case_id"]
        if not (pid.startswith(NEW) or cid.startswith(NEW)):
            return
        if cid.startswith(NEW):
            row["case_id"] = self._take(cid, "C", high)
        if pid.startswith(NEW):
            row["person_id"] = self._take(pid, "P", high)
        entry = (row["row"], row["person_id"], row["case_id"])
        if len(self.first) < FIRST_ASSIGNED:
            self.first.append(entry)
        if self._writer:
            self._writer.writerow(entry)

    def counters_save(self, high: dict) -> None:
        """Moves the counters past every id the import wrote (given or assigned)."""
        for prefix in ("C", "P"):
            value = max(high[prefix], (self.next or {}).get(prefix, 0))
            if value:
                counter, _ = Counter.objects.select_for_update().get_or_create(prefix=prefix)
                if counter.value < value:
                    Counter.objects.filter(prefix=prefix).update(value=value)


def _rollup_dims_sync(pks: list[int]) -> None:
    """bulk_update sends no signal: tell the ledger's rollups that attributes changed."""
    from onward.movements.rollup import person_dims_sync

    person_dims_sync(pks)


_DB_FIELDS = ("relationship", "given_name", "family_name", "father_name", "sex", "birth_date",
              "birth_precision", "nationality", "document_number", "phone")
_BIDX_FIELDS = ("document_number_bidx", "phone_bidx")


def _spooled(spool) -> Iterator[list[dict]]:
    while True:
        try:
            yield pickle.load(spool)
        except EOFError:
            return


def _new_pks(model, count: int) -> list[int] | None:
    """PostgreSQL: `count` ids taken from the table's sequence (so the rows can be copied
    with their ids and no query finds them again); None elsewhere."""
    if connection.vendor != "postgresql" or not count:
        return None
    table = model._meta.db_table
    with connection.cursor() as cursor:
        # The sequence's name first: nextval(pg_get_serial_sequence(…)) looks it up per row.
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
                       [sequence, count])
        return [row[0] for row in cursor.fetchall()]


@transaction.atomic
def _write(spool, *, actor, result: ImportResult, facts: dict, errors: ErrorSink,
           progress, source_name: str, job_id: str = "",
           assigned: _AssignedIds | None = None) -> None:
    from onward.movements.ledger import ledger_arrivals

    detail = f"imported from {source_name}"[:255]
    today = timezone.localdate()
    now = timezone.now()
    through = Person.specific_needs.through
    done = 0
    registered = facts.get("registered", set())

    assigned = assigned or _AssignedIds()
    high = facts["high"]

    def flush(batch: list[dict]):
        nonlocal done
        for c in batch:
            assigned.fill(c, high)
        cids = {c["case_id"] for c in batch}
        cases = dict(Case.objects.filter(case_id__in=among(cids)).values_list("case_id", "pk"))
        new_cases: dict[str, dict] = {}
        for c in batch:
            if c["case_id"] not in cases and c["case_id"] not in new_cases:
                new_cases[c["case_id"]] = {"case_id": c["case_id"],
                                           "arrival_date": c["arrival_date"]}
        if new_cases:
            rows = list(new_cases.values())
            pks = _new_pks(Case, len(rows))
            if pks:
                for row, pk in zip(rows, pks, strict=True):
                    row["id"] = pk
                    cases[row["case_id"]] = pk
            insert_rows(Case, rows, now, with_pk=pks is not None)
            if pks is None:
                cases.update(Case.objects.filter(case_id__in=among(new_cases))
                             .values_list("case_id", "pk"))
            result.cases_created += len(new_cases)
        # Only the persons pass 1 found registered are read (and locked); one registered
        # since then makes the COPY below fail on person_id's unique index: refused whole.
        pids = [c["person_id"] for c in batch if c["person_id"] in registered]
        existing = {p.person_id: p for p in Person.objects.select_for_update()
                    .filter(person_id__in=among(pids)).select_related("case")} if pids else {}
        needs_of: dict[int, list[str]] = {}
        if existing:
            for pk, code in through.objects.filter(person_id__in=[
                    p.pk for p in existing.values()]).values_list("person_id",
                                                                  "specificneed_id"):
                needs_of.setdefault(pk, []).append(code)
        creates, updates, audits, need_rows, changed_pks = [], [], [], [], []
        for c in batch:
            old = existing.get(c["person_id"])
            if old is None:
                row = {f: c[f] for f in _DB_FIELDS}
                row.update(person_id=c["person_id"], case_id=cases[c["case_id"]],
                           arrival_date=c["arrival_date"] or today,
                           search_keys=search_keys_for(c["given_name"], c["family_name"],
                                                       c["father_name"]))
                creates.append((row, c["specific_needs"]))
                continue
            if old.case.case_id != c["case_id"]:  # changed since pass 1
                raise ImportRefused(
                    f"Person {old.person_id} was moved to case {old.case.case_id} while the "
                    "file was being checked: import it again.")
            before = values_snapshot({**{f: getattr(old, f) for f in _DB_FIELDS},
                                      "needs_detail": old.needs_detail,
                                      "specific_needs": needs_of.get(old.pk, [])})
            # The file's columns change what they hold; the rest stays as it is.
            after = values_snapshot({**c, "needs_detail": old.needs_detail})
            diff = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
            if not diff:
                result.persons_unchanged += 1
                continue
            for f in _DB_FIELDS:
                setattr(old, f, c[f])
            fill_blind_indexes(old)
            old.version += 1
            old.updated_at = now
            old.search_keys = search_keys_for(old.given_name, old.family_name, old.father_name)
            updates.append(old)
            if "specific_needs" in diff:
                changed_pks.append(old.pk)
                need_rows += [{"person_id": old.pk, "specificneed_id": code}
                              for code in c["specific_needs"]]
            audits.append((AuditEntry.Action.UPDATE, "person", old.person_id,
                           hide_encrypted(Person, diff)))
        created = []
        if creates:
            rows = [r for r, _ in creates]
            pks = _new_pks(Person, len(rows))
            if pks:
                for row, pk in zip(rows, pks, strict=True):
                    row["id"] = pk
            # The search's key table: on SQLite written below, set-based, not by its per-row
            # trigger; PostgreSQL's trigger is per statement (as fast), it writes them.
            deferred = connection.vendor == "sqlite"
            try:
                with name_keys_deferred() if deferred else transaction.atomic():
                    insert_rows(Person, rows, now, with_pk=pks is not None)
            except IntegrityError:
                raise ImportRefused(
                    "Persons of the file were registered by someone else while it was being "
                    "checked: import it again.") from None
            if pks is None:
                ids = dict(Person.objects.filter(person_id__in=among(r["person_id"] for r in rows))
                           .values_list("person_id", "pk"))
                pks = [ids[r["person_id"]] for r in rows]
            if deferred:
                name_keys_write(zip(pks, (r["search_keys"] for r in rows), strict=True))
            for (row, codes_), pk in zip(creates, pks, strict=True):
                need_rows += [{"person_id": pk, "specificneed_id": code} for code in codes_]
                audits.append((AuditEntry.Action.CREATE, "person", row["person_id"]))
                created.append((pk, row["arrival_date"]))  # what the ledger needs
            result.persons_created += len(creates)
        if updates:
            Person.objects.bulk_update(updates, [*_DB_FIELDS, *_BIDX_FIELDS, "version",
                                                 "search_keys", "updated_at"], batch_size=1000)
            result.persons_updated += len(updates)
        if changed_pks:
            through.objects.filter(person_id__in=changed_pks).delete()
        if need_rows:
            insert_rows(through, need_rows, now)
        if created:  # after the needs: the ledger's rollups count persons by their needs
            ledger_arrivals(created, actor=actor, note=detail)
        if updates:
            _rollup_dims_sync([p.pk for p in updates])
        audits += [(AuditEntry.Action.CREATE, "case", cid) for cid in new_cases]
        audit_records(actor=actor, entries=audits, detail=detail)
        done += len(batch)
        if progress:
            progress(done, result.rows, f"Written {done:,} of {result.rows:,} rows")

    for batch in _spooled(spool):
        flush(batch)
    assigned.counters_save(high)
    audit_record(
        actor=actor, action=AuditEntry.Action.CREATE, object_type="import",
        object_id=source_name[:64],
        changes={"rows": result.rows, "cases_created": result.cases_created,
                 "persons_created": result.persons_created,
                 "persons_updated": result.persons_updated,
                 "persons_unchanged": result.persons_unchanged,
                 **({"job": job_id} if job_id else {})},
        detail=detail)
