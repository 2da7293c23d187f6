"""PostgreSQL: the application's role cannot rewrite or empty the audit log, not even with
DDL. A scratch database owned by an owner role is migrated as that owner, `onward db_roles
--apply` grants the app role its privileges, and then, connected as the app role,
TRUNCATE, DELETE, UPDATE and DISABLE TRIGGER on the audit table all fail while INSERT
(and ordinary work on other tables) succeeds."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles are PostgreSQL's"),
]

ROOT = Path(__file__).resolve().parents[3]


def _connect(dbname, user=None):
    import psycopg

    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"] or None,
        port=s["PORT"] or None,
        dbname=dbname,
        user=user or s["USER"],
        password=None if user else s["PASSWORD"],
        autocommit=True,
    )


def _onward(db_url, *args):
    env = {**os.environ, "DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "onward.settings.test"}
    subprocess.run(
        [sys.executable, "-m", "onward.cli", *args],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def scratch():
    """An owner role, an app role and a database the owner owns; all gone afterwards."""
    tag = secrets.token_hex(4)
    owner, app, db = f"onward_t_owner_{tag}", f"onward_t_app_{tag}", f"onward_t_roles_{tag}"
    admin = _connect("postgres")
    try:
        admin.execute(f'CREATE ROLE "{owner}" LOGIN')
        admin.execute(f'CREATE ROLE "{app}" LOGIN')
        admin.execute(f'CREATE DATABASE "{db}" OWNER "{owner}"')
        s = connection.settings_dict
        url = f"postgres://{owner}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{db}"
        # Migrated as the owner, as in production (about 12 s); then the app role's
        # privileges, as the owner too.
        _onward(url, "migrate", "--no-input")
        _onward(url, "db_roles", "--app", app, "--apply")
        yield {"db": db, "app": app, "owner": owner}
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        admin.execute(f'DROP ROLE IF EXISTS "{app}"')
        admin.execute(f'DROP ROLE IF EXISTS "{owner}"')
        admin.close()


INSERT = (
    "INSERT INTO audit_auditentry (at, actor_name, action, object_type, object_id, "
    "changes, detail, channel, path) VALUES (now(), 'app', 'view', 'case', 'C1', "
    "'{}', '', 'web', '') RETURNING id"
)


def test_the_app_role_cannot_truncate_delete_update_or_disable_triggers(scratch):
    import psycopg

    with _connect(scratch["db"], user=scratch["app"]) as app:
        entry, month = app.execute(INSERT + ", tableoid::regclass::text").fetchone()
        assert month.startswith("audit_auditentry_y")
        refused = {}
        for name, sql in {
            "truncate": "TRUNCATE audit_auditentry",
            "delete": f"DELETE FROM audit_auditentry WHERE id = {entry}",
            "update": f"UPDATE audit_auditentry SET detail = 'x' WHERE id = {entry}",
            "disable trigger": "ALTER TABLE audit_auditentry DISABLE TRIGGER ALL",
            "drop trigger": "DROP TRIGGER audit_auditentry_append_only ON audit_auditentry",
            "drop table": "DROP TABLE audit_auditentry",
            # The months' partitions are tables one can name (audit/partitions.py).
            "truncate a month": f"TRUNCATE {month}",
            "delete in a month": f"DELETE FROM {month} WHERE id = {entry}",
            "update in a month": f"UPDATE {month} SET detail = 'x' WHERE id = {entry}",
            "detach a month": f"ALTER TABLE audit_auditentry DETACH PARTITION {month}",
            "drop a month": f"DROP TABLE {month}",
        }.items():
            with pytest.raises(psycopg.errors.InsufficientPrivilege) as error:
                app.execute(sql)
            refused[name] = str(error.value).splitlines()[0]
        assert app.execute("SELECT count(*) FROM audit_auditentry").fetchone()[0] == 1
        # Ordinary tables stay the app's to change (a session ends, a lockout is lifted).
        app.execute("INSERT INTO django_session VALUES ('k', 'd', now())")
        app.execute("DELETE FROM django_session WHERE session_key = 'k'")
    assert "permission denied" in refused["truncate"]
    assert "must be owner" in refused["disable trigger"]


def test_the_app_role_keeps_the_coming_months_ready_without_any_ddl_right(scratch):
    # The worker's chore (backup/archive.py) calls the owner's SECURITY DEFINER function.
    with _connect(scratch["db"], user=scratch["app"]) as app:
        made = app.execute("SELECT onward_audit_partitions_ahead(14)").fetchone()[0]
        assert made == 14 - 3  # the migration made this month and three ahead


def test_db_roles_prints_the_grants_without_applying(capsys):
    from django.core.management import call_command

    call_command("db_roles", "--app", "onward_app")
    out = capsys.readouterr().out
    assert 'REVOKE UPDATE, DELETE, TRUNCATE ON "public"."audit_auditentry"' in out
    assert "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES" in out
