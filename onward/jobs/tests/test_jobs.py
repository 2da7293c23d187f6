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


def _reads(client, user, language: str, msgid: str, **params) -> str:
    """`msgid` in `language` (checked to be Arabic script), `user` signed in reading it."""
    from django.utils import translation

    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    with translation.override(language):
        told = translation.gettext(msgid) % params
    assert any("\u0600" <= c <= "\u06ff" for c in told)
    return told


@pytest.mark.parametrize("language", ["ar", "fa"])
def test_a_jobs_progress_told_by_code_reads_in_its_readers_language(client, clerk, language):
    """Issue 22: the worker writes in English; the import's reader reads their language."""
    from onward.jobs.services import Lease
    from onward.refusals import Told
    from onward.registry.importing.writing import WRITTEN

    job = Job.objects.create(
        kind="count_to", status=Job.Status.RUNNING, created_by=clerk, lease_owner="w1"
    )
    Lease(job, "w1", heartbeat=False).progress(40, 80, Told(WRITTEN, done=40, rows=80))
    job.refresh_from_db()
    assert (job.message, job.message_code) == ("Written 40 of 80 rows", "import.written")
    told = _reads(client, clerk, language, "Written %(done)s of %(rows)s rows", done=40, rows=80)
    assert client.get(f"/jobs/{job.pk}/status/").json()["message"] == told
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert f'<span id="job-message">{told}</span>' in page


def test_a_failed_jobs_last_word_reads_in_its_readers_language(client, clerk):
    job = job_enqueue(kind="explode", actor=clerk)
    job.refresh_from_db()
    assert (job.status, job.message) == ("failed", "Failed")  # the English, kept beside
    told = _reads(client, clerk, "fa", "Failed")
    assert client.get(f"/jobs/{job.pk}/status/").json()["message"] == told
