"""Exports: formats, filters, permission and audit, formula injection, pseudonyms."""

import csv
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.conftest import principal_data
from onward.registry import services
from onward.registry.exporting import CASE_COLUMNS, PERSON_HXL, neutralise
from onward.registry.exporting import PERSON_COLUMNS as COLUMNS

pytestmark = pytest.mark.django_db


@pytest.fixture
def dm(users):
    return users[roles.DATA_MANAGER]


@pytest.fixture
def registry(case, clerk):
    services.case_create(
        actor=clerk,
        principal=principal_data(
            given_name='=HYPERLINK("http://evil","x")',
            family_name="@SUM(A1)",
            document_number="-2+3",
            phone="+964 770 000 1111",
            nationality="IRQ",
            sex="F",
        ),
    )
    return case


def _csv(response):
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_csv_export_has_the_person_file_header_and_keeps_the_filters(client, dm, registry):
    client.force_login(dm)
    rows = _csv(client.get("/persons/export/", {"format": "csv", "nationality": "IRN"}))
    assert rows[0] == list(COLUMNS)
    assert {r[3] for r in rows[1:]} == {"Mohammad", "Fatemeh"}
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor == dm and entry.changes["rows"] == 2
    assert entry.changes["filters"] == {"nationality": "IRN"} and entry.changes["format"] == "csv"


def test_formula_injection_is_neutralised(client, dm, registry):
    client.force_login(dm)
    rows = _csv(client.get("/persons/export/", {"format": "csv", "nationality": "IRQ"}))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["given_name"].startswith("'=") and row["family_name"] == "'@SUM(A1)"
    assert row["document_number"] == "'-2+3" and row["phone"] == "'+964 770 000 1111"
    assert neutralise("\tx") == "'\tx" and neutralise("Ali") == "Ali"


def test_xlsx_export_reads_back_in_openpyxl_without_formulas(client, dm, registry):
    client.force_login(dm)
    response = client.get("/persons/export/", {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0] == list(COLUMNS) and len(rows) == 4
    assert all(c.data_type != "f" for r in sheet.iter_rows() for c in r)


def test_hxl_export_loads_in_libhxl(client, dm, registry, tmp_path):
    import hxl

    client.force_login(dm)
    body = b"".join(client.get("/persons/export/", {"format": "hxl"}).streaming_content)
    path = tmp_path / "persons.csv"
    path.write_bytes(body)
    dataset = hxl.data(str(path), hxl.InputOptions(allow_local=True))
    tags = [c.get_display_tag(sort_attributes=False) for c in dataset.columns]
    assert tags == [PERSON_HXL[c] for c in COLUMNS]
    rows = list(dataset)
    assert len(rows) == 3
    assert {r.get("#indiv+name+given") for r in rows} >= {"Mohammad", "Fatemeh"}
    assert {r.get("#country+code") for r in rows} == {"IRN", "IRQ"}


def test_case_export(client, dm, registry):
    client.force_login(dm)
    rows = _csv(client.get("/cases/export/", {"format": "csv"}))
    assert rows[0] == list(CASE_COLUMNS) and len(rows) == 3


def test_pseudonymised_ids_are_stable_across_exports_and_hide_personal_data(client, dm, registry):
    client.force_login(dm)
    first = _csv(client.get("/persons/export/", {"format": "csv", "pseudonymise": "1"}))
    second = _csv(
        client.get("/persons/export/", {"format": "csv", "pseudonymise": "1", "nationality": "IRN"})
    )
    assert first[1:3] == second[1:3]
    text = "\n".join(",".join(r) for r in first)
    for secret in ("Mohammad", "Rezaei", "X1234567", "P000001", "+964"):
        assert secret not in text
    # Members of one case keep one case pseudonym.
    assert first[1][1] == first[2][1] and first[1][1].startswith("CX")
    assert AuditEntry.objects.filter(action="export", changes__pseudonymised=True).count() == 2


@pytest.mark.parametrize("role", [roles.CLERK, roles.PROTECTION, roles.AUDITOR, roles.DELEGATION])
def test_export_needs_the_export_permission(client, users, registry, role):
    client.force_login(users[role])
    assert client.get("/persons/export/", {"format": "csv"}).status_code == 403
    assert not AuditEntry.objects.filter(action="export").exists()


def test_the_export_command_writes_and_audits(tmp_path, dm, registry):
    out = tmp_path / "persons.xlsx"
    call_command(
        "export",
        "--format",
        "xlsx",
        "--out",
        str(out),
        "--user",
        dm.username,
        "--nationality",
        "IRN",
        stdout=io.StringIO(),
    )
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert len(rows) == 3
    assert AuditEntry.objects.get(action="export").channel == "cli"


def test_the_export_command_refuses_a_user_without_permission(tmp_path, clerk, registry):
    with pytest.raises(CommandError, match="registry.export"):
        call_command("export", "--out", str(tmp_path / "x.csv"), "--user", clerk.username)


def test_an_exported_file_imports_back_unchanged(tmp_path, dm, registry):
    """Round trip: the formula guard's quotes come off on import; nothing changes."""
    from onward.registry.importing import import_file

    out = tmp_path / "persons.csv"
    call_command("export", "--out", str(out), "--user", dm.username, stdout=io.StringIO())
    result = import_file(out, actor=dm)
    assert result.applied, result.first_errors
    assert result.persons_unchanged == 3
