"""Pass 2: the spooled rows written in one transaction, batch by batch, in named steps
(cases, persons read and locked, creates, edits, needs, the ledger, the audit)."""

from __future__ import annotations

import csv
import datetime as dt
import pickle
import time
from collections.abc import Iterator

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from onward.audit.models import AuditEntry
from onward.audit.services import audit_record, audit_records
from onward.db import among, insert_rows
from onward.refusals import Told, define
from onward.registry.importing.common import (
    ARABIC_NAMES,
    FIRST_ASSIGNED,
    ID_WIDTH,
    NEW,
    ErrorSink,
    ImportRefused,
    ImportResult,
    Steps,
)
from onward.registry.models import Case, Counter, Person
from onward.registry.search import (
    name_keys_deferred,
    name_keys_write,
    person_names,
    search_keys_for,
)
from onward.registry.snapshot import values_snapshot
from onward.vault.fields import (
    fill_blind_indexes,
    hide_encrypted,
)

# The refusals of a file the registry changed under it (row 0), by code (onward/refusals.py).
MOVED_MEANWHILE = define(
    "file.moved_meanwhile",
    gettext_noop(
        "Person %(person)s was moved to case %(case)s while the file was being checked: import it again."
    ),
)
REGISTERED_MEANWHILE = define(
    "file.registered_meanwhile",
    gettext_noop(
        "Persons of the file were registered by someone else while it was being checked: import it again."
    ),
)

# The job's progress while it writes (onward/refusals.py `Told`).
WRITTEN = define("import.written", gettext_noop("Written %(done)s of %(rows)s rows"))

# --- writing -----------------------------------------------------------------------------


class AssignedIds:
    """The ids given to blank cells, in row order: the first ones for the result, all to
    a CSV file (when given). Numbers come from the id counters, locked (cases first, as
    services.case_create takes them) from the first blank to the commit; a file without
    blanks locks them only at the end, to move them past its highest ids."""

    HEADER = ("row", "person_id", "case_id")

    def __init__(self, path=None):
        self.path, self.first, self.ids, self.next = path, [], {}, None
        self._file = self._writer = None

    def __enter__(self):
        if self.path:
            self._file = open(self.path, "w", encoding="utf-8", newline="")
            self._writer = csv.writer(self._file)
            self._writer.writerow(self.HEADER)
        return self

    def __exit__(self, *exc):
        if self._file:
            self._file.close()

    def _take(self, placeholder: str, prefix: str, high: dict) -> str:
        if self.next is None:
            self.next = {}
            for p in ("C", "P"):
                counter, _created = Counter.objects.select_for_update().get_or_create(prefix=p)
                self.next[p] = max(counter.value, high[p])
        key = (prefix, placeholder)  # a principal's row holds the same one for both
        if key not in self.ids:
            self.next[prefix] += 1
            self.ids[key] = f"{prefix}{self.next[prefix]:0{ID_WIDTH[prefix]}d}"
        return self.ids[key]

    def fill(self, row: dict, high: dict) -> None:
        """Puts real ids in place of the row's placeholders."""
        pid, cid = row["person_id"], row["case_id"]
        if not (pid.startswith(NEW) or cid.startswith(NEW)):
            return
        if cid.startswith(NEW):
            row["case_id"] = self._take(cid, "C", high)
        if pid.startswith(NEW):
            row["person_id"] = self._take(pid, "P", high)
        entry = (row["row"], row["person_id"], row["case_id"])
        if len(self.first) < FIRST_ASSIGNED:
            self.first.append(entry)
        if self._writer:
            self._writer.writerow(entry)

    def counters_save(self, high: dict) -> None:
        """Moves the counters past every id the import wrote (given or assigned)."""
        for prefix in ("C", "P"):
            value = max(high[prefix], (self.next or {}).get(prefix, 0))
            if value:
                counter, _created = Counter.objects.select_for_update().get_or_create(prefix=prefix)
                if counter.value < value:
                    Counter.objects.filter(prefix=prefix).update(value=value)


def _rollup_dims_sync(pks: list[int]) -> None:
    """bulk_update sends no signal: tell the ledger's rollups that attributes changed."""
    from onward.movements.rollup import person_dims_sync

    person_dims_sync(pks)


_DB_FIELDS = (
    "relationship",
    "given_name",
    "family_name",
    "father_name",
    *ARABIC_NAMES,
    "sex",
    "birth_date",
    "birth_precision",
    "nationality",
    "document_number",
    "phone",
)
_BIDX_FIELDS = ("document_number_bidx", "phone_bidx")


def _spooled(steps: Steps, spool) -> Iterator[list[dict]]:
    while True:
        try:
            with steps("pass 2: spool read"):
                batch = pickle.load(spool)
        except EOFError:
            return
        yield batch


def _new_pks(model, count: int) -> list[int] | None:
    """PostgreSQL: `count` ids taken from the table's sequence (so the rows can be copied
    with their ids and no query finds them again); None elsewhere."""
    if connection.vendor != "postgresql" or not count:
        return None
    table = model._meta.db_table
    with connection.cursor() as cursor:
        # The sequence's name first: nextval(pg_get_serial_sequence(…)) looks it up per row.
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        cursor.execute(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count]
        )
        return [row[0] for row in cursor.fetchall()]


def write_spool(
    spool,
    *,
    actor,
    result: ImportResult,
    facts: dict,
    errors: ErrorSink,
    progress,
    source_name: str,
    job_id: str = "",
    assigned: AssignedIds | None = None,
) -> None:
    """Writes the spooled rows, batch by batch, in this one transaction, then the import's
    own audit entry (with the job's id: see `committed_import`)."""
    steps = result.steps
    with transaction.atomic():
        _write_spool(
            spool,
            actor=actor,
            result=result,
            facts=facts,
            progress=progress,
            source_name=source_name,
            job_id=job_id,
            assigned=assigned,
        )
        body_done = time.perf_counter()
    # The deferred foreign-key checks run here (or a savepoint is released, when nested).
    steps.add("pass 2: commit", time.perf_counter() - body_done)


def _write_spool(
    spool,
    *,
    actor,
    result: ImportResult,
    facts: dict,
    progress,
    source_name: str,
    job_id: str,
    assigned: AssignedIds | None,
) -> None:
    steps = result.steps
    writer = _Writer(
        actor=actor,
        result=result,
        registered=facts.get("registered", set()),
        high=facts["high"],
        assigned=assigned or AssignedIds(),
        detail=f"imported from {source_name}"[:255],
    )
    done = 0
    for batch in _spooled(steps, spool):
        writer.batch_write(batch)
        done += len(batch)
        if progress:
            progress(done, result.rows, Told(WRITTEN, done=done, rows=result.rows))
    with steps("pass 2: cases"):
        writer.assigned.counters_save(writer.high)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="import",
        object_id=source_name[:64],
        changes={
            "rows": result.rows,
            "cases_created": result.cases_created,
            "persons_created": result.persons_created,
            "persons_updated": result.persons_updated,
            "persons_unchanged": result.persons_unchanged,
            **({"job": job_id} if job_id else {}),
        },
        detail=writer.detail,
    )


class _Batch:
    """What one batch writes, gathered before the bulk statements."""

    def __init__(self) -> None:
        self.creates: list[tuple[dict, list[str]]] = []  # (person row, its needs)
        self.updates: list[Person] = []
        self.audits: list[tuple] = []
        self.need_rows: list[dict] = []
        self.needs_changed: list[int] = []  # person pks whose needs are rewritten
        self.arrivals: list[tuple[int, dt.date]] = []  # (person pk, date) for the ledger


class _Writer:
    """Writes batches of clean rows: cases first, then the persons (new ones copied in
    bulk, registered ones edited as audited changes), their needs, their arrivals in the
    ledger and the audit entries."""

    through = Person.specific_needs.through

    def __init__(
        self,
        *,
        actor,
        result: ImportResult,
        registered: set,
        high: dict,
        assigned: AssignedIds,
        detail: str,
    ) -> None:
        self.actor, self.result, self.registered = actor, result, registered
        self.high, self.assigned, self.detail = high, assigned, detail
        self.steps = result.steps
        self.today, self.now = timezone.localdate(), timezone.now()

    def batch_write(self, batch: list[dict]) -> None:
        steps = self.steps
        with steps("pass 2: cases"):
            for row in batch:
                self.assigned.fill(row, self.high)
            cases, new_cases = self.cases_write(batch)
        with steps("pass 2: registered persons read"):
            existing, needs_of = self.registered_read(batch)
        out = _Batch()
        with steps("pass 2: person rows and search keys built"):
            for row in batch:
                old = existing.get(row["person_id"])
                if old is None:
                    out.creates.append((self.person_row(row, cases), row["specific_needs"]))
                else:
                    self.person_change(old, row, needs_of.get(old.pk, []), out)
        self.persons_create(out)
        self.persons_update(out)
        with steps("pass 2: audit entries"):
            out.audits += [(AuditEntry.Action.CREATE, "case", cid) for cid in new_cases]
            audit_records(actor=self.actor, entries=out.audits, detail=self.detail)

    def cases_write(self, batch: list[dict]) -> tuple[dict[str, int], dict[str, dict]]:
        """{case id: pk} of every case of the batch, the new ones written first."""
        cids = {c["case_id"] for c in batch}
        cases = dict(Case.objects.filter(case_id__in=among(cids)).values_list("case_id", "pk"))
        new_cases: dict[str, dict] = {}
        for c in batch:
            if c["case_id"] not in cases and c["case_id"] not in new_cases:
                new_cases[c["case_id"]] = {
                    "case_id": c["case_id"],
                    "arrival_date": c["arrival_date"],
                }
        if new_cases:
            rows = list(new_cases.values())
            pks = _new_pks(Case, len(rows))
            if pks:
                for row, pk in zip(rows, pks, strict=True):
                    row["id"] = pk
                    cases[row["case_id"]] = pk
            insert_rows(Case, rows, self.now, with_pk=pks is not None)
            if pks is None:
                cases.update(
                    Case.objects.filter(case_id__in=among(new_cases)).values_list("case_id", "pk")
                )
            self.result.cases_created += len(new_cases)
        return cases, new_cases

    def registered_read(self, batch: list[dict]) -> tuple[dict[str, Person], dict[int, list]]:
        """The batch's persons that pass 1 found registered, locked, with their needs. One
        registered since then makes the COPY of the new ones fail on person_id's unique
        index: refused whole."""
        pids = [c["person_id"] for c in batch if c["person_id"] in self.registered]
        if not pids:
            return {}, {}
        existing = {
            p.person_id: p
            for p in Person.objects.select_for_update()
            .filter(person_id__in=among(pids))
            .select_related("case")
        }
        needs_of: dict[int, list[str]] = {}
        for pk, code in self.through.objects.filter(
            person_id__in=[p.pk for p in existing.values()]
        ).values_list("person_id", "specificneed_id"):
            needs_of.setdefault(pk, []).append(code)
        return existing, needs_of

    def person_row(self, row: dict, cases: dict[str, int]) -> dict:
        person = {f: row.get(f, "") for f in _DB_FIELDS}
        person.update(
            person_id=row["person_id"],
            case_id=cases[row["case_id"]],
            arrival_date=row["arrival_date"] or self.today,
            search_keys=search_keys_for(*person_names(person)),
        )
        return person

    def person_change(self, old: Person, row: dict, needs: list[str], out: _Batch) -> None:
        """A registered person: the file's columns change what they hold, the rest stays;
        a row that matches the registry writes nothing."""
        if old.case.case_id != row["case_id"]:  # changed since pass 1
            raise ImportRefused(MOVED_MEANWHILE, person=old.person_id, case=old.case.case_id)
        # A file without the Arabic-script columns leaves those names as they are.
        row = {**{f: getattr(old, f) for f in ARABIC_NAMES}, **row}
        before = values_snapshot(
            {
                **{f: getattr(old, f) for f in _DB_FIELDS},
                "needs_detail": old.needs_detail,
                "specific_needs": needs,
            }
        )
        after = values_snapshot({**row, "needs_detail": old.needs_detail})
        diff = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
        if not diff:
            self.result.persons_unchanged += 1
            return
        for f in _DB_FIELDS:
            setattr(old, f, row[f])
        fill_blind_indexes(old)
        old.version += 1
        old.updated_at = self.now
        old.search_keys = search_keys_for(*person_names(old))
        out.updates.append(old)
        if "specific_needs" in diff:
            out.needs_changed.append(old.pk)
            out.need_rows += [
                {"person_id": old.pk, "specificneed_id": code} for code in row["specific_needs"]
            ]
        out.audits.append(
            (AuditEntry.Action.UPDATE, "person", old.person_id, hide_encrypted(Person, diff))
        )

    def persons_create(self, out: _Batch) -> None:
        if not out.creates:
            return
        rows = [r for r, _person in out.creates]
        pks = _new_pks(Person, len(rows))
        if pks:
            for row, pk in zip(rows, pks, strict=True):
                row["id"] = pk
        # The search's key table: on SQLite written below, set-based, not by its per-row
        # trigger; PostgreSQL's trigger is per statement (as fast), it writes them.
        deferred = connection.vendor == "sqlite"
        try:
            with (
                self.steps("pass 2: persons insert (indexes, key trigger on PostgreSQL)"),
                name_keys_deferred() if deferred else transaction.atomic(),
            ):
                insert_rows(Person, rows, self.now, with_pk=pks is not None)
        except IntegrityError:
            raise ImportRefused(REGISTERED_MEANWHILE) from None
        if pks is None:
            ids = dict(
                Person.objects.filter(
                    person_id__in=among(r["person_id"] for r in rows)
                ).values_list("person_id", "pk")
            )
            pks = [ids[r["person_id"]] for r in rows]
        if deferred:
            with self.steps("pass 2: name keys (SQLite)"):
                name_keys_write(pks)
        for (row, codes_), pk in zip(out.creates, pks, strict=True):
            out.need_rows += [{"person_id": pk, "specificneed_id": code} for code in codes_]
            out.audits.append((AuditEntry.Action.CREATE, "person", row["person_id"]))
            out.arrivals.append((pk, row["arrival_date"]))
        self.result.persons_created += len(out.creates)

    def persons_update(self, out: _Batch) -> None:
        """The edits, the needs of new and edited persons, then the ledger (its rollups
        count persons by their needs, so after them)."""
        from onward.movements.ledger import ledger_arrivals

        if out.updates:
            Person.objects.bulk_update(
                out.updates,
                [*_DB_FIELDS, *_BIDX_FIELDS, "version", "search_keys", "updated_at"],
                batch_size=1000,
            )
            self.result.persons_updated += len(out.updates)
        with self.steps("pass 2: needs"):
            if out.needs_changed:
                self.through.objects.filter(person_id__in=out.needs_changed).delete()
            if out.need_rows:
                insert_rows(self.through, out.need_rows, self.now)
        with self.steps("pass 2: ledger and rollups"):
            if out.arrivals:
                ledger_arrivals(out.arrivals, actor=self.actor, note=self.detail)
            if out.updates:
                _rollup_dims_sync([p.pk for p in out.updates])
