from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from onward.appendonly import AppendOnly, AppendOnlyError

__all__ = ["AppendOnlyError", "AuditArchive", "AuditEntry"]


class AuditEntry(AppendOnly):
    """One thing that happened: a read, a write, an export, a login.

    Append-only. The model refuses updates and deletes; on PostgreSQL and SQLite a
    trigger refuses UPDATE (and on PostgreSQL DELETE) even from raw SQL.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        EXPORT = "export", _("Exported")
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOGOUT = "logout", _("Logged out")
        DENIED = "denied", _("Refused access")
        # Sign-in security (docs/security.md).
        LOCKED_OUT = "locked_out", _("Locked out")
        OTP_VERIFIED = "otp_verified", _("Passed second factor")
        OTP_FAILED = "otp_failed", _("Failed second factor")
        OTP_ENROLLED = "otp_enrolled", _("Enrolled second factor")
        OTP_RESET = "otp_reset", _("Reset second factor")
        SESSIONS_ENDED = "sessions_ended", _("Ended sessions")
        PURGE = "purge", _("Purged files")
        UNLOCKED = "unlocked", _("Unlocked sign-in")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Kept as text too: the name attempted in a failed login has no user row.
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=16, choices=Action.choices)
    object_type = models.CharField(max_length=32, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    detail = models.CharField(max_length=255, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    channel = models.CharField(max_length=8, default="web")  # web, api, cli
    path = models.CharField(max_length=255, blank=True)
    # The request's id (X-Request-ID): the same in the server's and the proxy's log lines.
    # NULL for entries written outside a request (commands) and for older entries. Nullable
    # with no default on purpose: adding it is a plain ADD COLUMN on a long log (SQLite
    # does not rebuild the table, which would drop its append-only triggers).
    request_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        # Plain btrees, not db_index: on PostgreSQL that adds a varchar_pattern_ops copy
        # of each for LIKE, which no query of these columns uses. A record's id and a
        # user's name are matched case-blind (iexact: UPPER(…) = UPPER(…)), newest first,
        # so their indexes are on (UPPER(column), at): one record's history and one
        # user's month are a range of one index, newest first, in every month's partition
        # (200 million entries: docs/benchmarks.md, "Partitioned audit log").
        indexes = [
            models.Index(Upper("actor_name"), F("at"), name="audit_entry_actor_at_idx"),
            models.Index(fields=["action"], name="audit_entry_action_idx"),
            models.Index(fields=["object_type"], name="audit_entry_object_type_idx"),
            models.Index(Upper("object_id"), F("at"), name="audit_entry_object_at_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_id}"


class AuditArchive(models.Model):
    """A month of the audit log moved out of the database into a file by `onward archive`
    (PostgreSQL's monthly partitions, docs/operations.md "Partitioned history"). The row
    stays when the month is restored (`restored_at`): it is the record of what was out,
    when, and the file's SHA-256 that a restore checks first."""

    month = models.DateField(unique=True, help_text="The first day of the month (UTC).")
    file = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    rows = models.BigIntegerField()
    columns = models.JSONField(default=list)
    archived_at = models.DateTimeField()
    archived_by = models.CharField(max_length=150, blank=True)
    restored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["month"]

    def __str__(self):
        state = "restored" if self.restored_at else "archived"
        return f"{self.month:%Y-%m} {state} ({self.rows} rows)"
