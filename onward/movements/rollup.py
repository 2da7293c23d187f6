"""The rollups: the ledger summed per day and per month, by sex, birth year, need and
nationality.

Why: the population on a date is a sum over the whole ledger up to that date, which at
5,000,000 entries takes seconds. The rollups hold the same sums per (day | month,
dimension, value), written in the same transaction as each ledger entry
(`LedgerEntry.save` and `ledger_arrivals` call `rollup_add`), so

    population on d = Σ RollupMonth for the months before d's month
                    + Σ RollupDay from the first of d's month up to d

reads a few thousand rows whatever the size of the ledger.

A breakdown counts each person under their *current* sex, birth year, needs and
nationality, as the
ledger joined to the registry does: `RollupDims` remembers the attributes a person's
entries were counted under, and `person_dims_sync` moves them when the registry changes
(called on every save of a person and every change of their needs, in that transaction).

Age is "age reached in the year": on date d a person born in year y is d.year − y. The
naive reference (`ledger_breakdown_naive`) uses the same rule, so both agree exactly.

Invariant (checked by `rollup_check`, by `onward reconcile` and by the tests): for every
(day, dimension, value), RollupDay.delta equals the sum of the ledger's deltas of that
day for persons whose current attributes have that value; RollupMonth is the sum of its
days.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection
from django.db.models import Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext

from onward.db import among_ids
from onward.movements import sql
from onward.registry import codes

DIMS = ("total", "sex", "birth_year", "need", "nationality")
UNKNOWN = "unknown"

Dims = tuple[str, int | None, str, str]  # sex, birth year, needs "A;B", nationality


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _keys(dims: Dims) -> list[tuple[str, str]]:
    sex, year, needs, nationality = dims
    keys = [
        ("total", ""),
        ("sex", sex or ""),
        ("birth_year", str(year) if year else ""),
        ("nationality", nationality or ""),
    ]
    keys += [("need", code) for code in needs.split(";")] if needs else [("need", "")]
    return keys


def current_dims(person_ids: Iterable[int]) -> dict[int, Dims]:
    """The registry's attributes of these persons now."""
    ids = list(set(person_ids))
    year = sql.birth_year()
    dims: dict[int, Dims] = {}
    needs: dict[int, list[str]] = defaultdict(list)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 50000):
            where, params = among_ids("id", ids[start : start + 50000])
            cursor.execute(
                f"SELECT id, sex, {year}, nationality FROM registry_person WHERE {where}", params
            )
            for pk, sex, birth_year, nationality in cursor.fetchall():
                dims[pk] = (sex or "", birth_year, "", nationality or "")
            where, params = among_ids("person_id", ids[start : start + 50000])
            cursor.execute(
                "SELECT person_id, specificneed_id FROM "
                f"registry_person_specific_needs WHERE {where}",
                params,
            )
            for pk, code in cursor.fetchall():
                needs[pk].append(code)
    for pk, codes_ in needs.items():
        if pk in dims:
            sex, year_, _, nationality = dims[pk]
            dims[pk] = (sex, year_, ";".join(sorted(codes_)), nationality)
    return dims


def _dims_for(person_ids: set[int]) -> dict[int, Dims]:
    """The attributes each person's entries are counted under; recorded on first use."""
    known = {}
    ids = list(person_ids)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 50000):
            where, params = among_ids("person_id", ids[start : start + 50000])
            cursor.execute(
                "SELECT person_id, sex, birth_year, needs, nationality FROM "
                f"movements_rollupdims WHERE {where}",
                params,
            )
            known.update((row[0], row[1:]) for row in cursor.fetchall())
        missing = person_ids - known.keys()
        if missing:
            fresh = current_dims(missing)
            cursor.executemany(
                "INSERT INTO movements_rollupdims (person_id, sex, birth_year, "
                "needs, nationality) VALUES (%s, %s, %s, %s, %s)",
                [(pk, *d) for pk, d in sorted(fresh.items())],
            )
            known.update(fresh)
    return known


def _upsert(day_sums: dict, month_sums: dict) -> None:
    """Adds the sums to their rows, creating rows as needed. Keys are sorted so that
    concurrent writers lock rows in the same order (no deadlock)."""
    from onward.movements.models import RollupDay, RollupMonth

    for model, column, sums in ((RollupDay, "date", day_sums), (RollupMonth, "month", month_sums)):
        rows = [(k[0], k[1], k[2], v) for k, v in sorted(sums.items()) if v]
        if not rows:
            continue
        table = connection.ops.quote_name(model._meta.db_table)
        sql = (
            f"INSERT INTO {table} ({column}, dim, value, delta) VALUES (%s, %s, %s, %s) "
            f"ON CONFLICT ({column}, dim, value) DO UPDATE "
            f"SET delta = {table}.delta + excluded.delta"
        )
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 5000):
                cursor.executemany(sql, rows[start : start + 5000])


def _sums(items: Iterable[tuple[dt.date, Dims, int]]) -> tuple[dict, dict]:
    day_sums: dict = defaultdict(int)
    month_sums: dict = defaultdict(int)
    for day, dims, delta in items:
        month = month_of(day)
        for dim, value in _keys(dims):
            day_sums[(day, dim, value)] += delta
            month_sums[(month, dim, value)] += delta
    return day_sums, month_sums


def rollup_add(entries: Iterable[tuple[dt.date, int, int]]) -> None:
    """Counts ledger entries (date, person pk, delta) in the rollups. Call it in the
    transaction that writes the entries."""
    entries = list(entries)
    if not entries:
        return
    if sql.is_postgresql():
        sql.pg_rollup_add(entries)
        return
    dims = _dims_for({pk for _, pk, _ in entries})
    _upsert(*_sums((day, dims[pk], delta) for day, pk, delta in entries))


def person_dims_sync(person_ids: Iterable[int]) -> int:
    """Moves the entries of persons whose sex, birth year, needs or nationality changed to
    their new values in the rollups. Returns how many persons moved."""
    from onward.movements.models import LedgerEntry, RollupDims

    recorded = {r.person_id: r for r in RollupDims.objects.filter(person_id__in=list(person_ids))}
    if not recorded:
        return 0
    now = current_dims(recorded)
    moved = [pk for pk, r in recorded.items() if pk in now and r.dims != now[pk]]
    if not moved:
        return 0
    items = []
    for pk, day, delta in LedgerEntry.objects.filter(person_id__in=moved).values_list(
        "person_id", "date", "delta"
    ):
        items.append((day, recorded[pk].dims, -delta))
        items.append((day, now[pk], delta))
    _upsert(*_sums(items))
    for pk in moved:
        fresh = RollupDims.of(pk, now[pk])
        RollupDims.objects.filter(person_id=pk).update(
            sex=fresh.sex,
            birth_year=fresh.birth_year,
            needs=fresh.needs,
            nationality=fresh.nationality,
        )
    return len(moved)


# -- reading ------------------------------------------------------------------------------


def _rollup_sums(day: dt.date, dims: Iterable[str]) -> dict[tuple[str, str], int]:
    from onward.movements.models import RollupDay, RollupMonth

    dims = list(dims)
    first = month_of(day)
    sums: dict = defaultdict(int)
    for qs in (
        RollupMonth.objects.filter(month__lt=first, dim__in=dims),
        RollupDay.objects.filter(date__gte=first, date__lte=day, dim__in=dims),
    ):
        for dim, value, n in (
            qs.values_list("dim", "value").annotate(n=Sum("delta")).values_list("dim", "value", "n")
        ):
            sums[(dim, value)] += n
    return sums


def rollup_total_on(day: dt.date) -> int:
    return _rollup_sums(day, ["total"]).get(("total", ""), 0)


def age_band(age: int | None) -> str:
    if age is None:
        return UNKNOWN
    for low, high in codes.AGE_BANDS:
        if low <= age <= high:
            return f"{low}-{high}"
    return UNKNOWN  # born after the date asked: a data error, shown rather than hidden


def age_band_labels() -> dict[str, str]:
    labels = {f"{lo}-{hi}": (f"{lo}–{hi}" if hi < 200 else f"{lo}+") for lo, hi in codes.AGE_BANDS}
    return {**labels, UNKNOWN: gettext("Unknown")}


def _breakdown(day: dt.date, sums: dict[tuple[str, str], int]) -> dict:
    by_sex = {k: 0 for k in codes.SEX}
    by_age = {k: 0 for k in age_band_labels()}
    by_need = {k: 0 for k in codes.SPECIFIC_NEEDS}
    by_need["none"] = 0
    by_nationality: dict[str, int] = defaultdict(int)
    total = 0
    for (dim, value), n in sums.items():
        if dim == "total":
            total += n
        elif dim == "sex":
            by_sex[value or "X"] = by_sex.get(value or "X", 0) + n
        elif dim == "birth_year":
            band = age_band(day.year - int(value)) if value else UNKNOWN
            by_age[band] += n
        elif dim == "need":
            by_need[value or "none"] = by_need.get(value or "none", 0) + n
        elif dim == "nationality":
            by_nationality[value or UNKNOWN] += n
    # Nationalities are open-ended (ISO codes): only those with persons present are listed.
    by_nationality = {k: n for k, n in by_nationality.items() if n}
    return {
        "on": day,
        "total": total,
        "by_sex": by_sex,
        "by_age_band": by_age,
        "by_need": by_need,
        "by_nationality": by_nationality,
    }


def rollup_breakdown(day: dt.date) -> dict:
    """The population on `day`: total, by sex (unknown counted as X), by age band
    (age reached in the year), by specific need (a person with two needs counts under
    each; "none" for persons without any), by nationality (ISO code, "unknown" when not
    recorded; only those with persons present). From the rollups."""
    return _breakdown(day, _rollup_sums(day, DIMS))


def ledger_breakdown_naive(day: dt.date) -> dict:
    """The same figures summed over the whole ledger joined to persons: the reference
    the rollups are checked (and benchmarked) against."""
    from onward.movements.models import LedgerEntry

    base = LedgerEntry.objects.filter(date__lte=day)
    sums: dict = defaultdict(int)
    sums[("total", "")] = base.aggregate(n=Sum("delta"))["n"] or 0
    for sex, n in (
        base.values_list("person__sex").annotate(n=Sum("delta")).values_list("person__sex", "n")
    ):
        sums[("sex", sex or "")] += n
    for year, n in (
        base.annotate(y=ExtractYear("person__birth_date"))
        .values_list("y")
        .annotate(n=Sum("delta"))
        .values_list("y", "n")
    ):
        sums[("birth_year", str(year) if year else "")] += n
    for code, n in (
        base.values_list("person__specific_needs__code")
        .annotate(n=Sum("delta"))
        .values_list("person__specific_needs__code", "n")
    ):
        sums[("need", code or "")] += n
    for nationality, n in (
        base.values_list("person__nationality")
        .annotate(n=Sum("delta"))
        .values_list("person__nationality", "n")
    ):
        sums[("nationality", nationality or "")] += n
    return _breakdown(day, sums)


def rollup_monthly_series(start: dt.date, end: dt.date) -> list[dict]:
    """The population at the end of each month from `start`'s month to `end`'s, with the
    month's movements in and out (total only: one small query)."""
    from onward.movements.models import RollupMonth

    first, last = month_of(start), month_of(end)
    before = (
        RollupMonth.objects.filter(month__lt=first, dim="total").aggregate(n=Sum("delta"))["n"] or 0
    )
    net = dict(
        RollupMonth.objects.filter(month__gte=first, month__lte=last, dim="total").values_list(
            "month", "delta"
        )
    )
    series, running, month = [], before, first
    while month <= last:
        running += net.get(month, 0)
        nxt = (month + dt.timedelta(days=32)).replace(day=1)
        series.append(
            {
                "month": month,
                "end": nxt - dt.timedelta(days=1),
                "net": net.get(month, 0),
                "population": running,
            }
        )
        month = nxt
    return series


def ledger_monthly_series_naive(start: dt.date, end: dt.date) -> list[dict]:
    """The reference: the ledger itself summed per day (one pass over every entry), then
    accumulated per month."""
    from onward.movements.models import LedgerEntry

    per_day = (
        LedgerEntry.objects.values_list("date").annotate(n=Sum("delta")).values_list("date", "n")
    )
    per_month: dict = defaultdict(int)
    before = 0
    first = month_of(start)
    for day, n in per_day:
        if day < first:
            before += n
        else:
            per_month[month_of(day)] += n
    series, running, month = [], before, first
    while month <= month_of(end):
        nxt = (month + dt.timedelta(days=32)).replace(day=1)
        running += per_month.get(month, 0)
        series.append(
            {
                "month": month,
                "end": nxt - dt.timedelta(days=1),
                "net": per_month.get(month, 0),
                "population": running,
            }
        )
        month = nxt
    return series


# -- checking and rebuilding --------------------------------------------------------------


def _expected_day_sums() -> dict:
    """The rollup's rows as the ledger and the registry say they should be."""
    from onward.movements.models import LedgerEntry

    per_person_day: dict = defaultdict(int)
    for pk, day, delta in LedgerEntry.objects.values_list("person_id", "date", "delta").iterator(
        chunk_size=20000
    ):
        per_person_day[(pk, day)] += delta
    dims = current_dims({pk for pk, _ in per_person_day})
    day_sums, _ = _sums((day, dims[pk], d) for (pk, day), d in per_person_day.items() if d)
    return {k: v for k, v in day_sums.items() if v}


def rollup_check() -> list[str]:
    """Every disagreement between the rollups and the ledger, as readable lines."""
    from onward.movements.models import RollupDay, RollupMonth

    problems = []
    expected = _expected_day_sums()
    actual = {
        (d, dim, v): n
        for d, dim, v, n in RollupDay.objects.values_list("date", "dim", "value", "delta")
        if n
    }
    for key in sorted(expected.keys() | actual.keys()):
        if expected.get(key, 0) != actual.get(key, 0):
            problems.append(
                f"rollup {key[0]} {key[1]}={key[2] or '-'}: ledger "
                f"{expected.get(key, 0):+d}, rollup {actual.get(key, 0):+d}"
            )
    months: dict = defaultdict(int)
    for (day, dim, value), n in actual.items():
        months[(month_of(day), dim, value)] += n
    stored = {
        (m, dim, v): n
        for m, dim, v, n in RollupMonth.objects.values_list("month", "dim", "value", "delta")
        if n
    }
    for key in sorted(months.keys() | stored.keys()):
        if months.get(key, 0) != stored.get(key, 0):
            problems.append(
                f"monthly rollup {key[0]:%Y-%m} {key[1]}={key[2] or '-'}: days "
                f"{months.get(key, 0):+d}, month {stored.get(key, 0):+d}"
            )
    return problems


def rollup_rebuild() -> None:
    """Recomputes the rollups from the ledger (after a bulk load that wrote the ledger
    directly, or to repair what `rollup_check` reports). Run it in a transaction."""
    from onward.movements.models import LedgerEntry, RollupDay, RollupDims, RollupMonth

    RollupDay.objects.all().delete()
    RollupMonth.objects.all().delete()
    RollupDims.objects.all().delete()
    ids = set(LedgerEntry.objects.values_list("person_id", flat=True).distinct())
    dims = current_dims(ids)
    RollupDims.objects.bulk_create(
        [RollupDims.of(pk, d) for pk, d in dims.items()], batch_size=5000
    )
    day_sums = _expected_day_sums()
    month_sums: dict = defaultdict(int)
    for (day, dim, value), n in day_sums.items():
        month_sums[(month_of(day), dim, value)] += n
    RollupDay.objects.bulk_create(
        [RollupDay(date=d, dim=dim, value=v, delta=n) for (d, dim, v), n in day_sums.items()],
        batch_size=5000,
    )
    RollupMonth.objects.bulk_create(
        [
            RollupMonth(month=m, dim=dim, value=v, delta=n)
            for (m, dim, v), n in month_sums.items()
            if n
        ],
        batch_size=5000,
    )


def rollup_rebuild_sql() -> None:
    """`rollup_rebuild` in SQL on PostgreSQL (seconds for millions of entries, where the
    Python version takes minutes). Run it in a transaction."""
    if not sql.is_postgresql():
        rollup_rebuild()
        return
    from django.db import transaction

    with transaction.atomic(), connection.cursor() as cursor:
        sql.pg_rollup_rebuild(cursor)
