"""A 10 MB upload encrypted and stored (issue 20: < 1 s), beside its references.

Times, for the same random-looking bytes behind a PDF signature (the median of --runs):
  add_version   onward.documents.services.add_version: sniff the type, a fresh envelope
                key, AES-256-GCM, SHA-256 of the ciphertext, the write through Django's
                storage, the version's row (its key wrapped by the field keys)
  read_version  the way back: read and decrypt
  AES-GCM alone encrypt the same bytes with a fresh key, nothing written
  plain write   write the same bytes to a file in the same directory, with fsync off
                like Django's storage (no encryption, no hash, no row)

    .venv/bin/python bench/documents_bench.py [--mb 10] [--runs 5] [--s3]

On a fresh test database (SQLite in memory, or DATABASE_URL); the files go to a
temporary directory, or with --s3 to a local S3-compatible server (moto's server mode)
through the same S3 backend as production.
"""

import argparse
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onward.settings.test")


def timed(fn, runs: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def start_s3() -> tuple[object, dict]:
    import socket

    import boto3
    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one access line per request
    server.start()
    env = {
        "DOCUMENTS_S3_BUCKET": "bench",
        "DOCUMENTS_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "DOCUMENTS_S3_REGION": "us-east-1",
        "DOCUMENTS_S3_ACCESS_KEY_ID": "bench",
        "DOCUMENTS_S3_SECRET_ACCESS_KEY": "bench",
    }
    os.environ.update(env)
    boto3.client(
        "s3",
        endpoint_url=env["DOCUMENTS_S3_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    ).create_bucket(Bucket="bench")
    return server, env


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--s3", action="store_true", help="store in a local S3 server")
    args = parser.parse_args()
    server = start_s3()[0] if args.s3 else None

    import django

    django.setup()
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from django.conf import settings
    from django.db import connection

    from onward.settings.base import document_storage

    media = tempfile.mkdtemp(prefix="onward-documents-bench-")
    settings.MEDIA_ROOT = media
    settings.STORAGES = {**settings.STORAGES, "default": document_storage()}
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, serialize=False)

    from onward.documents import services
    from onward.documents.models import Document, DocumentType
    from onward.registry.models import Case

    content = b"%PDF-1.7\n" + os.urandom(args.mb * 1024 * 1024 - 9)
    case = Case.objects.create(case_id="C99999")
    kind = DocumentType.objects.create(code="rrf", name="RRF")
    doc = Document.objects.create(case=case, type=kind)

    stored, version = timed(lambda: services.add_version(doc, content, "big.pdf"), args.runs)
    read, back = timed(lambda: services.read_version(version), args.runs)
    assert back == content
    aes, _ = timed(
        lambda: AESGCM(AESGCM.generate_key(bit_length=256)).encrypt(os.urandom(12), content, b"k"),
        args.runs,
    )

    def plain():
        with open(os.path.join(media, "plain.bin"), "wb") as f:
            f.write(content)

    write, _ = timed(plain, args.runs)
    where = "local S3 server (moto)" if args.s3 else f"local disk ({media})"
    print(f"{args.mb} MB, median of {args.runs} runs, storage: {where}, {connection.vendor}")
    for name, t in (
        ("add_version (sniff, encrypt, hash, store, row)", stored),
        ("read_version (read, decrypt)", read),
        ("AES-GCM alone (encrypt)", aes),
        ("plain file write", write),
    ):
        print(f"  {name:48s} {t * 1000:8.1f} ms")
    print(f"  add_version / (AES-GCM + plain write): {stored / (aes + write):.2f}×")
    print("  target < 1 s:", "met" if stored < 1 else "NOT met")
    connection.creation.destroy_test_db(old_name, verbosity=0)
    shutil.rmtree(media, ignore_errors=True)
    if server is not None:
        server.stop()


if __name__ == "__main__":
    main()
