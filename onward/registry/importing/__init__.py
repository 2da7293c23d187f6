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

import tempfile
from collections.abc import Callable
from pathlib import Path

from onward.accounts.policy import require
from onward.audit.models import AuditEntry
from onward.registry.importing.common import (
    ASSIGNED,
    COLUMNS,
    FIRST_ASSIGNED,
    OPTIONAL,
    REQUIRED,
    ErrorSink,
    ImportRefused,
    ImportResult,
    RowError,
    max_bytes,
)
from onward.registry.importing.reading import check_header, check_readable, iter_rows, unquote
from onward.registry.importing.validating import validate_file
from onward.registry.importing.writing import AssignedIds, write_spool

__all__ = [
    "ASSIGNED",
    "COLUMNS",
    "FIRST_ASSIGNED",
    "OPTIONAL",
    "REQUIRED",
    "ErrorSink",
    "ImportRefused",
    "ImportResult",
    "RowError",
    "check_header",
    "check_readable",
    "committed_import",
    "import_file",
    "iter_rows",
    "max_bytes",
    "unquote",
]


def _refused(result: ImportResult, errors: ErrorSink, exc: ImportRefused) -> None:
    """A file-level refusal: on row 0 of the report, by code (told in its reader's
    language), and in English in the result."""
    result.refused = exc.english
    for refusal in exc.refusals:
        errors.add(0, "", "", refusal)


def import_file(
    path,
    *,
    actor,
    dry_run: bool = False,
    ignore_unknown: bool = False,
    errors_out=None,
    assigned_out=None,
    progress: Callable | None = None,
    source_name: str = "",
    job_id: str = "",
) -> ImportResult:
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
            result.rows, facts = validate_file(
                path,
                errors=errors,
                ignore_unknown=ignore_unknown,
                progress=progress,
                spool=spool,
                steps=result.steps,
            )
        except ImportRefused as exc:
            _refused(result, errors, exc)
            return result
        result.assigned = facts["assigned"]
        if errors.count or dry_run:
            return result
        try:
            spool.seek(0)
            with AssignedIds(assigned_out) as assigned:
                write_spool(
                    spool,
                    actor=actor,
                    result=result,
                    facts=facts,
                    errors=errors,
                    progress=progress,
                    source_name=source_name,
                    job_id=job_id,
                    assigned=assigned,
                )
        except ImportRefused as exc:
            _refused(result, errors, exc)
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
    entry = (
        AuditEntry.objects.filter(
            object_type="import",
            object_id__iexact=source_name[:64],  # the (UPPER(object_id), at) index
            changes__job=job_id,
        )
        .order_by("at")
        .first()
    )
    if entry is None:
        return None
    c = entry.changes
    return ImportResult(
        rows=c.get("rows", 0),
        cases_created=c.get("cases_created", 0),
        persons_created=c.get("persons_created", 0),
        persons_updated=c.get("persons_updated", 0),
        persons_unchanged=c.get("persons_unchanged", 0),
        applied=True,
    )
