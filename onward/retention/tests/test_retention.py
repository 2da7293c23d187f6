"""Retention ends identities by rule and keeps every figure: the reports of every past
month, the ledger and its reconciliation are the same after a run; a dry run and a second
run change nothing; a person within retention is untouched; no raw row keeps a name."""

import datetime as dt
import hashlib
import io

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.dedup import services as dedup
from onward.dedup.models import Merge
from onward.documents.models import DocumentVersion
from onward.env import env_int
from onward.movements.reconcile import reconcile
from onward.registry.models import Note, Person
from onward.reports import figures as F
from onward.retention import services
from onward.retention.services import MARKER
from onward.retention.tests.conftest import NAMES

pytestmark = pytest.mark.django_db


def _months(first: dt.date, last: dt.date):
    day = first.replace(day=1)
    while day <= last:
        yield day
        day = (day + dt.timedelta(days=32)).replace(day=1)


def every_report(user) -> dict:
    """Every table of every section, at the end of every month since the operation began
    and today: (key, row label, values)."""
    out = {}
    today = timezone.localdate()
    for first in _months(dt.date(2013, 1, 1), today):
        on = min((first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1), today)
        out[on] = [
            (t.key, [(r.label, list(r.values)) for r in t.rows], t.total)
            for t in F.dashboard(user, on)
        ]
    return out


def raw_rows(*, skip=()) -> dict:
    """Every row of every table as the database holds it (ciphertext for encrypted
    fields), hashed per table."""
    out = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            if table in skip:
                continue
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (our own table names)
            rows = sorted(repr(r) for r in cursor.fetchall())
            out[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return out


def raw_text() -> dict[str, str]:
    out = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
            out[table] = "\n".join(repr(r) for r in cursor.fetchall())
    return out


def test_a_run_keeps_every_report_of_every_month_and_the_ledger(operation, users):
    admin = users[roles.ADMIN]
    before = every_report(admin)
    assert reconcile().ok
    outcome = services.retention_run(actor=admin)
    assert outcome.persons == {"deceased": 1, "departed": 1, "merged": 1, "removed": 0}
    assert every_report(admin) == before
    report = reconcile()
    assert report.ok, report.lines()


def test_after_a_run_no_raw_row_outside_the_audit_log_holds_the_names(operation, users):
    text = raw_text()
    assert any(name in text["registry_person"] for name in NAMES)
    services.retention_run(actor=users[roles.ADMIN])
    text = raw_text()
    # The audit log is append-only and keeps its own rule (docs/retention.md): the
    # creation entries of these persons name them, as the record of what was done.
    del text["audit_auditentry"]
    for name in (*NAMES, "Yywitness"):
        assert [t for t, rows in text.items() if name in rows] == []


def test_the_anonymised_record_keeps_what_the_figures_count_and_says_why(operation, users):
    departed = operation["departed"]
    services.retention_run(actor=users[roles.ADMIN])
    p = Person.objects.get(pk=departed.pk)
    assert (p.given_name, p.family_name, p.father_name) == (MARKER, MARKER, MARKER)
    assert (p.document_number, p.phone, p.document_number_bidx, p.phone_bidx) == ("",) * 4
    assert p.search_keys == "" and not p.name_keys.exists()
    assert (p.birth_date, p.birth_precision) == (dt.date(departed.birth_date.year, 1, 1), "Y")
    assert (p.sex, p.nationality, p.departure_date, p.arrival_date) == (
        departed.sex,
        departed.nationality,
        departed.departure_date,
        departed.arrival_date,
    )
    assert p.anonymised_rule == "departed" and p.anonymised_at is not None
    assert str(Note.objects.get(case=p.case).text) == MARKER
    entries = AuditEntry.objects.filter(object_type="person", object_id=p.person_id)
    assert entries.filter(detail="anonymised by retention rule departed").count() == 1


def test_document_files_are_deleted_and_their_keys_destroyed_the_rows_stay(operation, users):
    versions = DocumentVersion.objects.all()
    names = list(versions.values_list("storage_name", flat=True))
    assert len(names) == 2 and all(default_storage.exists(n) for n in names)
    outcome = services.retention_run(actor=users[roles.ADMIN])
    assert outcome.files == 2
    assert not any(default_storage.exists(n) for n in names)
    assert (
        list(versions.values_list("storage_name", "wrapped_key", "filename"))
        == [("", "", MARKER)] * 2
    )
    assert AuditEntry.objects.filter(action="purge", object_type="document").count() == 2


def test_a_person_within_retention_and_the_present_are_untouched(operation, users):
    keep = Person.objects.exclude(
        pk__in=[operation[k].pk for k in ("departed", "dead", "twin")]
    ).order_by("pk")
    before = raw_person_rows(keep)
    services.retention_run(actor=users[roles.ADMIN])
    assert raw_person_rows(keep) == before
    assert Person.objects.get(pk=operation["recent"].pk).given_name == "Yyrecent"


def raw_person_rows(persons) -> list:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM registry_person ORDER BY id")
        keep = set(persons.values_list("pk", flat=True))
        return [row for row in cursor.fetchall() if row[0] in keep]


def test_a_dry_run_lists_each_rule_with_the_ids_and_changes_nothing(operation):
    before = raw_rows()
    out = io.StringIO()
    call_command("retention", "--dry-run", stdout=out)
    assert raw_rows() == before
    text = out.getvalue()
    assert "departed: 1 person(s)" in text and operation["departed"].person_id in text
    assert "deceased: 1 person(s)" in text and operation["dead"].person_id in text
    assert "merged: 1 person(s)" in text and operation["twin"].person_id in text
    assert operation["recent"].person_id not in text
    assert "Dry run: 3 person(s) would be anonymised; nothing changed." in text


def test_a_second_run_is_a_no_op(operation):
    call_command("retention", stdout=io.StringIO())
    after = raw_rows()
    out = io.StringIO()
    call_command("retention", stdout=out)
    assert raw_rows() == after
    assert "Anonymised 0 person(s)" in out.getvalue()


def test_a_merge_whose_records_were_anonymised_cannot_be_undone(operation, users):
    services.retention_run(actor=users[roles.ADMIN])
    merge = Merge.objects.get()
    assert merge.record_values == ""
    with pytest.raises(ValidationError, match="Retention has anonymised these records"):
        dedup.merge_undo(actor=users[roles.ADMIN], merge_id=merge.pk)


def test_a_negative_retention_stops_the_run_before_anything_changes(operation, settings):
    settings.ONWARD_RETENTION_DEPARTED_YEARS = -1
    before = raw_rows()
    for args in (["--dry-run"], []):
        with pytest.raises(ImproperlyConfigured, match="ONWARD_RETENTION_DEPARTED_YEARS"):
            call_command("retention", *args, stdout=io.StringIO())
    assert raw_rows() == before


def test_a_negative_retention_in_the_environment_stops_the_start(monkeypatch):
    monkeypatch.setenv("ONWARD_RETENTION_DECEASED_YEARS", "-2")
    with pytest.raises(ImproperlyConfigured, match="ONWARD_RETENTION_DECEASED_YEARS must be"):
        env_int("ONWARD_RETENTION_DECEASED_YEARS", 2, minimum=0)


def test_the_policy_page_shows_each_rule_what_is_due_and_the_runs(operation, client_for, users):
    services.retention_run(actor=users[roles.ADMIN])
    page = client_for(roles.DATA_MANAGER).get(reverse("retention_policy"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "ONWARD_RETENTION_DEPARTED_YEARS" in html and "ONWARD_UPLOAD_RETENTION_DAYS" in html
    assert "retention run of" in html and "3 person(s) anonymised" in html
    # Nothing is due any more: the counts read 0, and no name is on the page.
    assert "Zza_dep" not in html


def test_the_run_as_a_background_job_records_its_result(operation, users):
    from onward.jobs.models import Job
    from onward.jobs.services import job_enqueue, job_run

    job = job_enqueue(kind="retention", actor=users[roles.DATA_MANAGER])
    job = job_run(job, heartbeat=False) if job.status == Job.Status.QUEUED else job
    assert job.status == Job.Status.DONE, job.error
    assert job.result["persons"]["departed"] == 1 and job.result["files"] == 2
    assert Person.objects.filter(anonymised_at__isnull=False).count() == 3


def test_an_anonymised_person_cannot_be_edited_back(operation, users):
    from onward.registry import services as registry

    services.retention_run(actor=users[roles.ADMIN])
    p = Person.objects.get(pk=operation["departed"].pk)
    with pytest.raises(ValidationError, match="anonymised by retention"):
        registry.person_update(
            actor=users[roles.CLERK],
            person=p,
            expected_version=p.version,
            changes={"given_name": "Zza_dep"},
        )


def test_anonymised_persons_leave_duplicate_detection(operation, users):
    """Their names are all the same marker: left in, they would pair with each other."""
    from onward.dedup.records import registry_dataset, registry_records

    services.retention_run(actor=users[roles.ADMIN])
    anonymised = set(
        Person.objects.filter(anonymised_at__isnull=False).values_list("person_id", flat=True)
    )
    records, pks = registry_records()
    assert anonymised and not anonymised & set(pks)
    assert MARKER not in {r["given_name"] for r in records}
    assert len(registry_dataset()) == len(records)
