"""Presence at the location: resident cards, presence events, last seen, roll calls
(docs/presence.md).

A card carries an opaque random token (its QR code holds nothing else): no personal
data, and a lost card is revoked, never edited; a person holds at most one live card.
A presence event is append-only; `LastSeen` keeps each person's latest event, so that
"not seen for N days" reads one row per resident, never their whole history.
A roll call fixes its expected residents (the allocations of its blocks on its date)
when it opens, one line each; a line is marked, never added for someone not expected.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Card(models.Model):
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="cards")
    token = models.CharField(max_length=32, unique=True)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_card_per_person",
            )
        ]

    def __str__(self):
        return f"card {self.pk} of {self.person_id}"


class PresenceEvent(models.Model):
    class Method(models.TextChoices):
        CARD = "card", _("Card scan")
        MANUAL = "manual", _("Manual")
        HEADCOUNT = "headcount", _("Head-count")

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    checkpoint = models.CharField(max_length=64)
    method = models.CharField(max_length=10, choices=Method.choices)
    card = models.ForeignKey(Card, null=True, blank=True, on_delete=models.PROTECT)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["person", "at"], name="presence_person_at")]

    def __str__(self):
        return f"{self.person_id} at {self.checkpoint} {self.at:%Y-%m-%d %H:%M}"


class LastSeen(models.Model):
    """The latest presence event of a person (kept by `presence_record`)."""

    person = models.OneToOneField(
        "registry.Person", primary_key=True, on_delete=models.PROTECT, related_name="presence_seen"
    )
    at = models.DateTimeField(db_index=True)
    checkpoint = models.CharField(max_length=64)

    def __str__(self):
        return f"{self.person_id} last seen {self.at}"


class IncidentBlock(models.Model):
    """A block an incident hit: its residents on the incident's date are the ones a roll
    call after it must account for."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="blocks_hit"
    )
    block = models.ForeignKey("camp.Block", on_delete=models.PROTECT, related_name="+")
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    named_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["block__code"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "block"], name="incident_block_once")
        ]

    def __str__(self):
        return f"incident {self.incident_id} hit block {self.block_id}"


class RollCall(models.Model):
    audit_type = "roll_call"

    class Reason(models.TextChoices):
        VERIFICATION = "verification", _("Verification")
        INCIDENT = "incident", _("After an incident")
        OTHER = "other", _("Other")

    reason = models.CharField(max_length=16, choices=Reason.choices)
    note = models.CharField(max_length=255, blank=True)
    incident = models.ForeignKey(
        "incidents.Incident",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="roll_calls",
    )
    on = models.DateField()
    blocks = models.ManyToManyField("camp.Block", related_name="+")
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-opened_at", "-id"]

    def __str__(self):
        return f"roll call {self.pk} on {self.on}"

    @property
    def public_id(self) -> str:
        return str(self.pk)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class RollCallLine(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        INJURED = "injured", _("Injured")
        KILLED = "killed", _("Killed")
        MISSING = "missing", _("Missing")
        UNKNOWN = "unknown", _("Unknown")

    roll_call = models.ForeignKey(RollCall, on_delete=models.PROTECT, related_name="lines")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    block = models.ForeignKey("camp.Block", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("camp.Unit", on_delete=models.PROTECT, related_name="+")
    # Empty until marked; a roll call closed leaves its unmarked lines "unknown".
    status = models.CharField(max_length=8, choices=Status.choices, blank=True)
    marked_at = models.DateTimeField(null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["block_id", "unit_id", "person_id"]
        constraints = [
            models.UniqueConstraint(fields=["roll_call", "person"], name="one_line_per_resident")
        ]
        indexes = [models.Index(fields=["roll_call", "block"], name="rollcall_line_block")]

    def __str__(self):
        return f"{self.person_id}: {self.status or 'unmarked'}"
