"""A person's documents page: upload (bad content shows the sniff error and stores
nothing), the list with versions, the download (attachment, sniffed type, nosniff),
every read audited."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.documents.models import Document, DocumentType, DocumentVersion, Tier

PDF = b"%PDF-1.4\n" + b"passport AB123456 " * 20 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def kind(db):
    return DocumentType.objects.create(code="passport", name="Passport copy")


@pytest.fixture
def person(case):
    return case.members.order_by("pk").first()


def _url(person):
    return reverse("person_documents", kwargs={"person_id": person.person_id})


def _upload(client, person, kind, content, name="scan.pdf", **extra):
    data = {"type": kind.pk, "tier": "ordinary", "valid_until": "2030-01-31"}
    data.update(extra)
    data["file"] = SimpleUploadedFile(name, content)
    return client.post(_url(person), data)


def test_upload_list_and_download(client_for, person, kind):
    client = client_for(roles.CLERK)
    resp = _upload(client, person, kind, PDF, name="../../etc/My Passport.exe")
    assert resp.status_code == 302
    doc = Document.objects.get(person=person)
    assert str(doc.valid_until) == "2030-01-31"
    # A second version of the same document.
    assert _upload(client, person, kind, PNG, name="page2.png", document=doc.pk).status_code == 302
    versions = list(doc.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]

    page = client.get(_url(person))
    assert page.status_code == 200
    html = page.content.decode()
    assert "My Passport.pdf" in html and "page2.png" in html and "Passport copy" in html

    resp = client.get(reverse("document_download", kwargs={"version_id": versions[0].pk}))
    assert resp.status_code == 200
    assert resp.content == PDF
    assert resp["Content-Type"] == "application/pdf"
    assert resp["Content-Disposition"] == 'attachment; filename="My Passport.pdf"'
    assert resp["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.VIEW, object_type="document", object_id=str(versions[0].pk)
    ).exists()
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.VIEW, object_type="person", object_id=person.person_id
    ).exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"MZ\x90\x00 not a document", "Only PDF, PNG and JPEG files are accepted."),
        (b"", "The submitted file is empty."),
    ],
)
def test_bad_content_shows_the_error_and_stores_nothing(client_for, person, kind, content, message):
    resp = _upload(client_for(roles.CLERK), person, kind, content, name="x.pdf")
    assert resp.status_code == 400
    assert message in resp.content.decode()
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()


def test_protection_tier(client_for, person, kind):
    clerk = client_for(roles.CLERK)
    resp = _upload(clerk, person, kind, PDF, tier=Tier.PROTECTION)
    assert resp.status_code == 400
    assert not Document.objects.exists()
    officer = client_for(roles.PROTECTION)
    assert _upload(officer, person, kind, PDF, tier=Tier.PROTECTION).status_code == 302
    version = DocumentVersion.objects.get()
    url = reverse("document_download", kwargs={"version_id": version.pk})
    assert officer.get(url).status_code == 200
    clerk = client_for(roles.CLERK)
    assert clerk.get(url).status_code == 403
    assert "scan.pdf" not in clerk.get(_url(person)).content.decode()
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.DENIED, object_type="document", object_id=str(version.pk)
    ).exists()


def test_delegation_and_missing(client_for, person, kind):
    assert client_for(roles.DELEGATION).get(_url(person)).status_code == 403
    clerk = client_for(roles.CLERK)
    assert clerk.get(reverse("document_download", kwargs={"version_id": 424242})).status_code == 404
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.DENIED, object_type="document", object_id="424242"
    ).exists()
