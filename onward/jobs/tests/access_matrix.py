from django.urls import reverse

from onward.jobs.models import Job
from onward.web.tests.matrix import Row, outcome


def world(users) -> dict:
    from onward.accounts import roles

    job = Job.objects.create(kind="test", created_by=users[roles.CLERK])
    return {"job": job.pk}


def _j(name):
    return lambda w: reverse(name, kwargs={"job_id": w["job"]})


# A job is its creator's (the clerk here), and the admin's and data manager's.
ROWS = [
    Row("job_detail", _j("job_detail"), outcome(404, A=200, DM=200, CL=200)),
    Row("job_status", _j("job_status"), outcome(404, A=200, DM=200, CL=200)),
]
