"""A match run as a background job: the engine's progress lines become the job's."""

from onward.jobs.registry import job_kind


def _abandoned(job, *, retry: bool, reason: str) -> None:
    """The run follows its job when a dead worker's job is taken back."""
    from django.utils import timezone

    from onward.matching.models import MatchRun

    unfinished = MatchRun.objects.filter(
        job=job, status__in=[MatchRun.Status.QUEUED, MatchRun.Status.RUNNING]
    )
    if retry:
        unfinished.update(status=MatchRun.Status.QUEUED)
    else:
        unfinished.update(
            status=MatchRun.Status.FAILED,
            finished_at=timezone.now(),
            error=f"{reason[0].upper()}{reason[1:]}."[:2000],
        )


def _committed(job) -> dict | None:
    """A run solved and stored by an attempt whose worker then died."""
    from onward.matching import services
    from onward.matching.models import MatchRun

    run = MatchRun.objects.filter(job=job, status=MatchRun.Status.DONE).first()
    return services.run_summary(run) if run else None


# Safe to run again after its worker died: a run only proposes (a person reviews a
# proposal before it becomes submissions), and an attempt reuses the inputs an earlier
# one stored, so the run stays reproducible.
@job_kind("match", retry=True, committed=_committed, abandoned=_abandoned)
def run_match(job, progress):
    from onward.matching import services
    from onward.matching.models import MatchRun

    run = MatchRun.objects.get(pk=job.params["run"])
    return services.run_execute(run=run, progress=progress)
