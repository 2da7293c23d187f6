"""Pass 1: every row checked with the registry's field rules, errors gathered (none stops
the pass), clean rows spooled, and the per-file facts the writer needs."""

from __future__ import annotations

import datetime as dt
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_noop

from onward.db import among
from onward.refusals import Refusal, Told, define
from onward.registry import validation
from onward.registry.importing.common import (
    ARABIC_NAMES,
    BATCH,
    COLUMNS,
    ID_PATTERN,
    NEW,
    OPTIONAL,
    TEXT_LIMITS,
    ErrorSink,
    ImportRefused,
    Steps,
)
from onward.registry.importing.reading import NO_PERSON, check_header, iter_rows, rows_as_dicts
from onward.registry.models import Case, Person, SpecificNeed

# The row errors of the file as a whole, by code (onward/refusals.py): the report keeps
# the code and its parameters and shows them in its reader's language.
BAD_ID = define("id.invalid", gettext_noop("An id is 1–32 letters, digits or - _ . / (no spaces)."))
CHECKED = define("import.checked", gettext_noop("Checked %(count)s rows"))  # progress
NO_GIVEN_NAME = define("given_name.missing", gettext_noop("A person needs a given name."))
IN_TWO_CASES = define(
    "person.two_cases",
    gettext_noop(
        "Person %(person)s is also in case %(case)s (row %(row)s): a person is in one case only."
    ),
)
PERSON_TWICE = define(
    "person.twice",
    gettext_noop("Person %(person)s is already on row %(row)s: each person once."),
)
NO_CASE = define(
    "case_id.none",
    gettext_noop(
        "No case id, and no principal applicant's row with a blank case_id above to join: "
        "give the case id, or put the principal's row first."
    ),
)
MOVES_CASE = define(
    "person.moves_case",
    gettext_noop(
        "Person %(person)s is in case %(case)s in the registry: an import does not move a "
        "person to another case."
    ),
)
CASE_REMOVED = define(
    "case.removed", gettext_noop("Case %(case)s is removed from the registry: restore it first.")
)
PERSON_REMOVED = define(
    "person.removed",
    gettext_noop("Person %(person)s is removed from the registry: restore them first."),
)
CASE_CLOSED = define(
    "case.closed", gettext_noop("Case %(case)s is closed: reopen it before adding members.")
)
NO_PRINCIPAL = define(
    "case.no_principal",
    gettext_noop("Case %(case)s has no principal applicant: one member must be 'principal'."),
)
PRINCIPALS = define(
    "case.principals",
    gettext_noop(
        "Case %(case)s has %(count)s principal applicants (rows %(rows)s); a case has exactly one."
    ),
)
PRINCIPALS_WITH_REGISTRY = define(
    "case.principals_registry",
    gettext_noop(
        "Case %(case)s has %(count)s principal applicants (rows %(rows)s; in the registry: "
        "%(registered)s); a case has exactly one."
    ),
)

_MEMO_MAX = 50_000  # distinct values remembered per column (then forgotten, and again)


def _by_value(parse: Callable, copy: Callable | None = None) -> Callable:
    """`parse` run once per distinct value of a column, not once per cell: a column of
    100,000 cells holds a few hundred names, sexes, dates or codes. The answer (the clean
    value or the error's message) is remembered; the parsers are pure (today is fixed
    for the import)."""
    memo: dict[str, tuple[bool, object]] = {}

    def parsed(value: str):
        hit = memo.get(value)
        if hit is None:
            try:
                hit = (True, parse(value))
            except ValueError as exc:
                hit = (False, exc)
            if len(memo) >= _MEMO_MAX:
                memo.clear()
            memo[value] = hit
        ok, out = hit
        if not ok:
            # The same refusal again (its code kept), with a fresh traceback.
            raise out.with_traceback(None)
        return copy(out) if copy else out

    return parsed


class RowValidator:
    """The registry's field rules for one row, with every error collected.

    The parsers are bound once per import (`self.parsers`: column -> function), so a row
    costs one call per column and no lookup of what to do with it."""

    def __init__(self, today: dt.date | None = None):
        self.known_needs = set(
            SpecificNeed.objects.filter(active=True).values_list("code", flat=True)
        )
        self.today = today or timezone.localdate()
        known, today_ = self.known_needs, self.today

        def text(name):
            limit = TEXT_LIMITS.get(name, 255)

            def parse(value):
                return validation.parse_line(value, limit=limit)

            return parse

        document = text("document_number")
        self.parsers = (
            ("relationship", _by_value(validation.parse_relationship)),
            ("given_name", _by_value(text("given_name"))),
            ("family_name", _by_value(text("family_name"))),
            ("father_name", _by_value(text("father_name"))),
            ("sex", _by_value(validation.parse_sex)),
            ("birth_date", _by_value(lambda v: validation.parse_birth_date(v, today=today_))),
            ("nationality", _by_value(validation.parse_nationality)),
            # Nearly every document number and phone is its own: nothing to share.
            ("document_number", lambda v: validation.refuse_unreadable(document(v))),
            ("phone", validation.parse_phone),
            (
                "specific_needs",
                _by_value(lambda v: validation.parse_specific_needs(v, known=known), copy=list),
            ),
        )
        self.arabic = _by_value(validation.parse_arabic_name)
        self.arrival = _by_value(validation.parse_arrival_date)

    def clean(self, raw: dict, number: int, errors: ErrorSink) -> dict | None:
        clean: dict = {}
        ok = True
        get = raw.get
        for column in ("person_id", "case_id"):
            value = get(column, "").strip()
            if value and not ID_PATTERN.match(value):
                ok = False
                errors.add(number, column, get(column, ""), Refusal(BAD_ID))
            clean[column] = value
        for name, parse in self.parsers:
            try:
                clean[name] = parse(get(name, ""))
            except ValueError as exc:
                ok = False
                errors.add(number, name, get(name, ""), exc)
        for name in ARABIC_NAMES:  # only when the file has the column (see writing.py)
            if name in raw:
                try:
                    clean[name] = self.arabic(raw[name])
                except ValueError as exc:
                    ok = False
                    errors.add(number, name, raw[name], exc)
        if "birth_date" in clean:
            clean["birth_date"], clean["birth_precision"] = clean["birth_date"]
        if "given_name" in clean and not clean["given_name"]:
            ok = False
            errors.add(number, "given_name", get("given_name", ""), Refusal(NO_GIVEN_NAME))
        try:
            clean["arrival_date"] = self.arrival(get("arrival_date", ""))
        except ValueError as exc:
            ok = False
            errors.add(number, "arrival_date", get("arrival_date", ""), exc)
        return clean if ok else None


@dataclass
class _CaseFacts:
    first_row: int
    principals: int = 0
    principal_ids: list = field(default_factory=list)


def _id_number(value: str, prefix: str) -> int:
    digits = value[len(prefix) :]
    return int(digits) if value.startswith(prefix) and digits.isdigit() else 0


def validate_file(
    path,
    *,
    errors: ErrorSink,
    ignore_unknown: bool,
    progress: Callable | None,
    spool=None,
    steps: Steps | None = None,
) -> tuple[int, dict]:
    """Pass 1. Returns (rows, facts) with facts needed by pass 2. The clean rows go to
    `spool` (a binary temporary file) in pickled batches, so pass 2 neither reads nor
    checks the file again, and memory holds one batch."""
    header, rows = iter_rows(path, errors=errors)
    names = check_header(header, ignore_unknown=ignore_unknown)
    names = [n if n in COLUMNS or n in OPTIONAL else "" for n in names]
    validator = RowValidator()
    seen: dict[str, tuple[int, str]] = {}  # person_id -> (row, case_id)
    cases: dict[str, _CaseFacts] = {}
    high = {"P": 0, "C": 0}
    count = 0
    chunk: list[tuple[int, dict]] = []
    registered: set[str] = set()  # the file's person ids already in the registry
    blanks = _Blanks(errors)

    steps = steps if steps is not None else Steps()
    started = time.perf_counter()

    def check_chunk():
        with steps("pass 1: checks against the registry"):
            registered.update(_check_against_registry(chunk, errors))
        if spool is not None and not errors.count:
            with steps("pass 1: spool"):
                pickle.dump(
                    [clean for _row, clean in chunk], spool, protocol=pickle.HIGHEST_PROTOCOL
                )
        chunk.clear()

    for number, raw in rows_as_dicts(names, rows):
        count += 1
        clean = validator.clean(raw, number, errors)
        pid, cid = blanks.ids(raw, number)
        if clean is not None:
            clean.update(person_id=pid, case_id=cid, row=number)
        if pid:
            if pid in seen:
                first_row, first_case = seen[pid]
                if cid and first_case and cid != first_case:
                    errors.add(
                        number,
                        "case_id",
                        cid,
                        Refusal(
                            IN_TWO_CASES,
                            person=shown_id(pid),
                            case=first_case,
                            row=first_row,
                        ),
                    )
                else:
                    errors.add(
                        number,
                        "person_id",
                        pid,
                        Refusal(PERSON_TWICE, person=pid, row=first_row),
                    )
            else:
                seen[pid] = (number, cid)
        if cid:
            facts = cases.get(cid)
            if facts is None:
                facts = cases[cid] = _CaseFacts(first_row=number)
            # Counted from the raw value: a principal's row with other errors still is one.
            if raw.get("relationship", "").strip().lower() == "principal":
                facts.principals += 1
                if len(facts.principal_ids) < 3:
                    facts.principal_ids.append((number, pid))
        if clean is not None:
            high["P"] = max(high["P"], _id_number(pid, "P"))
            high["C"] = max(high["C"], _id_number(cid, "C"))
            chunk.append((number, clean))
            if len(chunk) >= BATCH:
                check_chunk()
        if progress and count % 1000 == 0:
            progress(count, None, Told(CHECKED, count=count))
    if chunk:
        check_chunk()
    if count == 0:
        raise ImportRefused(NO_PERSON)
    with steps("pass 1: checks against the registry"):
        _check_principals(cases, seen, errors)
    # What is left of the pass: reading the file and checking each row.
    steps.add(
        "pass 1: reading and validating rows",
        time.perf_counter()
        - started
        - steps.seconds.get("pass 1: checks against the registry", 0.0)
        - steps.seconds.get("pass 1: spool", 0.0),
    )
    return count, {"high": high, "registered": registered, "assigned": blanks.rows}


class _Blanks:
    """Placeholders for the ids a row leaves blank (see the module's docstring)."""

    def __init__(self, errors: ErrorSink):
        self.errors, self.open_case, self.rows = errors, "", 0

    def ids(self, raw: dict, number: int) -> tuple[str, str]:
        pid, cid = raw.get("person_id", "").strip(), raw.get("case_id", "").strip()
        if cid:
            self.open_case = ""  # a row naming its case ends the blank case above it
        elif raw.get("relationship", "").strip().lower() == "principal":
            cid = self.open_case = f"{NEW}{number}"
        elif self.open_case:
            cid = self.open_case
        else:
            self.errors.add(number, "case_id", "", Refusal(NO_CASE))
        if not pid:
            pid = f"{NEW}{number}"
        if pid.startswith(NEW) or cid.startswith(NEW):
            self.rows += 1
        return pid, cid


def shown_id(value: str) -> str:
    """An id as a message shows it: a placeholder is a blank cell of the file."""
    return "(blank: a new one)" if value.startswith(NEW) else value


def _check_against_registry(chunk: list[tuple[int, dict]], errors: ErrorSink) -> set[str]:
    """Rows against the registry: a person never moves case; closed cases take no one.
    Returns the chunk's person ids already registered."""
    existing, removed = {}, set()
    for pid, cid, removed_at in Person.objects.filter(
        person_id__in=among([c["person_id"] for _row, c in chunk])
    ).values_list("person_id", "case__case_id", "removed_at"):
        existing[pid] = cid
        if removed_at is not None:
            removed.add(pid)
    closed, removed_cases = set(), set()
    for cid, status, removed_at in Case.objects.filter(
        case_id__in=among({c["case_id"] for _row, c in chunk})
    ).values_list("case_id", "status", "removed_at"):
        if status != Case.Status.OPEN:
            closed.add(cid)
        # Removed records (registered in error) are restored on their page, not re-imported.
        if removed_at is not None:
            removed_cases.add(cid)
    for number, clean in chunk:
        pid, cid = clean["person_id"], clean["case_id"]
        if pid in existing and existing[pid] != cid:
            errors.add(
                number,
                "case_id",
                shown_id(cid),
                Refusal(MOVES_CASE, person=pid, case=existing[pid]),
            )
        elif cid in removed_cases:
            errors.add(number, "case_id", cid, Refusal(CASE_REMOVED, case=cid))
        elif pid in removed:
            errors.add(number, "person_id", pid, Refusal(PERSON_REMOVED, person=pid))
        elif pid not in existing and cid in closed:
            errors.add(number, "case_id", cid, Refusal(CASE_CLOSED, case=cid))
    return set(existing)


def _check_principals(cases: dict[str, _CaseFacts], seen: dict, errors: ErrorSink) -> None:
    """Each case of the file must end with exactly one principal applicant, counting those
    of the registry that the file does not mention."""
    ids = list(cases)
    kept: dict[str, list[str]] = {}
    for start in range(0, len(ids), BATCH):
        for cid, pid in Person.objects.filter(
            case__case_id__in=among(ids[start : start + BATCH]), relationship="principal"
        ).values_list("case__case_id", "person_id"):
            if pid not in seen:
                kept.setdefault(cid, []).append(pid)
    for cid, facts in cases.items():
        total = facts.principals + len(kept.get(cid, ()))
        if total == 0:
            errors.add(
                facts.first_row, "relationship", cid, Refusal(NO_PRINCIPAL, case=shown_id(cid))
            )
        elif total > 1:
            rows = ", ".join(f"{r} ({shown_id(p)})" for r, p in facts.principal_ids)
            registered = ", ".join(kept.get(cid, ()))
            row = facts.principal_ids[-1][0] if facts.principal_ids else facts.first_row
            if registered:
                refusal = Refusal(
                    PRINCIPALS_WITH_REGISTRY,
                    case=shown_id(cid),
                    count=total,
                    rows=rows or "-",
                    registered=registered,
                )
            else:
                refusal = Refusal(PRINCIPALS, case=shown_id(cid), count=total, rows=rows)
            errors.add(row, "relationship", cid, refusal)
