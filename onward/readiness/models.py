"""Exit requirements per country (and pledge) and the facts recorded per person.

Readiness is never stored: onward.readiness.engine computes it from these rows.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onward.vault.fields import EncryptedTextField


class Kind(models.TextChoices):
    HEALTH_ASSESSMENT = "health_assessment", _("Health assessment")
    TB_FOLLOW_UP = "tb_follow_up", _("TB follow-up")
    FIT_TO_TRAVEL = "fit_to_travel", _("Fitness to travel")
    SECURITY_CLEARANCE = "security_clearance", _("Security clearance")
    BIOMETRICS = "biometrics", _("Biometrics")
    TRAVEL_DOCUMENT = "travel_document", _("Travel document")
    VISA = "visa", _("Visa")
    EXIT_PERMIT = "exit_permit", _("Exit permit")
    ORIENTATION = "orientation", _("Orientation")


class Requirement(models.Model):
    """What a resettlement country (or one pledge, overriding it) asks before departure."""

    country = models.CharField(max_length=3, db_index=True, help_text="ISO 3166-1 alpha-3")
    pledge = models.ForeignKey(
        "relocation.Pledge", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    per_case = models.BooleanField(default=False)
    valid_days = models.PositiveIntegerField(null=True, blank=True)
    valid_hours_before_departure = models.PositiveIntegerField(null=True, blank=True)
    waivable = models.BooleanField(default=False)
    waiver_permission = models.CharField(max_length=64, blank=True)
    # The receiving country's own item (a visa issued, an entry permit): its delegation
    # confirms it for the persons of its accepted cases (services.confirm_item).
    delegation_confirms = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["country", "kind"],
                condition=models.Q(pledge__isnull=True),
                name="one_requirement_per_country_kind",
            ),
            models.UniqueConstraint(
                fields=["pledge", "kind"],
                condition=models.Q(pledge__isnull=False),
                name="one_requirement_per_pledge_kind",
            ),
        ]

    def __str__(self):
        return f"{self.country} {self.kind}"


class Fact(models.Model):
    """One recorded state of a requirement for a person; the latest one counts."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")
        WAIVED = "waived", _("Waived")
        EXPIRED = "expired", _("Expired")

    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="readiness_facts"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices)
    on = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    evidence = models.CharField(max_length=255, blank=True)
    document_number = EncryptedTextField(max_length=40, blank=True, default="")
    document_issuer = models.CharField(max_length=64, blank=True)
    document_issued_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["on", "id"]
        indexes = [models.Index(fields=["person", "kind", "on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("on")),
                name="fact_valid_until_not_before_on",
            ),
        ]

    def __str__(self):
        return f"{self.person_id} {self.kind} {self.status}"


class TravelNeed(models.Model):
    class Need(models.TextChoices):
        WHEELCHAIR = "WCHR", _("Wheelchair")
        STRETCHER = "STCR", _("Stretcher")
        MEDICAL_ESCORT = "MEDA", _("Medical escort")
        OXYGEN = "OXYG", _("Oxygen")

    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="travel_needs"
    )
    need = models.CharField(max_length=4, choices=Need.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "need"], name="one_travel_need_per_kind")
        ]

    def __str__(self):
        return f"{self.person_id} {self.need}"


class LatestFact(models.Model):
    """Per person and requirement kind, the latest fact (by date, then as recorded): the
    one the engine lets decide on any date on or after its own. Kept by the database
    itself, in the transaction that stores a fact (triggers of migration 0004, on every
    insert, correction or deletion of a fact, whatever writes it), so "who can fly on D"
    is one indexed query (onward/readiness/latest.py). Never written by the application.
    """

    # No constraints of their own (the triggers keep them true) and no index of their own
    # (the unique (person, kind) serves the person's rows).
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    kind = models.CharField(max_length=24)
    fact = models.ForeignKey(
        Fact, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    status = models.CharField(max_length=10)
    on = models.DateField()
    valid_until = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="one_latest_fact_per_kind")
        ]
        indexes = [
            models.Index(fields=["kind", "on"], name="latest_fact_kind_on"),
            models.Index(fields=["kind", "valid_until"], name="latest_fact_kind_until"),
        ]

    def __str__(self):
        return f"{self.person_id} {self.kind} {self.status} {self.on}"


class ExpiryFollow(models.Model):
    """One run of `services.follow_expiries` (the daily chore, `onward readiness-follow`):
    the stored states were followed for the facts whose validity ended (or whose date
    came) after the previous run's `day` and by this `day`. Append-only: the latest row
    is where the next run starts."""

    day = models.DateField(unique=True)
    ran_at = models.DateTimeField(auto_now_add=True)
    cases = models.PositiveIntegerField(default=0)  # cases followed
    moved = models.PositiveIntegerField(default=0)  # of which moved (accepted <-> ready)

    def __str__(self):
        return f"{self.day}: {self.moved} of {self.cases}"
