"""The page walker: every role signs in (password and second factor) and opens every page
of its menu, and the first record each page links to, at a laptop's 1366 px and a
phone's 390 px. A page fails on sideways scrolling of the page itself (a table scrolls in
its own box), on any console error, and on any request to another host (everything is
served by Onward: a field office may have no internet)."""

import time
from urllib.parse import urlsplit

import pytest

from onward.accounts import roles
from onward.relocation.models import State
from onward.relocation.tests.factories import bring_to, make_case, pledge
from onward.web.tests.browser import login, logout, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1366, 390)
# The first record a list page links to: inside the main content's tables, not the menu.
DETAIL_LINK = "main table tbody a[href^='/']"


def _world(users):
    alb = pledge(users, name="ALB relocation")
    bring_to(users, make_case(users, needs=("SM",)), State.SUBMITTED, pledge_=alb)
    make_case(users, size=3, given_name="Zahra")


def _check(page, url: str, problems: list, seen: list) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url)
        if "/api/docs/" in url:
            # Its script fetches the schema: let it finish (the test server's in-memory
            # SQLite locks its session table for one request at a time).
            page.wait_for_load_state("networkidle")
        seen.append((width, url))
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if scroll > inner:
            shot(page, f"walk-overflow-{width}-{urlsplit(url).path.strip('/').replace('/', '_')}")
            problems.append(f"{url} at {width} px: the page is {scroll} px wide")


def test_every_role_walks_every_page_without_overflow_console_errors_or_outside_requests(
    browser_page, live_server, users
):
    page, base = browser_page, live_server.url
    host = urlsplit(base).netloc
    _world(users)
    problems: list[str] = []
    seen: list = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"{page.url}: console {m.type}: {m.text}")
            if m.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"{page.url}: script error {e}"))
    page.on(
        "request",
        lambda r: (
            problems.append(f"{page.url}: request to {r.url}")
            if urlsplit(r.url).scheme in ("http", "https") and urlsplit(r.url).netloc != host
            else None
        ),
    )
    started = time.monotonic()
    for role, user in users.items():
        page.set_viewport_size({"width": 1366, "height": 900})
        login(page, base, user.username)
        menu = page.eval_on_selector_all("header nav a", "links => links.map(a => a.href)")
        assert menu, f"{role}: no menu"
        for url in menu:
            _check(page, url, problems, seen)
            link = page.locator(DETAIL_LINK).first
            if link.count():
                _check(
                    page,
                    link.get_attribute("href")
                    if link.get_attribute("href").startswith("http")
                    else base + link.get_attribute("href"),
                    problems,
                    seen,
                )
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(base + "/")
        logout(page)
    elapsed = time.monotonic() - started
    print(f"walked {len(seen)} page views for {len(users)} roles in {elapsed:.1f} s")
    assert not problems, "\n".join(problems)
    assert {r for r in users} >= {roles.CLERK, roles.DELEGATION}
