"""The inbox: an entry for each task opened for a user or their role, ids only, read/unread."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from onward.accounts import roles
from onward.tasks import rules, services
from onward.tasks.models import Notification, Task
from onward.tasks.selectors import unread_count

TODAY = dt.date(2026, 12, 2)


def _task(role=roles.PROTECTION, subject_id=1):
    return Task.objects.create(
        rule="protection follow-up",
        subject_type="protection_request",
        subject_id=subject_id,
        title=f"Follow up protection request {subject_id}",
        assigned_role=role,
        due=TODAY,
        created_at=timezone.now(),
    )


@pytest.fixture
def one_rule(monkeypatch):
    """A single rule returning whatever `subjects` holds (mutable between runs)."""
    subjects: list[int] = [1, 2]

    def fn(today):
        return [
            rules.Due("protection_request", i, f"Follow up {i}", today, roles.PROTECTION)
            for i in subjects
        ]

    monkeypatch.setattr(services, "RULES", {"test rule": fn})
    return subjects


@pytest.mark.django_db
def test_a_refresh_puts_one_entry_per_new_task_before_each_user_of_the_role(users, one_rule):
    officer = users[roles.PROTECTION]
    services.refresh(today=TODAY)
    entries = Notification.objects.filter(user=officer)
    assert entries.count() == 2 and {e.kind for e in entries} == {"opened"}
    assert not Notification.objects.exclude(user=officer).exists()  # only that role
    services.refresh(today=TODAY)  # nothing new opened: nothing new in the inbox
    assert Notification.objects.count() == 2
    assert unread_count(officer) == 2


@pytest.mark.django_db
def test_a_reassignment_to_a_user_puts_an_entry_before_that_user_only(users):
    task = _task()
    resettler = users[roles.RESETTLEMENT]
    services.task_reassign(actor=users[roles.ADMIN], task=task, user=resettler)
    [entry] = Notification.objects.all()
    assert (entry.user, entry.kind, entry.task_id) == (resettler, "reassigned", task.pk)


@pytest.mark.django_db
def test_an_entry_holds_ids_only_never_the_tasks_words():
    fields = {f.name for f in Notification._meta.get_fields()}
    assert fields == {"id", "user", "kind", "task", "created_at", "read_at"}


@pytest.mark.django_db
def test_the_inbox_page_lists_entries_and_marks_one_or_all_read(client, users):
    officer = users[roles.PROTECTION]
    a, b = _task(subject_id=1), _task(subject_id=2)
    services.notify_opened([a, b], now=timezone.now())
    client.force_login(officer)
    page = client.get(reverse("task_inbox"))
    html = page.content.decode()
    assert f"T{a.pk}" in html and f"T{b.pk}" in html
    assert "Follow up protection request" not in html  # ids and a link, not the words
    assert page.context["inbox_unread"] == 2  # the header's count
    first = Notification.objects.get(task=a)
    client.post(reverse("task_inbox_read"), {"id": first.pk})
    assert unread_count(officer) == 1
    assert Notification.objects.get(task=a).read_at is not None
    client.post(reverse("task_inbox_read"), {"all": "1"})
    assert unread_count(officer) == 0
    assert client.get(reverse("task_inbox")).context["inbox_unread"] == 0


@pytest.mark.django_db
def test_another_users_entry_is_not_marked_and_bad_input_changes_nothing(client, users):
    task = _task()
    services.notify_opened([task], now=timezone.now())
    theirs = Notification.objects.get()
    client.force_login(users[roles.CLERK])
    client.post(reverse("task_inbox_read"), {"id": theirs.pk})
    assert Notification.objects.get().read_at is None
    response = client.post(reverse("task_inbox_read"), {"id": "x"}, follow=True)
    assert "Say which entry" in response.content.decode()
    assert Notification.objects.get().read_at is None
