from django.urls import reverse

from onward.conftest import principal_data
from onward.web.tests.matrix import Row, outcome

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def world(users) -> dict:
    from onward.accounts import roles
    from onward.documents import services as documents
    from onward.documents.models import Document, DocumentType
    from onward.registry import services

    case = services.case_create(actor=users[roles.CLERK], principal=principal_data())
    person = case.members.get()
    kind = DocumentType.objects.create(code="rrf", name="RRF")
    doc = Document.objects.create(person=person, type=kind)
    version = documents.add_version(doc, PDF, "rrf.pdf", user=users[roles.CLERK])
    return {"person": person.person_id, "version": version.pk, "type": kind.pk}


def _upload_refused():
    """Not a PDF, PNG or JPEG: the role passed the checks when the answer is the 400 form
    naming the file; nothing is stored."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"type": "", "tier": "ordinary", "file": SimpleUploadedFile("x.txt", b"hello")}


# documents.view is the staff's (A, DM, CL, PR, RS); a delegation and the auditor may
# not open a person's documents (403). A missing person or version is a 404 with a
# `denied` entry (the AUTO out-of-scope column).
ROWS = [
    Row(
        "person_documents",
        lambda w: reverse("person_documents", kwargs={"person_id": w["person"]}),
        outcome(200, DL=403, AU=403),
    ),
    Row(
        "person_documents",
        lambda w: reverse("person_documents", kwargs={"person_id": w["person"]}),
        outcome(400, DL=403, AU=403),
        method="post",
        body=_upload_refused,
    ),
    Row(
        "document_download",
        lambda w: reverse("document_download", kwargs={"version_id": w["version"]}),
        outcome(200, DL=403, AU=403),
    ),
]
