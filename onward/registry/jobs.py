"""Background jobs of the registry: a bulk import runs as the "import" job kind."""

from pathlib import Path

from django.conf import settings

from onward.jobs.registry import job_kind

UPLOADS = "uploads"


def uploads_dir() -> Path:
    path = Path(settings.DATA_DIR) / UPLOADS
    path.mkdir(parents=True, exist_ok=True)
    return path


def errors_path(job) -> Path:
    return uploads_dir() / f"{job.pk}-errors.csv"


@job_kind("import")
def run_import(job, progress):
    """Imports the uploaded file as the user who uploaded it; the error report (every
    error, as CSV) is kept next to the upload for the result page."""
    from onward.registry.importing import import_file

    params = job.params
    result = import_file(uploads_dir() / params["stored"], actor=job.created_by,
                         dry_run=params.get("dry_run", False), errors_out=errors_path(job),
                         progress=progress, source_name=params.get("name", ""))
    progress(result.rows, result.rows, "Imported" if result.applied else (
        "Checked" if result.dry_run and not result.errors else "Refused"))
    return result.as_dict()
