"""In headless Chromium, the consent journey of issue 20: a clerk attaches an RRF and a
signed consent form and records the consent; the officer submits the case (the consent
rule lets it through) and chooses the RRF for the dossier; the delegation opens its
dossier and downloads a watermarked copy; the consent is withdrawn and the dossier
closes."""

import io

import pytest
from django.utils import timezone

from onward.accounts import roles
from onward.consent.tests.helpers import agreement, doc_type, pdf_bytes
from onward.relocation.models import State
from onward.relocation.tests.factories import bring_to, make_case, pledge
from onward.web.tests.browser import login, logout, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_attach_consent_submit_dossier_download_withdraw(
    browser_page, live_server, users, tmp_path, settings
):
    from pypdf import PdfReader

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.ONWARD_CONSENT_REQUIRED = True
    page, base = browser_page, live_server.url
    doc_type("rrf", "RRF")
    doc_type("consent_form", "Consent form")
    alb = pledge(users, name="Albania 210")
    agreement(users, "ALB", types=("rrf",))
    case = bring_to(users, make_case(users, size=1, family_name="Karimi"), State.ASSESSED)
    person = case.members.get()
    rrf, form = tmp_path / "rrf.pdf", tmp_path / "consent.pdf"
    rrf.write_bytes(pdf_bytes(2))
    form.write_bytes(pdf_bytes())

    # The officer cannot submit before the consent is on record: the rule says why.
    login(page, base, users[roles.RESETTLEMENT].username)
    page.goto(f"{base}/relocation/cases/{case.case_id}/")
    page.select_option("select[name=pledge]", str(alb.pk))
    page.click("button >> text=Submit to a pledge")
    page.wait_for_selector("text=Consent rule")
    shot(page, "consent-01-submit-refused")
    logout(page)

    login(page, base, users[roles.CLERK].username)
    page.goto(f"{base}/persons/{person.person_id}/documents/")
    for label, path in (("RRF", rrf), ("Consent form", form)):
        page.select_option("select[name=type]", label=label)
        page.set_input_files("input[name=file]", str(path))
        page.click("button[type=submit]:has-text('Upload')")
        page.wait_for_selector(f"a:has-text('{path.name}')")
    page.goto(f"{base}/persons/{person.person_id}/consents/")
    page.select_option("select[name=recipient]", "delegation")
    page.fill("input[name=country]", "ALB")
    page.fill("input[name=purpose]", "Resettlement submission to Albania")
    page.select_option("select[name=method]", "signed_form")
    # Ids as the database gave them (PostgreSQL's sequences are not reset between tests).
    from onward.documents.models import Document

    form_pk = Document.objects.get(person=person, type__code="consent_form").pk
    rrf_pk = Document.objects.get(person=person, type__code="rrf").pk
    page.select_option("select[name=document]", label=f"Consent form #{form_pk}")
    page.fill("input[name=given_on]", timezone.localdate().isoformat())
    page.click("button >> text=Record consent")
    page.wait_for_selector(".messages .success")
    shot(page, "consent-02-recorded")
    assert "Valid" in page.inner_text("table")
    logout(page)

    login(page, base, users[roles.RESETTLEMENT].username)
    page.goto(f"{base}/relocation/cases/{case.case_id}/")
    page.select_option("select[name=pledge]", str(alb.pk))
    page.click("button >> text=Submit to a pledge")
    page.wait_for_selector(".messages .success")
    page.click("a.btn >> text=Dossier")
    page.select_option("select[name=document]", label=f"RRF #{rrf_pk}")
    page.click("button >> text=Add to the dossier")
    page.wait_for_selector(".messages .success")
    shot(page, "consent-03-officer-dossier")
    logout(page)

    login(page, base, users[roles.DELEGATION].username)
    page.goto(f"{base}/relocation/cases/{case.case_id}/")
    page.click("text=Open the dossier")
    page.wait_for_selector("h1 >> text=Dossier of submission")
    shot(page, "consent-04-delegation-dossier")
    assert "Karimi" in page.inner_text("main")
    with page.expect_download() as download:
        page.click(f"a >> text=RRF #{rrf_pk}")
    saved = tmp_path / "downloaded.pdf"
    download.value.save_as(saved)
    reader = PdfReader(io.BytesIO(saved.read_bytes()))
    assert len(reader.pages) == 2
    mark = reader.pages[1].extract_text()
    assert "ALB delegation" in mark and users[roles.DELEGATION].username in mark
    dossier_url = page.url
    logout(page)

    login(page, base, users[roles.CLERK].username)
    page.goto(f"{base}/persons/{person.person_id}/consents/")
    page.fill("input[name=reason]", "She no longer wants her data to go to Albania")
    page.click("button >> text=Withdraw")
    page.wait_for_selector(".messages .success")
    shot(page, "consent-05-withdrawn")
    assert "Withdrawn" in page.inner_text("table")
    logout(page)

    login(page, base, users[roles.DELEGATION].username)
    response = page.goto(dossier_url)
    assert response.status == 404
    shot(page, "consent-06-dossier-closed")
    page.goto(f"{base}/relocation/cases/{case.case_id}/")
    assert "Karimi" not in page.inner_text("main")
