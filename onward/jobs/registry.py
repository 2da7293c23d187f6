"""Job kinds: a name, the function that does the work, and whether a job of the kind may
be run again after its worker died in the middle of it.

An app registers its kinds in its `AppConfig.ready` (or at import of its jobs module):

    @job_kind("import", retry=True)
    def run_import(job, progress):   # progress(done, total=None, message="")
        ...
        return {"rows": 1000}        # becomes job.result

`retry=True` is a promise about the work, not a wish: running it again after a death at
any point leaves the same state as running it once (it commits all or nothing, or what it
commits is idempotent).

Two hooks are called in the transaction that takes back a job whose worker died:
`committed(job)` returns the result an attempt had committed before its worker died
(None if it had not): the job is then done, not run again and not failed;
`abandoned(job, retry=..., reason=...)` lets the kind update its own records (a match
run's status) with the job's.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class JobKind:
    name: str
    run: Callable
    retry: bool = False
    committed: Callable | None = None
    abandoned: Callable | None = None


KINDS: dict[str, JobKind] = {}


def job_kind(
    name: str,
    *,
    retry: bool = False,
    committed: Callable | None = None,
    abandoned: Callable | None = None,
):
    def register(fn):
        KINDS[name] = JobKind(
            name=name, run=fn, retry=retry, committed=committed, abandoned=abandoned
        )
        return fn

    return register


@dataclass
class Chore:
    """Housekeeping the background worker runs between jobs, at most every `every`
    seconds (an app registers it like a job kind: the worker cannot import the apps)."""

    name: str
    run: Callable[[], object]
    every: float
    last: float = field(default=float("-inf"))


CHORES: dict[str, Chore] = {}


def chore(name: str, *, every: float):
    def register(fn):
        CHORES[name] = Chore(name=name, run=fn, every=every)
        return fn

    return register
