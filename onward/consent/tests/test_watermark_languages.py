"""Issue 22: a dossier download is watermarked in its downloader's language (Arabic and
Persian shaped, right to left, the code, user and time in their order), and a refusal
to serve one is told in that language too."""

import io

import pytest
from django.urls import reverse
from django.utils import translation

from onward.accounts import roles
from onward.consent.tests.helpers import attach
from onward.consent.tests.test_dossier import world  # noqa: F401 (the fixture)
from onward.consent.watermark import mark_line, watermark_pdf
from onward.pdf import Document
from onward.pdf.tests.reading import logical_text

pytestmark = pytest.mark.django_db


def _line(language):
    with translation.override(language):
        return mark_line(country="ALB", username="t_deleg", at="2026-12-06 10:00", submission_id=7)


def test_the_watermark_line_is_in_the_readers_language():
    assert _line("en") == "Onward dossier S7 · ALB delegation · t_deleg · 2026-12-06 10:00"
    assert _line("fa") == "Onward · پروندهٔ هیئت S7 · هیئت نمایندگی ALB · t_deleg · 2026-12-06 10:00"
    assert _line("ar") == "Onward · ملف الوفد S7 · وفد ALB · t_deleg · 2026-12-06 10:00"


def test_a_persian_watermark_reads_in_logical_order_in_the_pdf():
    page = Document(title="x")
    page.add_page()
    page.paragraph("A page")
    marked = watermark_pdf(bytes(page.output()), _line("fa"))
    text = logical_text(marked, rtl=True)
    # Both lines (the diagonal and the foot) read back in logical order, right to left.
    assert text.count(_line("fa")) == 2


def test_a_delegation_reading_persian_gets_a_persian_watermark(client_for, users, world):  # noqa: F811
    from pypdf import PdfReader

    delegate = users[roles.DELEGATION]
    delegate.language = "fa"
    delegate.save(update_fields=["language"])
    url = reverse("dossier_download", args=[world["sub"].pk, world["rrf"].pk])
    response = client_for(roles.DELEGATION).get(url)
    assert response.status_code == 200
    subject = PdfReader(io.BytesIO(response.content)).metadata["/Subject"]
    assert "هیئت نمایندگی ALB" in subject and delegate.username in subject


def test_a_refusal_to_serve_is_told_in_the_readers_language(client_for, users, world):  # noqa: F811
    delegate = users[roles.DELEGATION]
    delegate.language = "ar"
    delegate.save(update_fields=["language"])
    bad = attach(users, world["case"].members.get(), content=b"%PDF-1.4\n%%EOF\n")
    from onward.consent import services

    services.dossier_document_choose(
        actor=users[roles.RESETTLEMENT], submission=world["sub"], document=bad
    )
    url = reverse("dossier_download", args=[world["sub"].pk, bad.pk])
    response = client_for(roles.DELEGATION).get(url)
    assert response.status_code == 409
    assert "تعذّرت قراءة ملف PDF" in response.content.decode()
