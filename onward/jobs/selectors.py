from django.db.models import QuerySet

from onward.accounts.policy import can, get_for_user
from onward.jobs.models import Job


def visible_jobs(user) -> QuerySet:
    """Its creator sees a job; so do administrators and data managers."""
    if not getattr(user, "is_authenticated", False):
        return Job.objects.none()
    if can(user, "jobs.view_all"):
        return Job.objects.all()
    return Job.objects.filter(created_by=user)


def get_job_for_user(user, job_id) -> Job:
    return get_for_user(user, visible_jobs(user), "job", job_id)
