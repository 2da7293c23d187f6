from onward.accounts.policy import NotFound, can
from onward.jobs.models import Job


def get_job_for_user(user, job_id) -> Job:
    """Its creator sees a job; so do administrators and data managers."""
    try:
        job = Job.objects.get(pk=job_id)
    except Exception as exc:
        raise NotFound(f"No job {job_id}.") from exc
    if job.created_by_id != user.pk and not can(user, "jobs.view_all"):
        raise NotFound(f"No job {job_id}.")
    return job
