"""The whole-registry duplicate run, as a background job."""

from onward.dedup import services
from onward.jobs.registry import job_kind


# Safe to run again after its worker died: a run only scores and files pairs for review
# (nothing is merged without a person), and filing is idempotent: a pair already filed
# gets its new score, a decided pair keeps its decision.
@job_kind("dedup", retry=True)
def run_dedup(job, progress):
    return services.dedup_run_registry(actor=job.created_by, progress=progress)
