import pytest

from onward.jobs.models import Job
from onward.jobs.registry import KINDS, job_kind
from onward.jobs.services import job_enqueue, worker_loop

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def kinds():
    @job_kind("count_to")
    def count_to(job, progress):
        n = job.params["n"]
        for i in range(n):
            progress(i + 1, n, f"counted {i + 1}")
        return {"counted": n}

    @job_kind("explode")
    def explode(job, progress):
        raise ValueError("row 3: bad date")

    yield
    KINDS.pop("count_to"), KINDS.pop("explode")


def test_a_worker_runs_queued_jobs_and_records_their_result(clerk, settings):
    settings.ONWARD_JOBS_EAGER = False
    job = job_enqueue(kind="count_to", actor=clerk, params={"n": 5})
    assert Job.objects.get(pk=job.pk).status == "queued"
    assert worker_loop(once=True) == 1
    job.refresh_from_db()
    assert (job.status, job.progress, job.total, job.result) == ("done", 5, 5, {"counted": 5})
    assert job.started_at and job.finished_at


def test_a_failing_job_records_its_error_and_the_worker_goes_on(clerk, settings):
    settings.ONWARD_JOBS_EAGER = False
    bad = job_enqueue(kind="explode", actor=clerk)
    good = job_enqueue(kind="count_to", actor=clerk, params={"n": 2})
    assert worker_loop(once=True) == 2
    bad.refresh_from_db(), good.refresh_from_db()
    assert bad.status == "failed" and "row 3: bad date" in bad.error
    assert good.status == "done"


def test_an_unknown_kind_is_refused(clerk):
    with pytest.raises(ValueError, match="Unknown job kind"):
        job_enqueue(kind="nope", actor=clerk)


def test_the_job_page_shows_progress_to_its_creator_only(client, users, clerk):
    from onward.accounts import roles

    job = job_enqueue(kind="count_to", actor=clerk, params={"n": 3})
    client.force_login(clerk)
    state = client.get(f"/jobs/{job.pk}/status/").json()
    assert state["status"] == "done" and state["percent"] == 100
    client.force_login(users[roles.PROTECTION])
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
