"""Who is in which case, changed on purpose: a member moved, a case split, cases linked.

Each move or split is a `CaseChange` that keeps, for every person it touched, the case
and relationship before and after, so that undoing it is exact (services.change_undo).
Links (family unity, dependency; Handbook 4.7) are `CaseLink` rows that end, never
disappear. The head-count never changes: persons change case, nobody enters or leaves
the population (the ledger is per person, not per case).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseChange(models.Model):
    audit_type = "case_change"

    class Kind(models.TextChoices):
        MOVE = "move", _("Member moved")
        SPLIT = "split", _("Case split")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    source = models.ForeignKey(
        "registry.Case", on_delete=models.PROTECT, related_name="composition_out"
    )
    target = models.ForeignKey(
        "registry.Case", on_delete=models.PROTECT, related_name="composition_in"
    )
    # {person pk: [case pk, relationship]} of every person the change touched.
    before = models.JSONField()
    after = models.JSONField()
    # What the change did to the cases themselves, undone with it.
    source_closed = models.BooleanField(default=False)
    target_created = models.BooleanField(default=False)
    reason = models.CharField(max_length=255)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undo_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.kind} {self.source_id}→{self.target_id}"

    @property
    def public_id(self) -> str:
        return str(self.pk)


class CaseLink(models.Model):
    """Two cases to be submitted together, or flagged when they are not (Handbook 4.7)."""

    audit_type = "case_link"

    class Kind(models.TextChoices):
        FAMILY_UNITY = "family_unity", _("Family unity")
        DEPENDENCY = "dependency", _("Dependency")

    # Stored with case_a.pk < case_b.pk, so a pair has one spelling.
    case_a = models.ForeignKey("registry.Case", on_delete=models.PROTECT, related_name="+")
    case_b = models.ForeignKey("registry.Case", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    reason = models.CharField(max_length=255)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case_a", "case_b"],
                condition=models.Q(ended_at__isnull=True),
                name="one_live_link_per_pair",
            ),
            models.CheckConstraint(
                condition=models.Q(case_a__lt=models.F("case_b")), name="link_pair_ordered"
            ),
        ]

    def __str__(self):
        return f"{self.case_a_id}~{self.case_b_id} {self.kind}"

    @property
    def public_id(self) -> str:
        return str(self.pk)

    def other(self, case):
        return self.case_b if case.pk == self.case_a_id else self.case_a
