"""Matching in the application: scoring policies, the family links and stated preferences
they read, and match runs with everything needed to reproduce and audit them.

A run is a record: its policy (a snapshot), its inputs (cases with their use, pledges
with their capacity, allowed pairs with their scores), its locks and forbids, the
solver's figures and its result are written once and kept. A re-solve is a new run
(its `parent` is the run it started from); accepting a pledge's proposals is recorded
as a `MatchAcceptance`.
"""

import json
import zlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def pack(data) -> bytes:
    """JSON, compressed: the inputs and result of a run (tens of thousands of pairs)."""
    return zlib.compress(json.dumps(data, separators=(",", ":"), sort_keys=True).encode(), 6)


def unpack(blob) -> dict:
    return json.loads(zlib.decompress(bytes(blob)).decode()) if blob else {}


class ScoringPolicy(models.Model):
    """One version of a named scoring policy. Never edited: a change is a new version
    (`version` + 1, `previous` pointing back) and only the newest is `current`."""

    audit_type = "scoring_policy"

    name = models.CharField(max_length=80)
    version = models.PositiveIntegerField(default=1)
    weights = models.JSONField()
    note = models.CharField(max_length=255, blank=True)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    current = models.BooleanField(default=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="one_policy_version"),
            models.UniqueConstraint(
                fields=["name"], condition=models.Q(current=True), name="one_current_policy_version"
            ),
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"

    @property
    def public_id(self) -> str:
        return str(self.pk)

    def snapshot(self) -> dict:
        return {"id": self.pk, "name": self.name, "version": self.version, "weights": self.weights}


class CaseCountryLink(models.Model):
    """A case's tie to a country that the scoring policy reads: family there, or a stated
    preference for it. Ended (never deleted) when no longer true."""

    audit_type = "case_country_link"

    class Kind(models.TextChoices):
        FAMILY = "family", _("Family in country")
        PREFERENCE = "preference", _("Stated preference")

    case = models.ForeignKey(
        "registry.Case", on_delete=models.PROTECT, related_name="country_links"
    )
    country = models.CharField(max_length=3, help_text="ISO 3166-1 alpha-3")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    note = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["case__case_id", "kind", "country"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "country", "kind"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_link_per_case_country_kind",
            )
        ]

    def __str__(self):
        return f"{self.case_id} {self.kind} {self.country}"

    @property
    def public_id(self) -> str:
        return str(self.pk)


class MatchRun(models.Model):
    """One solve of the matching problem, kept whole so it can be reproduced and audited.

    `inputs` (compressed JSON, see `inputs.run_inputs_build`) and `policy_snapshot` are
    written when the run is built and never changed; `result` and the figures once
    solved. Locks and forbids are `MatchPin` rows of the run.
    """

    audit_type = "match_run"

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Solving")
        DONE = "done", _("Proposal ready")
        FAILED = "failed", _("Failed")

    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    policy = models.ForeignKey(ScoringPolicy, on_delete=models.PROTECT, related_name="runs")
    policy_snapshot = models.JSONField()
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=255, blank=True)
    time_limit = models.FloatField(default=60.0)
    gap_target = models.FloatField(default=1e-4)
    inputs = models.BinaryField(blank=True, default=b"")
    inputs_sha256 = models.CharField(max_length=64, blank=True)
    n_cases = models.PositiveIntegerField(default=0)
    n_pledges = models.PositiveIntegerField(default=0)
    n_pairs = models.PositiveIntegerField(default=0)
    # The solver's figures.
    objective = models.FloatField(null=True, blank=True)
    bound = models.FloatField(null=True, blank=True)
    gap = models.FloatField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    solver_status = models.CharField(max_length=16, blank=True)
    stats = models.JSONField(default=dict, blank=True)
    n_assigned = models.PositiveIntegerField(null=True, blank=True)
    result = models.BinaryField(blank=True, default=b"")
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Run {self.pk}"

    @property
    def public_id(self) -> str:
        return str(self.pk)

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def gap_display(self) -> str:
        return "—" if self.gap is None else f"{self.gap:.3%}"

    def inputs_data(self) -> dict:
        return unpack(self.inputs)

    def result_data(self) -> dict:
        return unpack(self.result)


class MatchPin(models.Model):
    """A lock (this case to this pledge) or a forbid (never this case to this pledge).

    `draft=False`: the run was solved with it (written with the run, never changed).
    `draft=True`: set on the run's page for its next re-solve; a draft `release` takes a
    carried-over pin off. Drafts become the child run's pins when it is re-solved."""

    class Kind(models.TextChoices):
        LOCK = "lock", _("Locked")
        FORBID = "forbid", _("Forbidden")
        RELEASE = "release", _("Released")

    run = models.ForeignKey(MatchRun, on_delete=models.PROTECT, related_name="pins")
    case = models.ForeignKey("registry.Case", on_delete=models.PROTECT, related_name="+")
    pledge = models.ForeignKey("relocation.Pledge", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    draft = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "kind", "case_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "case", "pledge", "draft"], name="one_pin_per_pair"
            ),
            models.UniqueConstraint(
                fields=["run", "case", "draft"],
                condition=models.Q(kind="lock"),
                name="one_lock_per_case",
            ),
        ]

    def __str__(self):
        return f"{self.run_id} {self.kind} {self.case_id}→{self.pledge_id}"


class MatchAcceptance(models.Model):
    """A pledge's proposals of a run accepted: the submissions it created, by whom, when."""

    run = models.ForeignKey(MatchRun, on_delete=models.PROTECT, related_name="acceptances")
    pledge = models.ForeignKey("relocation.Pledge", on_delete=models.PROTECT, related_name="+")
    case_ids = models.JSONField(default=list)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField()

    class Meta:
        ordering = ["run", "pledge_id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "pledge"], name="one_acceptance_per_run_pledge")
        ]

    def __str__(self):
        return f"{self.run_id} accepted for {self.pledge_id}"
