"""A match run as a background job: the engine's progress lines become the job's."""

from onward.jobs.registry import job_kind


@job_kind("match")
def run_match(job, progress):
    from onward.matching import services
    from onward.matching.models import MatchRun

    run = MatchRun.objects.get(pk=job.params["run"])
    return services.run_execute(run=run, progress=progress)
