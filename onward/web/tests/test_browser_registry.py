"""In a real headless Chromium: a clerk finds and edits a person; an auditor finds both
the read and the edit in the audit log."""

import pytest

from onward.web.tests.browser import login, logout, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_edit_then_auditor_finds_the_read_and_the_edit(browser_page, live_server, case):
    page, base = browser_page, live_server.url
    pa = case.members.get(relationship="principal")

    login(page, base, "t_clerk")
    shot(page, "01-overview-clerk")
    page.click("nav >> text=Persons")
    page.fill("input[name=q]", "rezae")
    with page.expect_navigation():
        page.click("form.filters button")
    page.wait_for_selector(f"text={pa.person_id}")
    shot(page, "02-person-search")
    page.click(f"text={pa.person_id}")
    page.wait_for_selector("h1 >> text=Mohammad Rezaei")
    shot(page, "03-person-detail")
    page.get_by_role("link", name="Edit", exact=True).click()
    page.fill("#id_phone", "+964 770 555 0101")
    shot(page, "04-person-edit")
    page.click("button[type=submit] >> text=Save")
    page.wait_for_selector(".messages .success")
    assert "+964 770 555 0101" in page.content()
    logout(page)

    login(page, base, "t_auditor")
    page.click("nav >> text=Audit log")
    page.fill("input[name=object_id]", pa.person_id)
    with page.expect_navigation():
        page.click("form.filters button")
    rows = page.locator("tbody tr")
    texts = [rows.nth(i).inner_text() for i in range(rows.count())]
    shot(page, "05-audit-log-auditor")
    # The edit is there, naming the field; the phone itself never enters the audit log.
    assert any(
        "t_clerk" in t and "Changed" in t and "phone" in t and "(encrypted)" in t for t in texts
    )
    assert not any("770 555 0101" in t for t in texts)
    assert any("t_clerk" in t and "Viewed" in t for t in texts)
