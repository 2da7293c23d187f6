"""Choosing the language (issue 22): the switch on every page and on the sign-in page
(Django's set_language, a POST with its CSRF token), the choice kept on the account and
winning over the browser's Accept-Language once signed in, and the API's errors in the
language asked."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from onward.accounts import roles
from onward.accounts.models import User
from onward.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def _html_lang(response) -> tuple[str, str]:
    m = re.search(r'<html lang="([^"]+)" dir="([^"]+)"', response.content.decode())
    assert m, "no <html lang dir>"
    return m.group(1), m.group(2)


def _in(language: str, msgid: str) -> str:
    with translation.override(language):
        text = translation.gettext(msgid)
    assert text != msgid, f"{msgid!r} has no {language} translation"
    return text


def test_the_sign_in_page_follows_the_browser_and_offers_the_switch(client):
    response = client.get(reverse("login"), headers={"accept-language": "fa"})
    assert _html_lang(response) == ("fa", "rtl")
    page = response.content.decode()
    assert _in("fa", "Log in to Onward") in page
    # The switch: a POST form to set_language with its CSRF token, every language offered.
    form = re.search(
        r'<form class="lang-switch" method="post" action="([^"]+)">(.*?)</form>', page, re.S
    )
    assert form and form.group(1) == reverse("set_language")
    assert 'name="csrfmiddlewaretoken"' in form.group(2)
    for code, _name in settings.LANGUAGES:
        assert f'value="{code}"' in form.group(2)


def test_the_switch_refuses_a_post_without_its_csrf_token(users):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("set_language"), {"language": "ar", "next": "/login/"})
    assert response.status_code == 403
    assert COOKIE not in response.cookies


def test_switching_before_sign_in_sets_the_language_for_the_next_pages(client):
    response = client.post(reverse("set_language"), {"language": "ar", "next": "/login/"})
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert response.cookies[COOKIE].value == "ar"
    page = client.get("/login/", headers={"accept-language": "en"})
    assert _html_lang(page) == ("ar", "rtl")
    assert _in("ar", "Log in to Onward") in page.content.decode()


def test_a_signed_in_switch_is_kept_on_the_account_with_an_audit_entry(client_for, users):
    client = client_for(roles.CLERK)
    response = client.post(reverse("set_language"), {"language": "fa", "next": "/"})
    assert response.status_code == 302
    user = User.objects.get(pk=users[roles.CLERK].pk)
    assert user.language == "fa"
    entry = AuditEntry.objects.filter(object_type="user", object_id=user.username).latest("at")
    assert entry.action == AuditEntry.Action.UPDATE
    assert entry.changes == {"language": ["", "fa"]}


def test_an_unknown_language_is_not_stored(client_for, users):
    client = client_for(roles.CLERK)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert User.objects.get(pk=users[roles.CLERK].pk).language == ""


def test_the_stored_choice_wins_over_the_browser_and_the_cookie(client_for, users):
    User.objects.filter(pk=users[roles.CLERK].pk).update(language="fa")
    client = client_for(roles.CLERK)
    client.cookies[COOKIE] = "ar"
    response = client.get("/", headers={"accept-language": "en"})
    assert _html_lang(response) == ("fa", "rtl")
    assert response["Content-Language"] == "fa"
    # ... and the cookie follows the account, for the sign-in page after a sign-out.
    assert response.cookies[COOKIE].value == "fa"


def test_without_a_stored_choice_a_signed_in_user_follows_the_browser(client_for):
    client = client_for(roles.CLERK)
    assert _html_lang(client.get("/", headers={"accept-language": "ar"})) == ("ar", "rtl")
    assert _html_lang(client.get("/", headers={"accept-language": "en"})) == ("en", "ltr")


@pytest.mark.password_only
def test_signing_in_applies_the_stored_language(client, users):
    User.objects.filter(pk=users[roles.CLERK].pk).update(language="ar")
    response = client.post(
        reverse("login"),
        {"username": "t_clerk", "password": "pw-for-tests-123"},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "ar"
    # The second-factor page that follows is in Arabic already.
    page = client.get(response["Location"], follow=True, headers={"accept-language": "en"})
    assert _html_lang(page) == ("ar", "rtl")


def test_the_preferences_page_stores_language_digits_and_calendar(client_for, users):
    client = client_for(roles.RESETTLEMENT)
    page = client.get(reverse("account_preferences"))
    assert page.status_code == 200
    response = client.post(
        reverse("account_preferences"),
        {"language": "fa", "digits": "arabext", "calendar": "persian"},
    )
    assert response.status_code == 302
    user = User.objects.get(pk=users[roles.RESETTLEMENT].pk)
    assert (user.language, user.digits, user.calendar) == ("fa", "arabext", "persian")
    refused = client.post(
        reverse("account_preferences"), {"language": "fa", "digits": "roman", "calendar": "x"}
    )
    assert refused.status_code == 200 and b"errorlist" in refused.content
    assert User.objects.get(pk=user.pk).digits == "arabext"


@pytest.mark.parametrize("how", ["header", "preference"])
def test_the_api_answers_a_validation_error_in_arabic(client_for, users, how):
    if how == "preference":
        User.objects.filter(pk=users[roles.CLERK].pk).update(language="ar")
    client = client_for(roles.CLERK)
    headers = {"accept-language": "ar" if how == "header" else "en"}
    response = client.post(
        reverse("api_case_list"), {}, content_type="application/json", headers=headers
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == _in("ar", "Invalid input.")
    messages = [m for ms in body["fields"].values() for m in ms]
    assert _in("ar", "This field is required.") in messages
    assert response["Content-Language"] == "ar"


def test_the_api_follows_the_accept_language_header_of_a_user_without_a_preference(client_for):
    client = client_for(roles.CLERK)
    response = client.post(
        reverse("api_case_list"),
        {},
        content_type="application/json",
        headers={"accept-language": "en"},
    )
    assert response.json()["error"] == "Invalid input."


def test_the_header_names_the_role_in_the_users_language(client_for, users):
    User.objects.filter(pk=users[roles.PROTECTION].pk).update(language="ar")
    html = client_for(roles.PROTECTION).get("/").content.decode()
    assert _in("ar", "Protection officer") in html and "Protection officer" not in html
    # The stored role and its English label are unchanged (choices, generated docs).
    assert roles.ROLES[roles.PROTECTION] == "Protection officer"
