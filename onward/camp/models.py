"""Camp housing: site -> block -> unit, and the allocations of persons to units.

An allocation is open while `ended_on` is empty; it counts on a day d when
`starts_on <= d` and (`ended_on` is empty or `ended_on > d`), the ledger's convention
(a departure dated d means no longer present on d).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Site(models.Model):
    name = models.CharField(max_length=120, unique=True)

    def __str__(self):
        return self.name


class Block(models.Model):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="blocks")
    code = models.CharField(max_length=24)

    class Meta:
        ordering = ["site_id", "code"]
        constraints = [models.UniqueConstraint(fields=["site", "code"], name="block_code_unique")]

    def __str__(self):
        return self.code


class Unit(models.Model):
    class Status(models.TextChoices):
        AVAILABLE = "available", _("Available")
        NOT_ALLOCABLE = "not_allocable", _("Not allocable")
        CLOSED = "closed", pgettext_lazy("status", "Closed")

    block = models.ForeignKey(Block, on_delete=models.PROTECT, related_name="units")
    code = models.CharField(max_length=24)
    capacity = models.PositiveSmallIntegerField()
    blocked_capacity = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.AVAILABLE)

    class Meta:
        ordering = ["block_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["block", "code"], name="unit_code_unique"),
            models.CheckConstraint(
                condition=models.Q(blocked_capacity__lte=models.F("capacity")),
                name="unit_blocked_within_capacity",
            ),
        ]

    def __str__(self):
        return f"{self.block.code}/{self.code}"

    @property
    def usable_capacity(self) -> int:
        if self.status != self.Status.AVAILABLE:
            return 0
        return self.capacity - self.blocked_capacity


class Allocation(models.Model):
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="allocations"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="allocations")
    starts_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=255)
    end_reason = models.CharField(max_length=255, blank=True)
    override_reason = models.CharField(max_length=255, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["starts_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(ended_on__isnull=True),
                name="one_open_allocation_per_person",
            ),
        ]
        indexes = [models.Index(fields=["unit", "ended_on"])]

    def __str__(self):
        return f"{self.person_id} in {self.unit_id} from {self.starts_on}"
