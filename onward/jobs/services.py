"""Queueing and running jobs, and the leases that let a job outlive the death of its worker.

A worker (`onward worker`, or the thread `onward demo` starts) claims queued jobs one at a
time; with `ONWARD_JOBS_EAGER` (tests) a job runs as soon as its enqueuing transaction
commits, through the same `job_run`.

Leases. Claiming a job writes the worker's name and an expiry ONWARD_JOB_LEASE_SECONDS
ahead, by the database's clock (the workers' clocks do not matter). While the job runs a
heartbeat thread renews the lease every quarter of its length and writes the job's
progress. A worker that dies (killed, out of memory, its machine lost) stops renewing.
Before it claims a queued job, every worker takes back the running jobs whose lease has
expired: queued again when the kind is safe to retry (`job_kind(retry=True)`) and attempts
remain (ONWARD_JOB_MAX_ATTEMPTS), failed with the reason otherwise; `Job.history` keeps
what happened to each attempt.

Claims and take-backs are atomic on both databases. PostgreSQL locks the rows it picks
(SELECT … FOR UPDATE SKIP LOCKED: workers never wait for each other); on SQLite every
transaction here is IMMEDIATE (settings: one writer at a time); and every change of state
is also a compare-and-set on the state it read, which holds whatever the isolation.

A worker that lost its lease (paused for longer than the lease, cut off from the
database) learns it at its next renewal: the job's next progress report raises
`LeaseLost`, which rolls back the job's open transaction, and the worker writes nothing
over what the worker that took the job back wrote. A progress report made inside the
job's transaction also fences that transaction: on PostgreSQL it takes a KEY SHARE lock on
the job's row (the heartbeat's updates do not wait for it; a take-back's FOR UPDATE skips
the row), on SQLite it renews the lease through the job's own connection (which holds the
only write lock, so the renewal commits with the work). Either way no worker can take the
job back while that transaction may still commit.
"""

import datetime as dt
import logging
import os
import secrets
import socket
import threading
import time
import traceback
from collections.abc import Callable
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_noop

from onward.audit.middleware import RequestMeta, request_meta, request_meta_as
from onward.jobs.models import Job
from onward.jobs.registry import KINDS
from onward.refusals import Told, define

log = logging.getLogger(__name__)
# A job's last message, told in its reader's language (onward/refusals.py `Told`).
JOB_DONE = define("job.done", gettext_noop("Done"))
JOB_FAILED = define("job.failed", gettext_noop("Failed"))

# Progress is written at most this often: a progress row per input row would slow the
# job down more than it informs anyone.
PROGRESS_EVERY_SECONDS = 0.5
# Jobs taken back in one transaction (more wait for the next turn of the loop).
TAKE_BACK_BATCH = 50


class LeaseLost(Exception):
    """This worker no longer holds the job's lease: another worker took the job back."""


def lease_seconds() -> int:
    return int(settings.ONWARD_JOB_LEASE_SECONDS)


def _lease_end(seconds: float):
    return Now() + dt.timedelta(seconds=seconds)


def _expired() -> Q:
    # A running job without a lease was started before leases existed: its worker is gone.
    return Q(lease_expires_at__lt=Now()) | Q(lease_expires_at__isnull=True)


def _skip_locked(queryset):
    """Rows another worker has locked are skipped, not waited for (PostgreSQL)."""
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True)
    return queryset


def worker_name() -> str:
    """Unique per worker, and telling an operator where it ran: host:pid:token."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"[:100]


def when_text(moment: dt.datetime | None) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S %Z}" if moment else ""


# --- queueing and claiming ---------------------------------------------------------------


def job_enqueue(*, kind: str, actor, params: dict | None = None) -> Job:
    """Queues a job. It keeps where it was asked from (channel and address of the request)
    so that the audit entries it writes say so."""
    spec = KINDS.get(kind)
    if spec is None:
        raise ValueError(f"Unknown job kind {kind!r}.")
    meta = request_meta()
    job = Job.objects.create(
        kind=kind,
        created_by=actor,
        params=params or {},
        max_attempts=settings.ONWARD_JOB_MAX_ATTEMPTS if spec.retry else 1,
        origin={
            "channel": meta.channel,
            "ip": meta.ip,
            "path": meta.path,
            "request_id": meta.request_id,
        },
    )
    if getattr(settings, "ONWARD_JOBS_EAGER", False):
        transaction.on_commit(lambda: job_run(Job.objects.get(pk=job.pk), heartbeat=False))
    return job


def _claim(queryset, worker: str) -> int:
    return queryset.filter(status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING,
        lease_owner=worker,
        lease_expires_at=_lease_end(lease_seconds()),
        attempts=F("attempts") + 1,
        started_at=Now(),
        finished_at=None,
    )


def job_claim_next(*, worker: str) -> Job | None:
    """Marks the oldest queued job running under this worker's lease and returns it (None
    when there is none)."""
    if not Job.objects.filter(status=Job.Status.QUEUED).exists():
        return None  # the common case answered without a write transaction (SQLite's lock)
    with transaction.atomic():
        job = _skip_locked(
            Job.objects.filter(status=Job.Status.QUEUED).order_by("created_at")
        ).first()
        if job is None or not _claim(Job.objects.filter(pk=job.pk), worker):
            return None
    job.refresh_from_db()
    return job


# --- taking back the jobs of dead workers ------------------------------------------------


def job_reclaim_expired() -> list[Job]:
    """Takes back the running jobs whose lease has expired: queued again for another
    attempt where the kind allows and attempts remain, failed with the reason otherwise.
    Returns them, as they are now."""
    running = Job.objects.filter(status=Job.Status.RUNNING)
    if not running.filter(_expired()).exists():
        return []
    taken = []
    with transaction.atomic():
        for job in _skip_locked(running.filter(_expired()).order_by("created_at"))[
            :TAKE_BACK_BATCH
        ]:
            if _take_back(job):
                taken.append(job.pk)
    return list(Job.objects.filter(pk__in=taken).order_by("created_at"))


def _take_back(job: Job) -> bool:
    kind = KINDS.get(job.kind)
    expired_at = job.lease_expires_at
    reason = (
        f"the worker stopped (lease expired at {when_text(expired_at)})"
        if expired_at
        else "the worker stopped (it was running before leases were kept)"
    )
    # The worker may have died after its work committed, before it recorded the end.
    result = kind.committed(job) if kind and kind.committed else None
    retry = result is None and bool(kind and kind.retry) and job.attempts < job.max_attempts
    then = (
        "done: its work had committed"
        if result is not None
        else ("queued again" if retry else "failed")
    )
    entry = {
        "attempt": job.attempts,
        "worker": job.lease_owner,
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "lease_expired_at": expired_at.isoformat() if expired_at else None,
        "outcome": reason,
        "then": then,
    }
    of = f" of {job.max_attempts}" if job.max_attempts > 1 else ""
    if result is not None:
        fields = {
            "status": Job.Status.DONE,
            "lease_expires_at": None,
            "finished_at": Now(),
            "result": result,
            "progress": job.total or job.progress,
            # Plain text: the code of the last progress report is cleared with it.
            **_message_fields(f"Done (recorded after {reason}: its work had committed)."),
        }
    elif retry:
        fields = {
            "status": Job.Status.QUEUED,
            "lease_expires_at": None,
            "lease_owner": "",
            **_message_fields(
                f"Attempt {job.attempts}{of}: {reason}. Queued again for "
                f"attempt {job.attempts + 1}{of}."
            ),
        }
    else:
        if not (kind and kind.retry):
            after = "a job of this kind is not run again by itself: start it again"
        elif job.max_attempts > 1:
            after = f"that was attempt {job.attempts}{of}, the last: start it again"
        else:
            after = "start it again"
        fields = {
            "status": Job.Status.FAILED,
            "lease_expires_at": None,
            "finished_at": Now(),
            **_message_fields(Told(JOB_FAILED)),
            "error": f"{reason[0].upper()}{reason[1:]}; {after}.",
        }
    changed = (
        Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, lease_owner=job.lease_owner)
        .filter(_expired())
        .update(history=[*job.history, entry], **fields)
    )
    if not changed:
        return False  # renewed (or finished) since it was read
    log.warning("job %s (%s): %s; %s", job.pk, job.kind, reason, then)
    if kind and kind.abandoned and result is None:
        kind.abandoned(job, retry=retry, reason=reason)
    return True


def describe(job: Job) -> str:
    """One line for the command line: what the job is and what became of it."""
    attempt = f", {job.attempt_label}" if job.attempt_label else ""
    text = job.error if job.status == Job.Status.FAILED else job.shown_message
    return f"{job.kind} job {job.pk} ({job.get_status_display().lower()}{attempt}): {text}"


# --- running a job under its lease -------------------------------------------------------


class Lease:
    """The lease of one running job, renewed by a heartbeat thread (its own database
    connection) and by the job's progress reports, which it also writes."""

    def __init__(self, job: Job, worker: str, *, heartbeat: bool = True):
        self.pk, self.owner, self.seconds = job.pk, worker, lease_seconds()
        self.lost = False
        self._pending: dict = {}
        self._lock = threading.Lock()
        self._wake, self._stop = threading.Event(), threading.Event()
        self._last = 0.0
        self._thread = (
            threading.Thread(target=self._beat, daemon=True, name=f"onward-lease-{job.pk}")
            if heartbeat
            else None
        )

    def mine(self):
        return Job.objects.filter(pk=self.pk, status=Job.Status.RUNNING, lease_owner=self.owner)

    def start(self) -> "Lease":
        if self._thread:
            self._thread.start()
        return self

    def stop(self) -> dict:
        """Stops the heartbeat; returns the progress not yet written."""
        self._stop.set()
        self._wake.set()
        if self._thread:
            # Not long: on SQLite it may be waiting out the job's own write lock, and the
            # job's end must be recorded now (a late renewal of a finished job changes
            # nothing: it renews only a running job).
            self._thread.join(timeout=1.0)
        return self._take_pending()

    def _take_pending(self) -> dict:
        with self._lock:
            fields, self._pending = self._pending, {}
        return fields

    def renew(self, fields: dict | None = None) -> None:
        """Renews the lease through the calling thread's connection, writing `fields` too.
        Raises LeaseLost when another worker has taken the job back."""
        if not self.mine().update(lease_expires_at=_lease_end(self.seconds), **(fields or {})):
            self.lost = True
            raise LeaseLost(f"Job {self.pk}: the lease of {self.owner} was taken back.")

    def _beat(self) -> None:
        try:
            while not self._stop.is_set():
                self._wake.wait(timeout=self.seconds / 4)
                self._wake.clear()
                if self._stop.is_set():
                    return
                fields = self._take_pending()
                try:
                    self.renew(fields)
                except LeaseLost:
                    log.warning("job %s: its lease was taken back by another worker", self.pk)
                    return
                except DatabaseError as exc:
                    # SQLite: the job's own transaction holds the write lock (the job renews
                    # the lease from inside it). PostgreSQL: the connection dropped.
                    log.info("job %s: lease not renewed this time (%s)", self.pk, exc)
                    with self._lock:
                        self._pending = {**fields, **self._pending}
                    connection.close_if_unusable_or_obsolete()
        finally:
            connection.close()  # this thread's own connection

    def progress(self, done: int, total: int | None = None, message: str | Told = "") -> None:
        """The job's progress callback. Raises LeaseLost when the job was taken back.

        A `Told` message is kept by code and parameters (shown in the reader's language),
        with its English text; a plain string as it is."""
        if self.lost:
            raise LeaseLost(f"Job {self.pk}: the lease was taken back.")
        now = time.monotonic()
        if now - self._last < PROGRESS_EVERY_SECONDS and (total is None or done < total):
            return
        self._last = now
        fields = {"progress": done, **_message_fields(message)}
        if total is not None:
            fields["total"] = total
        if connection.in_atomic_block:
            self._fence(fields)
        elif self._thread:
            with self._lock:
                self._pending.update(fields)
            self._wake.set()
        else:
            self.renew(fields)

    def _fence(self, fields: dict) -> None:
        """Inside the job's transaction: holds the lease until that transaction ends."""
        if connection.vendor != "postgresql":
            self.renew(fields)  # the job's connection holds SQLite's one write lock anyway
            return
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT 1 FROM {Job._meta.db_table} WHERE id = %s AND status = %s "
                "AND lease_owner = %s FOR KEY SHARE",
                [self.pk, Job.Status.RUNNING, self.owner],
            )
            if cursor.fetchone() is None:
                self.lost = True
                raise LeaseLost(f"Job {self.pk}: the lease of {self.owner} was taken back.")
        if self._thread:
            with self._lock:
                self._pending.update(fields)
            self._wake.set()


@contextmanager
def _as_origin(origin: dict):
    """The job's audit entries say where the work was asked from."""
    if not origin:
        yield
        return
    with request_meta_as(
        RequestMeta(
            origin.get("ip"),
            origin.get("path", "")[:255],
            origin.get("channel", "cli"),
            origin.get("request_id"),
        )
    ):
        yield


def job_run(job: Job, *, worker: str | None = None, heartbeat: bool = True) -> Job:
    """Runs one job to its end under its lease and records its result, or its error.
    A queued job (eager mode, a direct call) is claimed here first. Never raises: a job
    that cannot be recorded is left to its lease."""
    worker = worker or worker_name()
    if job.status == Job.Status.QUEUED and not _claim(Job.objects.filter(pk=job.pk), worker):
        job.refresh_from_db()
        return job  # another worker has it
    job.refresh_from_db()
    if job.status != Job.Status.RUNNING or job.lease_owner != worker:
        return job
    lease = Lease(job, worker, heartbeat=heartbeat).start()
    outcome = None
    try:
        kind = KINDS.get(job.kind)
        if kind is None:
            raise ValueError(f"This worker does not know the job kind {job.kind!r}.")
        with _as_origin(job.origin):
            result = kind.run(job, lease.progress)
    except LeaseLost:
        log.warning("job %s: another worker took it back; this attempt's work was stopped", job.pk)
    except Exception as exc:  # the job failed: record why, keep the worker alive
        log.exception("job %s failed", job.pk)
        outcome = {
            "status": Job.Status.FAILED,
            "error": str(exc)[:2000],
            **_message_fields(Told(JOB_FAILED)),
            "result": {"traceback": traceback.format_exc()[-4000:]},
        }
    else:
        outcome = {
            "status": Job.Status.DONE,
            "result": result or {},
            **_message_fields(Told(JOB_DONE)),
        }
    finally:
        pending = lease.stop()
    if outcome is not None:
        _finish(job, lease, {**pending, **outcome})
    try:
        job.refresh_from_db()
    except DatabaseError:
        pass
    return job


def _finish(job: Job, lease: Lease, fields: dict) -> None:
    try:
        written = lease.mine().update(finished_at=Now(), lease_expires_at=None, **fields)
    except DatabaseError as exc:
        log.error(
            "job %s: its end could not be recorded (%s); its lease will expire and "
            "another worker will take it back",
            job.pk,
            exc,
        )
        return
    if not written:
        log.warning(
            "job %s: finished after another worker took it back; not recorded over "
            "that worker's record",
            job.pk,
        )


# --- the worker --------------------------------------------------------------------------


def worker_loop(
    *,
    stop: threading.Event | None = None,
    idle_sleep: float = 1.0,
    once: bool = False,
    say: Callable[[str], None] | None = None,
    worker: str | None = None,
) -> int:
    """Takes back the jobs of dead workers, claims and runs queued jobs, until stopped
    (`once`: until no job is queued). Returns how many it ran. A database that cannot be
    reached is waited for, not a reason to stop."""
    say = say or log.info
    stop = stop or threading.Event()
    worker = worker or worker_name()
    ran = 0
    while not stop.is_set():
        close_old_connections()
        try:
            for taken_back in job_reclaim_expired():
                say(describe(taken_back))
            job = job_claim_next(worker=worker)
        except DatabaseError as exc:
            if once:
                raise
            log.warning("worker: the database is not answering (%s); trying again", exc)
            connection.close()
            stop.wait(idle_sleep)
            continue
        if job is None:
            if once:
                break
            chores_run_due(say)
            stop.wait(idle_sleep)
            continue
        attempt = f" ({job.attempt_label})" if job.attempt_label else ""
        say(f"{job.kind} job {job.pk}: started{attempt}")
        job = job_run(job, worker=worker)
        say(describe(job))
        ran += 1
    return ran


def chores_run_due(say: Callable[[str], None], *, now: float | None = None) -> list[str]:
    """Runs the registered chores whose time has come (an idle worker's housekeeping); a
    chore that fails is logged and tried again at its next turn, the worker goes on."""
    from onward.jobs.registry import CHORES

    now = time.monotonic() if now is None else now
    ran = []
    for chore in CHORES.values():
        if now - chore.last < chore.every:
            continue
        chore.last = now
        try:
            outcome = chore.run()
        except Exception:
            log.exception("chore %s failed; tried again in %ss", chore.name, chore.every)
            continue
        if outcome:
            say(f"{chore.name}: {outcome}")
        ran.append(chore.name)
    return ran


def worker_thread_start() -> threading.Event:
    """A worker in a daemon thread of this process (what `onward demo` uses)."""
    stop = threading.Event()
    threading.Thread(
        target=worker_loop, kwargs={"stop": stop}, daemon=True, name="onward-worker"
    ).start()
    return stop


def _message_fields(message: str | Told) -> dict:
    if isinstance(message, Told):
        return {
            "message": message.english[:255],
            "message_code": message.code,
            "message_params": message.params,
        }
    return {"message": str(message)[:255], "message_code": "", "message_params": {}}
