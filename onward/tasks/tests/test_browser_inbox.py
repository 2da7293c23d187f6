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


def test_an_arabic_officer_finds_a_rules_task_titled_in_arabic_on_my_tasks(
    browser_page, live_server, users
):
    """Issue 22: the title a rule wrote is told again in the reader's language."""
    from onward.incidents.models import ProtectionRequest
    from onward.tasks.models import Task

    page, base = browser_page, live_server.url
    today = timezone.localdate()
    request = ProtectionRequest.objects.create(
        authority="Police", request="Patrol the site", requested_on=today, follow_up_on=today
    )
    services.refresh(today=today)
    task = Task.objects.get(rule="protection follow-up", subject_id=request.pk)
    officer = users[roles.PROTECTION]
    officer.language = "ar"
    officer.save(update_fields=["language"])
    login(page, base, officer.username)
    page.goto(f"{base}/tasks/")
    assert page.get_attribute("html", "dir") == "rtl"
    row = page.inner_text(f"#task-{task.pk} td >> nth=0")
    shot(page, "tasks-my-tasks-ar")
    assert "متابعة طلب الحماية" in row and str(request.pk) in row
    assert "Follow up protection request" not in page.inner_text("main")
