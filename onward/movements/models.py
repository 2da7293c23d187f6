from django.conf import settings
from django.db import models


class LedgerEntry(models.Model):
    """One event that changes the head-count: +1 (arrival, birth) or -1 (a departure of
    any kind). Append-only: a wrong entry is undone by a reversing entry (`reverses`),
    never edited. The population on a date is the sum of `delta` up to that date."""

    class Kind(models.TextChoices):
        ARRIVAL = "arrival", "Arrival / registration"
        BIRTH = "birth", "Birth"
        RELOCATED = "relocated", "Relocated (transfer)"
        LEFT = "left_own_accord", "Left on own accord"
        DECEASED = "deceased", "Deceased"
        REPATRIATED = "repatriated", "Voluntarily repatriated"
        UNKNOWN = "whereabouts_unknown", "Whereabouts unknown"
        MERGED = "merged", "Duplicate registration merged"
        CORRECTION = "correction", "Correction (reverses an entry)"

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT,
                               related_name="ledger_entries")
    date = models.DateField(db_index=True)
    kind = models.CharField(max_length=24, choices=Kind.choices, db_index=True)
    delta = models.SmallIntegerField()
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by")
    note = models.CharField(max_length=255, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(delta__in=[-1, 1]), name="delta_is_one"),
        ]
        indexes = [models.Index(fields=["date", "kind"])]

    def __str__(self):
        return f"{self.date} {self.kind} {self.delta:+d} {self.person_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Ledger entries are never changed: record a correction.")
        super().save(*args, **kwargs)
