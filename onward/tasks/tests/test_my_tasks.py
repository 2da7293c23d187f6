"""Who sees which task; done, dismissed and reassigned, each audited."""

import datetime as dt

import pytest
from django.utils import timezone

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.tasks.models import Task
from onward.tasks.selectors import my_open_tasks, open_tasks_by_age, visible_tasks
from onward.tasks.services import TaskError, task_close, task_reassign

TODAY = dt.date(2026, 12, 2)


def _task(due=TODAY, role=roles.PROTECTION, subject_id=1, **kw):
    return Task.objects.create(
        rule="protection follow-up",
        subject_type="protection_request",
        subject_id=subject_id,
        title=f"Follow up protection request {subject_id}",
        assigned_role=role,
        due=due,
        created_at=kw.pop("created_at", timezone.now()),
        **kw,
    )


@pytest.mark.django_db
def test_a_user_sees_their_roles_tasks_and_their_own_and_a_delegation_none(users):
    mine = _task()
    other = _task(role=roles.RESETTLEMENT, subject_id=2)
    officer = users[roles.PROTECTION]
    assert list(visible_tasks(officer)) == [mine]
    task_reassign(actor=users[roles.ADMIN], task=other, user=officer)
    assert set(visible_tasks(officer)) == {mine, other}
    assert not visible_tasks(users[roles.RESETTLEMENT]).exists()
    assert not visible_tasks(users[roles.DELEGATION]).exists()


@pytest.mark.django_db
def test_open_tasks_fall_into_overdue_due_soon_and_later(users):
    late, soon, later = (
        _task(due=TODAY - dt.timedelta(days=1), subject_id=1),
        _task(due=TODAY + dt.timedelta(days=7), subject_id=2),
        _task(due=TODAY + dt.timedelta(days=8), subject_id=3),
    )
    bands = my_open_tasks(users[roles.PROTECTION], today=TODAY)
    assert bands == {"overdue": [late], "soon": [soon], "later": [later]}


@pytest.mark.django_db
def test_done_and_dismissed_are_audited_and_a_dismissal_needs_a_reason(users):
    officer = users[roles.PROTECTION]
    a, b = _task(subject_id=1), _task(subject_id=2)
    with pytest.raises(TaskError, match="only with a reason"):
        task_close(actor=officer, task=b, state="dismissed", reason="  ")
    assert Task.objects.get(pk=b.pk).state == "open"
    task_close(actor=officer, task=a, state="done", reason="Called the police")
    task_close(actor=officer, task=b, state="dismissed", reason="Duplicate request")
    assert Task.objects.get(pk=a.pk).closed_by == officer
    entries = AuditEntry.objects.filter(object_type="task").order_by("id")
    assert [(e.object_id, e.changes["state"][1]) for e in entries] == [
        (str(a.pk), "done"),
        (str(b.pk), "dismissed"),
    ]
    with pytest.raises(TaskError, match="is done, not open"):
        task_close(actor=officer, task=a, state="dismissed", reason="again")


@pytest.mark.django_db
def test_open_tasks_by_age(users):
    now = timezone.now()
    _task(subject_id=1, created_at=now)
    _task(subject_id=2, created_at=now - dt.timedelta(days=10))
    _task(subject_id=3, created_at=now - dt.timedelta(days=40))
    _task(subject_id=4, created_at=now - dt.timedelta(days=40), state="done")
    assert open_tasks_by_age(now=now) == {"0-6": 1, "7-29": 1, "30+": 1}
