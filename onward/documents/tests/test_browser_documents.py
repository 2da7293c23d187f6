"""In headless Chromium: a clerk uploads a PDF on a person's documents page and sees it
listed as version 1, with a download link."""

import pytest

from onward.web.tests.browser import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def test_upload_then_listed(browser_page, live_server, users, tmp_path, settings):
    from onward.accounts import roles
    from onward.conftest import principal_data
    from onward.documents.models import DocumentType
    from onward.registry import services

    settings.MEDIA_ROOT = str(tmp_path / "media")
    DocumentType.objects.create(code="rrf", name="RRF")
    person = services.case_create(
        actor=users[roles.CLERK], principal=principal_data()
    ).members.get()
    page = browser_page
    login(page, live_server.url, users[roles.CLERK].username)
    page.goto(f"{live_server.url}/persons/{person.person_id}/documents/")
    page.select_option("select[name=type]", label="RRF")
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(PDF)
    page.set_input_files("input[name=file]", str(scan))
    page.click("button[type=submit]:has-text('Upload')")
    page.wait_for_selector("a:has-text('scan.pdf')")
    shot(page, "documents-person")
    assert "Version 1" in page.content()
