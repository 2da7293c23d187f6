"""The backup and restore drill, on whichever database the suite runs (SQLite, PostgreSQL):
back up, change and damage the data, restore, and prove it with the manifest's counts and
audit checksum. Transactional tests: pg_dump reads committed data from its own connection.
"""

import base64
import io
import json
import stat
import tarfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from onward.accounts import policy, roles
from onward.audit.models import AuditEntry
from onward.conftest import principal_data
from onward.registry import services
from onward.registry.models import Case, Note, Person
from onward.vault import keys

pytestmark = pytest.mark.django_db(transaction=True)

DUMP = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}[connection.vendor]


@pytest.fixture
def registry(users):
    """A small operation: two cases, three persons, notes, a removal, their audit entries."""
    clerk, admin = users[roles.CLERK], users[roles.ADMIN]
    first = services.case_create(actor=clerk, principal=principal_data())
    services.person_add(
        actor=clerk,
        case=first,
        person=principal_data(
            given_name="Fatemeh", relationship="spouse", sex="F", document_number="Y7654321"
        ),
    )
    services.note_add(actor=clerk, case=first, text="Family asks for a ground-floor room.")
    second = services.case_create(
        actor=clerk, principal=principal_data(given_name="Reza", document_number="Z1112223")
    )
    services.case_remove(actor=admin, case=second, expected_version=1, reason="registered in error")
    return first


def _backup(tmp_path, name="drill.tar"):
    out = io.StringIO()
    call_command("backup", output=str(tmp_path / name), stdout=out)
    return tmp_path / name, out.getvalue()


def _restore(path, *args):
    out = io.StringIO()
    call_command("restore", str(path), *args, stdout=out)
    return out.getvalue()


def _manifest(path) -> dict:
    with tarfile.open(path) as tar:
        return json.load(tar.extractfile("manifest.json"))


def test_the_drill_backs_up_damages_restores_and_proves_it(registry, users, tmp_path):
    clerk = users[roles.CLERK]
    principal = registry.members.get(relationship="principal")
    audit_before = AuditEntry.objects.count()
    path, said = _backup(tmp_path)

    assert "Backup written" in said and "persons 3, cases 2" in said
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with tarfile.open(path) as tar:
        assert sorted(tar.getnames()) == sorted(["manifest.json", DUMP])
    manifest = _manifest(path)
    assert manifest["vendor"] == connection.vendor
    assert manifest["tables"]["registry_person"] == 3
    assert manifest["tables"]["registry_note"] == 1
    assert manifest["audit"]["entries"] == audit_before
    assert manifest["field_keys"]["registry_person.document_number"] == {"test": 3}
    assert "registry" in manifest["migrations"]

    # After the backup: an edit, a new case, and a person taken out.
    services.person_update(
        actor=clerk,
        person=principal,
        expected_version=principal.version,
        changes={"given_name": "Changed"},
    )
    services.case_create(actor=clerk, principal=principal_data(given_name="Later"))
    with pytest.raises(CommandError, match="holds data"):
        _restore(path)  # never over data unless told
    assert Person.objects.count() == 4

    said = _restore(path, "--yes")
    assert "The restored database matches the backup" in said
    assert "MISMATCH" not in said and "registry_person" in said
    assert Person.objects.count() == 3 and Case.objects.count() == 2
    assert AuditEntry.objects.count() == audit_before
    back = policy.get_person_for_user(clerk, principal.person_id)
    assert back.given_name == "Mohammad" and back.document_number == "X1234567"
    assert Note.objects.get().text == "Family asks for a ground-floor room."
    assert Case.objects.get(removed_at__isnull=False).removed_reason == "registered in error"
    # The application works on the restored database: a new registration takes the next id.
    later = services.case_create(actor=clerk, principal=principal_data(given_name="After"))
    assert later.case_id == "C00003"


def test_check_only_finds_an_audit_entry_altered_after_the_backup(registry, tmp_path):
    path, _ = _backup(tmp_path)
    assert "The database matches" in _restore(path, "--check-only")
    entry = AuditEntry.objects.order_by("id").first()
    _rewrite_audit_detail(entry.pk, "nothing to see here")
    with pytest.raises(CommandError, match="does not match the backup") as failed:
        _restore(path, "--check-only")
    assert "audit log: SHA-256" in str(failed.value)


def test_a_backup_whose_manifest_was_edited_is_reported_as_a_mismatch(registry, tmp_path):
    path, _ = _backup(tmp_path)
    manifest = _manifest(path)
    manifest["tables"]["registry_person"] += 1
    manifest["audit"]["sha256"] = "0" * 64
    tampered = _rewrite_tar(path, tmp_path / "tampered.tar", manifest=manifest)
    out = io.StringIO()
    with pytest.raises(CommandError, match="2 mismatches") as failed:
        call_command("restore", str(tampered), "--check-only", stdout=out)
    assert "registry_person" in str(failed.value)
    lines = [line for line in out.getvalue().splitlines() if "MISMATCH" in line]
    assert [line.split()[0] for line in lines] == ["registry_person", "audit"]


def test_a_damaged_dump_is_refused_before_anything_is_restored(registry, tmp_path):
    path, _ = _backup(tmp_path)
    with tarfile.open(path) as tar:
        dump = bytearray(tar.extractfile(DUMP).read())
    dump[len(dump) // 2] ^= 0xFF
    damaged = _rewrite_tar(path, tmp_path / "damaged.tar", dump=bytes(dump))
    services.case_create(actor=_clerk(), principal=principal_data(given_name="Kept"))
    with pytest.raises(CommandError, match="does not match its manifest's SHA-256"):
        _restore(damaged, "--yes")
    assert Person.objects.filter(given_name="Kept").exists()


@pytest.mark.django_db  # refused before any database work: no need to flush after it
def test_what_is_not_a_backup_is_refused_with_a_clear_message(tmp_path):
    stray = tmp_path / "notes.txt"
    stray.write_text("hello")
    with pytest.raises(CommandError, match="not an Onward backup"):
        _restore(stray)
    with pytest.raises(CommandError, match="No backup file"):
        _restore(tmp_path / "missing.tar")


def test_a_backup_of_the_other_database_is_refused(registry, tmp_path):
    path, _ = _backup(tmp_path)
    manifest = _manifest(path)
    manifest["vendor"] = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    other = _rewrite_tar(path, tmp_path / "other.tar", manifest=manifest)
    with pytest.raises(CommandError, match=f"this database is {connection.vendor}"):
        _restore(other, "--yes")


def test_an_existing_file_is_never_overwritten(registry, tmp_path):
    (tmp_path / "drill.tar").write_text("an older backup")
    with pytest.raises(CommandError, match="exists already"):
        _backup(tmp_path)
    assert (tmp_path / "drill.tar").read_text() == "an older backup"


def test_without_the_field_keys_identifiers_stay_unreadable(registry, tmp_path):
    """The keys are not in the backup: whoever holds only the backup (a lost disk, a copy
    restored elsewhere) reads names but not document numbers, phones or notes."""
    path, _ = _backup(tmp_path)
    with tarfile.open(path) as tar:
        content = b"".join(tar.extractfile(m).read() for m in tar.getmembers())
    assert keys.keyring().primary.secret not in content
    assert b"X1234567" not in content and b"ground-floor" not in content

    with override_settings(ONWARD_FIELD_KEYS=keys.new_key_line("elsewhere")):
        said = _restore(path, "--yes", "--without-keys")
        assert "Field key test is not loaded: 4 encrypted values stay unreadable" in said
        person = Person.objects.get(given_name="Mohammad")
        assert person.document_number.startswith("[unreadable: key test not loaded")
        assert Note.objects.get().text.startswith("[unreadable:")
        with connection.cursor() as cursor:
            cursor.execute("SELECT document_number FROM registry_person WHERE id = %s", [person.pk])
            assert cursor.fetchone()[0].startswith("v1:test:")
    # With the keys loaded again, the same rows read clear.
    assert Person.objects.get(given_name="Mohammad").document_number == "X1234567"


def test_a_backup_holds_no_session_and_no_clear_second_factor_secret(
    registry, users, client, tmp_path
):
    """A session key in a backup is a signed-in user's cookie; a TOTP secret in clear is
    their second factor. The backup leaves sessions out and keeps the secrets encrypted."""
    from onward.accounts.models import AuthenticatorDevice, UserSession

    clerk = users[roles.CLERK]
    client.force_login(clerk)  # a session, and a confirmed device (conftest)
    session_key = client.session.session_key
    device = AuthenticatorDevice.objects.get(user=clerk)
    secret = device.bin_key
    assert UserSession.objects.filter(session_key=session_key).exists()
    path, _ = _backup(tmp_path)

    content = _dump_text(path)
    assert session_key.encode() not in content
    assert secret.hex().encode() not in content
    assert base64.b32encode(secret) not in content
    manifest = _manifest(path)
    assert manifest["tables"]["django_session"] == 0
    assert manifest["tables"]["accounts_usersession"] == 0
    assert manifest["field_keys"]["accounts_authenticatordevice.key"] == {"test": 1}
    # Sessions live on after the backup: --check-only does not call that a mismatch.
    assert "The database matches" in _restore(path, "--check-only")

    said = _restore(path, "--yes")
    assert "The restored database matches the backup" in said
    assert not UserSession.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_session")
        assert cursor.fetchone()[0] == 0
    # The secret came back encrypted, and still makes the same codes.
    assert AuthenticatorDevice.objects.get(user=clerk).bin_key == secret


# --- helpers ---------------------------------------------------------------------------------


def _dump_text(path) -> bytes:
    """The backup's dump as its database holds it: the SQLite file itself, or PostgreSQL's
    custom-format dump turned back into SQL (it is compressed as it stands)."""
    with tarfile.open(path) as tar:
        dump = tar.extractfile(DUMP).read()
    if connection.vendor == "sqlite":
        return dump
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pgdump") as f:
        f.write(dump)
        f.flush()
        return subprocess.run(
            ["pg_restore", "--file=-", f.name], check=True, capture_output=True
        ).stdout


def test_a_restore_without_the_field_keys_is_refused_and_changes_nothing(registry, tmp_path):
    path, _ = _backup(tmp_path)
    elsewhere = override_settings(ONWARD_FIELD_KEYS=keys.new_key_line("elsewhere"))
    with elsewhere:
        # Comparing without the keys fails too: the backup could not be used here.
        with pytest.raises(CommandError, match="not loaded here: test"):
            _restore(path, "--check-only")
    services.case_create(actor=_clerk(), principal=principal_data(given_name="Kept"))
    with elsewhere:
        with pytest.raises(CommandError) as refused:
            _restore(path, "--yes")
        message = str(refused.value)
        assert "need field key(s) not loaded here: test (" in message
        assert "ONWARD_FIELD_KEYS" in message and "--without-keys" in message
        assert "Nothing was restored" in message
        assert Person.objects.filter(given_name="Kept").exists()


def test_the_restore_command_exits_non_zero_without_the_keys(registry, tmp_path):
    """The exit status, as a script or the drill's cron job sees it."""
    import os
    import subprocess
    import sys

    path, _ = _backup(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "ONWARD_FIELD_KEYS_FILE"}
    env.update(
        ONWARD_FIELD_KEYS=keys.new_key_line("elsewhere"),
        ONWARD_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="onward.settings.base",
        DATABASE_URL=_test_db_url(tmp_path),
    )
    done = subprocess.run(
        [sys.executable, "-m", "onward.cli", "restore", str(path), "--yes"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "need field key(s) not loaded here" in done.stderr


def _test_db_url(tmp_path) -> str:
    """A database for a command run in another process: never the one DATABASE_URL names
    outside the tests (a restore that should be refused must not land on it)."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'other.sqlite3'}"
    sd = connection.settings_dict
    return f"postgres://{sd['USER']}@{sd['HOST'] or 'localhost'}:{sd['PORT'] or 5432}/{sd['NAME']}"


def _clerk():
    from onward.accounts.models import User

    return User.objects.get(role=roles.CLERK)


def _rewrite_tar(path, out, *, manifest=None, dump=None):
    """A copy of the backup with its manifest or its dump replaced."""
    with tarfile.open(path) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    if manifest is not None:
        members["manifest.json"] = json.dumps(manifest).encode()
    if dump is not None:
        members[DUMP] = dump
    with tarfile.open(out, "w") as tar:
        for name, body in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return out


def _rewrite_audit_detail(pk: int, detail: str) -> None:
    """What only someone with the database owner's rights could do: switch the audit log's
    trigger off, rewrite an entry, switch it on again."""
    from onward.appendonly import DDL

    guard = DDL["append_only", 1][0]("sqlite", "audit_auditentry", "audit_refuse_change")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
            cursor.execute("UPDATE audit_auditentry SET detail = %s WHERE id = %s", [detail, pk])
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_auditentry_no_update")
            cursor.execute("UPDATE audit_auditentry SET detail = %s WHERE id = %s", [detail, pk])
            cursor.execute(guard[0])
