from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from onward.jobs.selectors import get_job_for_user
from onward.web.access import permission_required, record_or_404


def _job(request, job_id):
    return record_or_404(request, get_job_for_user, "job", job_id)


def job_state(job) -> dict:
    return {
        "id": str(job.id),
        "kind": job.kind,
        "status": job.status,
        "progress": job.progress,
        "total": job.total,
        "percent": job.percent,
        "message": job.shown_message,
        "error": job.error,
        "finished": job.finished,
        "attempt": job.attempt_label,
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
    }


@require_safe
@permission_required()
def job_detail(request, job_id):
    job = _job(request, job_id)
    return render(request, "jobs/job_detail.html", {"job": job})


@require_safe
@permission_required()
def job_status(request, job_id):
    """The job's progress as JSON, polled by the job page."""
    return JsonResponse(job_state(_job(request, job_id)))
