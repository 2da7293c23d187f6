"""Documents attached to a person or a case, kept as versions.

A version's file is encrypted with its own random key (the envelope key); that key is
stored in `DocumentVersion.wrapped_key`, an `EncryptedTextField`, so it is wrapped by the
field keys and `onward keys reencrypt` re-wraps it on rotation without touching the file.
The file itself sits in Django's storage under the hash of its ciphertext.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onward.vault.fields import EncryptedTextField


class DocumentType(models.Model):
    """The configurable list of document types (RRF, passport copy, medical report...)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    # Every submitted case should hold a valid one (the dashboard counts those missing it).
    required = models.BooleanField(
        default=False, help_text=_("Every submitted case needs a valid document of this type.")
    )

    def __str__(self) -> str:
        return self.name


class Tier(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary")
    CONFIDENTIAL = "confidential", _("Confidential")
    PROTECTION = "protection", _("Protection (protection officers only)")


class Document(models.Model):
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "registry.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    type = models.ForeignKey(DocumentType, on_delete=models.PROTECT)
    tier = models.CharField(max_length=16, choices=Tier.choices, default=Tier.ORDINARY)
    valid_until = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | models.Q(case__isnull=False),
                name="document_attached",
            )
        ]

    def __str__(self) -> str:
        return f"{self.type} #{self.pk}"

    def current(self) -> "DocumentVersion | None":
        return self.versions.order_by("-number").first()


class DocumentVersion(models.Model):
    """One upload; a newer number supersedes it, and it stays."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveBigIntegerField()
    storage_name = models.CharField(max_length=200)
    wrapped_key = EncryptedTextField()
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"
