"""Leases: a job whose worker died is taken back, retried where its kind allows, failed
with the reason otherwise; a live job is never taken from its worker. In one process:
`test_worker_processes.py` kills real `onward worker` processes."""

import threading
import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, transaction

from onward.accounts import roles
from onward.jobs.models import Job
from onward.jobs.registry import KINDS, job_kind
from onward.jobs.services import (
    LeaseLost,
    _lease_end,
    job_claim_next,
    job_enqueue,
    job_reclaim_expired,
    job_run,
    worker_loop,
)

pytestmark = pytest.mark.django_db(transaction=True)
seen: list = []


@pytest.fixture(autouse=True)
def kinds(settings):
    settings.ONWARD_JOBS_EAGER = False
    seen.clear()

    @job_kind("count", retry=True)
    def count(job, progress):
        for i in range(job.params.get("n", 3)):
            progress(i + 1, job.params.get("n", 3), f"counted {i + 1}")
        return {"counted": job.params.get("n", 3)}

    @job_kind("once")
    def once(job, progress):
        return {}

    @job_kind("taken_back_midway", retry=True)
    def taken_back_midway(job, progress):
        progress(1, 3, "one")
        _expire(job)
        seen.append([j.pk for j in job_reclaim_expired()])  # as another worker would
        time.sleep(0.6)  # past the progress throttle
        progress(2, 3, "two")
        seen.append("went on after losing the lease")
        return {"should": "not be recorded"}

    @job_kind("quiet", retry=True)
    def quiet(job, progress):
        time.sleep(job.params["seconds"])  # no progress at all: only the heartbeat renews
        seen.append([j.pk for j in job_reclaim_expired()])
        return {}

    yield
    for name in ("count", "once", "taken_back_midway", "quiet"):
        KINDS.pop(name)


def _expire(job):
    Job.objects.filter(pk=job.pk).update(lease_expires_at=_lease_end(-1))


def _claimed(kind, clerk, **params) -> Job:
    job = job_enqueue(kind=kind, actor=clerk, params=params)
    claimed = job_claim_next(worker="host-a:101:aaaaaa")
    assert claimed.pk == job.pk and claimed.lease_owner == "host-a:101:aaaaaa"
    return claimed


def test_a_claim_takes_a_lease_and_a_second_claim_finds_nothing(clerk, settings):
    settings.ONWARD_JOB_LEASE_SECONDS = 60
    job = _claimed("count", clerk)
    assert (job.status, job.attempts, job.max_attempts) == ("running", 1, 3)
    assert job.lease_expires_at > job.started_at
    assert job_claim_next(worker="host-b:202:bbbbbb") is None
    assert job_reclaim_expired() == []  # alive: its lease runs


def test_a_dead_workers_job_is_queued_again_and_its_next_attempt_finishes(clerk):
    job = _claimed("count", clerk)
    _expire(job)
    [taken] = job_reclaim_expired()
    assert taken.status == "queued" and taken.lease_owner == ""
    assert "the worker stopped (lease expired at" in taken.message
    assert "Queued again for attempt 2 of 3" in taken.message
    assert taken.history[0]["worker"] == "host-a:101:aaaaaa"
    assert taken.history[0]["then"] == "queued again"
    assert worker_loop(once=True) == 1
    taken.refresh_from_db()
    assert (taken.status, taken.attempts, taken.result) == ("done", 2, {"counted": 3})
    assert taken.attempt_label == "attempt 2 of 3"


def test_a_job_taken_back_after_a_progress_told_by_code_says_it_was_queued_again(clerk):
    """The take-back's plain text replaces the code of the dead worker's last report
    (the page and the worker's log read `shown_message`, which a kept code would win)."""
    from onward.jobs.services import Lease
    from onward.refusals import Told
    from onward.registry.importing.writing import WRITTEN

    job = _claimed("count", clerk)
    Lease(job, job.lease_owner, heartbeat=False).progress(5, 9, Told(WRITTEN, done=5, rows=9))
    _expire(job)
    [taken] = job_reclaim_expired()
    assert taken.message_code == "" and taken.message_params == {}
    assert "Queued again for attempt 2 of 3" in taken.shown_message


def test_attempts_are_bounded_then_the_job_fails_with_the_reason(clerk, settings):
    settings.ONWARD_JOB_MAX_ATTEMPTS = 2
    job = _claimed("count", clerk)
    _expire(job)
    job_reclaim_expired()
    job_claim_next(worker="host-b:202:bbbbbb")
    _expire(job)
    [failed] = job_reclaim_expired()
    assert (failed.status, failed.attempts) == ("failed", 2)
    assert failed.error.startswith("The worker stopped (lease expired at ")
    assert "attempt 2 of 2, the last" in failed.error
    assert [h["then"] for h in failed.history] == ["queued again", "failed"]
    assert failed.finished_at is not None
    assert worker_loop(once=True) == 0


def test_a_kind_that_is_not_safe_to_retry_fails_at_once(clerk):
    job = _claimed("once", clerk)
    assert job.max_attempts == 1
    _expire(job)
    [failed] = job_reclaim_expired()
    assert failed.status == "failed"
    assert "not run again by itself" in failed.error


def test_a_job_running_before_leases_existed_is_taken_back(clerk):
    job = Job.objects.create(
        kind="count", status="running", attempts=1, max_attempts=3, created_by=clerk
    )
    [taken] = job_reclaim_expired()
    assert taken.pk == job.pk and taken.status == "queued"
    assert "running before leases were kept" in taken.message


def test_a_worker_that_lost_its_lease_stops_and_records_nothing(clerk):
    job = _claimed("taken_back_midway", clerk)
    ended = job_run(job, worker="host-a:101:aaaaaa", heartbeat=False)
    assert seen == [[job.pk]]  # taken back; the second progress report stopped the job
    assert (ended.status, ended.attempts, ended.result) == ("queued", 1, {})
    assert ended.history[0]["worker"] == "host-a:101:aaaaaa"


def test_the_heartbeat_keeps_a_long_quiet_job_alive(clerk, settings):
    settings.ONWARD_JOB_LEASE_SECONDS = 2
    job = _claimed("quiet", clerk, seconds=2.5)
    done = job_run(job, worker="host-a:101:aaaaaa")
    assert seen == [[]] and (done.status, done.attempts) == ("done", 1)


def test_without_its_heartbeat_the_same_job_would_be_taken_back(clerk, settings):
    settings.ONWARD_JOB_LEASE_SECONDS = 2
    job = _claimed("quiet", clerk, seconds=2.5)
    ended = job_run(job, worker="host-a:101:aaaaaa", heartbeat=False)
    assert seen == [[job.pk]] and ended.status == "queued"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="on SQLite the job's write transaction holds the only write lock",
)
def test_a_job_inside_its_transaction_cannot_be_taken_back(clerk, settings):
    """A progress report inside the job's transaction fences it (KEY SHARE on its row)."""
    job = _claimed("count", clerk)
    from onward.jobs.services import Lease

    lease = Lease(job, "host-a:101:aaaaaa", heartbeat=False)
    taken = []

    def another_worker():
        _expire(job)  # the heartbeat's kind of update is not blocked by the fence
        taken.extend(job_reclaim_expired())
        connection.close()

    with transaction.atomic():
        lease.progress(1, 2, "inside")
        thread = threading.Thread(target=another_worker)
        thread.start()
        thread.join(10)
    assert taken == []
    assert [j.pk for j in job_reclaim_expired()] == [job.pk]  # once committed, it may


def test_a_lost_lease_inside_the_jobs_transaction_rolls_it_back(clerk):
    job = _claimed("count", clerk)
    from onward.jobs.services import Lease

    lease = Lease(job, "host-a:101:aaaaaa", heartbeat=False)
    _expire(job)
    job_reclaim_expired()
    with pytest.raises(LeaseLost), transaction.atomic():
        Job.objects.filter(pk=job.pk).update(message="half-written work")
        lease.progress(1, 2, "inside")
    job.refresh_from_db()
    assert job.message != "half-written work"


def test_the_command_line_says_what_happened(clerk, capsys):
    job = _claimed("count", clerk)
    _expire(job)
    call_command("worker", "--once")
    out = capsys.readouterr().out
    assert "the worker stopped (lease expired at" in out
    assert "queued again for attempt 2 of 3" in out.lower()
    assert f"count job {job.pk}: started (attempt 2 of 3)" in out
    assert f"count job {job.pk} (done, attempt 2 of 3)" in out
    call_command("jobs")
    listing = capsys.readouterr().out
    assert "attempt 1 on host-a:101:aaaaaa: the worker stopped" in listing


def test_the_job_page_says_a_worker_stopped_and_which_attempt_this_is(client, clerk):
    job = _claimed("count", clerk)
    _expire(job)
    job_reclaim_expired()
    client.force_login(clerk)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Attempt 2 of 3" in page
    assert "Attempt 1: the worker stopped (lease expired at" in page
    state = client.get(f"/jobs/{job.pk}/status/").json()
    assert state["status"] == "queued" and state["attempt"] == "attempt 2 of 3"


def test_a_match_run_follows_its_job_when_its_worker_dies(users, settings):
    from onward.matching import services
    from onward.matching.models import MatchRun

    run = services.run_start(actor=users[roles.RESETTLEMENT])
    job = job_claim_next(worker="host-a:101:aaaaaa")
    MatchRun.objects.filter(pk=run.pk).update(status=MatchRun.Status.RUNNING)
    _expire(job)
    job_reclaim_expired()
    run.refresh_from_db()
    assert run.status == "queued"
    settings.ONWARD_JOB_MAX_ATTEMPTS = 1
    job_claim_next(worker="host-b:202:bbbbbb")
    Job.objects.filter(pk=job.pk).update(max_attempts=1)
    _expire(job)
    job_reclaim_expired()
    run.refresh_from_db()
    assert run.status == "failed" and "The worker stopped (lease expired at" in run.error


def test_a_match_attempt_after_a_death_reuses_the_inputs_the_first_one_stored(users):
    from onward.matching import services
    from onward.matching.tests.access_matrix import assessed_case, open_pledge

    open_pledge(users, persons=10)
    assessed_case(users, size=2)
    run = services.run_start(actor=users[roles.RESETTLEMENT])
    job = job_claim_next(worker="host-a:101:aaaaaa")

    def dies_while_solving(done, total=None, message=""):
        if done == 2:  # the inputs are stored; the worker dies in the solve
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        services.run_execute(run=run, progress=dies_while_solving)
    run.refresh_from_db()
    stored = run.inputs_sha256
    assert run.status == "running" and stored
    _expire(job)
    job_reclaim_expired()
    assert worker_loop(once=True) == 1
    run.refresh_from_db()
    job.refresh_from_db()
    assert (job.status, job.attempts, run.status) == ("done", 2, "done")
    assert run.inputs_sha256 == stored


def test_a_match_solved_before_its_worker_died_is_recorded_not_solved_again(users):
    from onward.matching import services

    run = services.run_start(actor=users[roles.RESETTLEMENT])
    job = job_claim_next(worker="host-a:101:aaaaaa")
    services.run_execute(run=run)  # solved and stored; the worker died before recording it
    run.refresh_from_db()
    _expire(job)
    [done] = job_reclaim_expired()
    assert (done.status, done.attempts, done.result["run"]) == ("done", 1, run.pk)
    assert done.history[0]["then"] == "done: its work had committed"
    assert worker_loop(once=True) == 0


@pytest.mark.parametrize("attempts_left", [True, False])
def test_an_import_committed_before_its_worker_died_is_done_not_imported_again(
    users, tmp_path, settings, attempts_left
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from onward.audit.models import AuditEntry
    from onward.jobs.tests.test_worker_processes import _people
    from onward.registry.jobs import import_start, run_import
    from onward.registry.models import Person

    settings.DATA_DIR = tmp_path
    settings.ONWARD_JOB_MAX_ATTEMPTS = 3 if attempts_left else 1
    import_start(
        actor=users[roles.CLERK], upload=SimpleUploadedFile("people.csv", _people(2, first=900001))
    )
    job = job_claim_next(worker="host-a:101:aaaaaa")
    run_import(job, lambda *a, **k: None)  # committed; the worker died before recording it
    _expire(job)
    [done] = job_reclaim_expired()
    assert (done.status, done.attempts) == ("done", 1)
    assert done.result["persons_created"] == 2 and done.result["committed_by_earlier_attempt"]
    assert "its work had committed" in done.message
    assert worker_loop(once=True) == 0
    assert Person.objects.count() == 2
    assert AuditEntry.objects.filter(object_type="import").count() == 1


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("ONWARD_JOB_LEASE_SECONDS", "soon", "must be a whole number, not 'soon'"),
        ("ONWARD_JOB_LEASE_SECONDS", "1", "must be from 2 to 3600, not 1"),
        ("ONWARD_JOB_MAX_ATTEMPTS", "0", "must be from 1 to 10, not 0"),
    ],
)
def test_a_job_setting_it_cannot_use_is_refused_by_name(monkeypatch, name, value, message):
    import importlib

    import onward.settings.base as base

    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=f"{name} {message}"):
        importlib.reload(base)
    monkeypatch.delenv(name)
    importlib.reload(base)
