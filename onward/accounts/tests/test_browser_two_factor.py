"""In a real headless Chromium: a new user pairs an authenticator app from the enrolment
page (by the key shown as text, as someone without a camera would), then signs in again
with a code; the code typed at enrolment, typed again, is refused."""

from base64 import b32decode

import pytest
from django_otp.oath import TOTP

from onward.accounts import roles
from onward.accounts.testing import totp_code, totp_device_for
from onward.web.tests.browser import logout, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _app_code(secret_text: str) -> str:
    """What an authenticator app shows now for the key typed into it."""
    return f"{TOTP(b32decode(secret_text.replace(' ', ''))).token():06d}"


def test_enrol_then_sign_in_with_a_code(browser_page, live_server, users):
    page, base = browser_page, live_server.url
    clerk = users[roles.CLERK]

    page.goto(f"{base}/cases/")
    page.fill("#id_username", clerk.username)
    page.fill("#id_password", "pw-for-tests-123")
    page.click("main button[type=submit]")
    page.wait_for_url("**/account/two-factor/enrol/**")
    assert page.locator(".qr svg").is_visible()
    assert page.locator("header nav a").count() == 0  # nothing to open yet
    shot(page, "accounts-01-enrol")
    secret = page.inner_text(".secret")
    enrolment_code = _app_code(secret)
    page.fill("#id_otp_token", enrolment_code)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/cases/")
    assert page.locator("header nav a").count() > 1
    logout(page)

    page.fill("#id_username", clerk.username)
    page.fill("#id_password", "pw-for-tests-123")
    page.click("main button[type=submit]")
    page.wait_for_url("**/account/two-factor/?next=*")
    shot(page, "accounts-02-verify")
    # The code typed at enrolment, typed again: refused, whether or not 30 s have passed.
    page.fill("#id_otp_token", enrolment_code)
    page.click("main button[type=submit]")
    page.wait_for_selector(".errorlist")
    assert "/account/two-factor/" in page.url
    shot(page, "accounts-03-code-refused")
    page.wait_for_timeout(1100)  # a wrong code slows the next try down by a second
    page.fill("#id_otp_token", totp_code(totp_device_for(clerk)))
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")
    assert clerk.username in page.inner_text("header .who")
