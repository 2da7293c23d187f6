from onward.jobs.registry import chore, job_kind


@job_kind("tasks refresh", retry=True)
def run_refresh(job, progress):
    from onward.tasks.services import refresh

    return refresh()


@chore("tasks refresh", every=3600)
def _refresh_chore() -> str:
    from onward.tasks.services import refresh

    return str(refresh())


@job_kind("send digests", retry=True)
def run_send_digests(job, progress):
    from onward.tasks.digests import send_digests

    return send_digests()


# Every 15 minutes: makes the digests whose day or week has come, and tries again the
# deliveries that failed once their wait is over (onward/tasks/digests.py).
@chore("send digests", every=900)
def _digests_chore() -> str:
    from onward.tasks.digests import send_digests

    return str(send_digests())
