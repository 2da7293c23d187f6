"""Consent, data-sharing agreements and the delegation's dossier (docs/consent.md).

A `Consent` is one person's (or, for a child, their guardian's) agreement that their data
go to one recipient for a purpose, from `given_on` until `expires_on`, unless withdrawn.
It is never deleted or edited back: a withdrawal is dated, by whom and why, and a new
consent is a new row. A `SharingAgreement` says what a recipient country may receive
(which shared fields, which document types) and until when; the dossier of a submission
shows only that, for the agreement's time only. `DossierDocument` is an officer's choice
of a case document for one submission's dossier. `ConsentOverride` lets a permitted role
submit a case without every adult's consent, with a reason, on record.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Recipient(models.TextChoices):
    DELEGATION = "delegation", _("A country's delegation")
    IOM = "iom", _("IOM")
    PROVIDER = "provider", _("A service provider")
    MEDICAL = "medical", _("Medical data to the receiving state")


# Recipients that are a country (the consent names it).
COUNTRY_RECIPIENTS = (Recipient.DELEGATION, Recipient.MEDICAL)


class Method(models.TextChoices):
    SIGNED_FORM = "signed_form", _("Signed form (a document)")
    VERBAL = "verbal", _("Verbal, with a witness")


class Consent(models.Model):
    audit_type = "consent"

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    # For a child: who gave the consent on the child's behalf.
    guardian = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipient = models.CharField(max_length=12, choices=Recipient.choices)
    country = models.CharField(max_length=3, blank=True, db_index=True)
    provider = models.CharField(max_length=120, blank=True)
    purpose = models.CharField(max_length=200)
    method = models.CharField(max_length=12, choices=Method.choices)
    document = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    witness = models.CharField(max_length=120, blank=True)
    given_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawn_reason = models.CharField(max_length=255, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-given_on", "-id"]
        indexes = [models.Index(fields=["person", "recipient", "country"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gte=models.F("given_on")),
                name="consent_expires_after_given",
            ),
            models.CheckConstraint(
                condition=~models.Q(method="signed_form") | models.Q(document__isnull=False),
                name="consent_signed_form_has_document",
            ),
            models.CheckConstraint(
                condition=~models.Q(method="verbal") | ~models.Q(witness=""),
                name="consent_verbal_has_witness",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.recipient_label}"

    @property
    def public_id(self) -> str:
        return str(self.pk)

    @property
    def recipient_label(self) -> str:
        label = str(Recipient(self.recipient).label)
        extra = self.country or self.provider
        return f"{label} ({extra})" if extra else label

    def valid_on(self, day: dt.date) -> bool:
        return (
            self.given_on <= day
            and (self.expires_on is None or self.expires_on >= day)
            and (self.withdrawn_on is None or self.withdrawn_on > day)
        )


class ConsentOverride(models.Model):
    """A case submitted to a country without every adult's consent, by a permitted role
    (`consent.override`), with the reason on record."""

    audit_type = "consent_override"

    case = models.ForeignKey("registry.Case", on_delete=models.PROTECT, related_name="+")
    country = models.CharField(max_length=3)
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.country}"

    @property
    def public_id(self) -> str:
        return str(self.pk)


# The fields of a member that an agreement may share (a subset of the delegation's
# shared view, relocation.selectors.shared_case, plus the travel document's number).
SHAREABLE_FIELDS = {
    "given_name": _("Given name"),
    "family_name": _("Family name"),
    "father_name": _("Father's name"),
    "relationship": _("Relationship"),
    "sex": _("Sex"),
    "birth_date": _("Birth date"),
    "nationality": _("Nationality"),
    "specific_needs": _("Specific needs"),
    "document_number": _("Document number"),
}
# A name is one name in either script: an agreement that shares the given (family) name
# shares its spelling in Arabic script too, in a column of its own, and one that does not
# share it shares neither spelling. Not listed in agreements of their own.
ARABIC_SCRIPT_OF = {"given_name": "given_name_arabic", "family_name": "family_name_arabic"}
ARABIC_SCRIPT_LABELS = {
    "given_name_arabic": _("Given name in Arabic script"),
    "family_name_arabic": _("Family name in Arabic script"),
}


def dossier_fields(shared: list[str]) -> list[str]:
    """The columns of a dossier whose agreement shares `shared`: each shared name followed
    by its Arabic-script spelling."""
    out = []
    for field in shared:
        out.append(field)
        if field in ARABIC_SCRIPT_OF:
            out.append(ARABIC_SCRIPT_OF[field])
    return out


class SharingAgreement(models.Model):
    """What a recipient country's delegation may receive in its dossiers, and until when."""

    audit_type = "sharing_agreement"

    country = models.CharField(max_length=3, db_index=True)
    name = models.CharField(max_length=120)
    fields = models.JSONField(default=list)
    document_types = models.ManyToManyField("documents.DocumentType", blank=True, related_name="+")
    valid_from = models.DateField()
    valid_to = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["country", "-valid_to", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__gte=models.F("valid_from")),
                name="agreement_valid_to_after_valid_from",
            )
        ]

    def __str__(self) -> str:
        return f"{self.country} · {self.name}"

    @property
    def public_id(self) -> str:
        return str(self.pk)

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day <= self.valid_to


class DossierDocument(models.Model):
    """A case document chosen for one submission's dossier."""

    submission = models.ForeignKey(
        "relocation.Submission", on_delete=models.PROTECT, related_name="+"
    )
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    chosen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission", "document"], name="dossier_document_once")
        ]

    def __str__(self) -> str:
        return f"S{self.submission_id} D{self.document_id}"


class SubmissionFlag(models.Model):
    """An open submission flagged because a member withdrew their consent for its country:
    the officer decides what follows (withdraw the submission, a new consent)."""

    submission = models.ForeignKey(
        "relocation.Submission", on_delete=models.PROTECT, related_name="+"
    )
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=255)

    class Meta:
        ordering = ["-raised_at", "-id"]

    def __str__(self) -> str:
        return f"S{self.submission_id}: {self.note}"
