"""`retention` as a background job (onward/jobs): the same run, with its progress."""

from onward.jobs.registry import job_kind
from onward.retention.services import retention_run


# Safe to retry: each batch commits whole and a rerun selects only what is not done.
@job_kind("retention", retry=True)
def run_retention(job, progress):
    outcome = retention_run(
        actor=job.created_by,
        progress=lambda done, total, message: progress(done, total, message),
    )
    return {"persons": outcome.persons, "cases": outcome.cases, "files": outcome.files}
