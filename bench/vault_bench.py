"""What field encryption costs per value, beside the library's bare primitives.

Onward's keyring (onward/vault/keys.py) wraps AES-256-GCM and HMAC-SHA-256 from
`cryptography` and the standard library with a key id, a column binding and base64 text.
This prints, for N document-number-like values, the time per value of:
  encrypt / decrypt through the keyring   vs  bare AESGCM.encrypt / decrypt (same key)
  blind index through the keyring         vs  bare hmac.new(...).hexdigest()
and the ratios, so the wrapper's overhead is visible next to the cryptography itself.

    .venv/bin/python bench/vault_bench.py [--n 200000]
"""

import argparse
import hashlib
import hmac
import os
import time

from onward.vault.keys import Keyring, new_key_line, parse_keys

CONTEXT = "registry_person.document_number"


def per_value(fn, items) -> float:
    start = time.perf_counter()
    for item in items:
        fn(item)
    return (time.perf_counter() - start) / len(items) * 1e6  # µs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200_000)
    n = parser.parse_args().n
    ring = Keyring(parse_keys(new_key_line("bench")))
    key = ring.primary
    values = [f"A{i:08d}" for i in range(n)]
    aad = f"v1|bench|{CONTEXT}".encode()

    tokens = [ring.encrypt(v, CONTEXT) for v in values]
    sealed = [(os.urandom(12), None) for _ in values]
    sealed = [
        (nonce, key.aead.encrypt(nonce, v.encode(), aad))
        for (nonce, _), v in zip(sealed, values, strict=True)
    ]

    rows = [
        (
            "encrypt",
            per_value(lambda v: ring.encrypt(v, CONTEXT), values),
            per_value(lambda v: key.aead.encrypt(os.urandom(12), v.encode(), aad), values),
        ),
        (
            "decrypt",
            per_value(lambda t: ring.decrypt(t, CONTEXT), tokens),
            per_value(lambda s: key.aead.decrypt(s[0], s[1], aad), sealed),
        ),
        (
            "blind index",
            per_value(lambda v: ring.blind_index(v, "document"), values),
            per_value(
                lambda v: hmac.new(key.mac_key, v.encode(), hashlib.sha256).hexdigest(), values
            ),
        ),
    ]
    print(f"{n:,} values, µs per value (one core)")
    print(f"{'operation':<12} {'onward':>9} {'bare lib':>9} {'ratio':>6} {'values/s':>10}")
    for name, ours, bare in rows:
        print(f"{name:<12} {ours:9.2f} {bare:9.2f} {ours / bare:6.2f} {1e6 / ours:10,.0f}")


if __name__ == "__main__":
    main()
