"""Document files in S3-compatible object storage: the same services (add_version,
read_version, delete_files) against a local S3 server (moto's server mode) started here,
configured through the same `document_storage()` the settings use. The bucket holds
ciphertext only."""

import hashlib
import socket

import pytest
from django.core.files.storage import default_storage, storages

from onward.documents import services
from onward.documents.models import Document, DocumentType, DocumentVersion
from onward.settings.base import document_storage

PDF = b"%PDF-1.4\n" + b"secret-passport-AB123456 " * 40 + b"\n%%EOF\n"
BUCKET = "onward-documents-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    """A local S3-compatible server for this module, or a skip saying why there is none."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as e:  # the test extra not installed
        pytest.skip(f"no local S3 server: moto[server] is not installed ({e})")
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    try:
        server.start()
    except Exception as e:  # noqa: BLE001 - any failure to start is a reason to skip
        pytest.skip(f"no local S3 server: moto could not start on port {port} ({e})")
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint, settings, monkeypatch):
    """The document storage switched to the bucket by the environment, as in production."""
    import boto3

    env = {
        "DOCUMENTS_S3_BUCKET": BUCKET,
        "DOCUMENTS_S3_ENDPOINT_URL": s3_endpoint,
        "DOCUMENTS_S3_REGION": "us-east-1",
        "DOCUMENTS_S3_ACCESS_KEY_ID": "test-key",
        "DOCUMENTS_S3_SECRET_ACCESS_KEY": "test-secret",
        "DOCUMENTS_S3_PREFIX": "onward",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {**settings.STORAGES, "default": document_storage()}
    yield client
    for obj in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=obj["Key"])
    client.delete_bucket(Bucket=BUCKET)


@pytest.fixture
def doc(case):
    kind = DocumentType.objects.create(code="rrf", name="Resettlement registration form")
    return Document.objects.create(case=case, type=kind)


def _keys(client) -> list[str]:
    return [o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_the_environment_selects_s3_and_local_disk_stays_the_default(s3, monkeypatch):
    from storages.backends.s3 import S3Storage

    assert isinstance(storages["default"], S3Storage)
    assert default_storage.exists("documents/nothing-here") is False  # answered by the bucket
    monkeypatch.delenv("DOCUMENTS_S3_BUCKET")
    assert document_storage() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_a_version_goes_to_the_bucket_as_ciphertext_and_comes_back(s3, doc):
    v = services.add_version(doc, PDF, "passport.pdf")
    assert _keys(s3) == [f"onward/{v.storage_name}"]
    raw = s3.get_object(Bucket=BUCKET, Key=f"onward/{v.storage_name}")["Body"].read()
    # A raw read of the bucket: no plaintext, not even a fragment, and not a PDF.
    assert b"AB123456" not in raw and b"secret" not in raw and not raw.startswith(b"%PDF")
    assert len(raw) == len(PDF) + services.NONCE + 16  # nonce + ciphertext + GCM tag
    assert v.storage_name == f"documents/{hashlib.sha256(raw).hexdigest()}"
    assert services.read_version(v) == PDF


def test_refused_content_stores_nothing_in_the_bucket(s3, doc):
    with pytest.raises(Exception, match="PDF, PNG and JPEG"):
        services.add_version(doc, b"MZ\x90\x00 not a pdf", "x.pdf")
    assert _keys(s3) == [] and not DocumentVersion.objects.exists()


def test_retention_deletes_the_objects(s3, doc):
    services.add_version(doc, PDF, "a.pdf")
    services.add_version(doc, PDF + b" v2", "a.pdf")
    assert len(_keys(s3)) == 2
    assert services.delete_files(doc) == 2
    assert _keys(s3) == []
