"""In a real headless Chromium: the data manager opens the dashboard and reads the
documents and consent figures (documents per submitted case and cases missing the RRF
by country, consents expiring within 30 days); the screenshot is saved under
test-output/screenshots/reports-21-documents-and-consent.png."""

import datetime as dt

import pytest

from onward.consent.tests.helpers import attach, consent, doc_type
from onward.relocation.models import State
from onward.relocation.tests.factories import bring_to, make_case, pledge
from onward.web.tests.browser import OUTPUT, login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def test_the_dashboard_shows_documents_and_expiring_consents(browser_page, live_server, users):
    rrf = doc_type("rrf", "Resettlement Registration Form")
    rrf.required = True
    rrf.save()
    albania, france = pledge(users), pledge(users, country="FRA")
    cases = []
    for p in (albania, albania, albania, france):
        case = make_case(users, size=2)
        bring_to(users, case, State.SUBMITTED, pledge_=p)
        cases.append(case)
    for case in cases[:2]:  # two ALB cases with their RRF and a photo; the third none
        principal = case.members.get(relationship="principal")
        attach(users, principal)
        attach(users, principal, code="photo", name="Photo", filename="photo.pdf")
    soon = dt.date.today() + dt.timedelta(days=12)
    for p in cases[3].members.all():
        consent(users, p, "FRA", expires=soon)

    page, base = browser_page, live_server.url
    login(page, base, "t_datamanager")
    page.goto(f"{base}/reports/#section-documents")
    page.wait_for_selector("#figure-documents_by_country")
    figure = page.inner_text("#figure-documents_by_country")
    assert "Documents of submitted cases, by country" in figure
    rows = page.locator("#figure-documents_by_country tbody tr").all_inner_texts()
    cells = [r.split("\t") for r in rows]
    assert cells == [["ALB", "3", "4", "1.3", "1"], ["FRA", "1", "0", "0.0", "1"]], cells
    expiring = page.inner_text("#figure-documents_consents_expiring")
    assert "Consents expiring within 30 days" in expiring and "total 2" in expiring
    assert "FRA" in expiring
    shot(page, "reports-20-dashboard-with-documents")
    # The section itself, close up (the whole page is six screens tall).
    page.locator("#section-documents + .report-grid").screenshot(
        path=str(OUTPUT / "reports-21-documents-and-consent.png")
    )
