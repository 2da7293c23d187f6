"""In a real headless Chromium: a protection officer sees the unread count in the header,
opens the inbox, marks an entry read and the count goes down."""

import pytest
from django.utils import timezone

from onward.accounts import roles
from onward.tasks import services
from onward.tasks.tests.test_inbox import _task
from onward.web.tests.browser import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_reads_the_inbox_and_the_count_goes_down(browser_page, live_server, users):
    page, base = browser_page, live_server.url
    services.notify_opened([_task(subject_id=1), _task(subject_id=2)], now=timezone.now())
    assert users[roles.PROTECTION]
    login(page, base, "t_protection")
    assert page.inner_text("#inbox-link .badge") == "2"
    page.click("#inbox-link")
    page.wait_for_selector("h1 >> text=Inbox")
    shot(page, "tasks-inbox")
    page.click("button >> text=Mark read >> nth=0")
    page.wait_for_selector("text=1 marked read.")
    assert page.inner_text("#inbox-link .badge") == "1"
