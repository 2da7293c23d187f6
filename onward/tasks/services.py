"""Running the rules: open what is called for, end what is no longer (docs/tasks.md)."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from onward.accounts import roles
from onward.audit.services import audit_record
from onward.tasks.models import Notification, Task
from onward.tasks.rules import RULES


def refresh(*, today: dt.date | None = None) -> dict[str, dict[str, int]]:
    """Run every rule. Per rule: opened (new open tasks), ended (open tasks whose
    subject the rule no longer returns: state `ended`). Done or dismissed tasks stay
    closed; a subject whose condition still holds after its task was done or dismissed
    gets no new task until the condition ends and comes back."""
    today = today or timezone.localdate()
    now = timezone.now()
    out: dict[str, dict[str, int]] = {}
    for name, fn in RULES.items():
        with transaction.atomic():
            wanted = {(d.subject_type, d.subject_id): d for d in fn(today)}
            open_ = {
                (t.subject_type, t.subject_id): t
                for t in Task.objects.select_for_update().filter(rule=name, state=Task.State.OPEN)
            }
            held = Task.objects.filter(
                rule=name,
                state__in=[Task.State.DONE, Task.State.DISMISSED],
                condition_ended_at__isnull=True,
            )
            closed = set(held.values_list("subject_type", "subject_id"))
            released = [key for key in closed if key not in wanted]
            for subject_type, subject_id in released:
                held.filter(subject_type=subject_type, subject_id=subject_id).update(
                    condition_ended_at=now
                )
            closed -= set(released)
            ended = [t.pk for key, t in open_.items() if key not in wanted]
            Task.objects.filter(pk__in=ended).update(state=Task.State.ENDED, closed_at=now)
            new = [
                Task(
                    rule=name,
                    subject_type=d.subject_type,
                    subject_id=d.subject_id,
                    title=d.title,
                    title_code=d.title_code,
                    title_params=d.title_params,
                    assigned_role=d.role,
                    due=d.due,
                    created_at=now,
                )
                for key, d in wanted.items()
                if key not in open_ and key not in closed
            ]
            Task.objects.bulk_create(new)
            notify_opened(new, now=now)
            out[name] = {"opened": len(new), "ended": len(ended)}
    return out


def notify_opened(tasks, *, now, kind=Notification.Kind.OPENED) -> int:
    """Put an inbox entry for each task before the user it is assigned to, or before
    every active user of its role (a delegation never: it sees no task)."""
    users = get_user_model().objects.filter(is_active=True).exclude(role=roles.DELEGATION)
    by_role: dict[str, list[int]] = {}
    for user_id, role in users.values_list("id", "role"):
        by_role.setdefault(role, []).append(user_id)
    rows = []
    for task in tasks:
        if task.assigned_user_id:
            to = [task.assigned_user_id]
        else:
            to = by_role.get(task.assigned_role, [])
        rows += [Notification(user_id=u, kind=kind, task_id=task.pk, created_at=now) for u in to]
    Notification.objects.bulk_create(rows)
    return len(rows)


def mark_read(*, user, ids=None) -> int:
    """Mark the user's unread entries read: those with the given ids, or all of them.
    Ids that are not the user's are left alone (another user's inbox is not theirs)."""
    q = Notification.objects.filter(user=user, read_at=None)
    if ids is not None:
        q = q.filter(pk__in=ids)
    return q.update(read_at=timezone.now())


class TaskError(ValueError):
    """A change refused, with a sentence naming what is wrong; nothing was changed."""


def _open_task(task_id) -> Task:
    task = Task.objects.select_for_update().get(pk=task_id)
    if task.state != Task.State.OPEN:
        raise TaskError(f"task {task.pk} is {task.state}, not open")
    return task


@transaction.atomic
def task_close(*, actor, task: Task, state: str, reason: str = "") -> Task:
    """Mark an open task done (a note optional) or dismissed (a reason required)."""
    if state not in (Task.State.DONE, Task.State.DISMISSED):
        raise TaskError(f"state must be done or dismissed, not {state!r}")
    reason = reason.strip()
    if state == Task.State.DISMISSED and not reason:
        raise TaskError("a task is dismissed only with a reason")
    task = _open_task(task.pk)
    task.state, task.reason = state, reason
    task.closed_at, task.closed_by = timezone.now(), actor
    task.save(update_fields=["state", "reason", "closed_at", "closed_by"])
    audit_record(
        actor=actor,
        action="update",
        object_type="task",
        object_id=task.pk,
        changes={"state": ["open", state]},
        detail=reason,
    )
    return task


@transaction.atomic
def task_reassign(*, actor, task: Task, user=None, role: str = "", reason: str = "") -> Task:
    """Give an open task to one user or to a role (one of the two)."""
    if bool(user) == bool(role):
        raise TaskError("reassign to one user or to one role")
    if role and role not in roles.ROLES:
        raise TaskError(f"unknown role {role!r}")
    task = _open_task(task.pk)
    before = task.assigned_user.username if task.assigned_user else task.assigned_role
    task.assigned_user, task.assigned_role = user, (role or "")
    task.reassigned, task.reason = True, reason.strip()
    task.save(update_fields=["assigned_user", "assigned_role", "reassigned", "reason"])
    notify_opened([task], now=timezone.now(), kind=Notification.Kind.REASSIGNED)
    audit_record(
        actor=actor,
        action="update",
        object_type="task",
        object_id=task.pk,
        changes={"assigned": [before, user.username if user else role]},
        detail=task.reason,
    )
    return task
