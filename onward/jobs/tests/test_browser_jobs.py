"""In a real headless Chromium: a clerk watches an import whose worker died; the page says
the worker stopped, that the import is queued again as attempt 2 of 3, then that it landed;
an import with no attempt left says it failed and why."""

import pytest

from onward.jobs.models import Job
from onward.jobs.services import _lease_end, job_claim_next, job_reclaim_expired, worker_loop
from onward.registry.tests.test_browser_import import ROWS, _write
from onward.web.tests.browser import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def queued_only(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.ONWARD_JOBS_EAGER = False  # the test plays the workers


def _upload(page, base, path):
    page.goto(f"{base}/imports/")
    page.set_input_files("input[type=file]", str(path))
    page.click("button[type=submit] >> text=Upload and import")
    page.wait_for_selector("#job")
    return Job.objects.get(kind="import", status="queued")


def _worker_dies(job):
    job_claim_next(worker="field-office-1:4242:3f9a1c")
    Job.objects.filter(pk=job.pk).update(lease_expires_at=_lease_end(-1))
    job_reclaim_expired()


def test_a_clerk_sees_an_import_retried_after_its_worker_died(
    browser_page, live_server, clerk, tmp_path, settings
):
    page, base = browser_page, live_server.url
    login(page, base, "t_clerk")
    job = _upload(page, base, _write(tmp_path / "day-14.csv", ROWS))
    _worker_dies(job)
    page.reload()
    page.wait_for_selector("#job-attempt >> text=Attempt 2 of 3")
    assert "the worker stopped (lease expired at" in page.inner_text("#job-message")
    assert "Attempt 1: the worker stopped" in page.inner_text("#job-history")
    shot(page, "jobs-01-import-queued-again")
    worker_loop(once=True)
    page.wait_for_selector("#import-outcome")  # the page reloads when the job ends
    assert "Imported: all 3 rows landed" in page.inner_text("#import-outcome")
    assert "Attempt 2 of 3" in page.inner_text("#job")
    shot(page, "jobs-02-import-landed-on-attempt-2")

    settings.ONWARD_JOB_MAX_ATTEMPTS = 1
    rows = [[f"{r[0]}9", f"{r[1]}9", *r[2:]] for r in ROWS]
    job = _upload(page, base, _write(tmp_path / "day-15.csv", rows))
    _worker_dies(job)
    page.reload()
    failed = page.inner_text("#job")
    assert "Failed" in failed and "The worker stopped (lease expired at" in failed
    assert "start it again" in failed
    shot(page, "jobs-03-import-failed-worker-stopped")
