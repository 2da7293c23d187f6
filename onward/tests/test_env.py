"""Strict settings: a value that is not understood stops the start, naming the variable."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from onward.env import env_bool, env_choice, env_int, env_str
from onward.vault.keys import new_key_line


@pytest.mark.parametrize("value", ["ture", "Y", "enabled", "2", "-1"])
def test_a_yes_no_value_not_understood_is_refused_with_its_name(monkeypatch, value):
    monkeypatch.setenv("SECURE_SSL_REDIRECT", value)
    with pytest.raises(ImproperlyConfigured, match=r"SECURE_SSL_REDIRECT=.*not a yes/no"):
        env_bool("SECURE_SSL_REDIRECT", True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("TRUE", True),
        (" yes ", True),
        ("on", True),
        ("0", False),
        ("False", False),
        ("no", False),
        ("OFF", False),
    ],
)
def test_yes_no_values_in_every_usual_spelling(monkeypatch, value, expected):
    monkeypatch.setenv("DEBUG", value)
    assert env_bool("DEBUG", not expected) is expected


def test_unset_or_empty_takes_the_default(monkeypatch):
    monkeypatch.delenv("SECURE_SSL_REDIRECT", raising=False)
    assert env_bool("SECURE_SSL_REDIRECT", True) is True
    monkeypatch.setenv("SECURE_SSL_REDIRECT", "")
    assert env_bool("SECURE_SSL_REDIRECT", True) is True
    monkeypatch.setenv("SESSION_COOKIE_AGE", " ")
    assert env_int("SESSION_COOKIE_AGE", 1800) == 1800


@pytest.mark.parametrize("value", ["abc", "1.5", "30m", "0x10"])
def test_an_integer_not_understood_is_refused_with_its_name(monkeypatch, value):
    monkeypatch.setenv("SESSION_COOKIE_AGE", value)
    with pytest.raises(
        ImproperlyConfigured, match=r"SESSION_COOKIE_AGE must be a whole number, not"
    ):
        env_int("SESSION_COOKIE_AGE", 1800)


def test_an_integer_below_its_minimum_is_refused(monkeypatch):
    monkeypatch.setenv("SECURE_HSTS_SECONDS", "-1")
    with pytest.raises(
        ImproperlyConfigured, match="SECURE_HSTS_SECONDS must be at least 0, not -1"
    ):
        env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    monkeypatch.setenv("SECURE_HSTS_SECONDS", "600")
    assert env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0) == 600


def test_a_choice_is_one_of_its_list(monkeypatch):
    monkeypatch.setenv("LOG_LEVEL", "info")
    assert env_choice("LOG_LEVEL", "WARNING", ("INFO", "WARNING")) == "INFO"
    monkeypatch.setenv("LOG_LEVEL", "verbose")
    with pytest.raises(ImproperlyConfigured, match="LOG_LEVEL='verbose' is not one of"):
        env_choice("LOG_LEVEL", "WARNING", ("INFO", "WARNING"))


def test_a_secret_file_that_cannot_be_read_or_two_sources_are_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "missing"))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY_FILE=.*cannot read"):
        env_str("SECRET_KEY")
    (tmp_path / "key").write_text("from-the-file\n")
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "key"))
    assert env_str("SECRET_KEY") == "from-the-file"
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY or SECRET_KEY_FILE, not both"):
        env_str("SECRET_KEY")


def test_production_does_not_start_with_a_misspelt_https_redirect():
    """The finding: `SECURE_SSL_REDIRECT=ture` used to turn the redirect off silently."""
    environ = {
        **os.environ,
        "SECRET_KEY": "s" * 60,
        "ONWARD_FIELD_KEYS": new_key_line("k1"),
        "SECURE_SSL_REDIRECT": "ture",
    }
    environ.pop("ONWARD_FIELD_KEYS_FILE", None)
    done = subprocess.run(
        [sys.executable, "-c", "import onward.settings.production"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "ImproperlyConfigured: SECURE_SSL_REDIRECT='ture' is not a yes/no value" in done.stderr
