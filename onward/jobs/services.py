"""Queueing and running jobs.

A worker (`onward worker`, or the thread `onward demo` starts) claims queued jobs one at a
time; with `ONWARD_JOBS_EAGER` (tests) a job runs as soon as its enqueuing transaction
commits, through the same `job_run`.
"""

import logging
import threading
import time
import traceback

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from onward.jobs.models import Job
from onward.jobs.registry import KINDS

log = logging.getLogger(__name__)
# Progress is written at most this often: a progress row per input row would slow the
# job down more than it informs anyone.
PROGRESS_EVERY_SECONDS = 0.5


def job_enqueue(*, kind: str, actor, params: dict | None = None) -> Job:
    if kind not in KINDS:
        raise ValueError(f"Unknown job kind {kind!r}.")
    job = Job.objects.create(kind=kind, created_by=actor, params=params or {})
    if getattr(settings, "ONWARD_JOBS_EAGER", False):
        transaction.on_commit(lambda: job_run(Job.objects.get(pk=job.pk)))
    return job


def job_claim_next() -> Job | None:
    """Marks the oldest queued job running and returns it (None when there is none).

    On PostgreSQL `skip_locked` lets several workers claim different jobs; SQLite
    serialises writers, which gives the same guarantee with one writer at a time.
    """
    with transaction.atomic():
        queued = Job.objects.filter(status=Job.Status.QUEUED).order_by("created_at")
        if connection.features.has_select_for_update_skip_locked:
            queued = queued.select_for_update(skip_locked=True)
        job = queued.first()
        if job is None:
            return None
        Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING,
                                              started_at=timezone.now())
        job.refresh_from_db()
        return job


def job_run(job: Job) -> Job:
    """Runs one job to its end and records its result, or its error. Never raises."""
    if job.status == Job.Status.QUEUED:
        Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now())
    last = [0.0]

    def progress(done: int, total: int | None = None, message: str = "") -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY_SECONDS and (total is None or done < total):
            return
        last[0] = now
        fields = {"progress": done, "message": message[:255]}
        if total is not None:
            fields["total"] = total
        Job.objects.filter(pk=job.pk).update(**fields)

    try:
        result = KINDS[job.kind](job, progress)
    except Exception as exc:  # the job failed: record why, keep the worker alive
        log.exception("job %s failed", job.pk)
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED, finished_at=timezone.now(), error=str(exc)[:2000],
            message="Failed", result={"traceback": traceback.format_exc()[-4000:]})
    else:
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.DONE, finished_at=timezone.now(), result=result or {},
            message="Done")
    job.refresh_from_db()
    return job


def worker_loop(*, stop: threading.Event | None = None, idle_sleep: float = 1.0,
                once: bool = False) -> int:
    """Claims and runs jobs until stopped. Returns how many it ran."""
    ran = 0
    while not (stop and stop.is_set()):
        close_old_connections()
        job = job_claim_next()
        if job is None:
            if once:
                break
            time.sleep(idle_sleep)
            continue
        job_run(job)
        ran += 1
    return ran


def worker_thread_start() -> threading.Event:
    """A worker in a daemon thread of this process (what `onward demo` uses)."""
    stop = threading.Event()
    threading.Thread(target=worker_loop, kwargs={"stop": stop}, daemon=True,
                     name="onward-worker").start()
    return stop
