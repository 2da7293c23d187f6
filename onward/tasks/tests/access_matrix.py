from django.urls import reverse
from django.utils import timezone

from onward.web.tests.matrix import Row, outcome


def world(users) -> dict:
    from onward.accounts import roles
    from onward.tasks.models import Task

    task = Task.objects.create(
        rule="protection follow-up",
        subject_type="protection_request",
        subject_id=1,
        title="Follow up protection request 1",
        assigned_role=roles.PROTECTION,
        due=timezone.localdate(),
        created_at=timezone.now(),
    )
    return {"task": task.pk}


# Staff open My tasks; a delegation and the auditor may not. A task is acted on only by
# those it is assigned to (the protection officers' role here): another role's task is
# outside their scope, 404 with a `denied` entry.
ROWS = [
    Row("my_tasks", lambda w: reverse("my_tasks"), outcome(200, DL=403, AU=403)),
    Row(
        "task_action",
        lambda w: reverse("task_action", kwargs={"task_id": w["task"]}),
        outcome(404, PR=302, DL=403, AU=403),
        method="post",
        body={"action": "done", "reason": "Called"},
    ),
    # The inbox is the user's own: its URLs name no record (an entry's id travels in the
    # form, and another user's id is ignored: test_inbox.py).
    Row("task_inbox", lambda w: reverse("task_inbox"), outcome(200, DL=403, AU=403), outside=None),
    Row(
        "task_inbox_read",
        lambda w: reverse("task_inbox_read"),
        outcome(302, DL=403, AU=403),
        method="post",
        body={"all": "1"},
        outside=None,
    ),
]
