from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Incident(models.Model):
    """A security or protection event at the location or near it (or at the origin camp:
    `within_site` false and `place` saying where)."""

    audit_type = "incident"

    class Type(models.TextChoices):
        INDIRECT_FIRE = "indirect_fire", _("Indirect fire (rockets, mortars)")
        ARMED_ATTACK = "armed_attack", _("Armed attack")
        CLASH = "clash", _("Clash")
        OTHER = "other", _("Other")

    occurred_at = models.DateTimeField(db_index=True)
    # How precisely the time is known: the reports often give only a day, or a month.
    time_known = models.BooleanField(default=True)
    date_precision = models.CharField(
        max_length=1, default="D", choices=[("D", _("Day")), ("M", _("Month"))]
    )
    type = models.CharField(max_length=16, choices=Type.choices)
    within_site = models.BooleanField(default=True, help_text="At the transit location.")
    place = models.CharField(
        max_length=200, blank=True, help_text="Where within the site, or the place away from it."
    )
    description = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d} {self.get_type_display()}"

    @property
    def public_id(self) -> str:
        return str(self.pk)

    @property
    def when(self) -> str:
        from django.utils import timezone

        local = timezone.localtime(self.occurred_at)
        if self.date_precision == "M":
            return f"{local:%B %Y}"
        return f"{local:%Y-%m-%d %H:%M}" if self.time_known else f"{local:%Y-%m-%d}"


class Claim(models.Model):
    """One source's statement about an incident. Figures are nullable: "not given" is not
    0. Several claims on one incident may disagree; none is overwritten."""

    FIGURES = ("killed", "injured", "missing")

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="claims")
    source = models.CharField(max_length=200, help_text="The organisation or outlet.")
    cites = models.CharField(max_length=200, blank=True, help_text="Whom the source cites.")
    stated_on = models.DateField()
    killed = models.PositiveIntegerField(null=True, blank=True)
    injured = models.PositiveIntegerField(null=True, blank=True)
    missing = models.PositiveIntegerField(null=True, blank=True)
    # "dozens", "several": what the source said when it gave no number.
    figures_text = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True)
    publication = models.CharField(
        max_length=300, blank=True, help_text="Where it was published: a URL or a title."
    )
    official = models.BooleanField(
        default=False, help_text="A statement of an authority (a government, the UN)."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["stated_on", "id"]

    def __str__(self):
        return f"{self.source} ({self.stated_on})"


class Victim(models.Model):
    """A person of the registry identified as a victim of an incident. A person killed
    departs (deceased) once, through the movements services, however many links."""

    class Outcome(models.TextChoices):
        KILLED = "killed", _("Killed")
        INJURED = "injured", _("Injured")

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="victims")
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="incident_links"
    )
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    ledger_entry = models.ForeignKey(
        "movements.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "person"], name="one_link_per_victim")
        ]

    def __str__(self):
        return f"{self.person_id} {self.outcome} in incident {self.incident_id}"


class ProtectionRequest(models.Model):
    """A request arising from incidents, addressed to an authority (e.g. physical
    protection of the site), followed up until done or refused."""

    audit_type = "protection_request"

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("status", "Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        REFUSED = "refused", _("Refused")

    incidents = models.ManyToManyField(Incident, blank=True, related_name="protection_requests")
    authority = models.CharField(max_length=200)
    request = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    requested_on = models.DateField()
    follow_up_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-requested_on", "-id"]

    def __str__(self):
        return f"{self.authority}: {self.request[:40]}"

    @property
    def public_id(self) -> str:
        return str(self.pk)


class ProtectionRequestEvent(models.Model):
    """One step in a request's history: a status change and/or a new follow-up date."""

    protection_request = models.ForeignKey(
        ProtectionRequest, on_delete=models.PROTECT, related_name="events"
    )
    status_from = models.CharField(max_length=16, blank=True)
    status_to = models.CharField(max_length=16)
    on = models.DateField()
    follow_up_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]

    def __str__(self):
        return f"{self.on} {self.status_from}→{self.status_to}"
