"""The demo's documents: the configured document types, and a Resettlement Registration
Form for every case the reference operation submitted (a synthetic one-page PDF naming
the case, encrypted and stored like any upload), dated at the case's first submission so
the dashboard's figures hold at past dates too. One case in 40 has none, so that the
dashboard's "missing a required one" has something to show. Bulk: one file per case
(its own envelope key), one insert for the documents, one for their versions."""

from __future__ import annotations

from django.db.models import Min, OuterRef, Subquery

from onward.audit.models import AuditEntry
from onward.audit.services import audit_record
from onward.documents.models import Document, DocumentType, DocumentVersion
from onward.documents.services import seal_and_store, sniff

# (code, name, required): the types of issue 20; the RRF is the one every case needs.
TYPES = [
    ("rrf", "Resettlement Registration Form", True),
    ("identity", "Identity document", False),
    ("passport", "Passport", False),
    ("bid", "Best-interests determination", False),
    ("medical", "Medical assessment", False),
    ("consent-form", "Consent form", False),
    ("travel", "Travel document", False),
    ("photo", "Photo", False),
    ("letter", "Letter", False),
]
WITHOUT_RRF = 40  # every 40th submitted case (by case id) has no RRF yet


def synthetic_pdf(lines: list[str]) -> bytes:
    """A one-page PDF carrying `lines` of ASCII text, written out directly (a thousand
    of them in well under a second, where laying each out with fpdf2 took 30 ms); a
    valid file that pypdf reads, so a dossier can watermark it."""
    text = " ".join(
        f"({line.replace(chr(92), '').replace('(', '').replace(')', '')}) Tj 0 -24 Td"
        for line in lines
    )
    stream = f"BT /F1 16 Tf 72 760 Td {text} ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def demo_document_types() -> dict[str, DocumentType]:
    return {
        code: DocumentType.objects.get_or_create(
            code=code, defaults={"name": name, "required": required}
        )[0]
        for code, name, required in TYPES
    }


def demo_documents(*, users, log=print) -> dict:
    from onward.registry.models import Case
    from onward.relocation.models import Submission

    types = demo_document_types()
    if Document.objects.exists():
        return {}
    clerk = users.get("clerk")
    first = Submission.objects.filter(case=OuterRef("pk")).values("case")
    first = first.annotate(at=Min("submitted_at")).values("at")
    cases = list(
        Case.objects.filter(submissions__isnull=False)
        .distinct()
        .annotate(first_at=Subquery(first))
        .order_by("case_id")
    )
    cases = [c for i, c in enumerate(cases, 1) if i % WITHOUT_RRF]
    docs = Document.objects.bulk_create(Document(case=c, type=types["rrf"]) for c in cases)
    versions = []
    for case, doc in zip(cases, docs, strict=True):
        content = synthetic_pdf(
            ["Resettlement Registration Form", "(synthetic, for the demo)", f"Case {case.case_id}"]
        )
        content_type, _ = sniff(content)
        storage_name, key = seal_and_store(content)
        versions.append(
            DocumentVersion(
                document=doc,
                number=1,
                filename=f"RRF-{case.case_id}.pdf",
                content_type=content_type,
                size=len(content),
                storage_name=storage_name,
                wrapped_key=key,
                uploaded_by=clerk,
            )
        )
    DocumentVersion.objects.bulk_create(versions, batch_size=500)
    # Dated at the first submission (created_at is set on insert): the figures as of a
    # past date find the documents of that date.
    for doc, case in zip(docs, cases, strict=True):
        doc.created_at = case.first_at
    Document.objects.bulk_update(docs, ["created_at"], batch_size=500)
    DocumentVersion.objects.filter(document__in=docs).update(
        uploaded_at=Subquery(Document.objects.filter(pk=OuterRef("document")).values("created_at"))
    )
    audit_record(
        actor=clerk,
        action=AuditEntry.Action.CREATE,
        object_type="document",
        object_id="demo",
        detail=f"{len(docs)} synthetic RRFs for the submitted cases",
    )
    log(f"Documents: {len(docs)} RRFs (synthetic), {len(types)} document types.")
    return {"documents": len(docs)}
