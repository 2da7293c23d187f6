"""Running the rules: open what is called for, end what is no longer (docs/tasks.md)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from onward.accounts import roles
from onward.audit.services import audit_record
from onward.tasks.models import Task
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
                    assigned_role=d.role,
                    due=d.due,
                    created_at=now,
                )
                for key, d in wanted.items()
                if key not in open_ and key not in closed
            ]
            Task.objects.bulk_create(new)
            out[name] = {"opened": len(new), "ended": len(ended)}
    return out


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
    audit_record(
        actor=actor,
        action="update",
        object_type="task",
        object_id=task.pk,
        changes={"assigned": [before, user.username if user else role]},
        detail=task.reason,
    )
    return task
