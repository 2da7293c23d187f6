""" "Who can fly on D" for a pledge in one indexed query (docs/readiness.md, "Who can fly
on D: the latest facts").

`readiness_latestfact` holds, per person and kind, the latest fact (by date, then as
recorded), kept by the database in the transaction that writes a fact (migration 0004).
On any date D on or after that fact's date it is the fact the engine lets decide
(`engine.latest_by_kind`), so the SQL below decides each requirement as `engine.decide`
does, with the pledge's own validity (days, hours before departure) joined in:

- met: waived, or passed with `valid_until` (if any) on or after D and its date no
  earlier than D minus the shortest of `valid_days` and `valid_hours_before_departure //
  24`;
- a per-case requirement: the latest of the latest facts of the case's current members.

A person some of whose latest facts are dated after D (a fact recorded ahead, or D in
the past: "as of" a date) is not decided by the table: those persons, and only those,
are evaluated from their facts by the engine (`matrix.case_facts`), so a date in the
past is always right and costs what the old reading cost for the persons it concerns.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from onward.readiness import engine
from onward.replica import reading

NEVER = dt.date(1, 1, 1)  # no limit from the fact's date


def min_on(req: engine.Requirement, on: dt.date) -> dt.date:
    """The earliest date a passed fact may carry and still be valid on `on`."""
    days = [d for d in (req.valid_days,) if d is not None]
    if req.valid_hours_before_departure is not None:
        days.append(req.valid_hours_before_departure // 24)
    return on - dt.timedelta(days=min(days)) if days else NEVER


def _query(
    pledge, on: dt.date, requirements: list[engine.Requirement], rows_of=None, vendor=""
) -> tuple[str, list]:
    """The SQL of who_can_fly: (person pk, case pk, requirements met, any latest fact
    dated after `on`) for the candidates that are ready or must be asked of the engine;
    `rows_of` (person pks): instead, those persons' decisive rows (person pk, kind,
    status, date, valid until)."""
    day_end = timezone.make_aware(dt.datetime.combine(on + dt.timedelta(days=1), dt.time()))
    candidates = (
        "SELECT p.id, p.case_id FROM registry_person p "
        "JOIN relocation_submission s ON s.case_id = p.case_id "
        "WHERE s.decision = 'accepted' AND s.pledge_id = %s AND s.decided_at < %s "
        "AND p.merged_into_id IS NULL AND p.removed_at IS NULL "
        "AND (p.departure_date IS NULL OR p.departure_date > %s)"
    )
    params: list = [pledge.pk, day_end, on]
    if rows_of is not None:
        if vendor == "postgresql":
            candidates += " AND p.id = ANY(%s)"
            params.append(sorted(rows_of))
        else:
            candidates += f" AND p.id IN ({', '.join(['%s'] * len(rows_of))})"
            params += sorted(rows_of)
    if not requirements:
        return (
            f"SELECT c.id, c.case_id, 0, 0 FROM ({candidates}) c ORDER BY c.case_id, c.id",
            params,
        )
    own = [r.kind for r in requirements if not r.per_case]
    shared = [r.kind for r in requirements if r.per_case]
    decisive = []
    if own:
        decisive.append(
            'SELECT c.id, c.case_id, x.kind, x.status, x."on", x.valid_until FROM cand c '
            "JOIN readiness_latestfact x ON x.person_id = c.id "
            f"WHERE x.kind IN ({', '.join(['%s'] * len(own))})"
        )
    if shared:
        # The case's latest among its current members' latest facts (any of them dated
        # after `on` is then the latest one: the person is decided by the engine).
        decisive.append(
            'SELECT c.id, c.case_id, m.kind, m.status, m."on", m.valid_until FROM cand c '
            'JOIN (SELECT q.case_id, x.kind, x.status, x."on", x.valid_until, ROW_NUMBER() '
            'OVER (PARTITION BY q.case_id, x.kind ORDER BY x."on" DESC, x.fact_id DESC) AS n '
            "FROM registry_person q JOIN readiness_latestfact x ON x.person_id = q.id "
            "WHERE q.case_id IN (SELECT case_id FROM cand) "
            "AND q.merged_into_id IS NULL AND q.removed_at IS NULL "
            f"AND x.kind IN ({', '.join(['%s'] * len(shared))})"
            ") m ON m.case_id = c.case_id AND m.n = 1"
        )
    # The earliest date a passed fact may carry, per kind (a CASE over the few kinds
    # with a limit: cheaper than joining a table of them to 100,000 rows).
    limited = [(r.kind, min_on(r, on)) for r in requirements if min_on(r, on) != NEVER]
    if limited:
        earliest = "CASE d.kind " + "WHEN %s THEN %s " * len(limited) + "ELSE %s END"
        earliest_params = [v for pair in limited for v in pair] + [NEVER]
    else:
        earliest, earliest_params = "%s", [NEVER]
    met = (
        "SUM(CASE WHEN d.\"on\" <= %s AND (d.status = 'waived' OR (d.status = 'passed' "
        f'AND d."on" >= {earliest} AND (d.valid_until IS NULL OR d.valid_until >= %s))) '
        "THEN 1 ELSE 0 END)"
    )
    met_params = [on, *earliest_params, on]
    ahead = 'MAX(CASE WHEN d."on" > %s THEN 1 ELSE 0 END)'
    if rows_of is not None:
        sql = (
            f"WITH cand AS ({candidates}), d AS ({' UNION ALL '.join(decisive)}) "
            'SELECT d.id, d.kind, d.status, d."on", d.valid_until FROM d'
        )
        return sql, [*params, *own, *shared]
    sql = (
        f"WITH cand AS ({candidates}), d AS ({' UNION ALL '.join(decisive)}) "
        f"SELECT d.id, d.case_id, {met} AS met, {ahead} AS ahead FROM d "
        f"GROUP BY d.id, d.case_id HAVING {met} = %s OR {ahead} = 1 "
        "ORDER BY d.case_id, d.id"
    )
    params += [*own, *shared, *met_params, on, *met_params, len(requirements), on]
    return sql, params


def _run(sql: str, params: list, explain: bool = False) -> list:
    """The query on the page's connection (the replica when the page reads it). On
    PostgreSQL without JIT: the planner's estimate of the join (millions of rows, where
    a pledge has 100,000) is over `jit_above_cost`, and compiling took a second for a
    query of 100 ms (EXPLAIN ANALYZE, docs/benchmarks.md); `SET LOCAL` in a transaction
    of its own, as a transaction pooler needs (inside a caller's transaction, for the
    rest of it)."""
    db = reading()
    if db.vendor != "postgresql":
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    with transaction.atomic(using=db.alias), db.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        # Nor parallel workers: starting them cost more than the 5,000 candidates.
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute(("EXPLAIN (ANALYZE, BUFFERS) " if explain else "") + sql, params)
        return cursor.fetchall()


def who_can_fly(pledge, on: dt.date) -> list[tuple[int, int]]:
    """[(person pk, case pk)] of the pledge's persons (the matrix's: current members of
    its cases accepted by the end of `on`, not departed by then) ready on `on`, in case
    order: the engine's verdict (tests/test_latest.py holds them equal)."""
    from onward.readiness.matrix import effective_requirements

    requirements = effective_requirements([pledge])[pledge.pk]
    sql, params = _query(pledge, on, requirements)
    rows = _run(sql, params)
    later = {pk: case for pk, case, _met, ahead in rows if ahead}
    ready_later = set()
    if later:  # decided by the engine, as of `on` (a date in the past)
        ready_later = _engine_ready(pledge, on, requirements, later)
    return [
        (pk, case)
        for pk, case, met, ahead in rows
        if (pk in ready_later if ahead else met == len(requirements))
    ]


def _engine_ready(pledge, on, requirements, later: dict[int, int]) -> set[int]:
    """Of the persons {pk: case pk} with a latest fact dated after `on`, who is ready on
    `on`, by the engine: a kind whose decisive row is dated after `on` from its facts
    (`matrix.case_facts`, those kinds only), every other kind from its row."""
    from onward.readiness.matrix import case_facts

    vendor = reading().vendor
    rows: dict[int, list] = {pk: [] for pk in later}
    keys = sorted(later)
    step = len(keys) if vendor == "postgresql" else 5000  # SQLite: its variables' limit
    for start in range(0, len(keys), step):
        chunk = keys[start : start + step]
        sql, params = _query(pledge, on, requirements, rows_of=chunk, vendor=vendor)
        for pk, kind, status, day, until in _run(sql, params):
            rows[pk].append((kind, status, day, until))
    ahead = {pk: {k for k, _s, day, _u in mine if day > on} for pk, mine in rows.items()}
    kinds = set().union(*ahead.values())
    facts = case_facts(later, {r.kind for r in requirements if r.per_case}, on, kinds=kinds)
    ready = set()
    for pk, mine in rows.items():
        known = [engine.Fact(k, st, day, until) for k, st, day, until in mine if k not in ahead[pk]]
        earlier = [f for f in facts[pk] if f.kind in ahead[pk]]
        if engine.evaluate(requirements, known + earlier, on).ready:
            ready.add(pk)
    return ready


def explain(pledge, on: dt.date) -> str:
    """EXPLAIN ANALYZE of who_can_fly's query on PostgreSQL (bench/readiness_bench.py)."""
    from onward.readiness.matrix import effective_requirements

    sql, params = _query(pledge, on, effective_requirements([pledge])[pledge.pk])
    return "\n".join(row[0] for row in _run(sql, params, explain=True))
