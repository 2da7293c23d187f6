"""The readiness matrix across pledges and countries (docs/readiness.md, "The matrix").

A page is read along the index, never the whole scope: the persons of the pledges'
accepted cases in case order after the previous page's last key (keyset paging), in
chunks, each chunk's facts read in one query and evaluated by the pure engine, kept when
they pass the filters ("who can fly on D", "expires within 14 days", "blocked by R")
until the page is full. The filters are therefore the engine's verdicts by construction
(tests/test_matrix.py checks them against an evaluation person by person). Per-case requirements (`per_case`) are met by a fact recorded on
any current member of the case: `case_facts` merges them, as the SQL does.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from onward.readiness import engine
from onward.readiness.models import Fact, Kind, Requirement
from onward.replica import reading

EXPIRING_DAYS = 14
PER_PAGE = 50


def effective_requirements(pledges) -> dict[int, list[engine.Requirement]]:
    """{pledge pk: its requirements}: the country's, each replaced by the pledge's own of
    the same kind (selectors.requirements_for, for many pledges in two queries)."""
    countries = {p.country for p in pledges}
    by_country: dict[str, dict[str, Requirement]] = defaultdict(dict)
    for r in Requirement.objects.filter(country__in=countries, pledge__isnull=True):
        by_country[r.country][r.kind] = r
    own: dict[int, dict[str, Requirement]] = defaultdict(dict)
    for r in Requirement.objects.filter(pledge__in=[p.pk for p in pledges]):
        own[r.pledge_id][r.kind] = r
    out = {}
    for p in pledges:
        kinds = {**by_country[p.country], **own[p.pk]}
        out[p.pk] = [
            engine.Requirement(r.kind, r.valid_days, r.per_case, r.valid_hours_before_departure)
            for r in sorted(kinds.values(), key=lambda r: r.kind)
        ]
    return out


@dataclass(frozen=True)
class Filters:
    on: dt.date
    ready: bool = False
    expiring: bool = False
    blocked: str = ""  # a requirement kind

    @property
    def any(self) -> bool:
        return self.ready or self.expiring or bool(self.blocked)


def _in(ids) -> tuple[str, list]:
    ids = list(ids)
    return "(" + ", ".join(["%s"] * len(ids)) + ")", ids


def candidates(pledge_ids, on: dt.date, after: tuple[int, int] | None, limit: int):
    """[(person pk, case pk, pledge pk)]: the current members of cases accepted (by the
    end of `on`) under the pledges, not departed by then, after the key `after`
    (case pk, person pk), in that order: an index walk, so a page of a million persons
    costs what a page costs."""
    sql_in, ids = _in(pledge_ids)
    day_end = timezone.make_aware(dt.datetime.combine(on + dt.timedelta(days=1), dt.time()))
    params: list = [*ids, day_end, on]
    keyset = ""
    if after is not None:
        # `case_id >= a` first: a range the index on case_id serves (an OR alone is not);
        # on the submission too, where the index by (pledge, case) serves it (PostgreSQL
        # carries equalities across the join, not ranges).
        keyset = " AND s.case_id >= %s AND p.case_id >= %s AND (p.case_id > %s OR p.id > %s)"
        params += [after[0], after[0], after[0], after[1]]
    sql = (
        "SELECT p.id, p.case_id, s.pledge_id FROM registry_person p "
        "JOIN relocation_submission s ON s.case_id = p.case_id "
        f"WHERE s.decision = 'accepted' AND s.pledge_id IN {sql_in} AND s.decided_at < %s "
        "AND p.merged_into_id IS NULL AND p.removed_at IS NULL "
        "AND (p.departure_date IS NULL OR p.departure_date > %s)"
        f"{keyset} ORDER BY p.case_id, p.id LIMIT %s"
    )
    # The replica when the page reads it (onward/replica.py), like its ORM queries.
    with reading().cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        return cursor.fetchall()


def keeps(f: Filters, requirements: list[engine.Requirement], facts: list[engine.Fact]) -> bool:
    """Whether one person passes the filters on `f.on` (the engine decides)."""
    latest = engine.latest_by_kind(facts, f.on)
    if f.ready and any(engine.decide(r, latest.get(r.kind), f.on) for r in requirements):
        return False
    if f.blocked:
        req = next((r for r in requirements if r.kind == f.blocked), None)
        if req is None or engine.decide(req, latest.get(req.kind), f.on) is None:
            return False
    if f.expiring:
        horizon = f.on + dt.timedelta(days=EXPIRING_DAYS)
        ends = (_expires(r, latest.get(r.kind), f.on) for r in requirements)
        if not any(e is not None and f.on <= e <= horizon for e in ends):
            return False
    return True


@dataclass
class Page:
    rows: list  # [(person pk, case pk, pledge pk, facts)]
    has_next: bool
    requirements: dict[int, list[engine.Requirement]]

    @property
    def after(self) -> str:
        """The key of the next page (`?after=`)."""
        last = self.rows[-1]
        return f"{last[1]}.{last[0]}"


CHUNK = 200


def page(pledges, f: Filters, after: tuple[int, int] | None = None, per_page: int = PER_PAGE):
    """One page of the matrix: persons in case order after `after`, read in chunks along
    the index and kept when the engine says they pass the filters, until the page is
    full. No filter: one chunk. A filter that keeps few reads on (chunks double)."""
    pledges = list(pledges)
    requirements = effective_requirements(pledges)
    ids = [p.pk for p in pledges]
    per_case = {r.kind for reqs in requirements.values() for r in reqs if r.per_case}
    rows: list = []
    limit = per_page + 1 if not f.any else CHUNK
    # "Blocked by R" alone is decided by R's facts: the chunks read only those (one fact a
    # person, not twenty), and the page's persons then their whole facts for the cells.
    only = {f.blocked} if f.blocked and not (f.ready or f.expiring) else None
    while ids and len(rows) <= per_page:
        chunk = candidates(ids, f.on, after, limit)
        if not chunk:
            break
        facts = case_facts({pk: case for pk, case, _ in chunk}, per_case, f.on, kinds=only)
        for pk, case, pledge_id in chunk:
            if not f.any or keeps(f, requirements[pledge_id], facts[pk]):
                rows.append((pk, case, pledge_id, facts[pk]))
        if len(chunk) < limit:
            break
        after = (chunk[-1][1], chunk[-1][0])
        limit = min(limit * 2, 4000)
    rows = rows[: per_page + 1]
    if only is not None and rows:
        whole = case_facts({r[0]: r[1] for r in rows}, per_case, f.on)
        rows = [(pk, case, pledge_id, whole[pk]) for pk, case, pledge_id, _ in rows]
    return Page(rows[:per_page], len(rows) > per_page, requirements)


def parse_after(raw: str) -> tuple[int, int] | None:
    """`?after=<case pk>.<person pk>`; None for the first page or anything else."""
    case, dot, person = raw.partition(".")
    if dot and case.isdigit() and person.isdigit() and len(raw) < 40:
        return int(case), int(person)
    return None


def case_facts(
    case_of: dict[int, int], kinds_per_case: set[str], on: dt.date, kinds: set[str] | None = None
):
    """{person pk: facts recorded by `on`, in the engine's order} for {person pk: case pk},
    a per-case kind's facts being those of every current member of the person's case;
    `kinds`: only the facts of these kinds (None: all)."""
    from onward.registry.models import Person

    if kinds is not None:
        kinds_per_case = kinds_per_case & kinds
    mates: dict[int, list[int]] = defaultdict(list)
    if kinds_per_case:
        for pk, case_id in Person.objects.filter(
            case_id__in=set(case_of.values()), merged_into__isnull=True, removed_at__isnull=True
        ).values_list("pk", "case_id"):
            mates[case_id].append(pk)
    wanted = set(case_of) | {pk for ids in mates.values() for pk in ids}
    own: dict[int, list] = defaultdict(list)
    for row in _fact_rows(wanted, on, kinds):
        own[row[1]].append(row)
    out: dict[int, list[engine.Fact]] = {}
    for pk, case_id in case_of.items():
        if not kinds_per_case:  # the person's own facts, already in the engine's order
            out[pk] = [engine.Fact(r[2], r[3], r[4], r[5]) for r in own[pk]]
            continue
        rows = [r for r in own[pk] if r[2] not in kinds_per_case]
        for mate in mates.get(case_id, []):
            rows += [r for r in own[mate] if r[2] in kinds_per_case]
        rows.sort(key=lambda r: (r[4], r[0]))
        out[pk] = [engine.Fact(r[2], r[3], r[4], r[5]) for r in rows]
    return out


def _fact_rows(person_ids: set[int], on: dt.date, kinds: set[str] | None):
    """(id, person pk, kind, status, on, valid_until) of the persons' facts recorded by
    `on`, in (on, id) order. On PostgreSQL the persons go as one array (`= ANY(%s)`):
    thousands of `IN (%s, …)` placeholders cost more to build and parse than the rows
    (a pledge's whole list: 5,000 persons)."""
    db = reading()  # the replica when the page reads it, like the ORM's queries
    if db.vendor != "postgresql":
        facts = Fact.objects.filter(person_id__in=person_ids, on__lte=on)
        if kinds is not None:
            facts = facts.filter(kind__in=sorted(kinds))
        return facts.order_by("on", "id").values_list(
            "id", "person_id", "kind", "status", "on", "valid_until"
        )
    sql = (
        'SELECT id, person_id, kind, status, "on", valid_until FROM readiness_fact '
        'WHERE person_id = ANY(%s) AND "on" <= %s'
    )
    params: list = [sorted(person_ids), on]
    if kinds is not None:
        sql += " AND kind = ANY(%s)"
        params.append(sorted(kinds))
    with db.cursor() as cursor:
        cursor.execute(sql + ' ORDER BY "on", id', params)
        return cursor.fetchall()


def cell(req: engine.Requirement, facts: list[engine.Fact], on: dt.date) -> str:
    """passed / waived, or the blocker's reason (missing, pending, failed, expired)."""
    return _cell(req, engine.latest_by_kind(facts, on).get(req.kind), on)


def _cell(req: engine.Requirement, latest: engine.Fact | None, on: dt.date) -> str:
    blocker = engine.decide(req, latest, on)
    if blocker is not None:
        return blocker.reason
    return engine.WAIVED if latest is not None and latest.status == engine.WAIVED else engine.PASSED


def expires(req: engine.Requirement, facts: list[engine.Fact], on: dt.date) -> dt.date | None:
    """When the passed fact meeting `req` on `on` stops being valid (None: never, or not met)."""
    return _expires(req, engine.latest_by_kind(facts, on).get(req.kind), on)


def _expires(req: engine.Requirement, latest: engine.Fact | None, on: dt.date) -> dt.date | None:
    if latest is None or latest.status != engine.PASSED or engine.decide(req, latest, on):
        return None
    return engine._expiry(req, latest)


def columns(requirements: dict[int, list[engine.Requirement]], pledge_ids) -> list[str]:
    """The requirement kinds of these pledges, in the catalogue's order."""
    kinds = {r.kind for pk in pledge_ids for r in requirements.get(pk, [])}
    return [k for k in Kind.values if k in kinds] + sorted(kinds - set(Kind.values))


def evaluate_page(pg: Page, on: dt.date):
    """The page's persons with their engine verdicts: [(person, pledge pk, readiness,
    {kind: (requirement, cell, expires)})], persons read with their case."""
    from onward.registry.models import Person

    persons = Person.objects.select_related("case").in_bulk([r[0] for r in pg.rows])
    out = []
    for pk, _case, pledge_id, facts in pg.rows:
        reqs = pg.requirements[pledge_id]
        latest = engine.latest_by_kind(facts, on)
        out.append(
            (
                persons[pk],
                pledge_id,
                engine.evaluate(reqs, facts, on),
                {
                    r.kind: (
                        r,
                        _cell(r, latest.get(r.kind), on),
                        _expires(r, latest.get(r.kind), on),
                    )
                    for r in reqs
                },
            )
        )
    return out
