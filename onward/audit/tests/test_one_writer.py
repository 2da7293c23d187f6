"""The audit log has one writer (onward/audit/services.py): no other module builds an
audit row, so that every entry carries the actor, the address, the channel and the
request the same way."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _writes_audit_rows(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        # AuditEntry(...), AuditEntry.objects.create/bulk_create/get_or_create(...)
        if isinstance(func, ast.Name) and func.id == "AuditEntry":
            lines.append(node.lineno)
        elif (
            isinstance(func, ast.Attribute)
            and func.attr in ("create", "bulk_create", "get_or_create", "update_or_create")
            and "AuditEntry" in ast.unparse(func.value)
        ):
            lines.append(node.lineno)
        # insert_rows(AuditEntry, ...)
        elif (
            isinstance(func, ast.Name)
            and func.id == "insert_rows"
            and node.args
            and ast.unparse(node.args[0]) == "AuditEntry"
        ):
            lines.append(node.lineno)
    return lines


def test_nothing_outside_audit_constructs_an_audit_row():
    offenders = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] == "audit" or "tests" in rel.parts or "migrations" in rel.parts:
            continue
        for line in _writes_audit_rows(ast.parse(path.read_text(encoding="utf-8"))):
            offenders.append(f"{rel}:{line}")
    assert not offenders, f"write audit entries through onward.audit.services: {offenders}"


def test_the_check_finds_a_hand_made_row():
    source = (
        "AuditEntry.objects.create(action='view')\nAuditEntry(action='x')\n"
        "insert_rows(AuditEntry, rows, now)\n"
    )
    assert _writes_audit_rows(ast.parse(source)) == [1, 2, 3]


def test_the_writer_refuses_an_action_outside_the_vocabulary(db):
    """Both databases refuse it alike: on PostgreSQL it would not fit the column and the
    action it records would fail only there."""
    import pytest

    from onward.audit.models import AuditEntry
    from onward.audit.services import audit_record, audit_records

    with pytest.raises(ValueError, match="Unknown audit action 'relocation.recommend'"):
        audit_record(actor=None, action="relocation.recommend", object_type="case")
    with pytest.raises(ValueError, match="Unknown audit action"):
        audit_records(actor=None, entries=[("view", "case", "C1"), ("approved", "case", "C1")])
    assert not AuditEntry.objects.exists()
