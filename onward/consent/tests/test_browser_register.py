"""In headless Chromium, the register's other pages: the data manager records a
data-sharing agreement; a protection officer records a consent override on the case's
consent page; a clerk opens "Consents" in the menu and sees a consent that expires soon."""

import datetime as dt

import pytest

from onward.accounts import roles
from onward.consent.tests.helpers import consent, doc_type
from onward.relocation.tests.factories import make_case
from onward.web.tests.browser import login, logout, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agreement_override_and_expiring_list(browser_page, live_server, users):
    page, base = browser_page, live_server.url
    doc_type("rrf", "RRF")
    case = make_case(users, size=1, family_name="Ahmadi")
    person = case.members.get()
    consent(users, person, expires=dt.date.today() + dt.timedelta(days=12))

    login(page, base, users[roles.DATA_MANAGER].username)
    page.goto(f"{base}/consents/agreements/")
    page.fill("input[name=country]", "DEU")
    page.fill("input[name=name]", "Germany humanitarian admission")
    for value in ("given_name", "family_name", "sex"):
        page.check(f"input[name=fields_shared][value={value}]")
    page.check("input[name=document_types] >> nth=0")
    page.fill("input[name=valid_from]", "2013-01-01")
    page.fill("input[name=valid_to]", (dt.date.today() + dt.timedelta(days=200)).isoformat())
    page.click("button >> text=Record agreement")
    page.wait_for_selector(".messages .success")
    shot(page, "consent-10-agreements")
    assert "Germany humanitarian admission" in page.inner_text("table")
    logout(page)

    login(page, base, users[roles.PROTECTION].username)
    page.goto(f"{base}/cases/{case.case_id}/consents/")
    page.fill("input[name=country]", "DEU")
    page.fill("textarea[name=reason]", "Emergency protection case: consent by phone, form follows")
    page.click("button >> text=Record override")
    page.wait_for_selector(".messages .success")
    shot(page, "consent-11-case-override")
    assert "Emergency protection case" in page.inner_text("main")
    logout(page)

    login(page, base, users[roles.CLERK].username)
    page.click("nav >> text=Consents")
    page.wait_for_selector("h1 >> text=Consents expiring within 30 days")
    shot(page, "consent-12-expiring")
    assert person.person_id in page.inner_text("table")
