import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    """A long piece of work (import, whole-registry dedup, matching) run by a worker
    process, with progress a user can watch. Kept after it ends: its result and error
    are part of the record of what was done.

    While it runs, its worker holds a lease (`lease_owner`, until `lease_expires_at`) that
    it keeps renewing; a lease that expired means the worker died (onward/jobs/services.py).
    `history` keeps one entry per attempt that ended that way."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=32, db_index=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    params = models.JSONField(default=dict, blank=True)
    progress = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(null=True, blank=True)
    message = models.CharField(max_length=255, blank=True)  # in English, the fallback
    # The message by code and parameters (onward/refusals.py `Told`), told again in the
    # reader's language by `shown_message`; empty for a message given as plain text.
    message_code = models.CharField(max_length=64, blank=True, default="")
    message_params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)  # of the current attempt
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)  # started so far
    max_attempts = models.PositiveSmallIntegerField(default=1)
    lease_owner = models.CharField(max_length=100, blank=True)  # host:pid:token of the worker
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    history = models.JSONField(default=list, blank=True)
    # Where the work was asked from ({"channel", "ip", "path"} of the request): the audit
    # entries the job writes carry it, as if the request had done the work itself.
    origin = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.kind} {self.id} {self.status}"

    @property
    def shown_message(self) -> str:
        from onward.refusals import render

        if not self.message_code:
            return self.message
        params = self.message_params if isinstance(self.message_params, dict) else {}
        return render(self.message_code, params, self.message)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, int(100 * self.progress / self.total))

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def attempt_label(self) -> str:
        """ "attempt 2 of 3" once there is more than one, else "" (most jobs run once)."""
        if self.max_attempts <= 1 and self.attempts <= 1:
            return ""
        current = self.attempts + (1 if self.status == self.Status.QUEUED else 0)
        return f"attempt {max(current, 1)} of {self.max_attempts}"
