"""The keyring alone: key entries, authenticated encryption, blind indexes, the development
key file and production's refusal to start without keys."""

import base64
import os
import re
import stat
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from onward.vault import keys, normalise
from onward.vault.keys import Keyring, Undecryptable, new_key_line, parse_keys

CONTEXT = "registry_person.phone"


def ring(*kids) -> Keyring:
    return Keyring(parse_keys(",".join(new_key_line(k) for k in kids)))


@pytest.mark.parametrize(
    "text, message",
    [
        ("k1", "expected 'kid:base64key'"),
        ("k 1:" + base64.b64encode(b"x" * 32).decode(), "key id"),
        ("k1:not base64!", "not valid base64"),
        ("k1:" + base64.b64encode(b"short").decode(), "must be 32 bytes (it is 5)"),
        (
            "k1:"
            + base64.b64encode(b"x" * 32).decode()
            + ",k1:"
            + base64.b64encode(b"y" * 32).decode(),
            "listed twice",
        ),
    ],
)
def test_a_doubtful_key_entry_is_refused_with_what_is_wrong(text, message):
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        parse_keys(text)


def test_an_empty_ring_is_refused():
    with pytest.raises(ImproperlyConfigured, match="ONWARD_FIELD_KEYS"):
        Keyring(parse_keys(" \n# a comment\n"))


def test_entries_split_on_commas_and_newlines_and_the_first_is_primary():
    text = f"{new_key_line('new')}\n# old key, kept until reencrypt ran\n{new_key_line('old')}"
    r = Keyring(parse_keys(text))
    assert [k.kid for k in r.keys] == ["new", "old"]
    assert r.primary.kid == "new"


def test_a_value_round_trips_and_the_token_holds_no_plaintext():
    r = ring("k1")
    token = r.encrypt("+964 770 123 4567", CONTEXT)
    assert token.startswith("v1:k1:") and "770" not in token
    assert r.decrypt(token, CONTEXT) == "+964 770 123 4567"
    # A fresh nonce each time: equal values do not give equal tokens.
    assert r.encrypt("+964 770 123 4567", CONTEXT) != token


def test_a_tampered_token_does_not_decrypt():
    r = ring("k1")
    token = r.encrypt("X1234567", CONTEXT)
    body = token.split(":", 2)[2]
    flipped = body[:10] + ("A" if body[10] != "A" else "B") + body[11:]
    with pytest.raises(Undecryptable, match="damaged"):
        r.decrypt(f"v1:k1:{flipped}", CONTEXT)


def test_a_token_moved_to_another_column_does_not_decrypt():
    r = ring("k1")
    token = r.encrypt("X1234567", "registry_person.document_number")
    with pytest.raises(Undecryptable, match="moved"):
        r.decrypt(token, "registry_person.phone")


def test_a_token_relabelled_with_another_key_id_does_not_decrypt():
    r = ring("k2", "k1")
    token = r.encrypt("X1234567", CONTEXT)  # under k2
    with pytest.raises(Undecryptable):
        r.decrypt(token.replace("v1:k2:", "v1:k1:"), CONTEXT)


def test_a_token_of_a_key_not_loaded_names_the_key():
    token = ring("k1").encrypt("X1234567", CONTEXT)
    with pytest.raises(Undecryptable, match="key k1 not loaded"):
        ring("k2").decrypt(token, CONTEXT)


def test_an_older_key_still_decrypts_after_a_new_one_is_put_first():
    old = parse_keys(new_key_line("k1"))
    token = Keyring(old).encrypt("X1234567", CONTEXT)
    rotated = Keyring(parse_keys(new_key_line("k2")) + old)
    assert rotated.decrypt(token, CONTEXT) == "X1234567"
    assert rotated.encrypt("X1234567", CONTEXT).startswith("v1:k2:")


@pytest.mark.parametrize("a, b", [("ab-123 456", "AB123456"), ("x1234567", "X 123-4567")])
def test_spellings_of_one_document_share_a_blind_index(a, b):
    r = ring("k1")
    assert r.blind_index(normalise.document(a), "document") == r.blind_index(
        normalise.document(b), "document"
    )


@pytest.mark.parametrize(
    "a, b",
    [
        ("+964 770 123 4567", "0770 123 4567"),
        ("00964-770-1234567", "(0770) 123 4567"),
        ("٠٧٧٠١٢٣٤٥٦٧", "07701234567"),  # Arabic-Indic digits
    ],
)
def test_spellings_of_one_phone_share_a_blind_index(a, b):
    assert normalise.phone(a) == normalise.phone(b)


def test_blind_indexes_differ_by_key_and_by_kind_and_blank_has_none():
    r = ring("k2", "k1")
    hashes = r.blind_indexes("123456789", "phone")
    assert len(set(hashes)) == 2 and hashes[0] == r.blind_index("123456789", "phone")
    assert r.blind_index("123456789", "document") not in hashes
    assert r.blind_index("", "phone") == "" and r.blind_indexes("", "phone") == []


def test_the_development_key_file_is_made_once_and_private(tmp_path):
    path = tmp_path / "var" / "field-keys"
    first = keys.development_keys(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert keys.development_keys(path) == first
    assert parse_keys(first)[0].kid == "dev1"


def _production(env: dict) -> subprocess.CompletedProcess:
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in {"ONWARD_FIELD_KEYS", "ONWARD_FIELD_KEYS_FILE"}
    }
    environ.update(SECRET_KEY="s" * 60, **env)
    return subprocess.run(
        [sys.executable, "-c", "import onward.settings.production"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_field_keys():
    done = _production({})
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and "ONWARD_FIELD_KEYS" in done.stderr


def test_production_refuses_a_malformed_key_and_starts_with_a_good_one(tmp_path):
    assert "32 bytes" in _production({"ONWARD_FIELD_KEYS": "k1:c2hvcnQ="}).stderr
    key_file = tmp_path / "keys"
    key_file.write_text(new_key_line("k1") + "\n")
    assert _production({"ONWARD_FIELD_KEYS_FILE": str(key_file)}).returncode == 0
