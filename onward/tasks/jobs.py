from onward.jobs.registry import chore, job_kind


@job_kind("tasks refresh", retry=True)
def run_refresh(job, progress):
    from onward.tasks.services import refresh

    return refresh()


@chore("tasks refresh", every=3600)
def _refresh_chore() -> str:
    from onward.tasks.services import refresh

    return str(refresh())
