import datetime as dt

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from onward.accounts.scope import refuse_scope_change
from onward.appendonly import AppendOnly, AppendOnlyError


class LedgerEntry(AppendOnly):
    """One event that changes the head-count: +1 (arrival, birth) or -1 (a departure of
    any kind). Append-only: a wrong entry is undone by a reversing entry (`reverses`),
    never edited. The population on a date is the sum of `delta` up to that date."""

    class Kind(models.TextChoices):
        ARRIVAL = "arrival", _("Arrival / registration")
        BIRTH = "birth", _("Birth")
        RELOCATED = "relocated", _("Relocated (transfer)")
        LEFT = "left_own_accord", _("Left on own accord")
        DECEASED = "deceased", _("Deceased")
        REPATRIATED = "repatriated", _("Voluntarily repatriated")
        UNKNOWN = "whereabouts_unknown", _("Whereabouts unknown")
        MERGED = "merged", _("Duplicate registration merged")
        CORRECTION = "correction", _("Correction (reverses an entry)")

    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="ledger_entries"
    )
    date = models.DateField(db_index=True)
    kind = models.CharField(max_length=24, choices=Kind.choices, db_index=True)
    delta = models.SmallIntegerField()
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    note = models.CharField(max_length=255, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

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
            raise AppendOnlyError("Ledger entries are never changed: record a correction.")
        if isinstance(self.date, str):
            self.date = dt.date.fromisoformat(self.date)
        with transaction.atomic():
            super().save(*args, **kwargs)
            self._count_in_rollups()

    def _count_in_rollups(self):
        # The rollups are a derived index of the ledger: they change with it, in the same
        # transaction, whoever writes the entry (bulk_create goes through
        # ledger.ledger_arrivals_bulk, which does the same).
        from onward.movements.rollup import rollup_add

        rollup_add([(self.date, self.person_id, self.delta)])


class RollupDims(models.Model):
    """The attributes under which a person's ledger entries are counted in the rollups:
    sex, birth year, specific needs (codes joined by ";") and nationality. Kept equal to
    the person's current attributes (`rollup.person_dims_sync`), so the rollups always
    break the population down by what the registry says now, as the ledger joined to
    persons does."""

    person = models.OneToOneField(
        "registry.Person", primary_key=True, on_delete=models.PROTECT, related_name="+"
    )
    sex = models.CharField(max_length=1, blank=True)
    birth_year = models.SmallIntegerField(null=True, blank=True)
    needs = models.CharField(max_length=64, blank=True)
    nationality = models.CharField(max_length=3, blank=True, default="")

    def __str__(self):
        return f"{self.person_id}: {self.sex} {self.birth_year} [{self.needs}] {self.nationality}"

    @property
    def dims(self) -> tuple:
        """As `rollup.Dims`: (sex, birth year, needs, nationality)."""
        return (self.sex, self.birth_year, self.needs, self.nationality)

    @classmethod
    def of(cls, person_id: int, dims: tuple) -> "RollupDims":
        sex, birth_year, needs, nationality = dims
        return cls(
            person_id=person_id,
            sex=sex,
            birth_year=birth_year,
            needs=needs,
            nationality=nationality,
        )


class _Rollup(models.Model):
    """Sum of ledger deltas per period and dimension value. Dimensions: "total" (value
    ""), "sex" (M/F/X/""), "birth_year" ("1970", "" unknown), "need" (a code, "" for
    none: a person with two needs counts under each), "nationality" (ISO 3166-1 alpha-3,
    "" unknown). Written in the same transaction as
    every ledger entry, so a population is a sum over a few thousand rows, not millions."""

    dim = models.CharField(max_length=12)
    value = models.CharField(max_length=8)
    delta = models.IntegerField(default=0)

    class Meta:
        abstract = True


class RollupDay(_Rollup):
    date = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["date", "dim", "value"], name="rollup_day_key")
        ]

    def __str__(self):
        return f"{self.date} {self.dim}={self.value} {self.delta:+d}"


class RollupMonth(_Rollup):
    month = models.DateField(help_text="The first day of the month.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "dim", "value"], name="rollup_month_key")
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.dim}={self.value} {self.delta:+d}"


class Transfer(models.Model):
    """One movement out of the location (a flight) to a pledge's country, with its
    manifest. Planned, then confirmed (everyone on the manifest departs, atomically) or
    cancelled."""

    audit_type = "transfer"

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        CONFIRMED = "confirmed", _("Departed (confirmed)")
        CANCELLED = "cancelled", _("Cancelled")

    date = models.DateField()
    country = models.CharField(max_length=3, help_text="ISO 3166-1 alpha-3")
    pledge = models.ForeignKey(
        "relocation.Pledge", on_delete=models.PROTECT, related_name="transfers"
    )
    seats = models.PositiveIntegerField()
    note = models.CharField(max_length=255, blank=True)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"Transfer {self.pk} to {self.country} on {self.date}"

    def save(self, *args, **kwargs):
        # Scope fields are frozen once they matter (accounts/scope.py): no path changes
        # them silently, whatever calls save().
        refuse_scope_change(self, kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    @property
    def public_id(self) -> str:
        return str(self.pk)


class ManifestLine(models.Model):
    """A case on a transfer's manifest, with the persons travelling. A no-show is taken
    off with a reason (`removed_*`), and the line stays as history."""

    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="lines")
    case = models.ForeignKey(
        "registry.Case", on_delete=models.PROTECT, related_name="manifest_lines"
    )
    persons = models.ManyToManyField("registry.Person", related_name="manifest_lines")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removed_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["transfer", "case"],
                condition=models.Q(removed_at__isnull=True),
                name="case_once_per_manifest",
            )
        ]

    def __str__(self):
        return f"{self.case_id} on transfer {self.transfer_id}"


class HeldBack(models.Model):
    """A member of a case on the manifest who stays behind (medical hold, a requirement
    not met) while the rest of the family flies: the case stays open for them."""

    line = models.ForeignKey(ManifestLine, on_delete=models.PROTECT, related_name="held_back")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=255)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    held_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["line", "person"], name="held_back_once_per_line")
        ]

    def __str__(self):
        return f"{self.person_id} held back from line {self.line_id}"


class ReportedDeparture(models.Model):
    """Departures that Onward knows only as a source's figure, from a place whose
    residents it does not register one by one: the origin camp, before its residents
    moved to the transit location (the registry and the ledger are the transit
    location's; these persons never reached it). Never in the ledger, so the transit
    location's population is untouched. A report gives either the departures of one
    period (`cumulative` false: "4 left, reported 1 July") or a total to date (`cumulative`
    true: "the Defence Ministry put the total at 58")."""

    audit_type = "reported_departure"

    place = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=24,
        choices=[
            (LedgerEntry.Kind.LEFT, LedgerEntry.Kind.LEFT.label),
            (LedgerEntry.Kind.DECEASED, LedgerEntry.Kind.DECEASED.label),
            (LedgerEntry.Kind.UNKNOWN, LedgerEntry.Kind.UNKNOWN.label),
        ],
        default=LedgerEntry.Kind.LEFT,
    )
    persons = models.PositiveIntegerField()
    cumulative = models.BooleanField(
        default=False, help_text="A total to date, not the departures of one period."
    )
    left_on = models.DateField(
        help_text="When they left (the end of the period for a "
        "total to date), as far as the report says."
    )
    left_on_precision = models.CharField(
        max_length=1, default="D", choices=[("D", _("Day")), ("M", _("Month"))]
    )
    source = models.CharField(max_length=200)
    official = models.BooleanField(default=False)
    stated_on = models.DateField()
    summary = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["stated_on", "id"]

    def __str__(self):
        what = "total to date" if self.cumulative else "left"
        return f"{self.place}: {self.persons} {what} ({self.source}, {self.stated_on})"

    @property
    def public_id(self) -> str:
        return str(self.pk)
