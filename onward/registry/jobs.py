"""Background jobs of the registry: a bulk import runs as the "import" job kind.

The web page (views_io) and the API (api_imports) start an import the same way
(`import_start`), read it through the same door (`get_import_for_user`) and its row
errors through the same audited read (`import_error_rows`).
"""

import csv
import tempfile
import time
import uuid
from contextlib import contextmanager
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.storage import FileSystemStorage
from django.utils.text import get_valid_filename
from django.utils.translation import gettext

from onward.accounts.policy import require
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record
from onward.jobs.registry import chore, job_kind

UPLOADS = "uploads"
SUFFIXES = (".csv", ".xlsx")


def uploads_dir() -> Path:
    path = Path(settings.DATA_DIR) / UPLOADS
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def errors_path(job) -> Path:
    return uploads_dir() / errors_path_name(job.pk)


def errors_path_name(job_id) -> str:
    return f"{job_id}-errors.csv"


def assigned_path(job) -> Path:
    """The ids the import gave to blank cells: row, person_id, case_id."""
    return uploads_dir() / f"{job.pk}-assigned.csv"


def _committed(job) -> dict | None:
    """The import an attempt committed before its worker died, if it did."""
    from onward.registry.importing import committed_import

    if job.params.get("dry_run"):
        return None  # a dry run commits nothing
    done = committed_import(str(job.pk), job.params.get("name") or job.params["stored"])
    return {**done.as_dict(), "committed_by_earlier_attempt": True} if done else None


# Safe to run again after its worker died: the import commits all its rows or none, and
# its audit entry names the job in that same transaction, so a take-back knows whether
# the dead attempt had committed (then the job is done, not run again).
@job_kind("import", retry=True, committed=_committed)
def run_import(job, progress):
    """Imports the uploaded file as the user who uploaded it; the error report (every
    error, as CSV) is kept next to the upload for the result page."""
    from onward.registry.importing import import_file

    params = job.params
    result = import_file(
        uploads_dir() / params["stored"],
        actor=job.created_by,
        dry_run=params.get("dry_run", False),
        errors_out=errors_path(job),
        assigned_out=assigned_path(job),
        progress=progress,
        source_name=params.get("name", ""),
        job_id=str(job.pk),
    )
    progress(
        result.rows,
        result.rows,
        "Imported"
        if result.applied
        else ("Checked" if result.dry_run and not result.errors else "Refused"),
    )
    return result.as_dict()


# --- starting an import ------------------------------------------------------------------


def size_refusal(upload) -> str:
    """Why an upload is too large to import ("" when it is not)."""
    from onward.registry.importing import max_bytes

    limit = max_bytes()
    if upload.size <= limit:
        return ""
    return gettext(
        "The file is %(size).1f MB, over the import limit of %(limit).1f MB: "
        "split it into smaller files."
    ) % {"size": upload.size / 2**20, "limit": limit / 2**20}


@contextmanager
def _on_disk(upload):
    """A path to the upload's bytes (a large upload is on disk already)."""
    if hasattr(upload, "temporary_file_path"):
        yield Path(upload.temporary_file_path())
        return
    with tempfile.NamedTemporaryFile(prefix="onward-upload-") as copy:
        for chunk in upload.chunks():
            copy.write(chunk)
        copy.flush()
        yield Path(copy.name)


def import_upload_check(upload) -> None:
    """Refuses, before anything is stored, an upload that cannot be a person file: none,
    not CSV or XLSX, too large, unreadable, or a header that is not the person file's.
    Raises ValidationError on `file`. Row errors are the job's to find (all of them)."""
    from onward.registry.importing import ImportRefused, check_readable

    if upload is None:
        raise ValidationError(
            {
                "file": gettext(
                    "No file: send the person file (CSV UTF-8 or XLSX) as the form field 'file'."
                )
            }
        )
    if Path(upload.name or "").suffix.lower() not in SUFFIXES:
        raise ValidationError(
            {"file": gettext("Not a CSV or XLSX file: the file's name must end in .csv or .xlsx.")}
        )
    if refusal := size_refusal(upload):
        raise ValidationError({"file": refusal})
    with _on_disk(upload) as path:
        try:
            check_readable(path)
        except ImportRefused as exc:
            raise ValidationError({"file": str(exc)}) from None
    upload.seek(0)


def import_start(*, actor, upload, dry_run: bool = False):
    """Keeps the uploaded file and queues its import, done as `actor` (all or nothing)."""
    from onward.jobs.services import job_enqueue

    require(actor, "registry.import")
    try:
        name = get_valid_filename(Path(upload.name or "").name)[:80]
    except SuspiciousFileOperation:
        name = ""
    name = name or "upload"
    stored = FileSystemStorage(location=uploads_dir()).save(f"{uuid.uuid4().hex}-{name}", upload)
    return job_enqueue(
        kind="import",
        actor=actor,
        params={"stored": stored, "name": name, "dry_run": bool(dry_run)},
    )


# --- retention ---------------------------------------------------------------------------


def uploads_purge(*, days: int | None = None, now: float | None = None) -> list[Path]:
    """Removes the uploaded import files and their error reports (which quote the values
    at fault) older than `days` (ONWARD_UPLOAD_RETENTION_DAYS): they hold the file's
    personal data in clear, and the imported records are in the database. The files of an
    import not finished yet are kept whatever their age. Audited as one entry; safe to
    run again (what is gone stays gone)."""
    from onward.jobs.models import Job

    days = settings.ONWARD_UPLOAD_RETENTION_DAYS if days is None else days
    cutoff = (time.time() if now is None else now) - days * 86400
    unfinished = Job.objects.filter(kind="import", finished_at__isnull=True)
    keep = {
        name
        for pk, params in unfinished.values_list("pk", "params")
        for name in (params.get("stored", ""), errors_path_name(pk))
    }
    root = uploads_dir()
    removed = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.relative_to(root).as_posix() in keep or path.stat().st_mtime >= cutoff:
            continue
        path.unlink(missing_ok=True)
        removed.append(path)
    if removed:
        audit_record(
            actor=None,
            action=AuditEntry.Action.PURGE,
            object_type="import",
            detail=f"{len(removed)} uploaded file(s) and error report(s) older than "
            f"{days} days removed",
        )
    return removed


@chore("uploads purge", every=3600)
def _uploads_purge_chore() -> str:
    removed = uploads_purge()
    return f"{len(removed)} file(s) past retention removed" if removed else ""


# --- reading an import -------------------------------------------------------------------


def get_import_for_user(user, job_id):
    """The import job, for its creator, administrators and data managers; NotFound (after
    a denied audit entry) for any other, as for one that does not exist."""
    from onward.accounts.policy import get_for_user
    from onward.jobs.selectors import visible_jobs

    return get_for_user(user, visible_jobs(user).filter(kind="import"), "import", job_id)


def import_error_count(job) -> int:
    return int((job.result or {}).get("errors", 0)) if job.finished else 0


def import_error_rows(*, actor, job, start: int, stop: int) -> list[list[str]]:
    """Rows `start`..`stop` of the import's error report: [row, column, value, message,
    code], the message in the reader's language (the active one) when the report kept its
    code and parameters (onward/refusals.py), else as the report has it (English: a report
    written before the codes, or a message without one). The values come from the file
    (names, document numbers): the read is audited."""
    from onward.refusals import render_stored
    from onward.registry.importing import unquote

    path = errors_path(job)
    if not import_error_count(job) or not path.exists():
        return []
    try:
        with open(path, encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            next(reader, None)
            rows = [_shown(row, unquote, render_stored) for row in islice(reader, start, stop)]
    except (csv.Error, UnicodeDecodeError):
        # A report written before its cells were bounded (a 100,000-column header's
        # message) does not read back: the page says so instead of failing for good.
        return [
            [
                "",
                "",
                "",
                gettext(
                    "This error report cannot be shown here (a cell is too large); "
                    "download it as CSV."
                ),
                "",
            ]
        ]
    if rows:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.VIEW,
            object_type="import",
            object_id=str(job.pk),
            detail=f"errors {start + 1}-{start + len(rows)}",
        )
    return rows


def _shown(row: list[str], unquote, render_stored) -> list[str]:
    """One line of the report as the pages show it: row, column, value, message, code."""
    row = [*row, "", "", "", ""][: max(len(row), 4)]
    number, column, value, message = row[0], unquote(row[1]), unquote(row[2]), unquote(row[3])
    code = row[4] if len(row) > 4 else ""
    params = row[5] if len(row) > 5 else ""
    return [number, column, value, render_stored(code, params, message), code]
