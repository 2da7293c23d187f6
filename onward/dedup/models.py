from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onward.vault.fields import EncryptedTextField


class DuplicatePair(models.Model):
    """Two registrations the engine thinks may be one person, and what a person decided.

    `person_a` has the lower primary key, so a pair is stored once. A pair decided
    "different persons" stays in the table, which is how it is never proposed again.
    """

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("status", "Open")
        PENDING = "pending", _("Merge awaiting a second reviewer")
        MERGED = "merged", _("Same person (merged)")
        DIFFERENT = "different", _("Different persons")
        SKIPPED = "skipped", _("Skipped")
        UNMERGED = "unmerged", _("Merge undone")

    person_a = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    person_b = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    probability = models.FloatField(db_index=True)
    weight = models.FloatField()
    levels = models.JSONField(default=dict)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    source = models.CharField(max_length=16, default="batch")  # batch, registration
    found_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-probability", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="one_row_per_pair"),
            models.CheckConstraint(
                condition=models.Q(person_a__lt=models.F("person_b")), name="pair_in_order"
            ),
        ]

    def __str__(self):
        return f"{self.person_a_id}~{self.person_b_id} {self.probability:.2f} {self.status}"


class Merge(models.Model):
    """One merge: the survivor stays, the merged record is kept, linked and hidden.

    `snapshot` holds the reviewer's choice per field (`merging.FIELDS`: survivor, merged
    or both), which fields were not kept (names only), and what the merge changed on the
    merged record, its case and the ledger. `record_values` holds the values themselves:
    both records as they were and the survivor as the merge left it, as JSON, encrypted
    like the person's own identifiers (it holds phones, documents and needs details). With
    both, the survivor's page shows every value not kept, and an undo restores both
    records exactly.
    """

    pair = models.ForeignKey(DuplicatePair, on_delete=models.PROTECT, related_name="merges")
    survivor = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    snapshot = models.JSONField(default=dict)
    record_values = EncryptedTextField(blank=True, default="")

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self):
        return f"{self.merged_id} into {self.survivor_id}"


class DedupModel(models.Model):
    """The duplicate model fitted by a whole-registry run (engine.model_to_dict).

    The registration-time check loads the newest one instead of fitting a model itself,
    so building its index stays a matter of seconds even for a million persons.
    """

    created_at = models.DateTimeField(auto_now_add=True)
    records = models.PositiveIntegerField()
    parameters = models.JSONField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"dedup model of {self.records} persons, {self.created_at:%Y-%m-%d %H:%M}"
