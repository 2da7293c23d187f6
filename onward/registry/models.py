import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onward.registry import codes
from onward.shipped import shown
from onward.vault.fields import BlindIndexField, EncryptedTextField


class SpecificNeed(models.Model):
    """A coded vulnerability from the managed list (UNHCR's top-level categories)."""

    code = models.CharField(max_length=8, primary_key=True)
    label = models.CharField(max_length=120)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} – {self.shown_label}"

    @property
    def shown_label(self) -> str:
        """The label in the reader's language when it is as shipped, else as typed."""
        return shown(self.label, codes.SPECIFIC_NEEDS.get(self.code))

    @classmethod
    def shown_labels(cls, queryset=None) -> dict[str, str]:
        """{code: label as shown} of the needs (all, or `queryset`'s), in one query."""
        rows = (cls.objects.all() if queryset is None else queryset).values_list("code", "label")
        return {code: shown(label, codes.SPECIFIC_NEEDS.get(code)) for code, label in rows}


class Case(models.Model):
    """A registration group processed together, usually a household.

    It has exactly one principal applicant (a partial unique constraint on Person, and the
    services that create a case with its principal). `version` is the optimistic lock.
    """

    audit_type = "case"

    class Status(models.TextChoices):
        # A status (an adjective): its own msgids, apart from the verb "Open".
        OPEN = "open", pgettext_lazy("status", "Open")
        CLOSED = "closed", pgettext_lazy("status", "Closed")

    case_id = models.CharField(max_length=32, unique=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    arrival_date = models.DateField(null=True, blank=True)
    # Removed (registered in error): a recorded, reversible status, never a deletion
    # (services.case_remove / case_restore, which remove and restore the members too).
    removed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removed_reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["case_id"]

    def __str__(self):
        return self.case_id

    @property
    def public_id(self) -> str:
        return self.case_id

    @property
    def principal(self):
        return next((p for p in self.members.all() if p.relationship == "principal"), None)


class Person(models.Model):
    """One resident. A person belongs to one case at a time (the FK makes "a person in
    two open cases" impossible by construction); merged duplicates keep their row and
    point at the survivor, so nothing is deleted."""

    audit_type = "person"

    class Precision(models.TextChoices):
        DAY = "D", _("Day")
        MONTH = "M", _("Month")
        YEAR = "Y", _("Year")

    person_id = models.CharField(max_length=32, unique=True)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="members")
    relationship = models.CharField(
        max_length=16, choices=[(k, _(v)) for k, v in codes.RELATIONSHIPS.items()]
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100, blank=True)
    father_name = models.CharField(max_length=100, blank=True)
    # The same person's names in Arabic script (زهرا غفارزاده beside Zahra Ghaffarzadeh),
    # optional: plain text like the Latin names, searched through the same keys.
    given_name_arabic = models.CharField(max_length=100, blank=True, default="")
    family_name_arabic = models.CharField(max_length=100, blank=True, default="")
    sex = models.CharField(
        max_length=1, choices=[(k, _(v)) for k, v in codes.SEX.items()], blank=True
    )
    # A partial date is stored as its first day with its precision: 1985 -> 1985-01-01, Y.
    birth_date = models.DateField(null=True, blank=True)
    birth_precision = models.CharField(max_length=1, choices=Precision.choices, blank=True)
    nationality = models.CharField(max_length=3, blank=True)
    # Identifiers are encrypted (onward.vault); an exact document number or phone is found
    # through its blind index, a keyed hash kept by BlindIndexField on every save.
    document_number = EncryptedTextField(max_length=40, blank=True)
    phone = EncryptedTextField(max_length=40, blank=True)
    document_number_bidx = BlindIndexField(
        source="document_number", kind="document", db_index=False
    )
    phone_bidx = BlindIndexField(source="phone", kind="phone", db_index=False)
    # The details of the person's specific needs (free text, confidential).
    needs_detail = EncryptedTextField(max_length=2000, blank=True, default="")
    specific_needs = models.ManyToManyField(SpecificNeed, blank=True, related_name="persons")
    arrival_date = models.DateField(null=True, blank=True)
    # Set only by the movements app's services, together with a population-ledger entry.
    departure_date = models.DateField(null=True, blank=True)  # indexed with its type (Meta)
    departure_type = models.CharField(max_length=24, blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
        db_index=False,
    )
    # Removed (registered in error): the row stays, readable on its page and in the audit
    # log, and leaves lists, search, dedup, matching and the population (through a ledger
    # correction). Set only by services.person_remove / case_remove, undone by *_restore.
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    removed_reason = models.CharField(max_length=255, blank=True)
    # Retention (onward/retention): when the person's identity was ended by rule, and
    # which rule. Nullable without a default: adding them is a plain ADD COLUMN (SQLite
    # does not rebuild the table, which would drop the name-key triggers).
    anonymised_at = models.DateTimeField(null=True, blank=True)
    anonymised_rule = models.CharField(max_length=16, null=True, blank=True)  # noqa: DJ001
    # Name keys for search in any spelling (registry/search.py), kept up to date by every
    # write path; on PostgreSQL a GIN trigram index serves the search (migration 0004).
    search_keys = models.TextField(blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["person_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(relationship="principal"),
                name="one_principal_per_case",
            )
        ]
        indexes = [
            models.Index(fields=["family_name", "given_name"]),
            # Matched exactly only: plain btrees (db_index would add, on PostgreSQL, a
            # varchar_pattern_ops copy for LIKE that nothing uses).
            models.Index(fields=["document_number_bidx"], name="person_document_bidx_idx"),
            models.Index(fields=["phone_bidx"], name="person_phone_bidx_idx"),
            models.Index(fields=["nationality"], name="person_nationality_idx"),
            # Almost always NULL and queried `IS NULL` (which an index does not help):
            # only the rows that have a value are indexed, for the lookups by value
            # (a user's or a survivor's rows). removed_at has no lookup by value.
            models.Index(
                fields=["merged_into"],
                name="person_merged_into_idx",
                condition=models.Q(merged_into__isnull=False),
            ),
            models.Index(
                fields=["removed_by"],
                name="person_removed_by_idx",
                condition=models.Q(removed_by__isnull=False),
            ),
            # Departures by date and kind, read by the index alone (the dashboard's
            # departures by month: 1.2 s to 0.17 s at 10,000,000 persons, where a year's
            # departures are 8 % of the table and the planner otherwise reads it whole).
            models.Index(
                fields=["departure_date", "departure_type"],
                name="person_departure_idx",
                condition=models.Q(departure_date__isnull=False),
            ),
            # The few persons no longer on the registry's books: the camp's whole-camp
            # figures leave them out through this index (onward/presence/numbers.py).
            models.Index(
                fields=["id"],
                name="person_gone_idx",
                condition=models.Q(merged_into__isnull=False) | models.Q(removed_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.person_id} {self.full_name}"

    def save(self, *args, update_fields=None, **kwargs):
        # A blind index follows its value: saving a value saves its hash too.
        if update_fields is not None:
            update_fields = set(update_fields)
            for field in ("document_number", "phone"):
                if field in update_fields:
                    update_fields.add(f"{field}_bidx")
        super().save(*args, update_fields=update_fields, **kwargs)

    @property
    def public_id(self) -> str:
        return self.person_id

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)

    @property
    def full_name_arabic(self) -> str:
        return " ".join(p for p in (self.given_name_arabic, self.family_name_arabic) if p)

    @property
    def birth_date_display(self) -> str:
        if not self.birth_date:
            return ""
        return {
            "Y": f"{self.birth_date:%Y}",
            "M": f"{self.birth_date:%Y-%m}",
        }.get(self.birth_precision, f"{self.birth_date:%Y-%m-%d}")

    def age_on(self, day: dt.date) -> int | None:
        if not self.birth_date:
            return None
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    @property
    def age(self) -> int | None:
        return self.age_on(timezone.localdate())


class Note(models.Model):
    """Free text on a case. Protection notes are confidential (policy decides who sees
    them). Notes are never edited: a correction is a new note."""

    class Kind(models.TextChoices):
        GENERAL = "general", _("General")
        PROTECTION = "protection", _("Protection (confidential)")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.GENERAL)
    text = EncryptedTextField()  # every note, not only protection notes: simpler and safer
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.kind} note on {self.case_id}"


class DerivedVersion(models.Model):
    """Which version of a derived value the stored rows hold (`search_keys`: the name
    keys). Migrations never compute derived values with today's code; after `migrate`, the
    code that defines them brings stale rows up to its version (registry.search
    `search_keys_refresh`)."""

    name = models.CharField(max_length=32, primary_key=True)
    version = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.name} v{self.version}"


class Counter(models.Model):
    """The last number given out for an id prefix (C for cases, P for persons).

    Its row is locked while a number is taken, so two clerks never get the same id.
    """

    prefix = models.CharField(max_length=8, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.prefix}{self.value}"


class PersonNameKey(models.Model):
    """One search key of a person (a word of `Person.search_keys`): the index of the name
    search (registry/search.py). Written by database triggers from `search_keys` on every
    insert or change of a person (migration 0005), whoever writes it (services, import,
    the demo loader, bulk_update), so it cannot fall behind; never written by hand.
    A btree on (key, person) serves exact keys and prefixes (text_pattern_ops on
    PostgreSQL); the primary key (person, key) checks one person's keys."""

    pk = models.CompositePrimaryKey("person", "key")
    # No database constraint: the trigger writes keys only for rows of registry_person,
    # and a per-row foreign-key check would cost more than the keys themselves.
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="name_keys",
        db_constraint=False,
        db_index=False,
    )  # the pk's index serves
    key = models.TextField()

    def __str__(self):
        return f"{self.person_id}: {self.key}"
