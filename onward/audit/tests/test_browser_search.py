"""In a real headless Chromium: an auditor types a user's name and reads that user's
entries only; a long log's page says "more than …" instead of counting it all."""

import pytest

from onward.audit.models import AuditEntry
from onward.web.pagination import CappedPaginator
from onward.web.tests.browser import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_auditor_finds_one_users_entries_by_name(browser_page, live_server, users, monkeypatch):
    page, base = browser_page, live_server.url
    for name in ("ali", "ali2", "Alison") * 4:
        AuditEntry.objects.create(
            actor_name=name, action="view", object_type="person", object_id="P000042"
        )
    monkeypatch.setattr(CappedPaginator, "cap", 10)  # a long log, in miniature
    login(page, base, "t_auditor")
    page.goto(f"{base}/audit/")
    assert "more than 10 in all: narrow the search to see the rest" in page.inner_text("nav.pager")
    page.fill("input[name=actor]", "ALI")
    page.click("button[type=submit] >> text=Search")
    page.wait_for_url("**actor=ALI**")
    users_shown = page.locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert users_shown == ["ali"] * 4
    assert "4 in all" in page.inner_text("nav.pager")
    shot(page, "audit-03-one-users-entries")
    page.fill("input[name=actor]", "lis")
    page.click("button[type=submit] >> text=Search")
    page.wait_for_url("**actor=lis**")
    assert set(page.locator("tbody tr td:nth-child(2)").all_inner_texts()) == {"Alison"}
