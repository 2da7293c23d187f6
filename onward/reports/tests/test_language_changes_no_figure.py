"""Switching the language (issue 22) changes how a page reads, never what it counts: the
overview's and the dashboard's figures are the same in English, Arabic and Persian, and
switching writes no record but the user's own preference (and its audit entry)."""

import re
from html import unescape

import pytest
from django.apps import apps
from django.urls import reverse

from onward.accounts import roles

pytestmark = pytest.mark.django_db

LANGUAGES = ("en", "ar", "fa")
# What a switch may write: the user's preference, its audit entry, the session.
SWITCH_WRITES = {"accounts.user", "audit.auditentry", "accounts.usersession"}


def _figures(html: str) -> list[str]:
    """Every figure of the page in order: the overview's big numbers and every number
    cell of the dashboard's tables (the links inside them unwrapped)."""
    cells = re.findall(r'<(?:div class="n"[^>]*|td class="num[^"]*"[^>]*)>(.*?)</(?:div|td)>', html)
    return [unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells]


def _counts() -> dict[str, int]:
    return {
        m._meta.label_lower: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.app_label != "contenttypes" and m._meta.managed and not m._meta.proxy
    }


def _switch(client, language: str) -> None:
    response = client.post(reverse("set_language"), {"language": language, "next": "/"})
    assert response.status_code == 302


@pytest.mark.parametrize("role", [roles.DATA_MANAGER, roles.DELEGATION])
def test_every_figure_is_the_same_in_english_arabic_and_persian(client_for, world, role):
    client = client_for(role)
    pages = {
        "overview": reverse("home"),
        "dashboard": reverse("dashboard") + "?as_of=2013-06-01",
        "dashboard today": reverse("dashboard"),
    }
    seen: dict[str, dict[str, list[str]]] = {name: {} for name in pages}
    before = _counts()
    for language in LANGUAGES:
        _switch(client, language)
        for name, url in pages.items():
            response = client.get(url, follow=True)  # a delegation lands on its decisions
            assert response.status_code == 200
            assert response["Content-Language"] == language
            seen[name][language] = _figures(response.content.decode())
    after = _counts()
    for name, by_language in seen.items():
        assert by_language["en"], f"{name}: no figure found"
        assert by_language["ar"] == by_language["en"], name
        assert by_language["fa"] == by_language["en"], name
    if role == roles.DATA_MANAGER:
        assert any(f not in ("0", "—") for f in seen["dashboard"]["en"])
    changed = {k for k in before if before[k] != after[k]}
    assert changed <= SWITCH_WRITES, f"switching the language wrote {changed - SWITCH_WRITES}"
