"""Driving Debian's Chromium with Playwright (no browser download: executable_path)."""

import os
import shutil
from pathlib import Path

import pytest

OUTPUT = Path(os.environ.get("ONWARD_TEST_OUTPUT", "test-output")) / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser_page():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package.")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests
    # make between browser steps are ordinary synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 860})
        page = context.new_page()
        page.set_default_timeout(30000)
        yield page
        context.close()
        browser.close()
        # The ORM calls made between browser steps run inside Playwright's greenlet, on a
        # connection of their own: close it, or PostgreSQL cannot drop the test database
        # at the end ("being accessed by other users"). Browser tests are transactional,
        # so no test transaction is lost.
        from django.db import connections

        connections.close_all()


def shot(page, name: str) -> Path:
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, base_url: str, username: str, password: str = "pw-for-tests-123") -> None:
    """Signs in through the forms as a person does: the password, then the current code of
    the user's authenticator app (computed from their device's secret; a device is made
    for a user who has none, as if they had enrolled)."""
    from onward.accounts.models import User
    from onward.accounts.testing import totp_code, totp_device_for

    device = totp_device_for(User.objects.get(username=username))
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/account/two-factor/**")
    page.fill("#id_otp_token", totp_code(device))
    page.click("main button[type=submit]")
    # Most roles land on the overview; a delegation on its pledges and decisions.
    page.wait_for_url(
        lambda url: url.startswith(base_url) and "/account/" not in url and "/login/" not in url
    )


def logout(page) -> None:
    page.click("header .who button")
    page.wait_for_url("**/login/")
