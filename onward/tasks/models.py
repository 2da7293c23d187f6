"""Tasks made by rules (docs/tasks.md).

A task points at its subject by a type and an id (`subject_type` is the subject's
`audit_type`, `subject_id` its primary key), so any app's rule can make one without a
foreign key from here. At most one open task per rule and subject: the partial unique
constraint is what makes a rule's re-run idempotent.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language_bidi, pgettext_lazy
from django.utils.translation import gettext_lazy as _

# What a task's subject is, as its readers call it (`subject_type` is a code: the
# subject's `audit_type`). A type not listed is shown as its code.
SUBJECT_LABELS = {
    "case": pgettext_lazy("task subject", "Case"),
    "duplicate_pair": pgettext_lazy("task subject", "Possible duplicate"),
    "person": pgettext_lazy("task subject", "Person"),
    "pledge": pgettext_lazy("task subject", "Pledge"),
    "protection_request": pgettext_lazy("task subject", "Protection request"),
    "submission": pgettext_lazy("task subject", "Submission"),
}


def subject_label(subject_type: str) -> str:
    return str(SUBJECT_LABELS.get(subject_type, subject_type))


class Task(models.Model):
    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("status", "Open")
        DONE = "done", _("Done")
        DISMISSED = "dismissed", _("Dismissed")
        ENDED = "ended", _("Condition ended")

    rule = models.CharField(max_length=64, db_index=True)
    subject_type = models.CharField(max_length=32)
    subject_id = models.PositiveBigIntegerField()
    # In English, as the rule wrote it: shown when the title has no code (a task written
    # before the codes) or a code no longer known.
    title = models.CharField(max_length=200)
    # The title by code and parameters (onward/refusals.py, onward/tasks/rules.py
    # `Due.told`), told in the reader's language by `shown_title`.
    title_code = models.CharField(max_length=64, blank=True, default="")
    title_params = models.JSONField(default=dict, blank=True)
    assigned_role = models.CharField(max_length=32, blank=True, db_index=True)
    assigned_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due = models.DateField()
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.OPEN, db_index=True
    )
    reassigned = models.BooleanField(default=False)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    # A done or dismissed task holds back a new one for its subject until the rule no
    # longer returns the subject (the condition ended): then this is set.
    condition_ended_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject_type", "subject_id"],
                condition=models.Q(state="open"),
                name="one_open_task_per_rule_and_subject",
            ),
            models.CheckConstraint(
                condition=~models.Q(assigned_role="", assigned_user__isnull=True),
                name="task_assigned_to_role_or_user",
            ),
        ]

    def __str__(self):
        return f"T{self.pk} {self.rule} {self.subject_type}:{self.subject_id} {self.state}"

    @property
    def shown_title(self) -> str:
        """The title in the active language (the English `title` when it has no code).
        In a right-to-left language each parameter (an id, an ISO date) is isolated
        (LRI … PDI), or 2026-12-02 inside Arabic text would read 02-12-2026."""
        from onward.refusals import render

        if not self.title_code:
            return self.title
        params = self.title_params if isinstance(self.title_params, dict) else {}
        if get_language_bidi():
            params = {name: f"\u2066{value}\u2069" for name, value in params.items()}
        return render(self.title_code, params, self.title)

    @property
    def shown_subject(self) -> str:
        """What the task is about in the reader's words: "Submission", not its code."""
        return subject_label(self.subject_type)


class Notification(models.Model):
    """An inbox entry: a task was opened for the user or their role, or handed to them.

    It holds ids only (the user, the task), never personal data: the inbox shows the
    task's number and a link to it, and what the task is about is read on My tasks."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Task opened")
        REASSIGNED = "reassigned", _("Task reassigned to you")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self):
        return f"N{self.pk} {self.kind} T{self.task_id} for {self.user_id}"


class DigestPreference(models.Model):
    """Which task kinds (rule names) a user's e-mail digest carries, and how often. No
    row, or `never`: no digest."""

    class Frequency(models.TextChoices):
        NEVER = "never", _("Never")
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default=Frequency.NEVER)
    # Rule names of onward/tasks/rules.py; empty: every kind.
    rules = models.JSONField(default=list, blank=True)
    last_made_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"digest of {self.user_id}: {self.frequency}"


class Digest(models.Model):
    """One e-mail digest, made once and kept until delivered: a failed delivery stays
    pending, with the attempts and the last error, and is tried again later (never
    dropped). Its text holds task ids, kinds, due dates and links only."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be delivered")
        SENT = "sent", _("Delivered")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    made_at = models.DateTimeField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    tasks = models.PositiveIntegerField()
    state = models.CharField(
        max_length=8, choices=State.choices, default=State.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-made_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="digest_due")]

    def __str__(self):
        return f"digest {self.pk} to {self.user_id}: {self.state}"

    @property
    def failing(self) -> bool:
        return self.state == self.State.PENDING and self.attempts > 0
