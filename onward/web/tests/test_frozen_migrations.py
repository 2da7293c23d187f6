"""Migrations are frozen: replaying them on a fresh install builds, at every step, what
existing databases ran at that step. So a migration imports no application code that can
change, only what is versioned or stable by contract (listed here, each with why)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

ALLOWED = {
    # Field classes: a migration names the fields it creates, as Django's own do.
    "onward.vault.fields": "field classes",
    # Versioned DDL: a version is never edited once a migration uses it.
    "onward.appendonly": "versioned trigger DDL",
    "onward.registry.sql": "versioned trigger and index DDL",
    "onward.audit.partitions": "versioned partition-function DDL",
    # Re-encrypting existing rows under the primary key is the key machinery's contract
    # (registry 0006 encrypted the identifiers already stored in clear).
    "onward.vault.rotation": "the key machinery",
    "onward": "the package itself (from onward import appendonly)",
}


def _imports(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.lineno, node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name


def test_no_migration_imports_application_code_that_can_change():
    offenders = []
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        for line, module in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if module.split(".")[0] == "onward" and module not in ALLOWED:
                offenders.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not offenders, "\n".join(offenders)
