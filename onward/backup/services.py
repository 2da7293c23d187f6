"""Backup and restore of the whole database, and the check that proves a restore.

A backup is one tar file (mode 0600) holding the dump and `manifest.json`:
- SQLite: a copy made with SQLite's online backup API (safe while the app runs);
- PostgreSQL: `pg_dump -Fc`, taken from a snapshot that this process exports, so that
  the manifest's figures are read in exactly the snapshot the dump holds, however busy
  the database is.
The manifest records the time, the vendor, the migrations applied, the row count of every
table, a SHA-256 over the audit log and the field-key ids the encrypted columns use (never
a key: the keys are backed up apart from the data, see docs/operations.md).

A restore puts the dump back (SQLite: the backup API again; PostgreSQL: `pg_restore
--clean --if-exists --no-owner`), then reads the database again and compares every figure
with the manifest (`state.compare`). PostgreSQL passwords go to the tools through
PGPASSWORD, never on their command line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from onward.backup import state

FORMAT = "onward-backup/1"
MANIFEST = "manifest.json"
DUMPS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}

Say = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class Restored:
    manifest: dict
    lines: list[state.Line]
    unreadable: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(line.ok for line in self.lines)


def _quiet(_message: str) -> None:
    pass


# --- backup ----------------------------------------------------------------------------------


def default_path(now: dt.datetime) -> Path:
    return Path(settings.DATA_DIR) / "backups" / f"onward-{now:%Y%m%d-%H%M%S}.tar"


def backup_create(*, output: Path | None = None, say: Say = _quiet) -> tuple[Path, dict]:
    """Writes a backup of the default database to `output`; returns the path and manifest."""
    vendor = connection.vendor
    if vendor not in DUMPS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    now = dt.datetime.now(dt.UTC)
    output = Path(output) if output else default_path(now)
    if output.exists():
        raise BackupError(f"{output} exists already: give another --output.")
    output.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.TemporaryDirectory(prefix="onward-backup-") as tmp:
        dump = Path(tmp) / DUMPS[vendor]
        say(f"Backing up the {vendor} database {_name()} …")
        figures = (_sqlite_backup if vendor == "sqlite" else _pg_backup)(dump, say)
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(timespec="seconds"),
            "vendor": vendor,
            "database": _name(),
            "versions": _versions(),
            "dump": {"file": dump.name, "bytes": dump.stat().st_size, "sha256": _file_sha256(dump)},
            **figures,
            "field_keys_loaded": state.loaded_key_ids(),
        }
        _write_tar(output, dump, manifest)
    return output, manifest


def _sqlite_backup(dump: Path, say: Say) -> dict:
    connection.ensure_connection()
    target = sqlite3.connect(dump)
    try:
        # Page by page: writers of the running app go on between steps (and a change
        # during the copy makes SQLite start it again, so the copy is consistent).
        connection.connection.backup(target, pages=4096)
    finally:
        target.close()
    _sqlite_drop_sessions(dump)
    say("Reading the copy: row counts, migrations, audit checksum …")
    copy = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    try:
        return state.read_state(copy.cursor(), "sqlite")
    finally:
        copy.close()


def _sqlite_drop_sessions(dump: Path) -> None:
    """Empties the copy's session tables; VACUUM rewrites the file, so that the deleted
    rows do not linger in its free pages."""
    copy = sqlite3.connect(dump)
    try:
        present = set(state.table_names(copy.cursor(), "sqlite"))
        for table in state.NOT_BACKED_UP:
            if table in present:
                copy.execute(f"DELETE FROM {state.quote(table)}")
        copy.commit()
        copy.execute("VACUUM")
    finally:
        copy.close()


def _pg_backup(dump: Path, say: Say) -> dict:
    if connection.in_atomic_block:
        raise BackupError("A PostgreSQL backup runs outside any transaction.")
    with transaction.atomic(), connection.cursor() as cursor:
        # Read in the very snapshot that pg_dump dumps: the manifest describes the dump.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        say("Reading the snapshot: row counts, migrations, audit checksum …")
        figures = state.read_state(cursor, "postgresql")
        skipped = [t for t in state.NOT_BACKED_UP if t in figures["tables"]]
        figures["tables"].update(dict.fromkeys(skipped, 0))  # what the dump holds of them
        say("Dumping with pg_dump -Fc …")
        _run(
            [
                "pg_dump",
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={dump}",
                *[f"--exclude-table-data={t}" for t in skipped],
                *_pg_connection_args(),
            ],
            "pg_dump",
        )
    return figures


# --- restore ---------------------------------------------------------------------------------


def read_manifest(path: Path) -> dict:
    with _open_backup(path) as tar:
        return _manifest_from(tar, path)


def backup_restore(
    *, path: Path, replace: bool = False, without_keys: bool = False, say: Say = _quiet
) -> Restored:
    """Puts the backup at `path` in place of the default database, then checks it.

    Refuses a database that holds data unless `replace`; refuses a backup of another
    vendor, a dump whose checksum differs from its manifest, and anything not a backup;
    refuses a backup whose field keys are not loaded unless `without_keys`."""
    path = Path(path)
    vendor = connection.vendor
    with _open_backup(path) as tar, tempfile.TemporaryDirectory(prefix="onward-restore-") as tmp:
        manifest = _manifest_from(tar, path)
        if manifest["vendor"] != vendor:
            raise BackupError(
                f"{path.name} is a {manifest['vendor']} backup; this database is "
                f"{vendor}. Restore it into a {manifest['vendor']} database."
            )
        if not without_keys:
            keys_refuse_missing(manifest)
        with connection.cursor() as cursor:
            current = state.table_counts(cursor, vendor)
        if state.has_data(current) and not replace:
            raise BackupError(
                f"The database {_name()} holds data ({_data_summary(current)}). Restoring "
                "replaces all of it: run again with --yes if that is what you want."
            )
        dump = _extract_dump(tar, manifest, Path(tmp))
        say(
            f"Restoring {manifest['dump']['file']} ({manifest['created_at']}) into "
            f"{vendor} {_name()} …"
        )
        (_sqlite_restore if vendor == "sqlite" else _pg_restore)(dump)
    say("Checking: row counts, migrations, audit checksum …")
    return backup_check(manifest=manifest)


def keys_refuse_missing(manifest: dict) -> None:
    """A restore without the keys the backup's encrypted values need gives a database
    whose identifiers, notes and second factors nobody can read: refused, unless asked
    for (the drill's step without keys)."""
    missing = state.unreadable_keys(manifest, state.loaded_key_ids())
    if missing:
        raise BackupError(
            missing_keys_message(missing) + " Load the key(s) "
            "(ONWARD_FIELD_KEYS or ONWARD_FIELD_KEYS_FILE) and run again, or "
            "pass --without-keys to restore them unreadable. Nothing was "
            "restored."
        )


def missing_keys_message(missing: dict[str, int]) -> str:
    listed = ", ".join(f"{kid} ({n} values)" for kid, n in sorted(missing.items()))
    return f"The backup's encrypted values need field key(s) not loaded here: {listed}."


def backup_check(*, manifest: dict) -> Restored:
    """Reads the default database and compares it with `manifest`."""
    with connection.cursor() as cursor:
        found = state.read_state(cursor, connection.vendor)
    return Restored(
        manifest=manifest,
        lines=state.compare(manifest, found),
        unreadable=state.unreadable_keys(found, state.loaded_key_ids()),
    )


def _sqlite_restore(dump: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _pg_restore(dump: Path) -> None:
    # Our own idle connection must not hold anything pg_restore's DROPs would wait for.
    connection.close()
    # pg_restore --clean drops a partitioned table's partitions' key constraints and
    # indexes one by one, which PostgreSQL refuses (they are the parent's; dropping the
    # partition drops them). So the restore goes through its script with those drops left
    # out, run by psql in one transaction: all or nothing, as before.
    script = dump.with_suffix(".sql")
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            f"--file={script}",
            str(dump),
        ],
        "pg_restore",
    )
    _drop_partition_parts(script)
    try:
        _run(
            [
                "psql",
                "--single-transaction",
                "--quiet",
                "--set=ON_ERROR_STOP=1",
                f"--file={script}",
                *_pg_connection_args(),
            ],
            "psql",
        )
    finally:
        script.unlink(missing_ok=True)


PARTITION_PART_DROP = re.compile(
    r"^(ALTER TABLE IF EXISTS ONLY \S+\.audit_auditentry_(y\d{4}m\d{2}|default) "
    r"DROP CONSTRAINT IF EXISTS |DROP INDEX IF EXISTS \S+\.audit_auditentry_(y\d{4}m\d{2}|default)_)"
)


def _drop_partition_parts(script: Path) -> None:
    kept = script.with_suffix(".kept")
    with script.open(encoding="utf-8") as source, kept.open("w", encoding="utf-8") as out:
        for line in source:
            if not PARTITION_PART_DROP.match(line):
                out.write(line)
    kept.replace(script)


# --- the file --------------------------------------------------------------------------------


def _write_tar(output: Path, dump: Path, manifest: dict) -> None:
    """One file, readable by its owner only, written whole or not at all."""
    partial = output.with_name(output.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as tar:
            body = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(body), 0o600, int(dt.datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(body))
            tar.add(dump, arcname=dump.name, filter=_private)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _private(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
    return info


@contextmanager
def _open_backup(path: Path):
    if not path.is_file():
        raise BackupError(f"No backup file at {path}.")
    try:
        tar = tarfile.open(path, mode="r")
    except tarfile.TarError:
        raise BackupError(f"{path} is not an Onward backup (not a tar file).") from None
    with tar:
        yield tar


def _manifest_from(tar: tarfile.TarFile, path: Path) -> dict:
    try:
        member = tar.extractfile(MANIFEST)
        if member is None:  # a directory or link of that name, not a file
            raise KeyError(MANIFEST)
        manifest = json.load(member)
    except (KeyError, AttributeError, json.JSONDecodeError):
        raise BackupError(f"{path} holds no readable {MANIFEST}: not an Onward backup.") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: unknown backup format {manifest.get('format')!r}.")
    return manifest


def _extract_dump(tar: tarfile.TarFile, manifest: dict, into: Path) -> Path:
    name = manifest["dump"]["file"]
    if name not in DUMPS.values():
        raise BackupError(f"Unexpected dump name {name!r} in the manifest.")
    try:
        source = tar.extractfile(name)
    except KeyError:
        source = None
    if source is None:
        raise BackupError(f"The backup holds no {name}.")
    dump = into / name
    with open(dump, "wb") as out:
        shutil.copyfileobj(source, out)
    if _file_sha256(dump) != manifest["dump"]["sha256"]:
        raise BackupError(
            f"{name} does not match its manifest's SHA-256: the file is damaged "
            "or was changed. Nothing was restored."
        )
    return dump


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- helpers ---------------------------------------------------------------------------------


def _name() -> str:
    return str(connection.settings_dict["NAME"])


def _versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    import django

    try:
        onward = version("onward")
    except PackageNotFoundError:
        onward = "unknown"
    return {"onward": onward, "django": django.get_version()}


def _data_summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{table} {counts[table]}" for table in state.DATA_TABLES if counts.get(table))


def _pg_connection_args() -> list[str]:
    sd = connection.settings_dict
    args = []
    if sd.get("HOST"):
        args.append(f"--host={sd['HOST']}")
    if sd.get("PORT"):
        args.append(f"--port={sd['PORT']}")
    if sd.get("USER"):
        args.append(f"--username={sd['USER']}")
    args.append("--no-password")  # a password comes from PGPASSWORD or ~/.pgpass, never a prompt
    args.append(f"--dbname={sd['NAME']}")
    return args


def _pg_env() -> dict:
    sd = connection.settings_dict
    env = dict(os.environ)
    if sd.get("PASSWORD"):
        env["PGPASSWORD"] = str(sd["PASSWORD"])
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
    ):
        if sd.get("OPTIONS", {}).get(option):
            env[variable] = str(sd["OPTIONS"][option])
    return env


def _run(command: list[str], tool: str) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{tool} is not installed (the PostgreSQL client tools, version at least the server's)."
        )
    done = subprocess.run(command, env=_pg_env(), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{tool} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
