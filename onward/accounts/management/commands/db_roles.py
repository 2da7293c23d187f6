"""`onward db_roles --app ROLE [--apply]`: the PostgreSQL privileges of the application's
database role, printed (default) or applied.

Production runs with two roles (docs/operations.md, "Database roles"): an *owner* that owns
the schema, runs `onward migrate`, `onward restore` and this command; and the *app* role
that gunicorn and the worker connect as. The app may read and write the ordinary tables,
but on the append-only tables (the audit log, the population ledger, every history) it
may only SELECT and INSERT: no UPDATE, DELETE or TRUNCATE, and, since it owns nothing, no
`ALTER TABLE … DISABLE TRIGGER` and no DROP. Run it again after every migration, as the
owner: it revokes what it does not grant, so it is safe to repeat.
"""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from onward.appendonly import AppendOnly


def append_only_tables() -> list[str]:
    """The tables of every append-only model (onward/appendonly.py), and on PostgreSQL
    their partitions (the audit log's months): "ALL TABLES" grants reach a partition too,
    and a partition is a table one can name directly."""
    tables = sorted(m._meta.db_table for m in apps.get_models() if issubclass(m, AppendOnly))
    if connection.vendor != "postgresql":
        return tables
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = ANY(%s) ORDER BY 1",
            [tables],
        )
        return tables + [row[0] for row in cursor.fetchall()]


def grants_sql(app_role: str, schema: str = "public") -> list[str]:
    """The statements, in order, that leave `app_role` with exactly what it needs."""
    q = connection.ops.quote_name
    role, sch = q(app_role), q(schema)
    tables = ", ".join(f"{sch}.{q(t)}" for t in append_only_tables())
    return [
        # Nobody creates objects in the schema but its owner.
        f"REVOKE CREATE ON SCHEMA {sch} FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {sch} TO {role}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {sch} FROM {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {sch} TO {role}",
        # Written once: read and append, nothing more (the triggers refuse the rest too).
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {tables} FROM {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {sch} TO {role}",
    ]


class Command(BaseCommand):
    help = (
        "Print (or, with --apply, run as the schema's owner) the PostgreSQL GRANTs of the "
        "application's database role: SELECT/INSERT only on the audit log and the other "
        "append-only tables. Run again after every migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--app", required=True, help="The role the application connects as, e.g. onward_app."
        )
        parser.add_argument("--schema", default="public")
        parser.add_argument(
            "--apply",
            action="store_true",
            help="Run the statements on the database (connect as its owner).",
        )

    def handle(self, *args, app, schema, apply, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                f"Database roles are PostgreSQL's: this database is {connection.vendor}."
            )
        statements = grants_sql(app, schema)
        if not apply:
            self.stdout.write(";\n".join(statements) + ";")
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [app])
            if cursor.fetchone() is None:
                raise CommandError(
                    f"--app {app!r}: no such role. Create it first "
                    '(docs/operations.md, "Database roles").'
                )
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(
            f"{app}: SELECT/INSERT/UPDATE/DELETE on ordinary tables, "
            f"SELECT/INSERT only on {len(append_only_tables())} append-only "
            "tables."
        )
