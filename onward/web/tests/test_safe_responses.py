"""Safe responses: the headers and cookie flags on pages, API answers and the sign-in, and
errors that leak nothing (docs/security.md, "Safe responses")."""

import base64
import importlib
import json
import logging
import sys

import pytest
from django.conf import settings
from django.test import Client, override_settings

from onward.accounts import roles
from onward.web.tests.error_urls import SECRET

pytestmark = pytest.mark.django_db

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "object-src": "'none'",
}
# The settings production.py sets over base.py for HTTPS and cookies.
PRODUCTION_NAMES = [
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "DEBUG",
]


@pytest.fixture
def production(monkeypatch):
    """production.py's own values for HTTPS and cookies (loaded with a throwaway key), laid
    over the test settings: what a deployment answers, on the test database."""
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    monkeypatch.setenv("ONWARD_FIELD_KEYS", "t1:" + base64.b64encode(b"f" * 32).decode())
    sys.modules.pop("onward.settings.production", None)
    module = importlib.import_module("onward.settings.production")
    sys.modules.pop("onward.settings.production", None)
    with override_settings(**{name: getattr(module, name) for name in PRODUCTION_NAMES}):
        yield module


def _signed_in(client_for, role) -> Client:
    """A new client (built under the settings in force now) with the session of a signed-in
    user of `role`; server errors come back as responses."""
    client = Client(raise_request_exception=False)
    client.cookies = client_for(role).cookies
    return client


def _directives(response) -> dict:
    policy = response["Content-Security-Policy"]
    return {d.split()[0]: " ".join(d.split()[1:]) for d in policy.split(";") if d.strip()}


def _assert_safe_headers(response):
    directives = _directives(response)
    for name, sources in CSP.items():
        assert directives.get(name) == sources, (name, directives.get(name))
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert response["Pragma"] == "no-cache"


def test_a_page_with_personal_data_is_never_cached_framed_or_scripted_inline(client_for, case):
    response = client_for(roles.CLERK).get(f"/cases/{case.case_id}/")
    assert response.status_code == 200
    _assert_safe_headers(response)


def test_an_api_answer_with_personal_data_carries_the_same_headers(client_for, case):
    response = client_for(roles.CLERK).get(f"/api/cases/{case.case_id}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    _assert_safe_headers(response)


def test_the_sign_in_page_carries_them_too(client):
    _assert_safe_headers(client.get("/login/"))


def test_static_files_keep_their_caching(client):
    response = client.get("/static/onward/onward.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "Pragma" not in response


def test_https_answers_carry_hsts_and_plain_http_is_redirected(production, client_for):
    client = _signed_in(client_for, roles.CLERK)
    secure = client.get("/", secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    _assert_safe_headers(secure)
    plain = client.get("/api/cases/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")


def test_a_client_cannot_claim_https_with_the_proxys_header(production, client_for):
    """Django does not read X-Forwarded-Proto: the WSGI server decides from it only for
    the proxy's address (gunicorn's forwarded_allow_ips), so a client that reaches the
    server directly and sends it is still on plain HTTP."""
    client = _signed_in(client_for, roles.CLERK)
    response = client.get("/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301 and response["Location"].startswith("https://")


def _cookie_flags(cookie) -> dict:
    return {
        "httponly": bool(cookie["httponly"]),
        "secure": bool(cookie["secure"]),
        "samesite": cookie["samesite"],
    }


def test_sign_in_cookies_are_httponly_samesite_and_secure_in_production(production, users):
    client = Client()
    form = client.get("/login/", secure=True)
    assert _cookie_flags(form.cookies["csrftoken"]) == {
        "httponly": True,
        "secure": True,
        "samesite": "Lax",
    }
    signed_in = client.post(
        "/login/", {"username": "t_clerk", "password": "pw-for-tests-123"}, secure=True
    )
    assert signed_in.status_code == 302
    assert _cookie_flags(signed_in.cookies["sessionid"]) == {
        "httponly": True,
        "secure": True,
        "samesite": "Lax",
    }
    _assert_safe_headers(signed_in)


def test_cookies_are_httponly_and_samesite_in_every_deployment():
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == settings.CSRF_COOKIE_SAMESITE == "Lax"


def _assert_nothing_leaks(text: str):
    for leak in (
        SECRET,
        "hunter2",
        "RuntimeError",
        "Traceback",
        'File "',
        "error_urls",
        settings.SECRET_KEY,
        "DATABASES",
        "SECRET_KEY",
    ):
        assert leak not in text, leak


@pytest.mark.urls("onward.web.tests.error_urls")
def test_a_failing_page_shows_a_plain_page_with_a_reference(client_for, caplog):
    client = _signed_in(client_for, roles.CLERK)
    with caplog.at_level(logging.ERROR):
        response = client.get("/boom/")
    assert response.status_code == 500 and response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    _assert_nothing_leaks(page)
    assert "Something went wrong" in page
    reference = page.split('<code class="reference">')[1].split("<")[0]
    assert len(reference) == 12
    # The log keeps what the page hides, under the same reference.
    assert reference in caplog.text and SECRET in caplog.text
    _assert_safe_headers(response)


@pytest.mark.urls("onward.web.tests.error_urls")
def test_a_failing_api_call_answers_json_without_a_trace(client_for):
    client = _signed_in(client_for, roles.CLERK)
    response = client.get("/api/boom/")
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["error"] == "Server error." and len(body["reference"]) == 12
    assert set(body) == {"error", "reference"}
    _assert_nothing_leaks(response.content.decode())
    _assert_safe_headers(response)


def test_an_unknown_api_url_answers_json(client_for):
    response = client_for(roles.CLERK).get("/api/no-such-thing/")
    assert response.status_code == 404 and json.loads(response.content) == {"error": "Not found."}


def test_a_missing_record_page_does_not_echo_what_was_asked(client_for):
    response = client_for(roles.CLERK).get("/cases/C99999/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Not found" in page and "C99999" not in page


def test_a_forbidden_page_is_plain(client_for):
    response = client_for(roles.CLERK).get("/audit/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Not allowed" in page and "audit.view" not in page


def test_a_request_for_another_host_gets_a_plain_refusal(client):
    page = client.get("/", HTTP_HOST="onward.attacker.example")
    assert page.status_code == 400 and "Bad request" in page.content.decode()
    _assert_nothing_leaks(page.content.decode())
    api = client.get("/api/cases/", HTTP_HOST="onward.attacker.example")
    assert api.status_code == 400 and json.loads(api.content) == {"error": "Bad request."}
