"""Pages and API answers go out compressed, with Django's BREACH padding."""

import gzip
import importlib
import sys

import pytest

from onward.accounts import roles

pytestmark = pytest.mark.django_db


def test_a_page_is_compressed_for_a_client_that_accepts_gzip(client_for, case):
    client = client_for(roles.CLERK)
    plain = client.get(f"/cases/{case.case_id}/")
    packed = client.get(f"/cases/{case.case_id}/", HTTP_ACCEPT_ENCODING="gzip, br")
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert len(packed.content) < len(plain.content) / 2
    assert b"Rezaei" in gzip.decompress(packed.content)
    assert "no-store" in packed["Cache-Control"]
    assert "Content-Encoding" not in plain


def test_an_api_answer_is_compressed_too(client_for, case):
    response = client_for(roles.CLERK).get("/api/persons/", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert b"Karimi" in gzip.decompress(response.content)


def test_the_compressed_page_carries_breach_padding(client_for, case):
    """Django's GZipMiddleware (4.2+) writes 0-99 random bytes as the gzip file name, so
    the length of an answer no longer tells an attacker whether a guess matched."""
    client = client_for(roles.CLERK)
    response = client.get(f"/cases/{case.case_id}/", HTTP_ACCEPT_ENCODING="gzip")
    flags = response.content[3]
    assert flags & gzip.FNAME


def test_the_demo_compresses_static_files_and_production_leaves_them_as_collected(
    client, monkeypatch
):
    response = client.get("/static/vendor/chartjs/chart.umd.min.js", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert len(b"".join(response.streaming_content)) < 80_000  # 210 KB as written
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    from onward.vault.keys import new_key_line

    monkeypatch.setenv("ONWARD_FIELD_KEYS", new_key_line("t1"))
    sys.modules.pop("onward.settings.production", None)
    production = importlib.import_module("onward.settings.production")
    sys.modules.pop("onward.settings.production", None)
    order = production.MIDDLEWARE
    assert (
        order.index("django.middleware.gzip.GZipMiddleware")
        == order.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1
    )
