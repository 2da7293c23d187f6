"""Which tasks a user sees, and the open tasks by age (docs/tasks.md)."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from onward.accounts import policy
from onward.tasks.models import Notification, Task

DUE_SOON_DAYS = 7
AGE_BANDS = ((0, 7), (7, 30), (30, None))


def visible_tasks(user) -> QuerySet:
    """A user sees the tasks assigned to their role or to themselves; a delegation none."""
    if not user.is_authenticated or policy.is_delegation(user):
        return Task.objects.none()
    return Task.objects.filter(
        Q(assigned_user=user) | Q(assigned_role=user.role, assigned_user=None)
    )


def get_task_for_user(user, task_id) -> Task:
    """A task the user sees; otherwise NotFound after a `denied` audit entry."""
    return policy.get_for_user(user, visible_tasks(user), "task", task_id)


def my_open_tasks(user, *, today: dt.date | None = None) -> dict[str, list[Task]]:
    """The user's open tasks: overdue (due before today), due soon (within 7 days) and later."""
    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    out: dict[str, list[Task]] = {"overdue": [], "soon": [], "later": []}
    for task in visible_tasks(user).filter(state=Task.State.OPEN):
        band = "overdue" if task.due < today else "soon" if task.due <= soon else "later"
        out[band].append(task)
    return out


def open_tasks_by_age(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Open tasks counted by days since they were opened: under 7, 7 to 29, 30 and more."""
    now = now or timezone.now()
    counts = {}
    for low, high in AGE_BANDS:
        q = Task.objects.filter(state=Task.State.OPEN, created_at__lte=now - dt.timedelta(days=low))
        if high is not None:
            q = q.filter(created_at__gt=now - dt.timedelta(days=high))
        counts[f"{low}-{high - 1}" if high else f"{low}+"] = q.count()
    return counts


def inbox(user) -> QuerySet:
    """The user's inbox entries, newest first; a delegation has none."""
    if not user.is_authenticated or policy.is_delegation(user):
        return Notification.objects.none()
    return Notification.objects.filter(user=user)


def unread_count(user) -> int:
    return inbox(user).filter(read_at=None).count()
