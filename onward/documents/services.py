"""Storing and reading document versions: content checks, envelope encryption, storage."""

import hashlib
import os
import re

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from onward.accounts import policy
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record
from onward.documents.models import Document, DocumentVersion, Tier

MAX_BYTES = 20 * 1024 * 1024
NONCE = 12

# Types are recognised by their first bytes, never by the file's name.
SIGNATURES = [
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
]

_SAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def sniff(content: bytes) -> tuple[str, str]:
    """(content type, extension) of `content`, or a ValidationError saying what is wrong."""
    if not content:
        raise ValidationError(_("The file is empty."), code="empty")
    if len(content) > MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)},
            code="too_large",
        )
    for magic, content_type, ext in SIGNATURES:
        if content.startswith(magic):
            return content_type, ext
    raise ValidationError(_("Only PDF, PNG and JPEG files are accepted."), code="type")


def safe_filename(name: str, ext: str) -> str:
    """The name to offer on download: no directories, no odd characters, the real extension."""
    base = os.path.basename((name or "").replace("\\", "/")).strip().lstrip(".")
    stem = _SAFE.sub("_", os.path.splitext(base)[0])[:100].strip(" ._") or "document"
    return f"{stem}.{ext}"


def _context(storage_name: str) -> bytes:
    return f"documents:{storage_name}".encode()


@transaction.atomic
def add_version(document: Document, content: bytes, filename: str, *, user=None):
    """Encrypt `content` under a fresh key and store it; the new version supersedes the
    previous one. Refused content raises ValidationError and stores nothing."""
    content_type, ext = sniff(content)
    saved, wrapped_key = seal_and_store(content)
    last = document.versions.order_by("-number").values_list("number", flat=True).first()
    return DocumentVersion.objects.create(
        document=document,
        number=(last or 0) + 1,
        filename=safe_filename(filename, ext),
        content_type=content_type,
        size=len(content),
        storage_name=saved,
        wrapped_key=wrapped_key,
        uploaded_by=user,
    )


def seal_and_store(content: bytes) -> tuple[str, str]:
    """Encrypts `content` under a fresh envelope key and writes the ciphertext to the
    document storage under its hash: (storage name, the key for `wrapped_key`). Checked
    content only (callers sniff first)."""
    dek = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(NONCE)
    # The name binds the ciphertext (as associated data) to the key that opens it.
    key_id = hashlib.sha256(dek).hexdigest()[:16]
    blob = nonce + AESGCM(dek).encrypt(nonce, content, key_id.encode())
    storage_name = f"documents/{hashlib.sha256(blob).hexdigest()}"
    return default_storage.save(storage_name, ContentFile(blob)), f"{key_id}:{dek.hex()}"


def read_version(version: DocumentVersion) -> bytes:
    """The decrypted content of a version."""
    key_id, dek_hex = str(version.wrapped_key).split(":", 1)
    with default_storage.open(version.storage_name, "rb") as f:
        blob = f.read()
    return AESGCM(bytes.fromhex(dek_hex)).decrypt(blob[:NONCE], blob[NONCE:], key_id.encode())


def delete_files(document: Document) -> int:
    """Delete a document's encrypted files (retention); the rows stay as the record."""
    n = 0
    for v in document.versions.all():
        if v.storage_name and default_storage.exists(v.storage_name):
            default_storage.delete(v.storage_name)
            n += 1
    return n


def open_for(user, version: DocumentVersion) -> bytes:
    """The content of a version for `user`, audited; a protection-tier document only for
    protection officers (a refusal is audited as denied)."""
    need = "documents.protection" if version.document.tier == Tier.PROTECTION else "documents.view"
    if not policy.can(user, need):
        policy.deny(user, "document", version.pk, detail=f"needs {need}")
        raise PermissionDenied(_("Your role may not read this document."))
    audit_record(
        actor=user, action=AuditEntry.Action.VIEW, object_type="document", object_id=version.pk
    )
    return read_version(version)
