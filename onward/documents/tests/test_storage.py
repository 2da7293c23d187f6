"""Document versions: refused content stores nothing; at rest everything is ciphertext;
a key rotation re-wraps the envelope keys and leaves the files alone."""

import base64

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection

from onward.accounts import roles
from onward.documents import services
from onward.documents.models import Document, DocumentType, DocumentVersion
from onward.vault import keys, rotation

PDF = b"%PDF-1.4\n" + b"secret-passport-AB123456 " * 40 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def doc(case):
    kind = DocumentType.objects.create(code="rrf", name="Resettlement registration form")
    return Document.objects.create(case=case, type=kind)


def _stored_files():
    try:
        return default_storage.listdir("documents")[1]
    except FileNotFoundError:
        return []


@pytest.mark.parametrize(
    "content, code",
    [
        (b"", "empty"),
        (b"MZ\x90\x00 an executable named .pdf", "type"),
        (b"<html>%PDF-</html>", "type"),
        (b"%PDF-" + b"0" * services.MAX_BYTES, "too_large"),
    ],
)
def test_refused_content_says_why_and_stores_nothing(doc, content, code):
    with pytest.raises(ValidationError) as e:
        services.add_version(doc, content, "passport.pdf")
    assert e.value.code == code
    assert not DocumentVersion.objects.exists() and _stored_files() == []


def test_the_type_comes_from_the_content_and_names_lose_their_tricks(doc):
    v = services.add_version(doc, PNG, "../../etc/passwd.pdf")
    assert (v.content_type, v.filename) == ("image/png", "passwd.png")
    assert services.safe_filename("..\\..\\x/.bashrc", "pdf") == "bashrc.pdf"
    assert services.safe_filename("", "jpg") == "document.jpg"


def test_a_new_version_supersedes_and_the_old_one_stays(doc):
    v1 = services.add_version(doc, PDF, "rrf.pdf")
    v2 = services.add_version(doc, PDF.replace(b"AB", b"CD"), "rrf v2.pdf")
    assert doc.current() == v2 and (v1.number, v2.number) == (1, 2)
    assert services.read_version(v1) == PDF


def test_storage_and_database_hold_ciphertext_only(doc):
    v = services.add_version(doc, PDF, "rrf.pdf")
    with default_storage.open(v.storage_name, "rb") as f:
        raw = f.read()
    assert b"AB123456" not in raw and not raw.startswith(b"%PDF")
    with connection.cursor() as c:
        c.execute("SELECT wrapped_key FROM documents_documentversion")
        (stored,) = c.fetchone()
    dek_hex = str(v.wrapped_key).split(":")[1]
    assert keys.is_token(stored) and dek_hex not in stored
    assert services.read_version(DocumentVersion.objects.get()) == PDF


def test_rotation_rewraps_document_keys_without_rewriting_files(doc, settings):
    v = services.add_version(doc, PDF, "rrf.pdf")
    with default_storage.open(v.storage_name, "rb") as f:
        before = f.read()
    old = ",".join(f"{k.kid}:{base64.b64encode(k.secret).decode()}" for k in keys.keyring().keys)
    settings.ONWARD_FIELD_KEYS = keys.new_key_line("k-new") + "," + old
    cols = [c for c in rotation.encrypted_columns() if c.table == "documents_documentversion"]
    assert rotation.reencrypt(cols)["documents_documentversion.wrapped_key"].rewritten == 1
    with connection.cursor() as c:
        c.execute("SELECT wrapped_key FROM documents_documentversion")
        assert c.fetchone()[0].split(":")[1] == "k-new"
    with default_storage.open(v.storage_name, "rb") as f:
        assert f.read() == before
    assert services.read_version(DocumentVersion.objects.get()) == PDF


def test_protection_documents_only_for_protection_officers_and_reads_are_audited(doc, users):
    from django.core.exceptions import PermissionDenied

    from onward.audit.models import AuditEntry

    doc.tier = "protection"
    doc.save()
    v = services.add_version(doc, PDF, "report.pdf")
    with pytest.raises(PermissionDenied):
        services.open_for(users[roles.CLERK], v)
    assert AuditEntry.objects.filter(action="denied", object_type="document").count() == 1
    assert services.open_for(users[roles.PROTECTION], v) == PDF
    assert AuditEntry.objects.filter(action="view", object_type="document").count() == 1
