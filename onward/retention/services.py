"""Running the retention policy: ending the identity of the persons it names, keeping
every figure.

What a run changes, for each person due (`policy.rules()`), in batches of `BATCH` persons,
each batch one transaction:

- the person's names (every script: the search keys and their name-key rows go with
  them) become the marker, identifiers (document number, phone) and the needs' free text
  are cleared with their blind indexes, the birth date keeps only its year (the one input
  of every age figure: the rollups' birth year and `figures.filter_persons`' age bands are
  `on.year - birth year`), and `anonymised_at` / `anonymised_rule` record when and why;
- sex, nationality, specific-need codes, arrival and departure dates, the case, every
  ledger entry and every event stay: they are what the reports count;
- the free text about the person elsewhere (`PERSON_TEXT`) becomes the marker, their
  presence card's token an id-less marker, the merges they were part of lose the
  encrypted values an undo would need;
- a case whose members are all anonymised loses its free text (`CASE_TEXT`: notes,
  override reasons, information requests, review comments);
- the files of the person's documents, and of such a case's, are deleted from storage
  and their keys destroyed (the rows stay as the record: type, dates, size).

Each anonymised person and each deleted file has an audit entry (in the batch's
transaction), and each run one summary entry. The audit log itself is left whole: it is
append-only and keeps its own rule (docs/retention.md). A run is idempotent: it selects
only persons not anonymised yet, and every change is to a fixed value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Case as When_
from django.db.models import CharField, F, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Concat, TruncYear
from django.utils import timezone
from django.utils.translation import gettext_noop

from onward.audit.models import AuditEntry
from onward.audit.services import audit_record, audit_records
from onward.consent.models import Consent, ConsentOverride
from onward.dedup.models import Merge
from onward.documents.models import Document, DocumentVersion
from onward.documents.services import delete_files
from onward.interviews.models import Attendance
from onward.movements.models import HeldBack
from onward.presence.models import Card
from onward.readiness.models import Fact
from onward.refusals import Told, define
from onward.registry.models import Case, Note, Person
from onward.relocation.models import InformationRequest, SubmissionReview
from onward.retention.policy import Rule, rules

MARKER = "[anonymised]"
BATCH = 20_000
DECEASED = "deceased"
# The job's progress (onward/refusals.py `Told`): the rule by its name in the settings.
ANONYMISED = define("retention.anonymised", gettext_noop("Rule %(rule)s: %(n)s persons anonymised"))

# (model, the foreign key to the person or case, the field, what it becomes):
# "marker" (a non-blank value becomes MARKER), "blank" (an encrypted identifier: cleared).
PERSON_TEXT = (
    (Consent, "person", "witness", "marker"),
    (Consent, "person", "withdrawn_reason", "marker"),
    (Fact, "person", "evidence", "marker"),
    (Fact, "person", "document_number", "blank"),
    (Attendance, "person", "absence_reason", "marker"),
    (HeldBack, "person", "reason", "marker"),
    (Card, "person", "revoke_reason", "marker"),
)
CASE_TEXT = (
    (Note, "case", "text", "marker"),
    (ConsentOverride, "case", "reason", "marker"),
    (InformationRequest, "case", "question", "marker"),
    (InformationRequest, "case", "answer", "marker"),
    (SubmissionReview, "case", "comments", "marker"),
)


@dataclass
class RuleDue:
    rule: Rule
    cutoff: dt.date
    count: int
    person_ids: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    persons: dict[str, int] = field(default_factory=dict)
    cases: int = 0
    files: int = 0

    @property
    def total(self) -> int:
        return sum(self.persons.values())


# -- who is due ---------------------------------------------------------------------------


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _rule_filter(rule: Rule, cutoff: dt.date) -> Q:
    if rule.name == "deceased":
        return Q(departure_type=DECEASED, departure_date__lt=cutoff)
    if rule.name == "departed":
        return Q(departure_date__lt=cutoff) & ~Q(departure_type=DECEASED)
    if rule.name == "merged":
        merged = Merge.objects.filter(done_at__lt=_start_of(cutoff), undone_at__isnull=True).values(
            "merged_id"
        )
        return Q(merged_into__isnull=False, pk__in=merged)
    if rule.name == "removed":
        return Q(removed_at__lt=_start_of(cutoff))
    raise ValueError(f"Unknown retention rule {rule.name!r}.")


def due(today: dt.date) -> list[tuple[Rule, dt.date, QuerySet]]:
    """Each rule with its cutoff and the persons it anonymises on `today`: not anonymised
    yet, and not due under an earlier rule. Checks the policy first (`policy.rules`)."""
    out, earlier = [], Q(pk__in=[])
    for rule in rules():
        cutoff = rule.cutoff(today)
        match = _rule_filter(rule, cutoff)
        persons = Person.objects.filter(anonymised_at__isnull=True).filter(match & ~earlier)
        out.append((rule, cutoff, persons.order_by("pk")))
        earlier |= match
    return out


def retention_plan(*, today: dt.date | None = None, ids: bool = True) -> list[RuleDue]:
    """What a run on `today` would anonymise, rule by rule (counts and person ids). Reads
    ids only, changes nothing, writes no audit entry."""
    today = today or timezone.localdate()
    plan = []
    for rule, cutoff, persons in due(today):
        person_ids = list(persons.values_list("person_id", flat=True)) if ids else []
        count = len(person_ids) if ids else persons.count()
        plan.append(RuleDue(rule=rule, cutoff=cutoff, count=count, person_ids=person_ids))
    return plan


# -- the run ------------------------------------------------------------------------------


def retention_run(
    *,
    actor=None,
    today: dt.date | None = None,
    batch: int = BATCH,
    progress: Callable[[int, int | None, str | Told], object] | None = None,
) -> Outcome:
    """Anonymises every person due on `today` (see the module's docstring). Safe to stop
    and run again: each batch commits whole, and what is done is not selected again."""
    today = today or timezone.localdate()
    plan = due(today)
    total = sum(persons.count() for _, _, persons in plan)
    outcome, done = Outcome(), 0
    for rule, _cutoff, persons in plan:
        outcome.persons[rule.name] = 0
        for lo, hi in _ranges(persons, batch):
            n, cases, files = _anonymise_batch(persons, lo, hi, rule, actor=actor)
            outcome.persons[rule.name] += n
            outcome.cases += cases
            outcome.files += files
            done += n
            if progress:
                progress(
                    done, total, Told(ANONYMISED, rule=rule.name, n=outcome.persons[rule.name])
                )
    if outcome.total or outcome.files:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="retention",
            detail=_summary(outcome, today),
        )
    return outcome


def _summary(outcome: Outcome, today: dt.date) -> str:
    rules_done = ", ".join(f"{name} {n}" for name, n in outcome.persons.items() if n)
    return (
        f"retention run of {today}: {outcome.total} person(s) anonymised ({rules_done}); "
        f"{outcome.cases} case(s)' free text; {outcome.files} document file(s) deleted"
    )


def _ranges(persons: QuerySet, size: int) -> Iterator[tuple[int, int]]:
    """Primary-key ranges holding `size` persons due each, read by keyset: each range is a
    new query, so rows anonymised in the previous one are not read again. Batches are
    ranges, not lists of keys, so that no statement carries thousands of parameters."""
    last = 0
    while True:
        pks = list(persons.filter(pk__gt=last).values_list("pk", flat=True)[:size])
        if not pks:
            return
        yield pks[0], pks[-1]
        last = pks[-1]


@transaction.atomic
def _anonymise_batch(persons: QuerySet, lo: int, hi: int, rule: Rule, *, actor):
    """The persons due in [lo, hi], whole or not at all. Returns (persons anonymised,
    cases whose text was anonymised, document files deleted)."""
    now = timezone.now()
    due_now = persons.filter(pk__range=(lo, hi))
    files = _documents_shred(Document.objects.filter(person__in=due_now.values("pk")), actor)
    n = _persons_update(due_now, rule, now)
    done = Person.objects.filter(pk__range=(lo, hi), anonymised_at=now)
    keys = done.values("pk")
    _text_update(PERSON_TEXT, keys)
    Card.objects.filter(person__in=keys).update(
        token=Concat(Value("anonymised-"), Cast("pk", CharField()))
    )
    Merge.objects.filter(Q(survivor__in=keys) | Q(merged__in=keys)).exclude(
        record_values=""
    ).update(record_values="")
    cases = Case.objects.filter(pk__in=done.values("case_id")).exclude(
        members__anonymised_at__isnull=True
    )
    case_ids = list(cases.values_list("case_id", flat=True))
    if case_ids:
        files += _documents_shred(Document.objects.filter(case__in=cases.values("pk")), actor)
        _text_update(CASE_TEXT, Case.objects.filter(case_id__in=case_ids).values("pk"))
    detail = f"anonymised by retention rule {rule.name}"
    audit_records(
        actor=actor,
        entries=[
            *(
                (AuditEntry.Action.UPDATE, "person", pid, {"anonymised": ["", rule.name]})
                for pid in done.values_list("person_id", flat=True)
            ),
            *(
                (AuditEntry.Action.UPDATE, "case", cid, {}, "free text " + detail)
                for cid in case_ids
            ),
        ],
        detail=detail,
    )
    return n, len(case_ids), files


def _persons_update(persons: QuerySet, rule: Rule, now) -> int:
    return persons.update(
        given_name=MARKER,
        family_name=_marked("family_name"),
        father_name=_marked("father_name"),
        birth_date=TruncYear("birth_date"),
        birth_precision=When_(
            When(birth_date__isnull=True, then=F("birth_precision")), default=Value("Y")
        ),
        document_number="",
        phone="",
        document_number_bidx="",
        phone_bidx="",
        needs_detail="",
        search_keys="",
        anonymised_at=now,
        anonymised_rule=rule.name,
        version=F("version") + 1,
        updated_at=now,
    )


def _marked(name: str):
    """MARKER where the field had a value: "had a father's name" stays true."""
    return When_(When(**{name: ""}, then=Value("")), default=Value(MARKER))


def _text_update(targets, keys: QuerySet) -> None:
    for model, fk, name, kind in targets:
        rows = model.objects.filter(**{f"{fk}__in": keys}).exclude(**{name: ""})
        rows.update(**{name: MARKER if kind == "marker" else ""})


def _documents_shred(documents: QuerySet, actor) -> int:
    """Deletes the files of `documents` (delete_files), then destroys each version's key
    and name: a copy of a file left in a backup can no longer be opened. Files first: a
    failure after them leaves rows a rerun completes; the rows stay as the record."""
    files = 0
    versions = DocumentVersion.objects.filter(document__in=documents).exclude(storage_name="")
    touched = list(versions.values_list("pk", "document_id"))
    if not touched:
        return 0
    for document in Document.objects.filter(pk__in={d for _, d in touched}):
        files += delete_files(document)
    versions.update(storage_name="", wrapped_key="", filename=MARKER)
    audit_records(
        actor=actor,
        entries=[(AuditEntry.Action.PURGE, "document", pk) for pk, _ in touched],
        detail="file deleted and its key destroyed by retention",
    )
    return files
