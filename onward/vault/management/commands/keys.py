"""`onward keys`: the field-encryption keys.

    onward keys generate [--kid ID]   print a new key entry (kid:base64) to add to the ring
    onward keys status                per column, how many values each key id holds
    onward keys reencrypt             rewrite every value not under the primary key

Rotation: put the new entry first in ONWARD_FIELD_KEYS (the old one after it), restart,
run `onward keys reencrypt` until it reports nothing left under the old key, then remove
the old entry. Old rows stay readable throughout; lookups try every key in the ring.
"""

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from onward.audit.models import AuditEntry
from onward.audit.services import audit_record
from onward.vault import keys, rotation


class Command(BaseCommand):
    help = "Field-encryption keys: generate a key, show where values stand, re-encrypt."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        gen = sub.add_parser("generate", help="Print a new key entry (kid:base64).")
        gen.add_argument("--kid", help="The key id (default: k<date><random>).")
        sub.add_parser("status", help="Per column, the values under each key id.")
        re_ = sub.add_parser("reencrypt", help="Rewrite every value not under the primary key.")
        re_.add_argument(
            "--batch",
            type=int,
            default=rotation.BATCH,
            help=f"Rows per transaction (default {rotation.BATCH}).",
        )

    def handle(self, *args, action, **options):
        return getattr(self, f"_{action}")(**options)

    def _generate(self, *, kid=None, **options):
        try:
            self.stdout.write(keys.new_key_line(kid))
        except keys.KeyConfigError as exc:
            raise CommandError(str(exc)) from None

    def _status(self, **options):
        ring = keys.keyring()
        self.stdout.write(
            f"Keys loaded: {', '.join(k.kid for k in ring.keys)} (primary {ring.primary.kid})"
        )
        for context, counts in rotation.status(rotation.encrypted_columns()).items():
            parts = []
            for kid, n in sorted(counts.items()):
                missing = kid != rotation.PLAIN and kid not in ring.by_kid
                parts.append(f"{kid}{' (not loaded)' if missing else ''}: {n}")
            self.stdout.write(f"  {context}: {', '.join(parts) or 'no values'}")

    def _reencrypt(self, *, batch, **options):
        ring = keys.keyring()
        columns = rotation.encrypted_columns()
        bar = tqdm(unit=" rows", file=sys.stderr, disable=options.get("verbosity", 1) == 0)
        current = [None]

        def progress(column, done, todo):
            if current[0] != column:
                current[0] = column
                bar.reset(total=todo)
                bar.set_description(column.context)
            bar.n = done
            bar.refresh()

        results = rotation.reencrypt(columns, batch=batch, progress=progress)
        bar.close()
        rewritten = sum(r.rewritten for r in results.values())
        unreadable = sum(r.unreadable for r in results.values())
        for context, r in results.items():
            self.stdout.write(
                f"  {context}: {r.rewritten} rewritten"
                + (f", {r.unreadable} unreadable (key not loaded)" if r.unreadable else "")
            )
        audit_record(
            actor=None,
            actor_name="cli",
            action=AuditEntry.Action.UPDATE,
            object_type="field_keys",
            object_id=ring.primary.kid,
            changes={
                c: {"rewritten": r.rewritten, "unreadable": r.unreadable}
                for c, r in results.items()
            },
            detail=f"re-encrypted under {ring.primary.kid}",
        )
        message = f"Re-encrypted {rewritten} values under {ring.primary.kid}."
        if unreadable:
            self.stdout.write(
                self.style.WARNING(
                    f"{message} {unreadable} values are under keys not loaded: they were left "
                    "as they are. Load their keys and run this again before removing any key."
                )
            )
            raise CommandError("Some values could not be re-encrypted.", returncode=2)
        self.stdout.write(self.style.SUCCESS(message + " Nothing is left under other keys."))
