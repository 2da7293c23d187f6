"""The keyring: the keys that encrypt identifiers and notes in the database, and the keyed
hashes (blind indexes) that let an exact document number or phone still be looked up.

The keys never live in the database or the repository. They come from `ONWARD_FIELD_KEYS`
(or the file named by `ONWARD_FIELD_KEYS_FILE`): entries `kid:base64-of-32-bytes`,
separated by commas or newlines (a line starting with # is a comment). The first entry
is the primary key, used for every write; the others stay readable, which is what makes
rotation possible (put the new key first, run `onward keys reencrypt`, then drop the old
key). In development, with no keys in the
environment, a random key file is created once in the data directory (`var/field-keys`).

Each key gives two subkeys (HKDF-SHA256): one for AES-256-GCM, one for HMAC-SHA256, so the
blind index never reuses the encryption key. A value is stored as the text token
`v1:<kid>:<base64(nonce + ciphertext + tag)>`, authenticated together with the name of
its column ("registry_person.phone"): a value copied into another column or row of another
table does not decrypt.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

VERSION = "v1"
PREFIX = VERSION + ":"
KID_RE = re.compile(r"^[A-Za-z0-9_-]{1,24}$")
NONCE_BYTES = 12
# 128 bits of HMAC: collisions are out of reach for any registry, and the index stays small.
BIDX_HEX = 32


class KeyConfigError(ImproperlyConfigured):
    """A key entry that cannot be used."""


class Undecryptable(Exception):
    """A stored value that cannot be decrypted: its key is not loaded, or it was altered
    or moved from another column. `reason` is the short text shown in its place."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Key:
    kid: str
    secret: bytes

    def _derive(self, info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(self.secret)

    @cached_property
    def aead(self) -> AESGCM:
        # One AESGCM object per key, reused for every value (an import encrypts millions).
        return AESGCM(self._derive(b"onward field encryption v1"))

    @cached_property
    def mac_key(self) -> bytes:
        return self._derive(b"onward blind index v1")


def parse_keys(text: str) -> list[Key]:
    """Keys from `kid:base64` entries, first one primary. Refuses anything doubtful: a key
    that silently failed to load would write rows nobody can read later."""
    keys: list[Key] = []
    lines = [line for line in (text or "").splitlines() if not line.strip().startswith("#")]
    entries = [e.strip() for line in lines for e in line.split(",") if e.strip()]
    for n, entry in enumerate(entries, start=1):
        kid, sep, b64 = entry.partition(":")
        kid = kid.strip()
        if not sep or not KID_RE.match(kid):
            raise KeyConfigError(
                f"Field key entry {n}: expected 'kid:base64key' with a key id of "
                "letters, digits, '-' or '_' (at most 24)."
            )
        try:
            secret = base64.b64decode(b64.strip(), validate=True)
        except ValueError:
            raise KeyConfigError(f"Field key {kid!r}: the key is not valid base64.") from None
        if len(secret) != 32:
            raise KeyConfigError(
                f"Field key {kid!r}: a key must be 32 bytes (it is {len(secret)})."
            )
        if any(k.kid == kid for k in keys):
            raise KeyConfigError(f"Field key {kid!r} is listed twice.")
        keys.append(Key(kid, secret))
    return keys


def new_key_line(kid: str | None = None) -> str:
    """A fresh key entry, e.g. `k20250601-a1b2:...`; the id tells keys apart in `status`."""
    import datetime as dt

    kid = kid or f"k{dt.date.today():%Y%m%d}-{secrets.token_hex(2)}"
    if not KID_RE.match(kid):
        raise KeyConfigError(f"Key id {kid!r}: use letters, digits, '-' or '_' (at most 24).")
    return f"{kid}:{base64.b64encode(secrets.token_bytes(32)).decode()}"


class Keyring:
    def __init__(self, keys: list[Key]):
        if not keys:
            raise ImproperlyConfigured(
                "No field encryption keys: set ONWARD_FIELD_KEYS (or ONWARD_FIELD_KEYS_FILE); "
                "`onward keys generate` prints one."
            )
        self.keys = keys
        self.primary = keys[0]
        self.by_kid = {k.kid: k for k in keys}

    # -- encryption ---------------------------------------------------------------------

    def encrypt(self, plaintext: str, context: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self.primary.aead.encrypt(
            nonce, plaintext.encode(), _aad(self.primary.kid, context)
        )
        body = binascii.b2a_base64(nonce + sealed, newline=False).decode()
        return f"{PREFIX}{self.primary.kid}:{body}"

    def decrypt(self, token: str, context: str) -> str:
        kid, body = split_token(token)
        key = self.by_kid.get(kid)
        if key is None:
            raise Undecryptable(f"key {kid} not loaded")
        try:
            raw = binascii.a2b_base64(body, strict_mode=True)
            plain = key.aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(kid, context))
        except (InvalidTag, ValueError):
            raise Undecryptable("damaged, or moved from another field") from None
        return plain.decode()

    # -- blind index --------------------------------------------------------------------

    def blind_index(self, normalised: str, kind: str) -> str:
        """The primary key's keyed hash of an already normalised value ('' for '')."""
        return _mac(self.primary, normalised, kind) if normalised else ""

    def blind_indexes(self, normalised: str, kind: str) -> list[str]:
        """The hash under every loaded key: a lookup must find rows written before the
        last `reencrypt` as well as after it."""
        return [_mac(k, normalised, kind) for k in self.keys] if normalised else []


@lru_cache(maxsize=256)
def _aad(kid: str, context: str) -> bytes:
    return f"{VERSION}|{kid}|{context}".encode()


def _mac(key: Key, normalised: str, kind: str) -> str:
    # The kind goes into the hash so that a phone and a document with the same digits
    # do not share an index value.
    msg = f"{kind}\x00{normalised}".encode()
    return hmac.new(key.mac_key, msg, hashlib.sha256).hexdigest()[:BIDX_HEX]


def is_token(value: str) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def split_token(token: str) -> tuple[str, str]:
    """(kid, body) of a stored token; Undecryptable for anything that is not one."""
    parts = token.split(":", 2) if is_token(token) else []
    if len(parts) != 3 or not parts[1] or not parts[2]:
        raise Undecryptable("not an encrypted value")
    return parts[1], parts[2]


# -- the process's keyring ------------------------------------------------------------------

_keyring: Keyring | None = None


def keyring() -> Keyring:
    """The keyring of the running process, loaded once from settings."""
    global _keyring
    if _keyring is None:
        _keyring = Keyring(parse_keys(_configured_keys()))
    return _keyring


def reset_on_setting_changed(*, setting, **kwargs):
    global _keyring
    if setting in {"ONWARD_FIELD_KEYS", "ONWARD_FIELD_KEYS_DEV_FILE"}:
        _keyring = None


def _configured_keys() -> str:
    text = getattr(settings, "ONWARD_FIELD_KEYS", "")
    if text:
        return text
    dev_file = getattr(settings, "ONWARD_FIELD_KEYS_DEV_FILE", None)
    return development_keys(Path(dev_file)) if dev_file else ""


def development_keys(path: Path) -> str:
    """The development key file: created once with a random key, readable by its owner
    only. Lose it and the development database's identifiers are unreadable."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    line = new_key_line("dev1") + "\n"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_text(encoding="utf-8")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(line)
    return line
