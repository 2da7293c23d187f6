from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from onward.accounts import roles
from onward.accounts.policy import can
from onward.tasks import digests, selectors, services
from onward.web.access import permission_required, record_or_404


@require_safe
@permission_required("tasks.view")
def my_tasks(request):
    bands = selectors.my_open_tasks(request.user)
    return render(
        request,
        "tasks/my_tasks.html",
        {
            "bands": [
                (_("Overdue"), bands["overdue"]),
                (_("Due within 7 days"), bands["soon"]),
                (_("Later"), bands["later"]),
            ],
            "roles": sorted(roles.ROLES.items()),
            "today": timezone.localdate(),
        },
    )


@require_POST
@permission_required("tasks.view")
def task_action(request, task_id):
    task = record_or_404(request, selectors.get_task_for_user, "task", task_id)
    action = request.POST.get("action", "")
    reason = request.POST.get("reason", "")
    try:
        if action in ("done", "dismissed"):
            services.task_close(actor=request.user, task=task, state=action, reason=reason)
        elif action == "reassign":
            services.task_reassign(
                actor=request.user, task=task, role=request.POST.get("role", ""), reason=reason
            )
        else:
            raise services.TaskError(_("unknown action %(a)r") % {"a": action})
    except services.TaskError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Task %(id)s: %(action)s.") % {"id": task.pk, "action": action})
    return redirect("my_tasks")


INBOX_LIMIT = 200


@require_safe
@permission_required("tasks.view")
def inbox(request):
    entries = list(selectors.inbox(request.user).select_related("task")[:INBOX_LIMIT])
    return render(
        request,
        "tasks/inbox.html",
        {
            "entries": entries,
            "unread": sum(1 for e in entries if e.read_at is None),
            # Deliveries that failed are shown, never hidden: to the user their own, to
            # the administrator every user's count (onward/tasks/digests.py).
            "failing": list(digests.failing_for(request.user)[:5]),
            "failing_all": digests.failing_count() if can(request.user, "users.manage") else 0,
        },
    )


@require_POST
@permission_required("tasks.view")
def inbox_read(request):
    """Mark one entry (`id`) or all (`all`) of the user's own inbox read."""
    if request.POST.get("all"):
        ids = None
    else:
        try:
            ids = [int(request.POST.get("id", ""))]
        except ValueError:
            messages.error(request, _("Say which entry to mark read (a number), or all."))
            return redirect("task_inbox")
    n = services.mark_read(user=request.user, ids=ids)
    messages.success(request, _("%(n)s marked read.") % {"n": n})
    return redirect("task_inbox")
