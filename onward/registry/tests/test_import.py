"""Bulk import: every error at once, all or nothing, idempotent re-import."""

import csv
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from onward.audit.models import AuditEntry
from onward.movements.models import LedgerEntry
from onward.registry.importing import COLUMNS, import_file
from onward.registry.models import Case, Counter, Person
from onward.registry.search import search_keys_for

pytestmark = pytest.mark.django_db

GOOD = [
    [
        "P900001",
        "C900001",
        "principal",
        "Mohammad",
        "Rezaei",
        "Hossein",
        "M",
        "1970-05-12",
        "IRN",
        "X1",
        "+964 770 100 0001",
        "SM",
    ],
    ["P900002", "C900001", "spouse", "Fatemeh", "Karimi", "Ali", "F", "1974", "IRN", "", "", ""],
    [
        "P900003",
        "C900002",
        "principal",
        "Hussein",
        "al-Tamimi",
        "Khalid",
        "M",
        "1965-02",
        "IRQ",
        "",
        "",
        "ER;TR",
    ],
]


def write_csv(tmp_path, rows, header=COLUMNS, name="people.csv", encoding="utf-8", bom=False):
    path = tmp_path / name
    text = io.StringIO()
    writer = csv.writer(text)
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    data = text.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def errors_of(result):
    return [(e.row, e.column, e.message) for e in result.first_errors]


@pytest.fixture
def dm(users):
    from onward.accounts import roles

    return users[roles.DATA_MANAGER]


def test_it_imports_a_valid_file_with_ledger_audit_and_keys(tmp_path, dm):
    result = import_file(write_csv(tmp_path, GOOD), actor=dm)
    assert result.applied and result.errors == 0
    assert (result.persons_created, result.cases_created) == (3, 2)
    pa = Person.objects.get(person_id="P900001")
    assert pa.case.case_id == "C900001" and pa.birth_date.isoformat() == "1970-05-12"
    assert list(pa.specific_needs.values_list("code", flat=True)) == ["SM"]
    assert pa.search_keys == search_keys_for("Mohammad", "Rezaei", "Hossein")
    assert set(pa.name_keys.values_list("key", flat=True)) == set(pa.search_keys.split())
    assert Person.objects.get(person_id="P900002").birth_precision == "Y"
    assert LedgerEntry.objects.filter(person__person_id__startswith="P9").count() == 3
    created = AuditEntry.objects.filter(action="create").exclude(object_type="user")
    assert created.filter(object_type="person").count() == 3
    assert created.filter(object_type="case").count() == 2
    assert created.filter(object_type="import").count() == 1
    assert Counter.objects.get(prefix="P").value == 900003


def test_imported_arrivals_reconcile_with_the_rollups(tmp_path, dm):
    """The import writes the ledger and its rollups set-based (no LedgerEntry.save): the
    rollups must still say what the ledger joined to the registry says."""
    import datetime as dt

    from onward.movements.rollup import (
        ledger_breakdown_naive,
        person_dims_sync,
        rollup_breakdown,
        rollup_check,
    )

    rows = [[*r, d] for r, d in zip(GOOD, ("2013-01-31", "2013-02-01", "2013-02-01"), strict=True)]
    result = import_file(write_csv(tmp_path, rows, header=(*COLUMNS, "arrival_date")), actor=dm)
    assert result.applied
    entry = LedgerEntry.objects.get(person__person_id="P900003")
    assert (entry.date, entry.kind, entry.delta) == (dt.date(2013, 2, 1), "arrival", 1)
    assert entry.recorded_by == dm and entry.note == "imported from people.csv"
    assert entry.recorded_at is not None
    assert rollup_check() == []
    for day in (dt.date(2013, 1, 31), dt.date(2013, 2, 1), dt.date(2013, 3, 1)):
        assert rollup_breakdown(day) == ledger_breakdown_naive(day)
    assert rollup_breakdown(dt.date(2013, 2, 1))["by_need"]["TR"] == 1
    # Recorded under the attributes the registry holds: nobody to move.
    assert person_dims_sync(Person.objects.values_list("pk", flat=True)) == 0


def test_a_utf8_bom_is_fine(tmp_path, dm):
    assert import_file(write_csv(tmp_path, GOOD, bom=True), actor=dm).applied


def test_it_reports_every_row_error_in_one_pass_and_changes_nothing(tmp_path, dm):
    rows = [
        ["P1", "C1", "principal", "", "Rezaei", "", "Q", "2013-02-30", "XXX", "", "abc", "ZZ"],
        ["P2", "C1", "cousin", "Ali", "", "", "M", "2999-01-01", "IRN", "", "", ""],
        ["P2", "C1", "child", "Sara", "", "", "F", "2010", "IRN", "", "", ""],
        ["P3", "C2", "spouse", "Zahra", "", "", "F", "1980", "IRN", "", "", ""],
        ["P4", "C2", "child", "Reza", "", "", "M", "2001", "IRN", "", "", ""],
        ["P1", "C3", "principal", "Omar", "", "", "M", "1990", "IRQ", "", "", ""],
    ]
    path = write_csv(tmp_path, rows)
    out = tmp_path / "errors.csv"
    result = import_file(path, actor=dm, errors_out=out)
    assert not result.applied
    found = errors_of(result)
    columns_row2 = {c for r, c, _ in found if r == 2}
    assert columns_row2 == {
        "given_name",
        "sex",
        "birth_date",
        "nationality",
        "phone",
        "specific_needs",
    }
    assert any("not a date that exists" in m for r, c, m in found if r == 2)
    assert any(r == 3 and c == "relationship" for r, c, _ in found)
    assert any(r == 3 and c == "birth_date" and "future" in m for r, c, m in found)
    assert any(r == 4 and c == "person_id" and "row 3" in m for r, c, m in found)
    assert any(c == "relationship" and "C2 has no principal" in m for r, c, m in found)
    assert any(r == 7 and c == "case_id" and "also in case C1" in m for r, c, m in found)
    with open(out, encoding="utf-8") as f:
        report = list(csv.DictReader(f))
    assert len(report) == result.errors == len(found)
    assert set(report[0]) == {"row", "column", "value", "message", "code", "params"}
    assert Person.objects.count() == 0 and Case.objects.count() == 0
    assert not AuditEntry.objects.filter(action="create").exclude(object_type="user").exists()


def test_a_case_with_two_principals_is_refused(tmp_path, dm):
    rows = [GOOD[0], [*GOOD[1][:2], "principal", *GOOD[1][3:]]]
    result = import_file(write_csv(tmp_path, rows), actor=dm)
    assert any("2 principal applicants" in m for _, _, m in errors_of(result))


def test_dry_run_validates_and_writes_nothing(tmp_path, dm):
    result = import_file(write_csv(tmp_path, GOOD), actor=dm, dry_run=True)
    assert result.errors == 0 and not result.applied and result.rows == 3
    assert (
        Person.objects.count() == 0
        and not AuditEntry.objects.filter(action="create").exclude(object_type="user").exists()
    )


def test_reimport_is_idempotent_and_a_change_is_one_audited_edit(tmp_path, dm):
    import_file(write_csv(tmp_path, GOOD), actor=dm)
    audits = AuditEntry.objects.count()
    again = import_file(write_csv(tmp_path, GOOD, name="again.csv"), actor=dm)
    assert again.applied and again.persons_unchanged == 3
    assert (again.persons_created, again.persons_updated) == (0, 0)
    # Only the import's own entry: unchanged rows write nothing.
    assert AuditEntry.objects.count() == audits + 1
    assert Person.objects.get(person_id="P900001").version == 1

    changed = [list(r) for r in GOOD]
    changed[1][10] = "+964 770 555 0101"
    changed[1][11] = "WR"
    result = import_file(write_csv(tmp_path, changed, name="changed.csv"), actor=dm)
    assert (result.persons_updated, result.persons_unchanged) == (1, 2)
    person = Person.objects.get(person_id="P900002")
    assert person.version == 2 and person.phone == "+964 770 555 0101"
    assert list(person.specific_needs.values_list("code", flat=True)) == ["WR"]
    edit = AuditEntry.objects.get(action="update", object_id="P900002")
    # The audit log says the phone was set, never what it is (it is not encrypted).
    assert edit.changes == {"phone": ["", "(encrypted)"], "specific_needs": [[], ["WR"]]}
    assert LedgerEntry.objects.filter(person=person).count() == 1


def test_it_refuses_to_move_a_person_to_another_case(tmp_path, dm):
    import_file(write_csv(tmp_path, GOOD), actor=dm)
    moved = [list(r) for r in GOOD]
    moved[1][1] = "C900002"
    moved[1][2] = "spouse"
    result = import_file(write_csv(tmp_path, moved, name="moved.csv"), actor=dm)
    assert any("in case C900001 in the registry" in m for _, _, m in errors_of(result))


def test_a_case_may_keep_its_principal_from_the_registry(tmp_path, dm):
    import_file(write_csv(tmp_path, GOOD), actor=dm)
    child = [
        [
            "P900009",
            "C900001",
            "child",
            "Sara",
            "Rezaei",
            "Mohammad",
            "F",
            "2010",
            "IRN",
            "",
            "",
            "",
        ]
    ]
    result = import_file(write_csv(tmp_path, child, name="child.csv"), actor=dm)
    assert result.applied and result.persons_created == 1


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda t: write_csv(t, GOOD, encoding="utf-16"), "UTF-16"),
        (
            lambda t: write_csv(t, [[*GOOD[0][:3], "Zoë", *GOOD[0][4:]]], encoding="latin-1"),
            "not UTF-8 (line 2",
        ),
        (
            lambda t: write_csv(t, [r[:-1] for r in GOOD], header=COLUMNS[:-1]),
            "missing column(s): specific_needs",
        ),
        (
            lambda t: write_csv(t, [[*r, "x"] for r in GOOD], header=[*COLUMNS, "religion"]),
            "unknown column(s): religion",
        ),
        (lambda t: write_csv(t, [], header=None), "empty"),
        (lambda t: write_csv(t, [], header=COLUMNS), "no person"),
    ],
)
def test_it_refuses_a_bad_file_with_a_clear_message(tmp_path, dm, make, message):
    result = import_file(make(tmp_path), actor=dm)
    assert result.refused and message in result.refused
    assert result.first_errors[0].row == 0
    assert Person.objects.count() == 0


def test_it_refuses_a_file_over_the_size_limit(tmp_path, dm, settings):
    settings.ONWARD_IMPORT_MAX_BYTES = 100
    result = import_file(write_csv(tmp_path, GOOD), actor=dm)
    assert "over the import limit" in result.refused


def write_xlsx(tmp_path, rows, sheets=1, name="people.xlsx"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(row)
    for i in range(1, sheets):
        book.create_sheet(f"Other {i}")
    path = tmp_path / name
    book.save(path)
    return path


def test_it_imports_the_same_columns_in_xlsx(tmp_path, dm):
    result = import_file(write_xlsx(tmp_path, GOOD), actor=dm)
    assert result.applied and result.persons_created == 3


def test_it_refuses_a_spreadsheet_with_several_sheets(tmp_path, dm):
    result = import_file(write_xlsx(tmp_path, GOOD, sheets=2), actor=dm)
    assert "2 sheets" in result.refused


def test_it_refuses_formulas_in_a_spreadsheet(tmp_path, dm):
    rows = [list(r) for r in GOOD]
    rows[0][10] = '=HYPERLINK("http://x","call")'
    result = import_file(write_xlsx(tmp_path, rows), actor=dm)
    assert (2, "phone", "A formula: type the value itself, not a formula.") in errors_of(result)
    assert Person.objects.count() == 0


def test_the_command_exits_non_zero_on_refusal_and_writes_the_report(tmp_path, dm):
    bad = [[*GOOD[0][:7], "2013-02-30", *GOOD[0][8:]]]
    out = tmp_path / "errors.csv"
    with pytest.raises(CommandError) as exc:
        call_command(
            "import",
            str(write_csv(tmp_path, bad)),
            user=dm.username,
            errors_out=str(out),
            stdout=io.StringIO(),
            verbosity=0,
        )
    assert exc.value.returncode == 1
    assert "2013-02-30" in out.read_text(encoding="utf-8")


def test_the_command_imports_and_dry_runs(tmp_path, dm):
    stdout = io.StringIO()
    call_command(
        "import",
        str(write_csv(tmp_path, GOOD)),
        user=dm.username,
        dry_run=True,
        stdout=stdout,
        verbosity=0,
    )
    assert "dry run" in stdout.getvalue() and Person.objects.count() == 0
    call_command(
        "import", str(write_csv(tmp_path, GOOD)), user=dm.username, stdout=stdout, verbosity=0
    )
    assert Person.objects.count() == 3
    assert AuditEntry.objects.filter(object_type="import", channel="cli").exists()


def test_an_actor_without_the_permission_may_not_import(tmp_path, users):
    from django.core.exceptions import PermissionDenied

    from onward.accounts import roles

    with pytest.raises(PermissionDenied):
        import_file(write_csv(tmp_path, GOOD), actor=users[roles.AUDITOR])


class _Undone(Exception):
    pass


def _keys_by_person(persons) -> list[list[str]]:
    from onward.registry.models import PersonNameKey

    keys: dict[int, list[str]] = {p.pk: [] for p in persons}
    for pk, key in PersonNameKey.objects.filter(person__in=persons).values_list("person", "key"):
        keys[pk].append(key)
    return [sorted(keys[p.pk]) for p in persons]


def test_the_import_writes_the_keys_the_trigger_would(tmp_path, dm):
    """The import writes registry_personnamekey itself (the trigger skips its rows): the
    same key rows as the same persons registered one by one, through the trigger."""
    from onward.demo.synthetic import iter_persons
    from onward.registry import services

    synthetic = [
        [
            p.person_id,
            p.case_id,
            p.relationship,
            p.given_name,
            p.family_name,
            p.father_name,
            p.sex,
            "",
            "",
            "",
            "",
            "",
        ]
        for p in iter_persons(seed=11, persons=300)
    ]
    odd = [
        ["P990001", "C990001", "principal", "عبد الرحمن", "رضایی", "", "M", "", "", "", "", ""],
        [
            "P990002",
            "C990002",
            "principal",
            "Ali  Reza",
            "al-Tamimi",
            "Abu Bakr",
            "M",
            "",
            "",
            "",
            "",
            "",
        ],
        ["P990003", "C990003", "principal", "O'Neil-Smith", "", "", "F", "", "", "", "", ""],
    ]
    rows = synthetic + odd
    with pytest.raises(_Undone), transaction.atomic():
        assert import_file(write_csv(tmp_path, rows), actor=dm).applied
        persons = [Person.objects.get(person_id=r[0]) for r in rows]
        imported = _keys_by_person(persons)
        raise _Undone  # the registry as before the import
    assert not Person.objects.filter(person_id=rows[0][0]).exists()
    one_by_one = []
    for r in rows:
        case = services.case_create(
            actor=dm,
            principal={"given_name": r[3], "family_name": r[4], "father_name": r[5], "sex": r[6]},
        )
        one_by_one.append(case.members.get())
    assert imported == _keys_by_person(one_by_one)
    assert sum(map(len, imported)) > 3 * len(rows)


def test_after_an_import_the_trigger_writes_the_keys_again(tmp_path, dm):
    from onward.registry import services

    assert import_file(write_csv(tmp_path, GOOD), actor=dm).applied
    case = services.case_create(actor=dm, principal={"given_name": "Yousef", "sex": "M"})
    person = case.members.get()
    assert _keys_by_person([person]) == [sorted(search_keys_for("Yousef", "", "").split())]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's per-row trigger")
@pytest.mark.django_db(transaction=True)
def test_keys_cannot_be_deferred_outside_a_transaction():
    from onward.registry.search import name_keys_deferred

    with pytest.raises(RuntimeError), name_keys_deferred():
        pass


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's per-row trigger")
def test_inside_name_keys_deferred_the_caller_writes_the_keys(dm):
    from onward.registry import services
    from onward.registry.search import name_keys_deferred, name_keys_write

    with name_keys_deferred():
        case = services.case_create(actor=dm, principal={"given_name": "Yousef", "sex": "M"})
    person = case.members.get()
    assert _keys_by_person([person]) == [[]]
    name_keys_write([person.pk])
    assert _keys_by_person([person]) == [sorted(search_keys_for("Yousef", "", "").split())]


# --- ids left blank, arrival dates --------------------------------------------------------

BLANK_IDS = [
    ["", "", "principal", "Zahra", "Ahmadi", "Reza", "F", "1980", "IRN", "", "", ""],
    ["", "", "child", "Sara", "Ahmadi", "Ali", "F", "2010", "IRN", "", "", ""],
    ["", "", "principal", "Hamid", "Moradi", "Morad", "M", "1975", "IRN", "", "", ""],
]


def test_blank_ids_are_assigned_a_household_at_a_time_and_reported(tmp_path, dm):
    Counter.objects.update_or_create(prefix="P", defaults={"value": 41})
    Counter.objects.update_or_create(prefix="C", defaults={"value": 7})
    out = tmp_path / "assigned.csv"
    result = import_file(write_csv(tmp_path, BLANK_IDS), actor=dm, assigned_out=out)
    assert result.applied, errors_of(result)
    assert result.first_assigned == [
        (2, "P000042", "C00008"),
        (3, "P000043", "C00008"),
        (4, "P000044", "C00009"),
    ]
    assert result.as_dict()["assigned"] == 3
    assert Person.objects.get(person_id="P000043").case.case_id == "C00008"
    assert Case.objects.get(case_id="C00009").members.get().given_name == "Hamid"
    assert list(csv.reader(out.open())) == [
        ["row", "person_id", "case_id"],
        ["2", "P000042", "C00008"],
        ["3", "P000043", "C00008"],
        ["4", "P000044", "C00009"],
    ]
    # The next registration through the form takes the number after them.
    assert (Counter.objects.get(prefix="P").value, Counter.objects.get(prefix="C").value) == (44, 9)


def test_assigned_ids_come_after_the_highest_id_the_file_gives(tmp_path, dm):
    rows = [
        GOOD[0],
        ["", "C900001", "child", "Ali", "Rezaei", "Mohammad", "M", "2005", "IRN", "", "", ""],
    ]
    result = import_file(write_csv(tmp_path, rows), actor=dm)
    assert result.applied, errors_of(result)
    assert result.first_assigned == [(3, "P900002", "C900001")]


def test_a_member_with_no_case_and_no_principal_above_is_refused(tmp_path, dm):
    rows = [BLANK_IDS[1], *BLANK_IDS]
    result = import_file(write_csv(tmp_path, rows), actor=dm)
    assert not result.applied
    assert errors_of(result)[0][:2] == (2, "case_id")
    assert "principal's row first" in errors_of(result)[0][2]
    assert not Person.objects.filter(given_name="Zahra").exists()


def test_a_row_naming_its_case_ends_the_blank_case_above(tmp_path, dm):
    rows = [BLANK_IDS[0], GOOD[0], BLANK_IDS[1]]
    result = import_file(write_csv(tmp_path, rows), actor=dm)
    assert [(r, c) for r, c, _ in errors_of(result)] == [(4, "case_id")]


def test_a_dry_run_takes_no_number(tmp_path, dm):
    Counter.objects.update_or_create(prefix="P", defaults={"value": 41})
    result = import_file(write_csv(tmp_path, BLANK_IDS), actor=dm, dry_run=True)
    assert result.errors == 0 and result.assigned == 3 and result.first_assigned == []
    assert Counter.objects.get(prefix="P").value == 41
    assert not Person.objects.filter(given_name="Zahra").exists()


def _with_arrival(rows, dates):
    return [[*row, date] for row, date in zip(rows, dates, strict=True)]


def test_arrival_dates_are_bounded_by_today_and_the_operations_start(tmp_path, dm, settings):
    import datetime as dt

    from django.utils import timezone

    settings.ONWARD_OPERATION_START = dt.date(2012, 2, 18)
    # Tomorrow is still an event's day (onward/bounds.py: the camp's today and a user's
    # clock may sit on either side of midnight); the day after is not.
    later = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    rows = _with_arrival(GOOD, [later, "2012-02-17", "2012-02-18"])
    result = import_file(write_csv(tmp_path, rows, header=[*COLUMNS, "arrival_date"]), actor=dm)
    assert [(r, c) for r, c, _ in errors_of(result)] == [(2, "arrival_date"), (3, "arrival_date")]
    assert "the latest date of an event Onward accepts" in errors_of(result)[0][2]
    assert (
        "2012-02-17 is before 2012-02-18, the earliest date of an event"
        in (errors_of(result)[1][2])
    )
    assert not Person.objects.filter(person_id__startswith="P9").exists()


def test_a_bad_value_repeated_is_an_error_on_every_row_and_needs_stay_per_person(tmp_path, dm):
    """Pass 1 parses each distinct value once (issue 25): a repeated bad value still gets
    its error on each of its rows, and a repeated need code gives each person their own."""
    rows = [
        ["P1", "C1", "principal", "Ali", "Ahmadi", "", "Q", "2013-02-30", "IRN", "", "", "SM"],
        ["P2", "C1", "child", "Sara", "Ahmadi", "", "Q", "2013-02-30", "IRN", "", "", "SM"],
        ["P3", "C1", "child", "Reza", "Ahmadi", "", "Q", "2013-02-30", "IRN", "", "", "SM"],
    ]
    result = import_file(write_csv(tmp_path, rows), actor=dm)
    found = errors_of(result)
    assert {r for r, c, _ in found if c == "sex"} == {2, 3, 4}
    assert {r for r, c, m in found if c == "birth_date" and "exists" in m} == {2, 3, 4}
    assert Person.objects.count() == 0
    good = [[*row[:6], "M", "2013-02-03", *row[8:]] for row in rows]
    result = import_file(write_csv(tmp_path, good), actor=dm)
    assert result.applied and result.persons_created == 3
    for person in Person.objects.all():
        assert list(person.specific_needs.values_list("code", flat=True)) == ["SM"]


def _old_sqlite_insert_many(cursor, head, rows, width):
    """The multi-row insert as it was before the raw-cursor path: Django's cursor, %s."""
    one = "(" + ", ".join(["%s"] * width) + ")"
    for start in range(0, len(rows), 500 // max(1, width) or 1):
        part = rows[start : start + (500 // max(1, width) or 1)]
        cursor.execute(
            f"{head} VALUES {', '.join([one] * len(part))}", [v for row in part for v in row]
        )


def _old_name_keys_write(pks):
    """The keys as the import wrote them before: split in Python, one row each."""
    rows = [
        (pk, key)
        for pk, keys in Person.objects.filter(pk__in=pks).values_list("pk", "search_keys")
        for key in dict.fromkeys(keys.strip(" ").split(" "))
        if key
    ]
    with connection.cursor() as cursor:
        _old_sqlite_insert_many(
            cursor, "INSERT OR IGNORE INTO registry_personnamekey (person_id, key)", rows, 2
        )


def _every_row() -> dict[str, list]:
    """Every table's rows as stored (raw SQL), encrypted columns left out (random nonces:
    compared decrypted instead)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name <> 'django_session' ORDER BY name"
        )
        tables = [t for (t,) in cursor.fetchall()]
        out = {}
        for table in tables:
            cursor.execute(f'PRAGMA table_info("{table}")')
            names = [
                row[1]
                for row in cursor.fetchall()
                if not (table == "registry_person" and row[1] in ("document_number", "phone"))
            ]
            # quote(): the stored value and its type as text (no converter reads it).
            columns = ", ".join(f'quote("{n}")' for n in names)
            cursor.execute(f'SELECT {columns} FROM "{table}"')
            out[table] = sorted(cursor.fetchall())
    out["decrypted"] = sorted(
        Person.objects.values_list("person_id", "document_number", "phone"), key=repr
    )
    return out


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite fast path")
def test_the_fast_sqlite_path_stores_what_the_old_path_stored(tmp_path, dm, monkeypatch):
    """Field by field, every table: the rows (persons, cases, needs, name keys, ledger,
    rollups, audit) written through sqlite3's own cursor, with timestamps adapted once
    and the keys split in SQL, are the rows the Django cursor, per-row adaptation and
    keys split in Python wrote."""
    import datetime as dt

    from django.utils import timezone

    from onward import db
    from onward.registry.importing import writing

    fixed = dt.datetime(2026, 12, 3, 12, 0, 0, 123456, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: fixed)
    rows = GOOD + [
        [
            "P990001",
            "C990001",
            "principal",
            "عبد الرحمن",
            "رضایی",
            "",
            "M",
            "",
            "",
            "",
            "",
            "ER;SM",
        ],
        ["P990002", "C990001", "child", 'O\'Neil "Jo"', "a\\b", "", "F", "2019", "", "", "", ""],
        ["", "", "principal", "Zahra", "Ahmadi", "Reza", "F", "1980", "IRN", "", "", ""],
    ]
    path = write_csv(tmp_path, rows)
    snapshots = []
    for old in (True, False):
        with monkeypatch.context() as m:
            if old:
                m.setattr(db, "sqlite_insert_many", _old_sqlite_insert_many)
                m.setattr(db, "adapt_datetime", lambda value: value)  # sqlite3 adapts per row
                m.setattr(writing, "name_keys_write", _old_name_keys_write)
                from onward.movements import sql as movements_sql

                m.setattr(movements_sql, "sqlite_insert_many", _old_sqlite_insert_many)
            with pytest.raises(_Undone), transaction.atomic():
                result = import_file(path, actor=dm)
                assert result.applied, errors_of(result)
                snapshots.append(_every_row())
                raise _Undone
    old, new = snapshots
    assert old.keys() == new.keys()
    for table in old:
        assert old[table] == new[table], table
    assert len(new["registry_person"]) >= len(rows)
    assert len(new["registry_personnamekey"]) > 3 * len(rows)
    assert len(new["audit_auditentry"]) >= len(rows)


def test_a_person_registered_during_the_check_refuses_the_import_whole(tmp_path, dm, monkeypatch):
    """Someone registers a person of the file after pass 1 looked: the insert meets
    person_id's unique index (on SQLite through sqlite3's own cursor, its error read as
    Django's), and the import is refused with nothing written."""
    from onward.registry import services
    from onward.registry.importing import validating

    case = services.case_create(actor=dm, principal={"given_name": "Early", "sex": "M"})
    taken = case.members.get().person_id
    rows = [[taken, "C990101", "principal", "Late", "", "", "M", "", "", "", "", ""], *GOOD]
    monkeypatch.setattr(validating, "_check_against_registry", lambda chunk, errors: set())
    before = (Person.objects.count(), Case.objects.count(), LedgerEntry.objects.count())
    result = import_file(write_csv(tmp_path, rows), actor=dm)
    assert not result.applied
    assert "registered by someone else" in result.refused
    assert (Person.objects.count(), Case.objects.count(), LedgerEntry.objects.count()) == before
