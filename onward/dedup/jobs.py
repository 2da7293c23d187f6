"""The whole-registry duplicate run, as a background job."""

from onward.dedup import services
from onward.jobs.registry import job_kind


@job_kind("dedup")
def run_dedup(job, progress):
    return services.dedup_run_registry(actor=job.created_by, progress=progress)
