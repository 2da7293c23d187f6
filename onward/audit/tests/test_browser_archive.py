"""In a real headless Chromium, on PostgreSQL: an auditor's search page says which months
of the log are archived out of the database, and stops saying so once a month is back."""

import datetime as dt

import pytest
from django.db import connection

from onward.audit.tests.test_partitions import _insert
from onward.backup import archive
from onward.web.tests.browser import login, shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's"),
]

MARCH, APRIL = dt.date(2025, 3, 1), dt.date(2025, 4, 1)


def test_an_auditor_sees_which_months_are_archived(browser_page, live_server, users, tmp_path):
    page, base = browser_page, live_server.url
    with connection.cursor() as cursor:
        for month in (MARCH, APRIL):
            cursor.execute("SELECT onward_audit_partition(%s)", [month])
            _insert(dt.datetime(month.year, month.month, 12, 9, tzinfo=dt.UTC))
    archive.archive_before(dt.date(2025, 5, 1), directory=tmp_path)
    try:
        login(page, base, "t_auditor")
        page.goto(f"{base}/audit/")
        notice = page.inner_text("#archived-months")
        assert "2 months are archived" in notice
        assert "2025-03" in notice and "2025-04" in notice
        shot(page, "audit-01-two-months-archived")
        archive.restore_month(MARCH, directory=tmp_path)
        page.reload()
        notice = page.inner_text("#archived-months")
        assert "One month is archived" in notice and "2025-03" not in notice
        page.fill("input[name=date_from]", "2025-03-01")
        page.fill("input[name=date_to]", "2025-03-31")
        page.click("button[type=submit] >> text=Search")
        assert "2025-03-12" in page.inner_text("table")
        shot(page, "audit-02-march-back-and-found")
    finally:
        # Transactional tests keep DDL: leave the log whole for the tests after this one.
        for entry in archive.AuditArchive.objects.filter(restored_at__isnull=True):
            archive.restore_month(entry.month, directory=tmp_path)
