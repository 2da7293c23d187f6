"""The duplicate review queue. Thin: selectors and services decide."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from onward import bounds
from onward.accounts.policy import can
from onward.dedup import selectors, services
from onward.dedup.models import DuplicatePair
from onward.jobs.services import job_enqueue
from onward.web.access import permission_required, record_or_404


@require_safe
@permission_required("dedup.view")
def dedup_queue(request):
    status = request.GET.get("status", "open")
    pairs = selectors.review_queue(user=request.user, status=status)
    return render(
        request,
        "dedup/queue.html",
        {
            "page": Paginator(pairs, 50).get_page(request.GET.get("page")),
            "status": status,
            "query": f"status={status}",
            "can_run": can(request.user, "dedup.run"),
            "statuses": [
                (code, label, DuplicatePair.objects.filter(status=code).count())
                for code, label in DuplicatePair.Status.choices
            ],
        },
    )


@require_POST
@permission_required("dedup.run")
def dedup_run(request):
    job = job_enqueue(kind="dedup", actor=request.user)
    messages.success(request, _("Duplicate detection started over the whole registry."))
    return redirect("job_detail", job_id=job.pk)


def _pair(request, pair_id):
    return record_or_404(request, selectors.get_pair_for_user, "duplicate pair", pair_id)


@require_safe
@permission_required("dedup.view")
def dedup_pair(request, pair_id):
    pair = _pair(request, pair_id)
    merges = list(
        pair.merges.select_related("survivor", "merged", "requested_by", "approved_by", "undone_by")
    )
    blocker = selectors.decision_blocker(pair)
    can_review = can(request.user, "dedup.review")
    return render(
        request,
        "dedup/pair.html",
        {
            "pair": pair,
            "compare": selectors.pair_comparison(user=request.user, pair=pair),
            "merges": [(m, selectors.merge_choices(m)) for m in merges],
            "can_review": can_review,
            "blocker": blocker,
            "can_decide": can_review and not blocker and pair.status in services.DECIDABLE,
        },
    )


def _keep(request) -> dict:
    """The reviewer's choice per field (`keep_<field>`: a person id, or "both")."""
    return {
        name[len("keep_") :]: value
        for name, value in request.POST.items()
        if name.startswith("keep_")
    }


@require_POST
@permission_required("dedup.review")
def dedup_decide(request, pair_id):
    pair = _pair(request, pair_id)
    decision = request.POST.get("decision")
    try:
        version = bounds.parse_version(request.POST.get("version"))
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("dedup_pair", pair_id=pair.pk)
    try:
        if decision == "same":
            merge = services.pair_merge(
                actor=request.user,
                pair_id=pair.pk,
                expected_version=version,
                survivor_person_id=request.POST.get("survivor", ""),
                keep=_keep(request),
            )
            messages.success(
                request,
                _("Merged.")
                if merge.done_at
                else _("Merge requested: a second reviewer must approve it."),
            )
        elif decision == "different":
            services.pair_mark_different(
                actor=request.user, pair_id=pair.pk, expected_version=version
            )
            messages.success(request, _("Recorded as different persons; never proposed again."))
        elif decision == "skip":
            services.pair_skip(actor=request.user, pair_id=pair.pk)
            return redirect("dedup_queue")
        else:
            messages.error(request, _("Choose same person, different persons or skip."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("dedup_pair", pair_id=pair.pk)


def _merge_action(request, merge_id, action, done: str):
    merge = record_or_404(request, selectors.get_merge_for_user, "merge", merge_id)
    try:
        action(actor=request.user, merge_id=merge.pk)
        messages.success(request, done)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("dedup_pair", pair_id=merge.pair_id)


@require_POST
@permission_required("dedup.review")
def dedup_approve(request, merge_id):
    return _merge_action(request, merge_id, services.merge_approve, "Merged.")


@require_POST
@permission_required("dedup.review")
def dedup_unmerge(request, merge_id):
    return _merge_action(
        request,
        merge_id,
        services.merge_undo,
        "Merge undone: both records are as they were before it.",
    )
